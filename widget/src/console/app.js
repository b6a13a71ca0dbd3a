// The console once signed in: live queue, conversation tabs, supervisor screens, over /rep.

import { io } from "socket.io-client";
import { h } from "../shared/linkify.js";
import { api, auth, errorText } from "./api.js";
import { analyticsView, loadAnalytics } from "./analytics.js";
import { approvalsView, auditView, loadApprovals, loadAudit } from "./backoffice.js";
import { cashierView, loadCashier } from "./cashier.js";
import { conversationView } from "./conversation.js";
import { Dialogs } from "./dialogs.js";
import { ui } from "./i18n.js";
import { queueList, supervisorView } from "./queue.js";

const SUPERVISOR_TAB = "supervisor";
// The supervisor's own screens, beside the conversation tabs.
const APPROVALS_TAB = "approvals";
const AUDIT_TAB = "audit";
const ANALYTICS_TAB = "analytics";
const CASHIER_TAB = "cashier";

export class ConsoleApp {
  constructor(root, { onSignOut }) {
    this.root = root;
    this.onSignOut = onSignOut;
    this.lang = localStorage.getItem("waterdesk:console:lang") || "en";
    this.entries = [];
    this.stats = null;
    this.statsAt = Date.now();
    this.convs = new Map(); // open tabs by conversation id
    this.repNames = new Map();
    this.active = null;
    this.online = false;
    this.dialogs = new Dialogs(this);
  }

  get t() { return ui(this.lang); }

  async start() {
    this.me = await api("/reps/me");
    this.repNames.set(this.me.id, this.me.name);
    this.active = this.me.role === "supervisor" ? SUPERVISOR_TAB : null;
    this.connect();
    const queue = await api("/queue").catch(() => null);
    if (queue) this.setQueue(queue);
    this.render();
    if (this.me.role === "supervisor") loadApprovals(this);
    this.timer = setInterval(() => {
      this.renderQueue();
      // The pending count on the tab stays fresh; the open list waits for its Refresh button,
      // so a note being written isn't wiped.
      if (this.me.role === "supervisor" && this.active !== APPROVALS_TAB) loadApprovals(this);
    }, 15_000);
  }

  connect() {
    const socket = io("/rep", { path: "/socket.io", auth: { token: auth.token }, transports: ["websocket", "polling"] });
    this.socket = socket;
    socket.on("connect", () => {
      this.online = true;
      for (const id of this.convs.keys()) this.watch(id); // rejoin rooms after a reconnect
      this.renderTop();
    });
    socket.on("disconnect", () => { this.online = false; this.renderTop(); });
    socket.on("connect_error", (err) => {
      this.online = false;
      this.renderTop();
      if (err?.data?.code === "unauthorized") this.signOut();
    });
    socket.on("queue", (q) => { this.setQueue(q); this.renderQueue(); if (this.active === SUPERVISOR_TAB) this.renderPanel(); });
    socket.on("message", (m) => this.onMessage(m));
    socket.on("conversation", (c) => this.onConversation(c));
    socket.on("rating", (r) => this.toast(`${this.t.rated}: ${r.score}/5${r.comment ? ` · “${r.comment}”` : ""}`));
    socket.on("typing", (e) => {
      const conv = this.convs.get(e.conversation_id);
      if (!conv) return;
      conv.customerTyping = Boolean(e.typing);
      if (this.active === conv.id) this.renderPanel();
    });
  }

  setQueue({ entries, stats }) {
    this.entries = entries || [];
    this.stats = stats || this.stats;
    this.statsAt = Date.now();
    for (const r of this.stats?.reps_on_shift || []) this.repNames.set(r.id, r.name);
    for (const e of this.entries) {
      if (e.assigned_rep_id != null && e.assigned_rep_name) this.repNames.set(e.assigned_rep_id, e.assigned_rep_name);
      const conv = this.convs.get(e.id);
      if (conv?.detail) Object.assign(conv.detail, { status: e.status, assigned_rep_id: e.assigned_rep_id,
                                                     assigned_rep_name: e.assigned_rep_name });
    }
  }

  /** Seconds since the last queue snapshot, so ages keep counting between updates. */
  ticks() { return Math.round((Date.now() - this.statsAt) / 1000); }

  // ---- conversations -----------------------------------------------------------------------

  async open(id) {
    if (!this.convs.has(id)) {
      const conv = { id, detail: null, messages: new Map(), account: undefined, mode: "reply", draft: "" };
      this.convs.set(id, conv);
      this.active = id;
      this.render();
      await this.load(conv);
      this.watch(id);
      this.loadAccount(conv);
    }
    this.active = id;
    this.render();
    this.focusComposer();
  }

  async load(conv) {
    try {
      const detail = await api(`/queue/${conv.id}`);
      const entry = this.entries.find((e) => e.id === conv.id);
      conv.detail = { ...detail, assigned_rep_name: entry?.assigned_rep_name || (detail.assigned_rep_id === this.me.id ? this.me.name : null) };
      for (const m of detail.messages || []) conv.messages.set(m.seq, m);
    } catch (err) {
      this.toast(errorText(err), true);
    }
    this.render();
  }

