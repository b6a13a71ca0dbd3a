// Forms in native <dialog>s (focus is trapped and Escape closes them): work order, waiver, transfer.

import { h } from "../shared/linkify.js";
import { FEE_KINDS, WORK_ORDER_KINDS, words } from "./i18n.js";

export class Dialogs {
  constructor(app) {
    this.app = app;
  }

  show(titleText, fields, submitLabel, onSubmit) {
    const t = this.app.t;
    const error = h("p", { class: "error", role: "alert" });
    const dialog = h("dialog", { class: "dialog", "aria-label": titleText });
    const form = h("form", { method: "dialog", onsubmit: async (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(form).entries());
      try {
        await onSubmit(data);
        dialog.close();
      } catch (err) {
        error.textContent = err.message;
      }
    } },
      h("h2", { text: titleText }), fields, error,
      h("div", { class: "dialog-actions" },
        h("button", { type: "button", class: "btn ghost", text: t.cancel, onclick: () => dialog.close() }),
        h("button", { type: "submit", class: "btn primary", text: submitLabel })));
    dialog.append(form);
    dialog.addEventListener("close", () => { dialog.remove(); this.app.focusComposer(); });
    document.body.append(dialog);
    dialog.showModal();
  }

  workOrder(conv) {
    const t = this.app.t;
    this.show(t.workOrder, [
      field(t.kind, select("kind", WORK_ORDER_KINDS)),
      field(t.priority, select("priority", ["normal", "high", "emergency"])),
      field(t.description, h("textarea", { name: "description", required: true, minlength: "3", rows: "3" })),
      field(t.location, h("input", { name: "location", placeholder: "—" })),
    ], t.create, async (data) => {
      const body = { kind: data.kind, priority: data.priority, description: data.description };
      if (data.location) body.location = data.location;
      const order = await this.app.post(conv.id, "work-orders", body);
      this.app.toast(`${words(order.kind)}: ${order.order_number}`);
      this.app.loadAccount(conv);
    });
  }

  waiver(conv) {
    const t = this.app.t;
    this.show(t.waiver, [
      field(t.feeKind, select("fee_kind", FEE_KINDS)),
      field(t.why, h("textarea", { name: "reason", required: true, minlength: "3", rows: "2",
                                   text: "Customer asked for a courtesy waiver" })),
    ], t.grant, async (data) => {
      const out = await this.app.post(conv.id, "fee-waivers", data);
      const message = out.message?.[this.app.lang] || out.message?.en || "";
      this.app.toast(`${words(out.outcome)}${out.reference ? ` (${out.reference})` : ""}. ${message}`);
      this.app.loadAccount(conv);
    });
  }

  transfer(conv) {
    const t = this.app.t;
    const reps = (this.app.stats?.reps_on_shift || []).filter((r) => r.id !== this.app.me?.id);
    this.show(t.transfer, [
      field(t.toRep, h("select", { name: "rep_id" }, h("option", { value: "", text: t.anyone }),
        reps.map((r) => h("option", { value: String(r.id), text: r.name })))),
      field(t.toSkill, select("skill", ["", "spanish", "billing", "field"])),
    ], t.transfer, async (data) => {
      const body = {};
      if (data.rep_id) body.rep_id = Number(data.rep_id);
      if (data.skill) body.skill = data.skill;
      await this.app.post(conv.id, "transfer", body);
    });
  }
}

function field(label, control) {
  return h("label", { class: "field" }, h("span", { text: label }), control);
}

function select(name, values) {
  return h("select", { name }, values.map((v) => h("option", { value: v, text: v ? words(v) : "—" })));
}
