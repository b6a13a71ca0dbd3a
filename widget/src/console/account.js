// The verified customer's account card: balance, flags, recent bills, a usage chart, open orders, notes.

import { h } from "../shared/linkify.js";
import { day, money, words } from "./i18n.js";

export function accountCard(card, t, lang) {
  const s = card.summary || {};
  const due = Number(s.past_due) > 0;
  return h("section", { class: "card account", "aria-label": t.account },
    h("h3", {}, t.account, h("span", { class: "muted", text: ` #${s.account_number || ""}` })),
    h("p", { class: "who" }, h("strong", { text: s.business_name || s.customer_name || "" }),
      h("br"), s.service_address || ""),
    h("div", { class: "figures" },
      figure(t.balance, money(s.balance), due ? "alert" : ""),
      figure(t.pastDue, money(s.past_due), due ? "alert" : ""),
      figure(t.due, day(s.due_date, lang))),
    h("p", { class: "flags" },
      chip(`${t.autopay}: ${s.autopay ? t.on : t.off}`),
      chip(`${t.paperless}: ${s.paperless ? t.on : t.off}`),
      chip(words(s.account_type)), s.preferred_language ? chip(String(s.preferred_language).toUpperCase()) : null,
      s.shutoff_scheduled_on ? chip(`${t.shutoff}: ${day(s.shutoff_scheduled_on, lang)}`, "alert") : null,
      card.flags?.returned_mail ? chip(t.returnedMail, "alert") : null,
      card.flags?.email_bounced ? chip(t.emailBounced, "alert") : null,
      card.pending_approvals ? chip(`${t.pendingApprovals}: ${card.pending_approvals}`, "status-queued") : null),
    h("h4", { text: t.usage }),
    usageChart(card.usage || [], lang),
    h("h4", { text: t.bills }),
    billsTable(card.bills || [], lang),
    h("h4", { text: t.orders }),
    (card.open_orders || []).length
      ? h("ul", { class: "orders" }, card.open_orders.map((o) =>
          h("li", {}, h("strong", { text: o.order_number }), ` ${words(o.kind)} · ${words(o.status)} · ${words(o.priority)}`)))
      : h("p", { class: "muted", text: t.none }),
    h("h4", { text: t.notes }),
    (card.notes || []).length
      ? h("ul", { class: "notes" }, card.notes.map((n) => h("li", {},
          h("span", { class: "muted", text: `${day(n.created_at, lang)} · ${n.author}` }), h("br"), n.body)))
      : h("p", { class: "muted", text: t.none }));
}

function figure(label, value, cls = "") {
  return h("div", { class: `figure ${cls}` }, h("span", { text: label }), h("strong", { text: value }));
}

function chip(text, cls = "") {
  return h("span", { class: `chip ${cls}`, text });
}

function billsTable(bills, lang) {
  const rows = bills.slice(0, 4);
  return h("table", { class: "bills" },
    h("tbody", {}, rows.map((b) => h("tr", {},
      h("td", { text: day(b.bill_date, lang) }),
      h("td", { class: "num", text: `${b.consumption_hcf} HCF` }),
      h("td", { class: "num", text: money(b.total) })))));
}

/** Bars per bill, oldest to newest, the latest highlighted; inline SVG, no chart library. */
export function usageChart(usage, lang) {
  const ns = "http://www.w3.org/2000/svg";
  const W = 300, H = 120, pad = 18, base = H - 18;
  const points = usage.slice(-12);
  const max = Math.max(1, ...points.map((p) => p.hcf || 0));
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  const last = points[points.length - 1];
  const avg = points.length > 1 ? points.slice(0, -1).reduce((a, p) => a + (p.hcf || 0), 0) / (points.length - 1) : 0;
  svg.setAttribute("aria-label", last
    ? `${lang === "es" ? "Último consumo" : "Latest usage"} ${last.hcf} HCF; ${lang === "es" ? "promedio anterior" : "earlier average"} ${avg.toFixed(1)} HCF`
    : "—");
  const el = (tag, attrs) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    svg.append(node);
    return node;
  };
  el("line", { x1: pad, x2: W - 4, y1: base, y2: base, stroke: "#c9d6e3" });
  const slot = (W - pad - 4) / Math.max(points.length, 1);
  points.forEach((p, i) => {
    const hgt = ((p.hcf || 0) / max) * (base - 12);
    const isLast = i === points.length - 1;
    el("rect", { x: pad + i * slot + slot * 0.18, y: base - hgt, width: slot * 0.64, height: Math.max(hgt, 1),
                 rx: 2, fill: isLast ? "#0a58a0" : "#9cc3e6" }).append(title(`${p.period_end}: ${p.hcf} HCF`));
    if (i % 3 === points.length % 3 || isLast) {
      const label = el("text", { x: pad + i * slot + slot / 2, y: H - 4, "text-anchor": "middle", "font-size": 9, fill: "#4c5d72" });
      label.textContent = new Date(`${p.period_end}T12:00:00`).toLocaleDateString(lang === "es" ? "es-US" : "en-US", { month: "short" });
    }
  });
  if (avg) {
    const y = base - (avg / max) * (base - 12);
    el("line", { x1: pad, x2: W - 4, y1: y, y2: y, stroke: "#c77700", "stroke-dasharray": "4 3" });
    const lbl = el("text", { x: pad, y: y - 3, "font-size": 9, fill: "#8a5300" });
    lbl.textContent = `avg ${avg.toFixed(0)}`;
  }
  const top = el("text", { x: 2, y: 10, "font-size": 9, fill: "#4c5d72" });
  top.textContent = String(max);
  return svg;

  function title(text) {
    const node = document.createElementNS(ns, "title");
    node.textContent = text;
    return node;
  }
}
