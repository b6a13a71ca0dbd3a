// Supervisor screens: pending approvals (approve or deny with a note) and the audit log.

import { h } from "../shared/linkify.js";
import { api, errorText } from "./api.js";
import { day, money, words } from "./i18n.js";

const AUDIT_PAGE = 50;
const ACTOR_TYPES = ["", "rep", "bot", "system", "integration"];

// ---- approvals -----------------------------------------------------------------------------

export async function loadApprovals(app) {
  app.approvals = { ...(app.approvals || {}), loading: true };
  try {
    app.approvals = { items: await api("/approvals?status=pending"), loading: false };
  } catch (err) {
    app.approvals = { items: app.approvals.items || [], loading: false };
    app.toast(errorText(err), true);
  }
  app.renderTabs();
  if (app.active === "approvals") app.renderPanel();
}

async function decide(app, item, approve, note, error) {
  if (!approve && !note.trim()) {
    error.textContent = app.t.noteRequired;
    return;
  }
  try {
    const out = await api(`/approvals/${item.id}`, { method: "POST", body: { approve, note: note.trim() } });
    app.toast(`${out.reference}: ${approve ? app.t.approved : app.t.denied}`);
  } catch (err) {
    error.textContent = errorText(err);
    return;
  }
  await loadApprovals(app);
}

export function approvalsView(app) {
  const t = app.t;
  const state = app.approvals || { loading: true };
  const items = state.items || [];
  return h("div", { class: "supervisor backoffice" },
    h("div", { class: "bo-head" }, h("h2", { text: t.approvals }),
      h("button", { type: "button", class: "btn ghost small", text: t.refresh, onclick: () => loadApprovals(app) })),
    state.loading && !items.length ? h("p", { class: "muted", text: "…" })
      : !items.length ? h("p", { class: "muted", text: t.noApprovals })
        : h("ul", { class: "approvals", "aria-label": t.approvals }, items.map((item) => approvalCard(app, item))));
}

function approvalCard(app, item) {
  const t = app.t;
  const lang = app.lang;
  const note = h("textarea", { name: "note", rows: "2", maxlength: "1000", placeholder: t.decisionNote, "aria-label": t.decisionNote });
  const error = h("p", { class: "error", role: "alert" });
  const text = (reason) => reason?.[lang] || reason?.en || reason?.code || "";
  return h("li", { class: "card approval", "data-id": String(item.id) },
    h("div", { class: "approval-top" },
      h("strong", { text: `${words(item.kind)}${item.request?.fee_kind ? ` · ${words(item.request.fee_kind)}` : ""}` }),
      h("span", { class: "chip", text: item.reference }),
      item.amount != null ? h("span", { class: "chip alert", text: money(item.amount) }) : null),
    h("p", { class: "who" }, h("strong", { text: item.customer_name || "" }), ` #${item.account_number}`),
    h("dl", { class: "facts" },
      h("dt", { text: t.rule }), h("dd", { text: item.rule_text ? text(item.rule_text) : words(item.rule) }),
      h("dt", { text: t.policyReasons }),
      h("dd", {}, (item.reasons || []).length
        ? h("ul", { class: "reasons" }, item.reasons.map((r) => h("li", { text: text(r) })))
        : t.none),
      h("dt", { text: t.customerReason }), h("dd", { text: item.customer_reason || "—" }),
      h("dt", { text: t.requestedBy }), h("dd", { text: `${item.requested_by} · ${day(item.requested_on, lang)}` })),
    note, error,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "btn primary small", "data-decide": "approve", text: t.approve,
                    onclick: () => decide(app, item, true, note.value, error) }),
      h("button", { type: "button", class: "btn ghost small", "data-decide": "deny", text: t.deny,
                    onclick: () => decide(app, item, false, note.value, error) })));
}

// ---- audit log -----------------------------------------------------------------------------

export async function loadAudit(app, { more = false } = {}) {
  const state = app.audit || (app.audit = { filters: {}, rows: [] });
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE) });
  for (const [k, v] of Object.entries(state.filters)) if (v) params.set(k, v);
  if (more && state.rows.length) params.set("before_id", String(state.rows[state.rows.length - 1].id));
  state.loading = true;
  try {
    const rows = await api(`/audit?${params}`);
    state.rows = more ? [...state.rows, ...rows] : rows;
    state.more = rows.length === AUDIT_PAGE;
    state.error = "";
  } catch (err) {
    state.error = errorText(err);
  }
  state.loading = false;
  if (app.active === "audit") app.renderPanel();
}

export function auditView(app) {
  const t = app.t;
  const state = app.audit || (app.audit = { filters: {}, rows: [] });
  const f = state.filters;
  const input = (name, attrs = {}) => h("input", { name, value: f[name] || "", ...attrs });
  const form = h("form", { class: "audit-filters", onsubmit: (e) => {
    e.preventDefault();
    state.filters = Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, String(v).trim()]));
    loadAudit(app);
  } },
    field(t.account, input("account_number", { inputmode: "numeric", pattern: "\\d{7}", placeholder: "1000001" })),
    field(t.actorType, h("select", { name: "actor_type" }, ACTOR_TYPES.map((v) =>
      h("option", { value: v, selected: f.actor_type === v || null, text: v ? words(v) : t.anyActor })))),
    field(t.actorId, input("actor_id", { maxlength: "100" })),
    field(t.action, input("action", { pattern: "[a-z_]+\\*?", placeholder: "approval_*" })),
    field(t.fromDay, input("from", { type: "date" })),
    field(t.toDay, input("to", { type: "date" })),
    h("button", { type: "submit", class: "btn primary small", text: t.search }));
  const rows = state.rows || [];
  return h("div", { class: "supervisor backoffice" },
    h("h2", { text: t.audit }), form,
    state.error ? h("p", { class: "error", role: "alert", text: state.error }) : null,
    rows.length ? h("table", { class: "audit" },
      h("thead", {}, h("tr", {}, [t.when, t.actor, t.action, t.account, t.entity, t.reason].map((c) => h("th", { text: c })))),
      h("tbody", {}, rows.map((r) => h("tr", {},
        h("td", { text: new Date(r.at).toLocaleString(app.lang === "es" ? "es-US" : "en-US") }),
        h("td", { text: `${r.actor_type}${r.actor_id ? `:${r.actor_id}` : ""}` }),
        h("td", {}, h("code", { text: r.action })),
        h("td", { text: r.account_number ? `#${r.account_number}` : "—" }),
        h("td", { text: `${r.entity}${r.entity_id ? ` ${r.entity_id}` : ""}` }),
        h("td", { text: r.reason || "" })))))
      : h("p", { class: "muted", text: state.loading ? "…" : t.noEntries }),
    state.more ? h("button", { type: "button", class: "btn ghost small", text: t.older, onclick: () => loadAudit(app, { more: true }) }) : null);
}

function field(label, control) {
  return h("label", { class: "field" }, h("span", { text: label }), control);
}
