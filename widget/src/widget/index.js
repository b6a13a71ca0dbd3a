// The embed: <script src="https://district.example/widget/waterdesk.js" data-server="..."></script>
// defines <waterdesk-chat> and adds one to the page unless the page placed its own.

import { WaterdeskChat } from "./chat-element.js";

const script = document.currentScript;

if (!customElements.get("waterdesk-chat")) customElements.define("waterdesk-chat", WaterdeskChat);

function mount() {
  if (document.querySelector("waterdesk-chat")) return;
  const el = document.createElement("waterdesk-chat");
  // The backend that serves the script is the default server.
  const server = script?.dataset.server || (script?.src ? new URL(script.src, location.href).origin : location.origin);
  el.setAttribute("server", server);
  for (const name of ["lang", "heading"]) if (script?.dataset[name]) el.setAttribute(name, script.dataset[name]);
  document.body.append(el);
}

if (document.body) mount();
else document.addEventListener("DOMContentLoaded", mount, { once: true });
