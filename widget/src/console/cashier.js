// Supervisor screen: placeholder until it is built.

import { h } from "../shared/linkify.js";

export async function loadCashier(app) {
  app.cashier = { loading: false };
  if (app.active === "cashier") app.renderPanel();
}

export function cashierView(app) {
  return h("div", { class: "supervisor backoffice" }, h("h2", { text: app.t.cashier }));
}