  async loadAccount(conv) {
    try {
      conv.account = await api(`/queue/${conv.id}/account`);
    } catch (err) {
      conv.account = null; // 404: not verified
      if (err.status !== 404) this.toast(errorText(err), true);
    }
    if (this.active === conv.id) this.renderPanel();
    this.renderTabs();
  }

  watch(id) {
    if (!this.socket?.connected) return;
    this.socket.emit("watch", { conversation_id: id }, (reply) => {
      const conv = this.convs.get(id);
      if (!conv || !reply?.ok) return;
      for (const m of reply.messages || []) conv.messages.set(m.seq, m);
      if (this.active === id) this.renderPanel();
    });
  }

  closeTab(id) {
    this.convs.delete(id);
    this.socket?.emit("unwatch", { conversation_id: id });
    if (this.active === id) this.active = [...this.convs.keys()].pop() || (this.me.role === "supervisor" ? SUPERVISOR_TAB : null);
    this.render();
  }

  onMessage(m) {
    const conv = this.convs.get(m.conversation_id);
    if (!conv) return;
    conv.messages.set(m.seq, m);
    if (m.sender === "customer") conv.customerTyping = false;
    if (this.active === conv.id) this.renderPanel();
    else this.renderTabs();
    if (this.active !== conv.id) conv.unread = (conv.unread || 0) + 1;
    this.renderTabs();
  }

  onConversation(c) {
    const conv = this.convs.get(c.id);
    if (!conv?.detail) return;
    Object.assign(conv.detail, { status: c.status, assigned_rep_id: c.assigned_rep_id,
                                 assigned_rep_name: c.assigned_rep_name ?? conv.detail.assigned_rep_name });
    if (this.active === conv.id) this.renderPanel();
    this.renderTabs();
  }

  // ---- actions -----------------------------------------------------------------------------

  async claim(id) {
    try {
      await api(`/queue/${id}/claim`, { method: "POST" });
      const conv = this.convs.get(id);
      if (conv?.detail) Object.assign(conv.detail, { status: "assigned", assigned_rep_id: this.me.id, assigned_rep_name: this.me.name });
      this.toast(this.t.claimed);
    } catch (err) {
      this.toast(err.status === 409 ? this.t.taken : errorText(err), true);
    }
    this.render();
    this.focusComposer();
  }

  async send(id, text, internal) {
    const conv = this.convs.get(id);
    try {
      const m = await api(`/queue/${id}/messages`, { method: "POST", body: { text, internal } });
      if (m?.seq != null) conv.messages.set(m.seq, m);
      conv.draft = "";
      this.socket?.emit("typing", { conversation_id: id, typing: false });
    } catch (err) {
      this.toast(errorText(err), true);
    }
    this.renderPanel();
    this.focusComposer();
  }

  async act(id, what) {
    try {
      const out = await api(`/queue/${id}/${what}`, { method: "POST" });
      const conv = this.convs.get(id);
      if (conv?.detail && out?.status) conv.detail.status = out.status;
    } catch (err) {
      this.toast(errorText(err), true);
    }
    this.render();
  }

  async post(id, what, body) {
    try {
      const out = await api(`/queue/${id}/${what}`, { method: "POST", body });
      const conv = this.convs.get(id);
      if (conv?.detail && out?.status) conv.detail.status = out.status;
      this.render();
      return out;
    } catch (err) {
      throw new Error(errorText(err));
    }
  }

  repTyping(id) {
    const now = Date.now();
    if (now - (this.typingSent || 0) < 3_000) return;
    this.typingSent = now;
    this.socket?.emit("typing", { conversation_id: id, typing: true });
  }

  async setShift(on) {
    try {
      this.me = await api("/reps/me/shift", { method: "PUT", body: { on_shift: on } });
    } catch (err) {
      this.toast(errorText(err), true);
    }
    this.renderTop();
  }

  setLanguage(lang) {
    this.lang = lang;
    localStorage.setItem("waterdesk:console:lang", lang);
    document.documentElement.lang = lang;
    this.render();
  }

  signOut() {
    clearInterval(this.timer);
    this.socket?.close();
    auth.token = null;
    this.onSignOut();
  }

  // ---- rendering ---------------------------------------------------------------------------

  toast(text, error = false) {
    const el = h("div", { class: `toast${error ? " error" : ""}`, role: error ? "alert" : "status", text });
    this.toasts.append(el);
    setTimeout(() => el.remove(), 6_000);
  }

  focusComposer() {
    requestAnimationFrame(() => this.root.querySelector(".composer textarea")?.focus());
  }

