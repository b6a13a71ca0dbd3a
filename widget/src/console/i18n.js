// The console's words (English and Spanish UI) and the canned replies reps insert.

const UI = {
  en: {
    product: "WaterDesk Console", signIn: "Sign in", email: "Email", password: "Password",
    signInTitle: "Representative sign-in", signInHelp: "Use your district console account.",
    signOut: "Sign out", onShift: "On shift", offShift: "Off shift", queue: "Queue", supervisor: "Supervisor",
    emptyQueue: "Nobody is waiting. Nice work.", waiting: "waiting", assignedTo: "with",
    pick: "Choose a conversation from the queue.",
    claim: "Claim", workOrder: "Work order", waiver: "Fee waiver", returnToBot: "Return to bot",
    transfer: "Transfer", resolve: "Resolve", close: "Close tab",
    reply: "Reply", note: "Internal note", send: "Send", addNote: "Add note",
    replyPlaceholder: "Write a reply to the customer…", notePlaceholder: "Write a note for reps (never shown to the customer)…",
    canned: "Canned responses", insert: "Insert…",
    transcript: "Transcript", customer: "Customer", bot: "Bot", system: "System", rep: "Rep", internal: "Internal note",
    handoff: "Bot handoff", reason: "Reason", summary: "Summary", details: "Collected details", emotion: "Emotion",
    skills: "Skills", account: "Account", notVerified: "The customer has not been verified, so no account details are shown.",
    balance: "Balance", pastDue: "Past due", due: "Due", lastBill: "Last bill", autopay: "Autopay", paperless: "Paperless",
    on: "on", off: "off", bills: "Recent bills", usage: "Usage (HCF per bill)", orders: "Open orders", none: "None",
    shutoff: "Shut-off scheduled", kind: "Type", priority: "Priority", description: "Description", location: "Location",
    create: "Create", cancel: "Cancel", feeKind: "Fee", why: "Reason", grant: "Request waiver",
    toRep: "To a rep", toSkill: "Or back to the queue for a skill", anyone: "—",
    depth: "Waiting", longest: "Longest wait", average: "Average wait", repsOnline: "Reps on shift", held: "With a rep",
    byPriority: "Waiting by priority", live: "Live", offline: "Reconnecting…",
    claimed: "You have this conversation.", taken: "Someone else took this conversation.",
    customerTyping: "Customer is typing…", language: "Language", channel: "Channel", status: "Status",
    age: "Age", noStats: "Supervisors only.", followup: "Follow-up email",
    approvals: "Approvals", audit: "Audit log", analytics: "Analytics", cashier: "Cashier's day", rated: "The customer rated the conversation", refresh: "Refresh", noApprovals: "Nothing is waiting for a decision.",
    decisionNote: "Note for the record (required to deny)", noteRequired: "Write a note to deny this request.",
    approve: "Approve", deny: "Deny", approved: "approved", denied: "denied", rule: "Rule", policyReasons: "Policy says",
    customerReason: "Customer's reason", requestedBy: "Requested by", actorType: "Actor", anyActor: "Anyone",
    actorId: "Actor id", action: "Action (prefix*)", fromDay: "From", toDay: "To", search: "Search", when: "When",
    actor: "Who", entity: "Record", noEntries: "No entries match.", older: "Older entries",
    notes: "Account notes", returnedMail: "Returned mail", emailBounced: "E-bill bounced", pendingApprovals: "Awaiting supervisor",
    statuses: { bot: "with bot", queued: "waiting", assigned: "assigned", closed: "closed" },
  },
  es: {
    product: "Consola WaterDesk", signIn: "Entrar", email: "Correo", password: "Contraseña",
    signInTitle: "Acceso de representantes", signInHelp: "Use su cuenta de la consola del distrito.",
    signOut: "Salir", onShift: "En turno", offShift: "Fuera de turno", queue: "Fila", supervisor: "Supervisión",
    emptyQueue: "Nadie está esperando. Buen trabajo.", waiting: "esperando", assignedTo: "con",
    pick: "Elija una conversación de la fila.",
    claim: "Tomar", workOrder: "Orden de trabajo", waiver: "Exención de cargo", returnToBot: "Devolver al bot",
    transfer: "Transferir", resolve: "Resolver", close: "Cerrar pestaña",
    reply: "Respuesta", note: "Nota interna", send: "Enviar", addNote: "Agregar nota",
    replyPlaceholder: "Escriba una respuesta al cliente…", notePlaceholder: "Escriba una nota para representantes (el cliente nunca la ve)…",
    canned: "Respuestas rápidas", insert: "Insertar…",
    transcript: "Conversación", customer: "Cliente", bot: "Bot", system: "Sistema", rep: "Representante", internal: "Nota interna",
    handoff: "Traspaso del bot", reason: "Motivo", summary: "Resumen", details: "Datos recopilados", emotion: "Emoción",
    skills: "Habilidades", account: "Cuenta", notVerified: "El cliente no ha sido verificado; no se muestran datos de la cuenta.",
    balance: "Saldo", pastDue: "Vencido", due: "Vence", lastBill: "Última factura", autopay: "Pago automático", paperless: "Sin papel",
    on: "sí", off: "no", bills: "Facturas recientes", usage: "Consumo (HCF por factura)", orders: "Órdenes abiertas", none: "Ninguna",
    shutoff: "Corte programado", kind: "Tipo", priority: "Prioridad", description: "Descripción", location: "Ubicación",
    create: "Crear", cancel: "Cancelar", feeKind: "Cargo", why: "Motivo", grant: "Solicitar exención",
    toRep: "A un representante", toSkill: "O de vuelta a la fila por habilidad", anyone: "—",
    depth: "En espera", longest: "Espera más larga", average: "Espera promedio", repsOnline: "Representantes en turno", held: "Con un representante",
    byPriority: "En espera por prioridad", live: "En vivo", offline: "Reconectando…",
    claimed: "Esta conversación es suya.", taken: "Otra persona tomó esta conversación.",
    customerTyping: "El cliente está escribiendo…", language: "Idioma", channel: "Canal", status: "Estado",
    age: "Tiempo", noStats: "Solo supervisores.", followup: "Correo de seguimiento",
    approvals: "Aprobaciones", audit: "Registro de auditoría", analytics: "Analítica", cashier: "Caja del día", rated: "El cliente calificó la conversación", refresh: "Actualizar", noApprovals: "Nada espera una decisión.",
    decisionNote: "Nota para el registro (obligatoria para rechazar)", noteRequired: "Escriba una nota para rechazar esta solicitud.",
    approve: "Aprobar", deny: "Rechazar", approved: "aprobada", denied: "rechazada", rule: "Regla", policyReasons: "La política dice",
    customerReason: "Motivo del cliente", requestedBy: "Solicitada por", actorType: "Actor", anyActor: "Cualquiera",
    actorId: "Id del actor", action: "Acción (prefijo*)", fromDay: "Desde", toDay: "Hasta", search: "Buscar", when: "Cuándo",
    actor: "Quién", entity: "Registro", noEntries: "Ninguna entrada coincide.", older: "Entradas anteriores",
    notes: "Notas de la cuenta", returnedMail: "Correo devuelto", emailBounced: "Factura electrónica rebotada", pendingApprovals: "Esperan supervisor",
    statuses: { bot: "con el bot", queued: "en espera", assigned: "asignada", closed: "cerrada" },
  },
};

