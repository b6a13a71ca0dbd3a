// One conversation's tab: header and actions, transcript, composer, handoff and account cards.

import { clock, h, linkify } from "../shared/linkify.js";
import { accountCard } from "./account.js";
import { draftBasis, draftButton } from "./assist.js";
import { CANNED, CANNED_TITLE, PRIORITY_LABEL, words } from "./i18n.js";

export function conversationView(app, conv) {
  const t = app.t;
  const d = conv.detail || {};
  const mine = d.assigned_rep_id === app.me?.id;
  const canAct = d.status !== "closed" && (mine || app.me?.role === "supervisor");
  const action = (label, fn, opts = {}) => h("button", { type: "button", class: `btn ${opts.cls || "ghost"}`,
    disabled: opts.disabled || null, "data-action": opts.name, onclick: fn }, label);
  const header = h("div", { class: "conv-head" },
    h("div", { class: "conv-title" },
      h("h2", { text: title(d, t, conv.account) }),
      h("div", { class: "chips" },
        d.priority ? h("span", { class: `chip prio-${d.priority}`, text: PRIORITY_LABEL[app.lang][d.priority] || words(d.priority) }) : null,
        h("span", { class: `chip status-${d.status}`, text: t.statuses[d.status] || d.status || "" }),
        h("span", { class: "chip", text: (d.language || "en").toUpperCase() }),
        h("span", { class: "chip", text: words(d.channel || "web") }),
        d.assigned_rep_name ? h("span", { class: "chip", text: `${t.assignedTo} ${d.assigned_rep_name}` }) : null)),
    h("div", { class: "actions", role: "toolbar", "aria-label": "Actions" },
      d.status === "queued" || (d.status === "bot" && !mine)
        ? action(t.claim, () => app.claim(conv.id), { cls: "primary", name: "claim" }) : null,
      action(t.workOrder, () => app.dialogs.workOrder(conv), { disabled: !canAct || !d.verified_account, name: "work-order" }),
      action(t.waiver, () => app.dialogs.waiver(conv), { disabled: !canAct || !d.verified_account, name: "waiver" }),
      action(t.transfer, () => app.dialogs.transfer(conv), { disabled: !canAct, name: "transfer" }),
      action(t.returnToBot, () => app.act(conv.id, "return-to-bot"), { disabled: !canAct, name: "return-to-bot" }),
      action(t.resolve, () => app.act(conv.id, "resolve"), { disabled: !canAct, cls: "primary", name: "resolve" })));

  const log = h("ol", { class: "transcript", "aria-label": t.transcript, tabindex: "0" },
    [...conv.messages.values()].sort((a, b) => a.seq - b.seq).map((m) => messageItem(m, app)));
  const typing = h("p", { class: "typing-note", hidden: !conv.customerTyping, text: t.customerTyping, "aria-live": "polite" });

  return h("div", { class: "conv" },
    header,
    h("div", { class: "conv-body" },
      h("div", { class: "conv-main" }, log, typing, composer(app, conv, canAct)),
      h("div", { class: "conv-side" }, handoffCard(app, d), accountPanel(app, conv))));
}

function title(d, t, account) {
  const s = account?.summary;
  if (s) return `${s.business_name || s.customer_name} · #${s.account_number}`;
  const name = d.handoff?.collected?.customer_name;
  if (name) return name;
  if (d.verified_account) return `${t.account} ${d.verified_account}`;
  return `${words(d.channel || "web")} · ${String(d.id || "").slice(0, 6)}`;
}

function messageItem(m, app) {
  const t = app.t;
  const who = m.internal ? `${t.internal} · ${repName(app, m.rep_id) || t.rep}`
    : m.sender === "customer" ? t.customer : m.sender === "rep" ? repName(app, m.rep_id) || t.rep
    : m.sender === "system" ? t.system : t.bot;
  return h("li", { class: `m ${m.sender}${m.internal ? " internal" : ""}` },
    h("div", { class: "m-meta" }, h("strong", { text: who }), h("span", { text: clock(m.created_at, app.lang) })),
    h("div", { class: "m-text" }, linkify(m.text || (m.payload?.custom?.handoff ? "↪ handoff" : ""))));
}

