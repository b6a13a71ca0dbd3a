// Supervisor analytics: a period picker, KPI tiles, a small chart per metric by day, the tables of
// handoff reasons, priorities and intents, and the CSV. Every number comes from GET /analytics
// (backend/domain/analytics.py); this screen only formats it.

import { h } from "../shared/linkify.js";
import { api, download, errorText } from "./api.js";
import { barChart, legend, lineChart } from "./charts.js";
import { PRIORITY_LABEL, words } from "./i18n.js";

const PRESETS = [7, 30, 90];
const TAB = "analytics";

const WORDS = {
  en: {
    period: "Period", lastDays: (n) => `Last ${n} days`, custom: "Custom", from: "From", to: "To", apply: "Apply",
    csv: "Download CSV", loading: "Loading…", containment: "Containment", containmentHelp: (c, n) => `${c} of ${n} handled by the bot alone`,
    fallback: "Fallback rate", fallbackHelp: (c, n) => `${c} of ${n} messages not understood`,
    waitP50: "Wait to claim, p50", waitP90: "Wait to claim, p90", waitsHelp: (n) => `${n} claimed`,
    csat: "CSAT", csatHelp: (avg, n) => `average ${avg} of 5 · ${n} ratings`, split: "English / Spanish",
    splitHelp: "conversations", conversations: "Conversations", handoffs: "Handoffs", ratings: "Ratings",
    all: "All", en: "English", es: "Spanish", metric: "Metric", byLanguage: "English against Spanish",
    byDay: "By day", reasons: "Handoff reasons", priorities: "Handoff priorities", intents: "Top intents",
    csatByChannel: "CSAT by channel", csatByWho: "CSAT: bot alone or a person", bot: "Bot alone", person: "Person involved",
    reason: "Reason", priority: "Priority", intent: "Intent", channel: "Channel", count: "Count", share: "Share",
    average: "Average", satisfied: "Satisfied (4–5)", none: "Nothing in this period.", waitSeconds: "Wait to claim in seconds (p50, p90)",
    csatAverage: "CSAT average", containmentRate: "Containment rate", fallbackRate: "Fallback rate",
    badPeriod: "Choose a first day on or before the last day.",
  },
  es: {
    period: "Período", lastDays: (n) => `Últimos ${n} días`, custom: "Personalizado", from: "Desde", to: "Hasta", apply: "Aplicar",
    csv: "Descargar CSV", loading: "Cargando…", containment: "Contención", containmentHelp: (c, n) => `${c} de ${n} resueltas solo por el bot`,
    fallback: "Tasa de no comprensión", fallbackHelp: (c, n) => `${c} de ${n} mensajes no entendidos`,
    waitP50: "Espera para atender, p50", waitP90: "Espera para atender, p90", waitsHelp: (n) => `${n} atendidas`,
    csat: "Satisfacción (CSAT)", csatHelp: (avg, n) => `promedio ${avg} de 5 · ${n} calificaciones`, split: "Inglés / Español",
    splitHelp: "conversaciones", conversations: "Conversaciones", handoffs: "Traspasos", ratings: "Calificaciones",
    all: "Todas", en: "Inglés", es: "Español", metric: "Indicador", byLanguage: "Inglés frente a español",
    byDay: "Por día", reasons: "Motivos de traspaso", priorities: "Prioridades de traspaso", intents: "Intenciones principales",
    csatByChannel: "CSAT por canal", csatByWho: "CSAT: solo el bot o con una persona", bot: "Solo el bot", person: "Con una persona",
    reason: "Motivo", priority: "Prioridad", intent: "Intención", channel: "Canal", count: "Cantidad", share: "Porcentaje",
    average: "Promedio", satisfied: "Satisfechos (4–5)", none: "Nada en este período.", waitSeconds: "Espera para atender en segundos (p50, p90)",
    csatAverage: "CSAT promedio", containmentRate: "Tasa de contención", fallbackRate: "Tasa de no comprensión",
    badPeriod: "Elija un primer día igual o anterior al último.",
  },
};

const txt = (app) => WORDS[app.lang === "es" ? "es" : "en"];
const locale = (app) => (app.lang === "es" ? "es-US" : "en-US");

// ---- data ------------------------------------------------------------------------------------