export const PRIORITY_LABEL = {
  en: { emergency: "Emergency", distressed: "Distressed", complex: "Complex", request: "Request" },
  es: { emergency: "Emergencia", distressed: "Angustiado", complex: "Complejo", request: "Solicitud" },
};

// Canned replies, in both languages; the console offers the conversation's language first.
export const CANNED = [
  { key: "greet", en: "Hi, this is {name} with the district's customer service. I've read your conversation with our assistant, so there's no need to repeat anything.",
    es: "Hola, le atiende {name} del servicio al cliente del distrito. Ya leí su conversación con nuestro asistente, así que no necesita repetir nada." },
  { key: "moment", en: "Thank you for your patience. Let me look into that for you; it will take a minute or two.",
    es: "Gracias por su paciencia. Déjeme revisarlo; tardaré uno o dos minutos." },
  { key: "leak", en: "Your usage shows water running through the night, which usually means a leak. I've scheduled a leak investigation; a technician will contact you to arrange a visit.",
    es: "Su consumo muestra agua corriendo durante la noche, lo que suele indicar una fuga. Programé una investigación de fuga; un técnico se comunicará con usted para coordinar la visita." },
  { key: "waiver", en: "I've waived the late fee on your account as a courtesy. You'll see the credit on your next bill.",
    es: "Eliminamos el cargo por pago tardío de su cuenta como cortesía. Verá el crédito en su próxima factura." },
  { key: "arrangement", en: "We can split the balance into a payment arrangement so there's no shut-off while you pay. Would that help?",
    es: "Podemos dividir el saldo en un plan de pagos para que no haya corte mientras paga. ¿Le ayudaría?" },
  { key: "anything", en: "Is there anything else I can help you with today?",
    es: "¿Hay algo más en lo que le pueda ayudar hoy?" },
  { key: "bye", en: "Thank you for contacting us. Have a good day!",
    es: "Gracias por comunicarse con nosotros. ¡Que tenga un buen día!" },
];

export const CANNED_TITLE = {
  en: { greet: "Greeting", moment: "One moment", leak: "Leak visit scheduled", waiver: "Late fee waived",
        arrangement: "Offer payment plan", anything: "Anything else?", bye: "Goodbye" },
  es: { greet: "Saludo", moment: "Un momento", leak: "Visita por fuga", waiver: "Cargo eliminado",
        arrangement: "Ofrecer plan de pagos", anything: "¿Algo más?", bye: "Despedida" },
};

export const WORK_ORDER_KINDS = ["leak_investigation", "meter_reread", "meter_test", "meter_repair",
  "water_quality", "turn_on", "turn_off"];
export const FEE_KINDS = ["late_fee", "reconnection_fee", "meter_test_fee", "deposit"];

export function ui(lang) { return UI[lang === "es" ? "es" : "en"]; }

/** snake_case codes as words: "leak_investigation" → "Leak investigation". */
export function words(code) {
  const s = String(code ?? "").replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds || 0));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function money(value) {
  const n = Number(value);
  return Number.isFinite(n) ? n.toLocaleString("en-US", { style: "currency", currency: "USD" }) : "—";
}

export function day(iso, lang) {
  if (!iso) return "—";
  const d = new Date(iso.length === 10 ? `${iso}T12:00:00` : iso);
  return d.toLocaleDateString(lang === "es" ? "es-US" : "en-US", { month: "short", day: "numeric", year: "numeric" });
}
