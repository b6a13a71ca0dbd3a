// Supervisor screen: the cashier's day. Payments received on one district day by channel and
// method, whether the day balances, and the payments that are unapplied or mismatched, with a
// CSV download. The figures come from GET /api/v1/cashier/day; nothing is computed here.

import { h } from "../shared/linkify.js";
import { api, download, errorText } from "./api.js";
import { barChart } from "./charts.js";
import { day, money } from "./i18n.js";

const TEXT = {
  en: {
    date: "Day", prev: "Previous day", next: "Next day", csv: "Download CSV",
    byChannel: "By channel", byMethod: "By method", count: "Payments", amount: "Amount",
    total: "Total", balanced: "Balanced", notBalanced: "Not balanced",
    figures: (c, m, l) => `by channel ${c} · by method ${m} · listed payments ${l}`,
    applied: "Applied", unapplied: "Unapplied", mismatched: "Mismatched",
    exceptions: "Exceptions", noExceptions: "Every payment is applied to its own bill.",
    noPayments: "No payments on this day.", account: "Account", bill: "Bill",
    channel: "Channel", method: "Method", reference: "Reference", status: "Status", why: "Why",
    ofAccount: (n) => `of #${n}`, loading: "…",
    channels: { web: "Web", phone: "Phone", office: "Office", mail: "Mail", autopay: "Autopay" },
    methods: { card: "Card", ach: "Bank (ACH)", autopay: "Autopay", check: "Check", cash: "Cash" },
    reasons: {
      no_bill: "Not applied to any bill",
      other_account: "Applied to another account's bill",
      no_such_bill: "Applied to a bill that does not exist",
      bill_paid: "The bill was already paid in full (duplicate or misapplied)",
      over_balance: "More than the balance due: leaves a credit balance",
    },
  },
  es: {
    date: "Día", prev: "Día anterior", next: "Día siguiente", csv: "Descargar CSV",
    byChannel: "Por canal", byMethod: "Por forma de pago", count: "Pagos", amount: "Importe",
    total: "Total", balanced: "Cuadrado", notBalanced: "No cuadra",
    figures: (c, m, l) => `por canal ${c} · por forma de pago ${m} · pagos listados ${l}`,
    applied: "Aplicados", unapplied: "Sin aplicar", mismatched: "Con discrepancias",
    exceptions: "Excepciones", noExceptions: "Todos los pagos están aplicados a su propia factura.",
    noPayments: "No hay pagos este día.", account: "Cuenta", bill: "Factura",
    channel: "Canal", method: "Forma de pago", reference: "Referencia", status: "Estado", why: "Motivo",
    ofAccount: (n) => `de #${n}`, loading: "…",
    channels: { web: "Web", phone: "Teléfono", office: "Oficina", mail: "Correo", autopay: "Pago automático" },
    methods: { card: "Tarjeta", ach: "Banco (ACH)", autopay: "Pago automático", check: "Cheque", cash: "Efectivo" },
    reasons: {
      no_bill: "No aplicado a ninguna factura",
      other_account: "Aplicado a la factura de otra cuenta",
      no_such_bill: "Aplicado a una factura que no existe",
      bill_paid: "La factura ya estaba pagada por completo (duplicado o mal aplicado)",
      over_balance: "Mayor que el saldo adeudado: deja saldo a favor",
    },
  },
};

const text = (app) => TEXT[app.lang === "es" ? "es" : "en"];

/** The ISO day `n` days after `iso` (calendar arithmetic in UTC, so no time zone shifts it). */
function shift(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export async function loadCashier(app, date) {
  const state = app.cashier || (app.cashier = {});
  state.loading = true;
  if (app.active === "cashier") app.renderPanel();
  try {
    const query = date ? `?date=${encodeURIComponent(date)}` : "";
    state.data = await api(`/cashier/day${query}`);
    state.error = "";
  } catch (err) {
    state.error = errorText(err);
  }
  state.loading = false;
  if (app.active === "cashier") app.renderPanel();
}

async function downloadCsv(app, date) {
  try {
    await download(`/cashier/day.csv?date=${encodeURIComponent(date)}`, `cashier-${date}.csv`);
  } catch (err) {
    app.toast(errorText(err), true);
  }
}

function totalsTable(caption, lines, names, s) {
  const sum = lines.reduce((acc, x) => ({ count: acc.count + x.count, amount: acc.amount + Number(x.amount) }),
    { count: 0, amount: 0 });
  return h("table", { class: "audit cashier-totals", "data-totals": caption === s.byChannel ? "channel" : "method" },
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, h("th", { text: "" }), h("th", { text: s.count }), h("th", { text: s.amount }))),
    h("tbody", {}, lines.map((x) => h("tr", { "data-key": x.key },
      h("td", { text: names[x.key] || x.key }), h("td", { class: "num", text: String(x.count) }),
      h("td", { class: "num", text: money(x.amount) })))),
    h("tfoot", {}, h("tr", {}, h("th", { text: s.total }), h("th", { class: "num", text: String(sum.count) }),
      h("th", { class: "num", text: money(sum.amount) }))));
}

