// Rep assist in the composer: "Draft reply" fetches a drafted next reply (templates + the policy
// engine, GET /queue/{id}/draft) into the reply box for the rep to edit. It never sends: only the
// rep's own Send does. Under the box, what the draft is based on: the rule and the decision.

import { h } from "../shared/linkify.js";
import { api, errorText } from "./api.js";
import { words } from "./i18n.js";

const TEXT = {
  en: {
    draft: "Draft reply", drafting: "Drafting…", basedOn: "Based on",
    hint: "A draft from the account and the district's rules. Edit it before you send.",
    replace: "Replace what you typed with a new draft?",
    decisions: { granted: "policy allows it", referred: "needs a supervisor", denied: "nothing to grant",
                 info: "account information", verify: "not verified: ask to verify" },
  },
  es: {
    draft: "Redactar respuesta", drafting: "Redactando…", basedOn: "Basado en",
    hint: "Un borrador a partir de la cuenta y las reglas del distrito. Edítelo antes de enviarlo.",
    replace: "¿Reemplazar lo que escribió con un nuevo borrador?",
    decisions: { granted: "la política lo permite", referred: "requiere un supervisor", denied: "nada que otorgar",
                 info: "información de la cuenta", verify: "sin verificar: pedir verificación" },
  },
};

// The rules' short names for the basis line (the API gives the code and the full text).
const RULES = {
  late_fee_waiver: ["Late fee waiver", "Exención de recargo"],
  due_date_extension: ["Due date extension", "Extensión de vencimiento"],
  payment_arrangement: ["Payment arrangement", "Plan de pagos"],
  deposit_waiver: ["Deposit waiver", "Exención de depósito"],
  reconnection_fee_review: ["Reconnection fee review", "Revisión del cargo de reconexión"],
  meter_test_fee_review: ["Meter test fee review", "Revisión del cargo por prueba"],
  verification: ["Verification", "Verificación"],
  high_bill_review: ["High bill review", "Revisión de factura alta"],
  shutoff_notice: ["Shut-off notice", "Aviso de corte"],
  billing_terms: ["Billing terms", "Condiciones de facturación"],
  service_orders: ["Service orders", "Órdenes de servicio"],
  outage_response: ["Outage response", "Atención de falta de agua"],
  water_quality_order: ["Water quality visit", "Visita por calidad del agua"],
  contact_on_file: ["Contact on file", "Datos de contacto"],
  general_help: ["General help", "Ayuda general"],
};

const text = (app) => TEXT[app.lang === "es" ? "es" : "en"];

/** The "Draft reply" button for the composer's foot; `input` is the reply textarea. */
export function draftButton(app, conv, input, canReply) {
  const t = text(app);
  const button = h("button", { type: "button", class: "btn ghost", "data-action": "draft",
    title: t.hint, disabled: canReply ? null : true,
    onclick: async () => {
      if (input.value.trim() && input.value !== conv.assist?.text && !window.confirm(t.replace)) return;
      button.disabled = true;
      button.textContent = t.drafting;
      try {
        const draft = await api(`/queue/${conv.id}/draft`);
        conv.assist = draft;
        conv.draft = draft.text;
        input.value = draft.text;
        input.style.height = `${Math.min(input.scrollHeight + 4, 240)}px`; // show the whole draft
        basisSlot(input)?.replaceChildren(basisLine(app, draft));
        input.focus();
        input.setSelectionRange(input.value.length, input.value.length);
      } catch (err) {
        app.toast(errorText(err), true);
      } finally {
        button.disabled = false;
        button.textContent = t.draft;
      }
    } }, t.draft);
  return button;
}

/** The slot under the reply box that shows the last draft's basis (kept across re-renders). */
export function draftBasis(app, conv) {
  return h("div", { class: "assist-slot", "aria-live": "polite" },
    conv.assist ? basisLine(app, conv.assist) : null);
}

function basisSlot(input) {
  return input.closest("form")?.querySelector(".assist-slot");
}

function basisLine(app, draft) {
  const t = text(app);
  const lang = app.lang === "es" ? "es" : "en";
  const rule = RULES[draft.rule]?.[lang === "es" ? 1 : 0] || words(draft.rule);
  const decision = t.decisions[draft.decision] || words(draft.decision);
  return h("details", { class: "assist-basis" },
    h("summary", {}, h("span", { class: "muted", text: `${t.basedOn}: ` }),
      h("strong", { text: rule }), ` · ${decision}`,
      h("span", { class: "chip", text: String(draft.language || "en").toUpperCase() })),
    h("ul", {}, (draft.basis || []).map((b) => h("li", { text: b[lang] || b.en || "" }))));
}
