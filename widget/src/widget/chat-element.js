// <waterdesk-chat>: the customer's chat window, in a closed-off shadow root.

import { clock, h, linkify } from "../shared/linkify.js";
import { icon } from "../shared/icons.js";
import { Connection } from "./connection.js";
import { renderHandoff } from "./handoff.js";
import { strings } from "./i18n.js";
import { takeChatLink } from "./link.js";
import { ratingForm } from "./rating.js";
import { SessionStore } from "./storage.js";
import { applyStyles } from "./styles.js";
import { downloadTranscript } from "./transcript.js";

const TYPING_IDLE_MS = 4_000;
const BOT_TYPING_MAX_MS = 20_000;

export class WaterdeskChat extends HTMLElement {
  connectedCallback() {
    if (this.root) return; // moved in the DOM: keep the running chat
    const server = (this.getAttribute("server") || location.origin).replace(/\/+$/, "");
    this.store = new SessionStore(server);
    // A leak alert's link starts a new conversation, open, never the one this browser had.
    const chatLink = takeChatLink();
    if (chatLink) this.store.set({ session_id: null, session_secret: null, last_seq: 0, seen_seq: 0,
                                   messages: [], labels: {}, outbox: [], open: true });
    this.lang = this.store.get("language") || this.getAttribute("lang") || (navigator.language?.startsWith("es") ? "es" : "en");
    this.status = "bot";
    this.handoff = null;
    this.typingFrom = null;
    this.quickReplies = [];
    this.online = false;
    this.root = this.attachShadow({ mode: "open" });
    applyStyles(this.root);
    this.build();
    this.renderChrome();
    this.renderLog();
    this.setOpen(Boolean(this.store.get("open")), { focus: false });
    this.conn = new Connection({
      server,
      store: this.store,
      chatLink,
      on: {
        session: (_id, fresh) => { if (fresh) this.renderLog(); },
        state: (s) => this.onState(s),
        message: (m) => this.onMessage(m),
        ack: (cid, seq, entry) => this.onAck(cid, seq, entry),
        rejected: (entry, reply) => this.onRejected(entry, reply),
        handoff: (hs) => this.onHandoff(hs),
        typing: (t) => this.onTyping(t),
        status: (st) => this.onStatus(st),
        error: (e) => { if (e.code === "closed") this.onHandoff({ ...(this.handoff || {}), status: "closed" }); },
      },
    });
  }

  get t() { return strings(this.lang); }

  // ---- structure -------------------------------------------------------------------------

  build() {
    this.badge = h("span", { class: "badge", hidden: true });
    this.launcher = h("button", { class: "launcher", type: "button", "aria-expanded": "false",
                                  onclick: () => this.setOpen(!this.open) },
                      icon("chat"), this.badge);
    this.titleEl = h("h2", { id: "wd-title" });
    this.subtitleEl = h("p");
    this.langBtn = h("button", { class: "icon-btn", type: "button", lang: "", onclick: () => this.switchLanguage() });
    this.menuBtn = h("button", { class: "icon-btn", type: "button", "aria-haspopup": "true", "aria-expanded": "false",
                                 onclick: () => this.toggleMenu() }, icon("more"));
    this.closeBtn = h("button", { class: "icon-btn", type: "button", onclick: () => this.setOpen(false) }, icon("minimize"));
    this.downloadBtn = h("button", { type: "button", role: "menuitem", onclick: () => this.download() });
    this.emailBtn = h("button", { type: "button", role: "menuitem", onclick: () => this.showEmailSheet() });
    this.menu = h("div", { class: "menu", role: "menu", hidden: true, onkeydown: (e) => this.menuKeys(e) },
                  this.downloadBtn, this.emailBtn);
    this.banner = h("div", { class: "banner", hidden: true });
    this.log = h("ol", { class: "log", "aria-labelledby": "wd-log-label", tabindex: "0" });
    this.logLabel = h("span", { id: "wd-log-label", class: "sr-only" });
    this.live = h("div", { class: "sr-only", "aria-live": "polite", "aria-atomic": "false" });
    this.quick = h("div", { class: "quick", hidden: true });
    this.typingEl = h("div", { class: "typing", hidden: true, "aria-hidden": "true" },
                      h("span", { class: "dots" }, h("i"), h("i"), h("i")), h("span"));
    this.offlineEl = h("div", { class: "offline", role: "status", hidden: true });
    this.sheet = h("div", { class: "sheet", hidden: true });
    this.inputLabel = h("label", { for: "wd-input", class: "sr-only" });
    this.input = h("textarea", { id: "wd-input", rows: "1", maxlength: "5000", autocomplete: "off",
                                 onkeydown: (e) => this.inputKeys(e), oninput: () => this.onInput() });
    this.sendBtn = h("button", { class: "send", type: "submit" }, icon("send"));
    this.form = h("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this.submit(); } },
                  this.inputLabel, this.input, this.sendBtn);
    this.footer = h("footer", { text: "WaterDesk" });
    this.panel = h("section", { class: "panel", role: "dialog", "aria-labelledby": "wd-title", hidden: true,
                                onkeydown: (e) => { if (e.key === "Escape") this.escape(e); } },
      h("header", {}, h("div", { class: "avatar" }, icon("drop", { fill: "currentColor", stroke: 1 })),
        h("div", { class: "heading" }, this.titleEl, this.subtitleEl),
        this.langBtn, this.menuBtn, this.closeBtn),
      this.menu, this.banner, this.logLabel, this.log, this.quick, this.typingEl, this.offlineEl,
      this.sheet, this.form, this.footer, this.live);
    this.root.append(this.panel, this.launcher);
  }