function repName(app, id) {
  if (id == null) return null;
  if (id === app.me?.id) return app.me.name;
  return app.repNames.get(id) || null;
}

function composer(app, conv, canReply) {
  const t = app.t;
  const note = conv.mode === "note" || !canReply;
  const input = h("textarea", { rows: "3", "aria-label": note ? t.note : t.reply,
    placeholder: note ? t.notePlaceholder : t.replyPlaceholder,
    oninput: () => { conv.draft = input.value; app.repTyping(conv.id); },
    onkeydown: (e) => { if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); } } });
  input.value = conv.draft || "";
  const send = () => {
    const text = input.value.trim();
    if (!text) return;
    if (!note) conv.assist = null; // the basis belongs to the draft just sent
    app.send(conv.id, text, note);
  };
  const lang = conv.detail?.language === "es" ? "es" : "en";
  const other = lang === "es" ? "en" : "es";
  const canned = h("select", { "aria-label": t.canned, onchange: (e) => {
      const [key, l] = e.target.value.split(":");
      const item = CANNED.find((c) => c.key === key);
      if (item) {
        input.value = (input.value ? `${input.value} ` : "") + item[l].replace("{name}", app.me?.name?.split(" ")[0] || "");
        conv.draft = input.value;
      }
      e.target.value = "";
      input.focus();
    } },
    h("option", { value: "", text: `${t.canned}: ${t.insert}` }),
    [lang, other].map((l) => h("optgroup", { label: l === "es" ? "Español" : "English" },
      CANNED.map((c) => h("option", { value: `${c.key}:${l}`, text: CANNED_TITLE[l][c.key] })))));
  const tab = (mode, label) => h("button", { type: "button", role: "tab", class: "mode",
    "aria-selected": String((mode === "note") === note), disabled: mode === "reply" && !canReply ? true : null,
    onclick: () => { conv.mode = mode; app.render(); app.focusComposer(); } }, label);
  return h("form", { class: `composer${note ? " noting" : ""}`, onsubmit: (e) => { e.preventDefault(); send(); } },
    h("div", { class: "composer-top" }, h("div", { role: "tablist", class: "modes" }, tab("reply", t.reply), tab("note", t.note)), canned),
    input,
    note ? null : draftBasis(app, conv),
    h("div", { class: "composer-foot" }, note ? null : draftButton(app, conv, input, canReply),
      h("button", { type: "submit", class: "btn primary", text: note ? t.addNote : t.send })));
}

function handoffCard(app, d) {
  const t = app.t;
  const hand = d.handoff || {};
  const collected = Object.entries(hand.collected || {}).filter(([, v]) => v != null && v !== "");
  const emotions = hand.emotions || [];
  const latest = emotions[emotions.length - 1];
  return h("section", { class: "card", "aria-label": t.handoff },
    h("h3", { text: t.handoff }),
    h("dl", {},
      h("dt", { text: t.reason }), h("dd", { text: hand.reason?.[app.lang] || d.reason || "—" }),
      latest ? [h("dt", { text: t.emotion }), h("dd", { text: `${words(latest.label)}${latest.intensity ? ` (${latest.intensity})` : ""}` })] : null,
      (hand.skills || []).length ? [h("dt", { text: t.skills }), h("dd", { text: hand.skills.map(words).join(", ") })] : null,
      d.followup_email ? [h("dt", { text: t.followup }), h("dd", { text: d.followup_email })] : null),
    hand.summary ? [h("h4", { text: t.summary }), h("p", { class: "summary", text: hand.summary })] : null,
    collected.length ? [h("h4", { text: t.details }),
      h("dl", { class: "details" }, collected.map(([k, v]) => [h("dt", { text: words(k) }), h("dd", { text: String(v) })]))] : null);
}

function accountPanel(app, conv) {
  const t = app.t;
  if (conv.account === undefined) return h("section", { class: "card muted", text: "…" });
  if (!conv.account) return h("section", { class: "card" }, h("h3", { text: t.account }), h("p", { class: "muted", text: t.notVerified }));
  return accountCard(conv.account, t, app.lang);
}