function reconciliation(data, s) {
  const sum = (lines) => money(lines.reduce((acc, x) => acc + Number(x.amount), 0));
  const status = (key, line) => h("span", { class: `chip${key === "applied" ? "" : " alert"}`, "data-status": key },
    `${s[key]}: ${line.count} · ${money(line.amount)}`);
  return h("div", { class: `card cashier-balance ${data.balanced ? "ok" : "off"}`, "data-balanced": String(data.balanced) },
    h("strong", { text: data.balanced ? s.balanced : s.notBalanced }),
    h("span", { class: "muted", text: s.figures(sum(data.by_channel), sum(data.by_method), money(data.listed.amount)) }),
    h("div", { class: "cashier-status" }, status("applied", data.applied), status("unapplied", data.unapplied),
      status("mismatched", data.mismatched)),
    (data.problems || []).length ? h("ul", { class: "reasons" }, data.problems.map((p) => h("li", { text: p }))) : null);
}

function exceptionsTable(data, s) {
  const rows = data.payments.filter((p) => p.status !== "applied");
  if (!rows.length) return h("p", { class: "muted", text: s.noExceptions });
  return h("table", { class: "audit cashier-exceptions" },
    h("thead", {}, h("tr", {}, [s.account, s.amount, s.channel, s.method, s.reference, s.bill, s.status, s.why]
      .map((c) => h("th", { text: c })))),
    h("tbody", {}, rows.map((p) => h("tr", { "data-id": String(p.id), "data-status": p.status },
      h("td", { text: `#${p.account_number}` }),
      h("td", { class: "num", text: money(p.amount) }),
      h("td", { text: s.channels[p.channel] || p.channel }),
      h("td", { text: s.methods[p.method] || p.method }),
      h("td", {}, h("code", { text: p.reference || "—" })),
      h("td", { text: p.bill_id == null ? "—" : `${p.bill_id}${p.bill_account_number && p.bill_account_number !== p.account_number ? ` ${s.ofAccount(p.bill_account_number)}` : ""}` }),
      h("td", {}, h("span", { class: "chip alert", text: s[p.status] || p.status })),
      h("td", { text: p.reasons.map((r) => s.reasons[r] || r).join("; ") })))));
}

export function cashierView(app) {
  const t = app.t;
  const s = text(app);
  const state = app.cashier || { loading: true };
  const data = state.data;
  const current = data?.day || "";
  const picker = h("input", { type: "date", name: "day", value: current, "aria-label": s.date,
    onchange: (e) => e.target.value && loadCashier(app, e.target.value) });
  const head = h("div", { class: "bo-head cashier-head" }, h("h2", { text: t.cashier }),
    h("button", { type: "button", class: "btn ghost small", "data-nav": "prev", text: "‹", title: s.prev, "aria-label": s.prev,
      disabled: !current || null, onclick: () => loadCashier(app, shift(current, -1)) }),
    h("label", { class: "field inline" }, h("span", { text: s.date }), picker),
    h("button", { type: "button", class: "btn ghost small", "data-nav": "next", text: "›", title: s.next, "aria-label": s.next,
      disabled: !current || null, onclick: () => loadCashier(app, shift(current, 1)) }),
    h("button", { type: "button", class: "btn ghost small", text: t.refresh, onclick: () => loadCashier(app, current || undefined) }),
    h("button", { type: "button", class: "btn primary small", "data-action": "csv", text: s.csv,
      disabled: !current || null, onclick: () => downloadCsv(app, current) }));
  if (!data) {
    return h("div", { class: "supervisor backoffice cashier" }, head,
      state.error ? h("p", { class: "error", role: "alert", text: state.error }) : h("p", { class: "muted", text: s.loading }));
  }
  const channelNames = data.by_channel.map((x) => s.channels[x.key] || x.key);
  return h("div", { class: "supervisor backoffice cashier", "data-day": data.day },
    head,
    h("p", { class: "muted", text: day(data.day, app.lang) }),
    state.error ? h("p", { class: "error", role: "alert", text: state.error }) : null,
    !data.payments.length ? h("p", { class: "muted", text: s.noPayments }) : null,
    reconciliation(data, s),
    h("div", { class: "cashier-grid" },
      totalsTable(s.byChannel, data.by_channel, s.channels, s),
      totalsTable(s.byMethod, data.by_method, s.methods, s)),
    data.payments.length ? barChart({ labels: channelNames, height: 110,
      series: [{ name: `${s.byChannel} (${s.amount})`, values: data.by_channel.map((x) => Number(x.amount)) }] }) : null,
    h("h3", { text: s.exceptions }),
    exceptionsTable(data, s));
}
