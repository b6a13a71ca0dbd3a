// The live queue: highest priority first (the server's order), with reason, age, language, emotion.

import { h } from "../shared/linkify.js";
import { PRIORITY_LABEL, duration, words } from "./i18n.js";

const ORDER = ["emergency", "distressed", "complex", "request"];

export function queueList(app) {
  const t = app.t;
  const entries = [...app.entries].sort((a, b) =>
    (a.status === "queued" ? 0 : 1) - (b.status === "queued" ? 0 : 1)
    || ORDER.indexOf(a.priority) - ORDER.indexOf(b.priority) || b.age_seconds - a.age_seconds);
  if (!entries.length) return h("p", { class: "empty", text: t.emptyQueue });
  return h("ul", { class: "queue-list", "aria-label": t.queue },
    entries.map((e) => h("li", {},
      h("button", { type: "button", class: `entry prio-${e.priority}${app.active === e.id ? " active" : ""}${e.eligible === false ? " ineligible" : ""}`,
                    "aria-current": app.active === e.id ? "true" : null, "data-id": e.id, onclick: () => app.open(e.id) },
        h("span", { class: "entry-top" },
          h("span", { class: `chip prio-${e.priority}`, text: PRIORITY_LABEL[app.lang][e.priority] || words(e.priority) }),
          h("span", { class: "age", text: `${duration(e.age_seconds + app.ticks(e))} ${e.status === "queued" ? t.waiting : ""}` })),
        h("span", { class: "reason", text: e.reason || "—" }),
        h("span", { class: "entry-meta" },
          h("span", { class: "chip", text: (e.language || "en").toUpperCase() }),
          e.emotion ? h("span", { class: `chip emo-${e.emotion}`, text: words(e.emotion) }) : null,
          e.verified_account ? h("span", { class: "chip", text: `#${e.verified_account}` }) : null,
          e.assigned_rep_name ? h("span", { class: "chip status-assigned", text: `${t.assignedTo} ${e.assigned_rep_name}` }) : null)))));
}

export function supervisorView(app) {
  const t = app.t;
  const s = app.stats || {};
  const by = s.by_priority || {};
  const max = Math.max(1, ...Object.values(by));
  return h("div", { class: "supervisor" },
    h("h2", { text: t.supervisor }),
    h("div", { class: "tiles" },
      tile(t.depth, String(s.depth ?? 0)),
      tile(t.held, String(s.assigned ?? 0)),
      tile(t.longest, duration(s.longest_wait_seconds)),
      tile(t.average, duration(s.average_wait_seconds)),
      tile(t.repsOnline, String((s.reps_on_shift || []).length))),
    h("div", { class: "sup-grid" },
      h("section", { class: "card" }, h("h3", { text: t.byPriority }),
        h("ul", { class: "bars" }, ORDER.map((p) => h("li", {},
          h("span", { class: "bar-label", text: PRIORITY_LABEL[app.lang][p] }),
          h("span", { class: "bar-track" }, h("span", { class: `bar prio-${p}`, style: { width: `${((by[p] || 0) / max) * 100}%` } })),
          h("strong", { text: String(by[p] || 0) }))))),
      h("section", { class: "card" }, h("h3", { text: t.repsOnline }),
        (s.reps_on_shift || []).length
          ? h("ul", { class: "reps" }, s.reps_on_shift.map((r) => h("li", {},
              h("span", { class: "dot", "aria-hidden": "true" }), h("strong", { text: r.name }),
              h("span", { class: "muted", text: ` ${(r.skills || []).map(words).join(", ")}` }))))
          : h("p", { class: "muted", text: t.none }))));
}

function tile(label, value) {
  return h("div", { class: "tile" }, h("span", { text: label }), h("strong", { text: value }));
}
