// The rating the hub asks for (a message whose metadata has `rating_request`, after a rep
// resolves the conversation or the bot finishes a task): 1 to 5 and an optional comment, sent
// with the socket's own conversation (`rate`), so nobody rates a conversation by naming its id.
// Native radios in a fieldset: arrow keys choose, Tab moves on, screen readers say "3 of 5".

import { h } from "../shared/linkify.js";

const WORDS = {
  en: {
    legend: "Your rating",
    scale: ["Poor", "Fair", "Good", "Very good", "Excellent"],
    star: (n, label) => `${n} of 5, ${label}`,
    comment: "Comment (optional)",
    send: "Send rating",
    sending: "Sending…",
    pick: "Please choose a rating from 1 to 5.",
    thanks: "Thank you for your feedback!",
    failed: "We couldn't send your rating. Please try again.",
  },
  es: {
    legend: "Su calificación",
    scale: ["Mala", "Regular", "Buena", "Muy buena", "Excelente"],
    star: (n, label) => `${n} de 5, ${label}`,
    comment: "Comentario (opcional)",
    send: "Enviar calificación",
    sending: "Enviando…",
    pick: "Elija una calificación del 1 al 5.",
    thanks: "¡Gracias por su opinión!",
    failed: "No pudimos enviar su calificación. Inténtelo de nuevo.",
  },
};

const MAX_COMMENT = 2000;

// Its own constructed stylesheet, adopted once per shadow root (CSP allows these; styles.js
// explains why not a <style> element).
const CSS = `
.rating { margin-top: 8px; background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 10px 12px; }
.rating fieldset { border: 0; margin: 0; padding: 0; }
.rating legend { font-size: 13px; font-weight: 600; padding: 0; margin-bottom: 4px; }
.rating .stars { display: flex; gap: 4px; position: relative; }
.rating .stars input { position: absolute; opacity: 0; width: 1px; height: 1px; }
.rating .stars label { display: grid; place-items: center; min-width: 40px; height: 40px; border-radius: 8px;
  border: 1.5px solid #aebfd1; cursor: pointer; font-weight: 650; color: var(--blue-dark); background: #fff; }
.rating .stars label span { font-size: 11px; line-height: 1; }
.rating .stars input:checked + label { background: var(--blue); border-color: var(--blue); color: #fff; }
.rating .stars input:focus-visible + label { outline: 3px solid #f2a900; outline-offset: 2px; }
.rating textarea { width: 100%; margin-top: 4px; border: 1.5px solid #aebfd1; border-radius: 8px; padding: 6px 8px; resize: vertical; }
.rating .comment-label { display: block; margin-top: 8px; font-size: 13px; }
.rating .btn { margin-top: 8px; }
.rating .note { margin: 6px 0 0; font-size: 13px; }
.rating .note.error { color: var(--danger); }
.rating.done { color: var(--blue-dark); font-weight: 600; }
`;

const adopted = new WeakSet();

function adoptStyles(root) {
  if (!root || adopted.has(root)) return;
  adopted.add(root);
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement("style"); // older browsers: no constructed sheets
    style.textContent = CSS;
    root.append(style);
  }
}

/** Whether this conversation has been rated from this browser. */
function rated(chat) {
  const id = chat.store.get("session_id");
  return Boolean(id) && chat.store.get("rated_session") === id;
}

/** The rating form (or the thanks, once sent) under the message that asked for it. */
export function ratingForm(chat, message) {
  adoptStyles(chat.root);
  const w = WORDS[chat.lang === "es" ? "es" : "en"];
  if (rated(chat)) return thanks(w);
  const id = `wd-rate-${message.seq ?? "x"}`;
  const stars = [1, 2, 3, 4, 5].map((n) => [
    h("input", { type: "radio", name: id, id: `${id}-${n}`, value: String(n),
                 "aria-label": w.star(n, w.scale[n - 1]) }),
    h("label", { for: `${id}-${n}`, title: w.scale[n - 1] },
      h("span", { "aria-hidden": "true", text: "★" }), String(n)),
  ]).flat();
  const comment = h("textarea", { id: `${id}-comment`, rows: "2", maxlength: String(MAX_COMMENT) });
  const note = h("p", { class: "note", role: "status" });
  const button = h("button", { class: "btn", type: "submit", text: w.send });
  const form = h("form", { class: "rating", onsubmit: (e) => { e.preventDefault(); send(); } },
    h("fieldset", {}, h("legend", { text: w.legend }), h("div", { class: "stars" }, ...stars)),
    h("label", { class: "comment-label", for: `${id}-comment`, text: w.comment }), comment,
    button, note);

  async function send() {
    const chosen = form.querySelector("input[type=radio]:checked");
    if (!chosen) {
      note.className = "note error";
      note.textContent = w.pick;
      form.querySelector("input[type=radio]")?.focus();
      return;
    }
    button.disabled = true;
    button.textContent = w.sending;
    const text = comment.value.trim();
    const reply = await chat.conn.request("rate", { score: Number(chosen.value),
                                                    ...(text ? { comment: text } : {}) });
    if (reply.ok || reply.error === "already_rated") {
      chat.store.set({ rated_session: chat.store.get("session_id") });
      const done = thanks(w);
      form.replaceWith(done);
      done.focus();
      return;
    }
    button.disabled = false;
    button.textContent = w.send;
    note.className = "note error";
    note.textContent = reply.message || w.failed;
  }

  return form;
}

function thanks(w) {
  return h("p", { class: "rating done", role: "status", tabindex: "-1", text: w.thanks });
}