  /** All fixed text, in the current language. */
  renderChrome() {
    const t = this.t;
    this.setAttribute("lang", this.lang);
    this.launcher.setAttribute("aria-label", this.open ? t.close : t.open);
    this.titleEl.textContent = this.getAttribute("heading") || t.title;
    this.subtitleEl.replaceChildren(h("span", { class: this.online ? "dot" : "dot off", "aria-hidden": "true" }),
                                    this.online ? t.subtitle : t.offline);
    this.langBtn.textContent = this.lang === "es" ? "EN" : "ES";
    this.langBtn.setAttribute("aria-label", t.languageLabel);
    this.langBtn.setAttribute("lang", this.lang === "es" ? "en" : "es");
    this.menuBtn.setAttribute("aria-label", t.menu);
    this.closeBtn.setAttribute("aria-label", t.close);
    this.downloadBtn.textContent = t.download;
    this.emailBtn.textContent = t.emailTranscript;
    this.logLabel.textContent = t.log;
    this.inputLabel.textContent = t.inputLabel;
    this.input.placeholder = t.placeholder;
    this.sendBtn.setAttribute("aria-label", t.send);
    this.offlineEl.textContent = t.offline;
    this.renderBadge();
    this.renderBanner();
    this.renderTyping();
  }

  // ---- open / close, focus -----------------------------------------------------------------

  setOpen(open, { focus = true } = {}) {
    this.open = open;
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", String(open));
    this.launcher.replaceChildren(icon(open ? "close" : "chat"), this.badge);
    this.store.set({ open });
    this.toggleAttribute("data-open", open);
    if (open) {
      this.markSeen();
      this.scrollDown();
      if (focus) this.input.focus();
    } else {
      this.closeMenu();
      if (focus) this.launcher.focus();
    }
    this.renderChrome();
  }

  escape(e) {
    e.stopPropagation();
    if (!this.menu.hidden) { this.closeMenu(); this.menuBtn.focus(); return; }
    if (!this.sheet.hidden) { this.sheet.hidden = true; this.input.focus(); return; }
    this.setOpen(false);
  }

  toggleMenu() {
    if (this.menu.hidden) {
      this.menu.hidden = false;
      this.menuBtn.setAttribute("aria-expanded", "true");
      this.downloadBtn.focus();
    } else {
      this.closeMenu();
    }
  }

  closeMenu() {
    this.menu.hidden = true;
    this.menuBtn.setAttribute("aria-expanded", "false");
  }

