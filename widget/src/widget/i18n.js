// The widget's own words in English and Spanish; the bot's words come from the bot.

const STRINGS = {
  en: {
    open: "Chat with us",
    close: "Minimize chat",
    title: "Customer service",
    subtitle: "Bills, leaks, service and more",
    unread: (n) => `${n} unread ${n === 1 ? "message" : "messages"}`,
    placeholder: "Type your message…",
    inputLabel: "Message",
    send: "Send",
    you: "You",
    assistant: "Virtual assistant",
    system: "Notice",
    repFallback: "Representative",
    log: "Conversation",
    typingBot: "The assistant is typing…",
    typingRep: (name) => `${name || "A representative"} is typing…`,
    sending: "Sending…",
    notSent: "Not sent yet: it will be sent when you're back online",
    offline: "Connection lost. Reconnecting…",
    online: "Connected",
    menu: "More options",
    download: "Download transcript",
    emailTranscript: "Email me the transcript",
    language: "Español",
    languageLabel: "Cambiar a español",
    emailLabel: "Email address",
    emailSend: "Send",
    cancel: "Cancel",
    emailSent: "Done. We'll email the transcript to you.",
    emailSaved: "Thank you. We'll reply to you by email.",
    emailFailed: "We couldn't use that address. Please check it and try again.",
    queued: (pos, wait) => {
      const where = pos ? `You're number ${pos} in line.` : "You're in line for a representative.";
      const when = wait != null ? ` Expected wait: about ${wait} ${wait === 1 ? "minute" : "minutes"}.` : "";
      return where + when;
    },
    queuedTitle: "Connecting you with a person",
    assigned: (name) => `${name || "A representative"} joined the conversation.`,
    assignedTitle: "You're chatting with a person",
    backToBot: "You're back with the virtual assistant.",
    closed: "This conversation has ended. Thank you for contacting us.",
    newChat: "Start a new conversation",
    afterHoursTitle: "Our team is away right now",
    afterHours: (when) => (when ? `A representative will answer ${when.replace(/\.$/, "")}.` : "A representative will answer when we reopen."),
    leaveEmail: "Leave your email and we'll reply there:",
    leaveEmailButton: "Leave my email instead",
    welcome: "Hi! I'm the district's virtual assistant. How can I help you today?",
    newChatStarted: "New conversation",
    transcriptHeader: "Conversation transcript",
  },
  es: {
    open: "Chatee con nosotros",
    close: "Minimizar el chat",
    title: "Servicio al cliente",
    subtitle: "Facturas, fugas, servicio y más",
    unread: (n) => `${n} ${n === 1 ? "mensaje nuevo" : "mensajes nuevos"}`,
    placeholder: "Escriba su mensaje…",
    inputLabel: "Mensaje",
    send: "Enviar",
    you: "Usted",
    assistant: "Asistente virtual",
    system: "Aviso",
    repFallback: "Representante",
    log: "Conversación",
    typingBot: "El asistente está escribiendo…",
    typingRep: (name) => `${name || "Un representante"} está escribiendo…`,
    sending: "Enviando…",
    notSent: "Aún no enviado: se enviará cuando vuelva la conexión",
    offline: "Se perdió la conexión. Reconectando…",
    online: "Conectado",
    menu: "Más opciones",
    download: "Descargar la conversación",
    emailTranscript: "Enviarme la conversación por correo",
    language: "English",
    languageLabel: "Switch to English",
    emailLabel: "Correo electrónico",
    emailSend: "Enviar",
    cancel: "Cancelar",
    emailSent: "Listo. Le enviaremos la conversación por correo.",
    emailSaved: "Gracias. Le responderemos por correo.",
    emailFailed: "No pudimos usar esa dirección. Revísela e inténtelo de nuevo.",
    queued: (pos, wait) => {
      const where = pos ? `Usted es el número ${pos} en la fila.` : "Está en la fila para hablar con un representante.";
      const when = wait != null ? ` Espera aproximada: ${wait} ${wait === 1 ? "minuto" : "minutos"}.` : "";
      return where + when;
    },
    queuedTitle: "Le estamos comunicando con una persona",
    assigned: (name) => `${name || "Un representante"} se unió a la conversación.`,
    assignedTitle: "Está hablando con una persona",
    backToBot: "Está de nuevo con el asistente virtual.",
    closed: "Esta conversación terminó. Gracias por comunicarse con nosotros.",
    newChat: "Iniciar una nueva conversación",
    afterHoursTitle: "Nuestro equipo no está disponible ahora",
    afterHours: (when) => (when ? `Un representante le responderá ${when.replace(/\.$/, "")}.` : "Un representante le responderá cuando abramos."),
    leaveEmail: "Déjenos su correo y le responderemos allí:",
    leaveEmailButton: "Prefiero dejar mi correo",
    welcome: "¡Hola! Soy el asistente virtual del distrito. ¿En qué le puedo ayudar hoy?",
    newChatStarted: "Nueva conversación",
    transcriptHeader: "Transcripción de la conversación",
  },
};

export function strings(lang) {
  return STRINGS[lang === "es" ? "es" : "en"];
}

/** "tomorrow at 7:30 AM" / "mañana a las 7:30" from an ISO time with an offset, told in the
 * district's own clock (the offset the server sent), whatever the reader's time zone. */
export function whenText(iso, lang) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso || "");
  if (!m) return "";
  const [, y, mo, d, hh, mm, tz] = m;
  const offsetMin = !tz || tz === "Z" ? 0 : (tz[0] === "-" ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(-2)));
  const wall = new Date(Date.UTC(+y, +mo - 1, +d, +hh, +mm));        // district wall clock, as UTC
  const nowWall = new Date(Date.now() + offsetMin * 60_000);          // the district's "now", as UTC
  const locale = lang === "es" ? "es-US" : "en-US";
  const opts = { timeZone: "UTC" };
  const time = wall.toLocaleTimeString(locale, { ...opts, hour: "numeric", minute: "2-digit" });
  const days = Math.round((dayOf(wall) - dayOf(nowWall)) / 86_400_000);
  const date = wall.toLocaleDateString(locale, { ...opts, weekday: "long", month: "long", day: "numeric" });
  if (lang === "es") {
    if (days === 0) return `hoy a las ${time}`;
    if (days === 1) return `mañana a las ${time}`;
    return `el ${date} a las ${time}`;
  }
  if (days === 0) return `today at ${time}`;
  if (days === 1) return `tomorrow at ${time}`;
  return `on ${date} at ${time}`;
}

function dayOf(d) {
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}
