// The banner that tells the customer where they stand: in line, with a person, back with the
// bot, closed, or outside hours (with when someone will answer and a form to leave an email).

import { h } from "../shared/linkify.js";
import { whenText } from "./i18n.js";

export function renderHandoff(chat, previous) {
  const { banner, t, lang } = chat;
  const hs = chat.handoff || {};
  const status = hs.status || chat.status;
  const away = (status === "queued" || status === "assigned") && (hs.open_now === false || hs.reps_on_shift === 0);
  banner.className = "banner";
  banner.setAttribute("role", "status");
  let parts = null;
  if (status === "queued" && away) {
    banner.classList.add("away");
    parts = [h("strong", { text: t.afterHoursTitle }), whenSentence(t, hs, lang)];
    if (hs.can_leave_email !== false) parts.push(emailForm(chat));
  } else if (status === "queued") {
    parts = [h("strong", { text: t.queuedTitle }), t.queued(hs.position, hs.expected_wait_minutes)];
  } else if (status === "assigned") {
    parts = [h("strong", { text: t.assignedTitle }), t.assigned(hs.rep_name)];
  } else if (status === "closed") {
    banner.classList.add("closed");
    parts = [t.closed, h("div", {}, h("button", { class: "link-btn", type: "button", text: t.newChat,
                                                 onclick: () => chat.restart() }))];
  } else if (status === "bot" && previous && previous !== "bot") {
    parts = [t.backToBot];
  }
  banner.hidden = !parts;
  if (parts) banner.replaceChildren(...parts);
}

function whenSentence(t, hs, lang) {
  return t.afterHours(whenText(hs.next_open, lang));
}

function emailForm(chat) {
  const t = chat.t;
  const note = h("p", { class: "note", role: "status" });
  if (chat.emailLeft) {
    note.textContent = t.emailSaved;
    return note;
  }
  // Folded behind one button: the banner stays short and the conversation stays in view.
  const input = h("input", { id: "wd-leave-email", type: "email", required: true, autocomplete: "email" });
  const form = h("form", { class: "email", hidden: !chat.emailFormOpen,
                           onsubmit: (e) => { e.preventDefault(); chat.leaveEmail(input.value.trim(), note); } },
    h("label", { for: "wd-leave-email", text: t.leaveEmail }), input,
    h("button", { class: "btn", type: "submit", text: t.emailSend }));
  const open = h("button", { class: "link-btn", type: "button", text: t.leaveEmailButton, hidden: chat.emailFormOpen,
                             onclick: () => { chat.emailFormOpen = true; form.hidden = false; open.hidden = true; input.focus(); } });
  return h("div", {}, open, form, note);
}