  render() {
    const t = this.t;
    document.title = t.product;
    this.top = h("header", { class: "topbar" });
    this.queueEl = h("div", { class: "queue-body" });
    this.tabsEl = h("div", { class: "tabs", role: "tablist", "aria-label": "Conversations" });
    this.panelEl = h("div", { class: "panel", role: "tabpanel" });
    this.toasts = this.toasts || h("div", { class: "toasts", "aria-live": "polite" });
    this.queueCount = h("span", { class: "count" });
    this.root.replaceChildren(this.top,
      h("div", { class: "layout" },
        h("aside", { class: "queue", "aria-labelledby": "queue-title" },
          h("h2", { id: "queue-title" }, t.queue, " ", this.queueCount), this.queueEl),
        h("main", { class: "work" }, this.tabsEl, this.panelEl)),
      this.toasts);
    this.renderTop();
    this.renderQueue();
    this.renderTabs();
    this.renderPanel();
  }

  renderTop() {
    if (!this.top) return;
    const t = this.t;
    this.top.replaceChildren(
      h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }), h("strong", { text: t.product })),
      h("span", { class: `conn${this.online ? " on" : ""}`, role: "status", text: this.online ? t.live : t.offline }),
      h("div", { class: "spacer" }),
      h("label", { class: "shift" },
        h("input", { type: "checkbox", checked: this.me?.on_shift || null, onchange: (e) => this.setShift(e.target.checked) }),
        h("span", { text: this.me?.on_shift ? t.onShift : t.offShift })),
      h("button", { type: "button", class: "btn ghost small", lang: this.lang === "es" ? "en" : "es",
                    "aria-label": this.lang === "es" ? "Switch to English" : "Cambiar a español",
                    onclick: () => this.setLanguage(this.lang === "es" ? "en" : "es"), text: this.lang === "es" ? "EN" : "ES" }),
      h("span", { class: "me" }, h("strong", { text: this.me?.name || "" }), h("span", { class: "muted", text: ` · ${this.me?.role || ""}` })),
      h("button", { type: "button", class: "btn ghost small", text: t.signOut, onclick: () => this.signOut() }));
  }

  renderQueue() {
    if (!this.queueEl) return;
    this.queueCount.textContent = String(this.entries.filter((e) => e.status === "queued").length);
    this.queueEl.replaceChildren(queueList(this));
  }

  showTab(id) {
    this.active = id;
    const c = this.convs.get(id);
    if (c) c.unread = 0;
    if (id === APPROVALS_TAB) loadApprovals(this);
    if (id === AUDIT_TAB && !this.audit) loadAudit(this);
    if (id === ANALYTICS_TAB && !this.analytics) loadAnalytics(this);
    if (id === CASHIER_TAB && !this.cashier) loadCashier(this);
    this.render();
  }

  renderTabs() {
    if (!this.tabsEl) return;
    const t = this.t;
    const tab = (id, label, closable, unread) => h("div", { class: `tab${this.active === id ? " active" : ""}` },
      h("button", { type: "button", role: "tab", "aria-selected": String(this.active === id), "data-tab": id,
                    onclick: () => this.showTab(id) },
        label, unread ? h("span", { class: "tab-badge", text: String(unread) }) : null),
      closable ? h("button", { type: "button", class: "tab-close", "aria-label": `${t.close}: ${label}`, text: "×",
                               onclick: () => this.closeTab(id) }) : null);
    const tabs = [...this.convs.values()].map((c) => tab(c.id, tabLabel(c), true, this.active === c.id ? 0 : c.unread));
    if (this.me?.role === "supervisor") {
      tabs.unshift(tab(SUPERVISOR_TAB, t.supervisor, false), tab(APPROVALS_TAB, t.approvals, false,
        this.approvals?.items?.length || 0), tab(AUDIT_TAB, t.audit, false),
        tab(ANALYTICS_TAB, t.analytics, false), tab(CASHIER_TAB, t.cashier, false));
    }
    this.tabsEl.replaceChildren(...tabs);
  }

  renderPanel() {
    if (!this.panelEl) return;
    const focused = this.root.querySelector(".composer textarea") === document.activeElement;
    const conv = this.convs.get(this.active);
    let view;
    if (this.active === SUPERVISOR_TAB) view = supervisorView(this);
    else if (this.active === APPROVALS_TAB) view = approvalsView(this);
    else if (this.active === AUDIT_TAB) view = auditView(this);
    else if (this.active === ANALYTICS_TAB) view = analyticsView(this);
    else if (this.active === CASHIER_TAB) view = cashierView(this);
    else if (conv) view = conversationView(this, conv);
    else view = h("div", { class: "placeholder" }, h("p", { text: this.t.pick }));
    this.panelEl.replaceChildren(view);
    const log = this.panelEl.querySelector(".transcript");
    if (log) log.scrollTop = log.scrollHeight;
    if (focused) {
      const input = this.panelEl.querySelector(".composer textarea");
      input?.focus();
      input?.setSelectionRange(input.value.length, input.value.length);
    }
  }
}

function tabLabel(conv) {
  const d = conv.detail;
  return conv.account?.summary?.customer_name || d?.handoff?.collected?.customer_name
    || (d?.verified_account ? `#${d.verified_account}` : conv.id.slice(0, 6));
}