  menuKeys(e) {
    const items = [...this.menu.querySelectorAll("button")];
    const i = items.indexOf(this.root.activeElement);
    if (e.key === "ArrowDown") { e.preventDefault(); items[(i + 1) % items.length].focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); items[(i - 1 + items.length) % items.length].focus(); }
    if (e.key === "Tab") this.closeMenu();
  }

  // ---- messages --------------------------------------------------------------------------

  get messages() { return this.store.get("messages"); }

  /** Rebuild the whole transcript (first paint, language switch, new session). */
  renderLog() {
    this.log.replaceChildren();
    if (!this.messages.length) this.log.append(this.messageNode({ sender: "bot", text: this.t.welcome, local: true }));
    for (const m of this.messages) this.log.append(this.messageNode(m));
    for (const e of this.store.get("outbox") || []) {
      if (!this.messages.some((m) => m.client_id === e.client_id)) {
        this.log.append(this.messageNode({ sender: "customer", text: e.label || e.text, client_id: e.client_id,
                                           created_at: e.created_at, pending: true }));
      }
    }
    const last = this.messages[this.messages.length - 1];
    this.setQuickReplies(last && last.sender !== "customer" ? last.quick_replies : []);
    this.scrollDown();
  }

  messageNode(m) {
    const t = this.t;
    const who = m.sender === "customer" ? t.you : m.sender === "rep" ? (m.rep_name || t.repFallback)
      : m.sender === "system" ? t.system : t.assistant;
    const li = h("li", { class: `msg ${m.sender}${m.pending ? " pending" : ""}`, "data-seq": m.seq ?? null,
                         "data-client-id": m.client_id ?? null, "data-local": m.local || null },
      m.sender === "system" ? null : h("span", { class: "who", text: who }),
      h("div", { class: "bubble" }, linkify(m.text)),
      m.sender === "system" ? null : h("span", { class: "meta", text: m.pending ? t.sending : clock(m.created_at, this.lang) }));
    li.prepend(h("span", { class: "sr-only", text: `${who}: ` }));
    if (m.rating_request) li.append(ratingForm(this, m));
    return li;
  }

  onMessage(raw) {
    const list = this.messages;
    if (raw.internal) return; // never shown to customers (the server should not send these anyway)
    if (raw.seq != null && list.some((m) => m.seq === raw.seq)) return; // replayed twice
    const labels = this.store.get("labels") || {};
    const message = {
      seq: raw.seq, sender: raw.sender, client_id: raw.client_id || null, created_at: raw.created_at,
      rep_name: raw.rep_name || null, quick_replies: raw.quick_replies || raw.buttons || [],
      text: raw.text ?? "", rating_request: raw.rating_request || null,
    };
    if (message.sender === "customer") {
      const outbox = this.store.get("outbox") || [];
      const label = labels[message.text];
      if (label) message.text = label; // show the button's title, not its payload
      if (message.client_id && (outbox.some((e) => e.client_id === message.client_id)
          || list.some((m) => m.client_id === message.client_id))) {
        this.conn.acked({ client_id: message.client_id, seq: message.seq }); // our own, seen elsewhere
        return;
      }
    }
    if (!message.text && !message.quick_replies.length) return; // e.g. a bare handoff payload
    this.insertSorted(message);
    this.store.save();
    // Replace a pending bubble for the same client_id, else insert in seq order.
    const pendingNode = message.client_id && this.log.querySelector(`[data-client-id="${cssEscape(message.client_id)}"]`);
    const node = this.messageNode(message);
    if (pendingNode) pendingNode.replaceWith(node);
    else this.appendNode(node, message.seq);
    this.log.querySelector("li[data-local]")?.remove();
    if (message.sender !== "customer") {
      if (message.sender === "bot") this.stopBotTyping();
      if (message.sender === "rep" && this.typingFrom === "rep") this.typingFrom = null;
      this.setQuickReplies(message.quick_replies);
      if (message.quick_replies.length) {
        for (const q of message.quick_replies) labels[q.payload] = q.title;
        this.store.set({ labels });
      }
      const who = message.sender === "rep" ? message.rep_name || this.t.repFallback
        : message.sender === "system" ? this.t.system : this.t.assistant;
      this.announce(`${who}: ${message.text}`);
      if (this.open && document.visibilityState !== "hidden") this.markSeen();
    } else {
      this.setQuickReplies([]);
    }
    this.renderBadge();
    this.renderTyping();
    this.scrollDown();
  }

  insertSorted(message) {
    const list = this.messages;
    let i = list.length;
    while (i > 0 && message.seq != null && list[i - 1].seq != null && list[i - 1].seq > message.seq) i--;
    list.splice(i, 0, message);
  }

  appendNode(node, seq) {
    const later = seq == null ? null : [...this.log.children].find((li) => Number(li.dataset.seq) > seq);
    // Pending (unsent) bubbles stay last: they have no seq yet.
    const firstPending = this.log.querySelector("li.pending");
    this.log.insertBefore(node, later || firstPending || null);
  }

  /** Our own message reached the server: give it its seq, keep it in the stored transcript. */
  onAck(clientId, seq, entry) {
    const node = this.log.querySelector(`[data-client-id="${cssEscape(clientId)}"]`);
    let stored = this.messages.find((m) => m.client_id === clientId);
    if (!stored && !entry && !node) return; // another tab's message: its customer_uttered brings the text
    if (stored) {
      if (seq != null) stored.seq = seq;
    } else {
      stored = { sender: "customer", client_id: clientId, seq: seq ?? null,
                 created_at: entry?.created_at || new Date().toISOString(),
                 text: entry ? entry.label || entry.text : node?.querySelector(".bubble")?.textContent || "" };
      this.insertSorted(stored);
    }
    this.store.save();
    if (node) {
      node.classList.remove("pending");
      if (seq != null) node.dataset.seq = String(seq);
      const meta = node.querySelector(".meta");
      if (meta) meta.textContent = clock(stored.created_at, this.lang);
    }
  }

  /** The server refused our message for good: say why on its bubble. */
  onRejected(entry, reply) {
    const node = this.log.querySelector(`[data-client-id="${cssEscape(entry.client_id)}"]`);
    node?.classList.replace("pending", "failed");
    const meta = node?.querySelector(".meta");
    if (meta) meta.textContent = reply.message || "";
  }

  announce(text) {
    // A fresh node per message so screen readers read each one once.
    this.live.append(h("p", { text }));
    while (this.live.childElementCount > 3) this.live.firstElementChild.remove();
  }

  setQuickReplies(replies) {
    this.quickReplies = Array.isArray(replies) ? replies.filter((q) => q && q.title) : [];
    this.quick.replaceChildren(...this.quickReplies.map((q) =>
      h("button", { type: "button", onclick: () => this.sendText(q.payload || q.title, q.title) }, q.title)));
    this.quick.hidden = !this.quickReplies.length || this.status === "closed";
  }

  scrollDown() {
    requestAnimationFrame(() => { this.log.scrollTop = this.log.scrollHeight; });
  }

  // ---- unread badge ----------------------------------------------------------------------

  unreadCount() {
    const seen = this.store.get("seen_seq") || 0;
    return this.messages.filter((m) => m.sender !== "customer" && m.seq != null && m.seq > seen).length;
  }

  markSeen() {
    const last = this.messages.reduce((max, m) => Math.max(max, m.seq || 0), 0);
    this.store.set({ seen_seq: last });
    this.renderBadge();
  }

  renderBadge() {
    const n = this.open ? 0 : this.unreadCount();
    this.badge.hidden = n === 0;
    this.badge.textContent = n > 9 ? "9+" : String(n);
    const label = this.open ? this.t.close : this.t.open;
    this.launcher.setAttribute("aria-label", n ? `${label}, ${this.t.unread(n)}` : label);
  }

  // ---- composer ----------------------------------------------------------------------------

  inputKeys(e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    }
  }

  onInput() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 120)}px`;
    if (!this.customerTyping) this.conn?.typing(true);
    this.customerTyping = true;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => { this.customerTyping = false; this.conn?.typing(false); }, TYPING_IDLE_MS);
  }

  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.input.style.height = "auto";
    this.sendText(text);
    this.input.focus();
  }

  sendText(text, label) {
    if (this.status === "closed") return;
    clearTimeout(this.typingTimer);
    if (this.customerTyping) { this.customerTyping = false; this.conn.typing(false); }
    const entry = this.conn.send(text, { label, language: this.langChosen ? this.lang : null });
    this.log.querySelector("li[data-local]")?.remove();
    this.log.append(this.messageNode({ sender: "customer", text: label || text, client_id: entry.client_id,
                                       created_at: entry.created_at, pending: true }));
    this.setQuickReplies([]);
    if (this.status === "bot") this.startBotTyping();
    this.scrollDown();
  }

  // ---- typing ------------------------------------------------------------------------------

  startBotTyping() {
    this.typingFrom = "bot";
    clearTimeout(this.botTypingTimer);
    this.botTypingTimer = setTimeout(() => this.stopBotTyping(), BOT_TYPING_MAX_MS);
    this.renderTyping();
  }

  stopBotTyping() {
    clearTimeout(this.botTypingTimer);
    if (this.typingFrom === "bot") this.typingFrom = null;
    this.renderTyping();
  }

  onTyping({ sender, typing, name }) {
    if (typing) {
      this.typingFrom = sender === "rep" ? "rep" : "bot";
      this.typingName = name || null;
    } else if (this.typingFrom === sender) {
      this.typingFrom = null;
    }
    this.renderTyping();
  }

  renderTyping() {
    const who = this.typingFrom;
    this.typingEl.hidden = !who;
    this.typingEl.lastElementChild.textContent = who === "rep" ? this.t.typingRep(this.typingName || this.handoff?.rep_name)
      : who ? this.t.typingBot : "";
  }

  // ---- session state, handoff ------------------------------------------------------------

  onStatus(status) {
    this.online = status === "online";
    this.offlineEl.hidden = this.online;
    this.renderChrome();
  }

  onState(state) {
    if (state.language && !this.langChosen) this.setLanguage(state.language, false);
    if (state.status) this.status = state.status;
    this.onHandoff(state.handoff && Object.keys(state.handoff).length ? state.handoff : { status: state.status });
  }

  onHandoff(handoff) {
    const previous = this.handoff?.status;
    this.handoff = handoff;
    if (handoff.status) this.status = handoff.status;
    if (handoff.status !== "bot") this.stopBotTyping();
    // No announce() here: the banner is a role="status" live region and speaks for itself.
    this.input.disabled = this.status === "closed";
    this.sendBtn.disabled = this.status === "closed";
    this.quick.hidden = !this.quickReplies.length || this.status === "closed";
    this.renderBanner(previous);
  }

  renderBanner(previous) {
    renderHandoff(this, previous);
  }

  async leaveEmail(email, note) {
    const reply = await this.conn.request("leave_email", { email });
    note.className = reply.ok ? "note" : "note error";
    note.textContent = reply.ok ? this.t.emailSaved : reply.message || this.t.emailFailed;
    if (reply.ok) this.emailLeft = true;
  }

  restart() {
    this.status = "bot";
    this.handoff = null;
    this.conn.restart(this.lang);
    this.renderLog();
    this.onHandoff({ status: "bot" });
    this.input.focus();
  }

  // ---- language ----------------------------------------------------------------------------

  switchLanguage() {
    this.langChosen = true;
    this.setLanguage(this.lang === "es" ? "en" : "es", true);
    this.langBtn.focus();
  }

  setLanguage(lang, persist) {
    const next = lang === "es" ? "es" : "en";
    if (persist) this.store.set({ language: next });
    if (next === this.lang) return;
    this.lang = next;
    this.renderChrome();
    this.renderLog();
  }

  // ---- transcript ------------------------------------------------------------------------

  download() {
    this.closeMenu();
    downloadTranscript(this.messages, this.t, this.lang);
    this.menuBtn.focus();
  }

  showEmailSheet() {
    this.closeMenu();
    const t = this.t;
    const input = h("input", { id: "wd-transcript-email", type: "email", required: true, autocomplete: "email" });
    const note = h("p", { class: "note", role: "status" });
    const form = h("form", { class: "email", onsubmit: async (e) => {
      e.preventDefault();
      const reply = await this.conn.request("email_transcript", { email: input.value.trim() });
      note.className = reply.ok ? "note" : "note error";
      note.textContent = reply.ok ? t.emailSent : reply.message || t.emailFailed;
    } },
      h("label", { for: "wd-transcript-email", text: t.emailTranscript }), input,
      h("button", { class: "btn", type: "submit", text: t.emailSend }),
      h("button", { class: "btn ghost", type: "button", text: t.cancel,
                    onclick: () => { this.sheet.hidden = true; this.input.focus(); } }));
    this.sheet.replaceChildren(form, note);
    this.sheet.hidden = false;
    input.focus();
  }
}

function cssEscape(value) {
  return globalThis.CSS?.escape ? globalThis.CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
}