function isoDay(d) { return d.toISOString().slice(0, 10); }
function addDays(iso, n) { const d = new Date(`${iso}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + n); return isoDay(d); }

/** Load a period: { start, end } (district days), or a preset { days }, or nothing (the
 * server's default: the last 30 days to the district's today, which we learn from it). */
export async function loadAnalytics(app, period = {}) {
  const state = app.analytics || (app.analytics = { preset: 30 });
  let { start, end } = period;
  if (period.days) {
    state.preset = period.days;
    if (state.today) [start, end] = [addDays(state.today, 1 - period.days), state.today];
  } else if (start || end) state.preset = null;
  if (start && end && start > end) { state.error = txt(app).badPeriod; return rerender(app); }
  state.loading = true;
  state.error = "";
  rerender(app);
  try {
    const params = new URLSearchParams();
    if (start) params.set("start", start);
    if (end) params.set("end", end);
    const data = await api(`/analytics${String(params) ? `?${params}` : ""}`);
    if (!start && !end) state.today = data.end;
    if (period.days && !start) return loadAnalytics(app, period); // now that today is known
    state.data = data;
  } catch (err) {
    state.error = errorText(err);
  }
  state.loading = false;
  rerender(app);
}

function rerender(app) { if (app.active === TAB) app.renderPanel(); }

async function downloadCsv(app) {
  const { data } = app.analytics || {};
  if (!data) return;
  try {
    await download(`/analytics.csv?start=${data.start}&end=${data.end}`,
      `waterdesk-analytics-${data.start}-${data.end}.csv`);
  } catch (err) {
    app.toast(errorText(err), true);
  }
}

// ---- formatting ------------------------------------------------------------------------------

function pct(app, rate) {
  return rate?.rate == null ? "—"
    : rate.rate.toLocaleString(locale(app), { style: "percent", maximumFractionDigits: 1 });
}

function wait(seconds) {
  if (seconds == null) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? ` ${s % 60}s` : ""}`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function score(app, value) {
  return value == null ? "—" : value.toLocaleString(locale(app), { minimumFractionDigits: 1, maximumFractionDigits: 2 });
}

function shortDay(app, iso) {
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString(locale(app), { month: "short", day: "numeric", timeZone: "UTC" });
}

// ---- view ------------------------------------------------------------------------------------

export function analyticsView(app) {
  const w = txt(app);
  const state = app.analytics || { preset: 30 };
  const data = state.data;
  return h("div", { class: "supervisor backoffice analytics" },
    h("div", { class: "bo-head" }, h("h2", { text: app.t.analytics }),
      h("button", { type: "button", class: "btn ghost small", "data-action": "csv", text: w.csv,
                    disabled: !data || null, onclick: () => downloadCsv(app) })),
    picker(app, state),
    state.error ? h("p", { class: "error", role: "alert", text: state.error }) : null,
    !data ? h("p", { class: "muted", text: w.loading })
      : [h("p", { class: "muted", "data-period": `${data.start}/${data.end}`,
                  text: `${shortDay(app, data.start)} – ${shortDay(app, data.end)} · ${data.timezone}${state.loading ? ` · ${w.loading}` : ""}` }),
         kpis(app, data), languageTable(app, data), charts(app, data), tables(app, data)]);
}

function picker(app, state) {
  const w = txt(app);
  const data = state.data;
  const from = h("input", { type: "date", name: "start", value: data?.start || "", "aria-label": w.from });
  const to = h("input", { type: "date", name: "end", value: data?.end || "", "aria-label": w.to });
  return h("form", { class: "an-period", "aria-label": w.period, onsubmit: (e) => {
    e.preventDefault();
    loadAnalytics(app, { start: from.value, end: to.value });
  } },
    PRESETS.map((n) => h("button", { type: "button", class: `btn small ${state.preset === n ? "primary" : "ghost"}`,
                                     "data-days": String(n), "aria-pressed": String(state.preset === n),
                                     text: w.lastDays(n), onclick: () => loadAnalytics(app, { days: n }) })),
    h("span", { class: "muted", text: `${w.custom}:` }),
    h("label", {}, `${w.from} `, from), h("label", {}, `${w.to} `, to),
    h("button", { type: "submit", class: "btn ghost small", text: w.apply }));
}

function tile(kpi, label, value, help) {
  return h("div", { class: "tile", "data-kpi": kpi },
    h("span", { text: label }), h("strong", { text: value }), help ? h("small", { class: "muted", text: help }) : null);
}

function kpis(app, data) {
  const w = txt(app);
  const t = data.totals;
  const en = data.by_language.en.conversations;
  const es = data.by_language.es.conversations;
  return h("div", { class: "tiles" },
    tile("containment", w.containment, pct(app, t.containment), w.containmentHelp(t.containment.count, t.containment.total)),
    tile("fallback", w.fallback, pct(app, t.fallback), w.fallbackHelp(t.fallback.count, t.fallback.total)),
    tile("wait-p50", w.waitP50, wait(t.wait_p50_s), w.waitsHelp(t.waits)),
    tile("wait-p90", w.waitP90, wait(t.wait_p90_s), w.waitsHelp(t.waits)),
    tile("csat", w.csat, pct(app, t.csat.satisfied), w.csatHelp(score(app, t.csat.average), t.csat.ratings)),
    tile("split", w.split, `${en} / ${es}`, w.splitHelp));
}

function languageTable(app, data) {
  const w = txt(app);
  const cols = [data.totals, data.by_language.en, data.by_language.es];
  const row = (key, label, f) => h("tr", { "data-metric": key }, h("th", { text: label }), cols.map((m) => h("td", { class: "num", text: f(m) })));
  return h("section", { class: "card" }, h("h3", { text: w.byLanguage }),
    h("table", { class: "audit an-table" },
      h("thead", {}, h("tr", {}, [w.metric, w.all, w.en, w.es].map((c) => h("th", { text: c })))),
      h("tbody", {},
        row("conversations", w.conversations, (m) => String(m.conversations)),
        row("containment", w.containment, (m) => pct(app, m.containment)),
        row("handoffs", w.handoffs, (m) => String(m.handoffs)),
        row("fallback", w.fallback, (m) => pct(app, m.fallback)),
        row("wait-p50", w.waitP50, (m) => wait(m.wait_p50_s)),
        row("wait-p90", w.waitP90, (m) => wait(m.wait_p90_s)),
        row("csat", w.csat, (m) => `${pct(app, m.csat.satisfied)} · ${score(app, m.csat.average)}`),
        row("ratings", w.ratings, (m) => String(m.csat.ratings)))));
}

function charts(app, data) {
  const w = txt(app);
  const labels = data.days.map((d) => shortDay(app, d.day));
  const by = (f) => data.days.map((d) => f(d));
  const chart = (key, title, draw, series, opts = {}) => h("figure", { class: "card an-chart", "data-chart": key },
    h("figcaption", { text: title }), draw({ labels, series, height: 130, ...opts }), legend(series));
  return h("section", { class: "an-charts", "aria-label": w.byDay },
    chart("conversations", w.conversations, barChart, [
      { name: w.en, values: by((d) => d.by_language.en.conversations) },
      { name: w.es, values: by((d) => d.by_language.es.conversations) }]),
    chart("containment", w.containmentRate, lineChart, [
      { name: w.all, values: by((d) => d.totals.containment.rate) },
      { name: w.en, values: by((d) => d.by_language.en.containment.rate) },
      { name: w.es, values: by((d) => d.by_language.es.containment.rate) }], { max: 1 }),
    chart("handoffs", w.handoffs, barChart, [
      { name: w.en, values: by((d) => d.by_language.en.handoffs) },
      { name: w.es, values: by((d) => d.by_language.es.handoffs) }]),
    chart("fallback", w.fallbackRate, lineChart, [
      { name: w.all, values: by((d) => d.totals.fallback.rate) }]),
    chart("wait", w.waitSeconds, lineChart, [
      { name: "p50", values: by((d) => d.totals.wait_p50_s) },
      { name: "p90", values: by((d) => d.totals.wait_p90_s) }]),
    chart("csat", w.csatAverage, lineChart, [
      { name: w.bot, values: by((d) => d.totals.csat_bot.average) },
      { name: w.person, values: by((d) => d.totals.csat_person.average) }], { max: 5 }));
}

function countTable(app, key, title, firstCol, rows, label) {
  const w = txt(app);
  return h("section", { class: "card", "data-table": key }, h("h3", { text: title }),
    rows.length && rows.some((r) => r.count) ? h("table", { class: "audit an-table" },
      h("thead", {}, h("tr", {}, [firstCol, w.count, w.share, w.en, w.es].map((c) => h("th", { text: c })))),
      h("tbody", {}, rows.map((r) => h("tr", { "data-key": r.key },
        h("td", { text: label(r) }), h("td", { class: "num", text: String(r.count) }),
        h("td", { class: "num", text: pct(app, r.share) }),
        h("td", { class: "num", text: String(r.by_language.en) }), h("td", { class: "num", text: String(r.by_language.es) })))))
      : h("p", { class: "muted", text: w.none }));
}

function csatTable(app, key, title, firstCol, entries) {
  const w = txt(app);
  return h("section", { class: "card", "data-table": key }, h("h3", { text: title }),
    entries.some(([, c]) => c.ratings) ? h("table", { class: "audit an-table" },
      h("thead", {}, h("tr", {}, [firstCol, w.ratings, w.average, w.satisfied].map((c) => h("th", { text: c })))),
      h("tbody", {}, entries.map(([name, c]) => h("tr", { "data-key": name },
        h("td", { text: name }), h("td", { class: "num", text: String(c.ratings) }),
        h("td", { class: "num", text: score(app, c.average) }), h("td", { class: "num", text: pct(app, c.satisfied) })))))
      : h("p", { class: "muted", text: w.none }));
}

function tables(app, data) {
  const w = txt(app);
  const lang = app.lang === "es" ? "es" : "en";
  return h("div", { class: "sup-grid an-tables" },
    countTable(app, "reasons", w.reasons, w.reason, data.handoff_reasons,
      (r) => (lang === "es" ? r.label_es : r.label_en) || words(r.key)),
    countTable(app, "priorities", w.priorities, w.priority, data.handoff_priorities,
      (r) => PRIORITY_LABEL[lang][r.key] || words(r.key)),
    countTable(app, "intents", w.intents, w.intent, data.top_intents, (r) => r.key),
    h("div", { class: "an-stack" },
      csatTable(app, "csat-who", w.csatByWho, "", [[w.bot, data.csat_by_involvement.bot], [w.person, data.csat_by_involvement.person]]),
      csatTable(app, "csat-channel", w.csatByChannel, w.channel, Object.entries(data.csat_by_channel).map(([ch, c]) => [words(ch), c]))));
}
