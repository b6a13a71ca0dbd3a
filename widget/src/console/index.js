// The rep console: sign in, then the live queue and conversations.

import { h } from "../shared/linkify.js";
import { auth, errorText, login, whenUnauthorized } from "./api.js";
import { ConsoleApp } from "./app.js";
import { ui } from "./i18n.js";

const root = document.getElementById("app");

function showLogin(message) {
  const t = ui(localStorage.getItem("waterdesk:console:lang") || "en");
  const error = h("p", { class: "error", role: "alert", text: message || "" });
  const user = h("input", { id: "username", name: "username", type: "email", autocomplete: "username", required: true });
  const pass = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const button = h("button", { type: "submit", class: "btn primary wide", text: t.signIn });
  const form = h("form", { class: "login-card", onsubmit: async (e) => {
    e.preventDefault();
    button.disabled = true;
    error.textContent = "";
    try {
      await login(user.value.trim(), pass.value);
      await startApp();
    } catch (err) {
      error.textContent = errorText(err);
      button.disabled = false;
      pass.select();
    }
  } },
    h("div", { class: "brand big" }, h("span", { class: "logo", "aria-hidden": "true" }), h("strong", { text: t.product })),
    h("h1", { text: t.signInTitle }), h("p", { class: "muted", text: t.signInHelp }),
    h("label", { for: "username", text: t.email }), user,
    h("label", { for: "password", text: t.password }), pass, error, button);
  root.replaceChildren(h("main", { class: "login" }, form));
  user.focus();
}

async function startApp() {
  const app = new ConsoleApp(root, { onSignOut: () => showLogin() });
  whenUnauthorized(() => app.signOut());
  try {
    await app.start();
  } catch (err) {
    auth.token = null;
    showLogin(errorText(err));
  }
}

if (auth.token) startApp();
else showLogin();
