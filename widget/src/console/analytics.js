// Supervisor screen: placeholder until it is built.

import { h } from "../shared/linkify.js";

export async function loadAnalytics(app) {
  app.analytics = { loading: false };
  if (app.active === "analytics") app.renderPanel();
}

export function analyticsView(app) {
  return h("div", { class: "supervisor backoffice" }, h("h2", { text: app.t.analytics }));
}
