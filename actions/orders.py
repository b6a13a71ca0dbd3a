"""Where is my order? The verified customer's open service and work orders, in plain words."""

from __future__ import annotations

import re
from typing import Any

from actions.billing import when
from actions.common import Context, WaterDeskAction, say

# "SO-100123", "wo 200004", "orden SO100123": the number a customer may quote.
ORDER_NUMBER = re.compile(r"\b(SO|WO)[\s#-]*(\d{4,12})\b", re.IGNORECASE)
KINDS = {
    "start": ("starting service", "inicio de servicio"),
    "stop": ("stopping service", "cancelación del servicio"),
    "transfer": ("moving your service", "cambio de domicilio del servicio"),
    "leak_investigation": ("leak investigation visit", "visita de revisión de fugas"),
    "meter_reread": ("meter reread", "nueva lectura del medidor"),
    "meter_test": ("meter accuracy test", "prueba de precisión del medidor"),
    "meter_repair": ("meter repair", "reparación del medidor"),
    "water_quality": ("water quality check", "revisión de la calidad del agua"),
    "turn_on": ("turning the water on", "reconexión del agua"),
    "turn_off": ("turning the water off", "corte del agua"),
}
STATUSES = {
    "pending": ("received, not yet scheduled", "recibida, aún sin programar"),
    "scheduled": ("scheduled", "programada"),
    "open": ("received, waiting for a crew", "recibida, en espera de una cuadrilla"),
    "dispatched": ("a crew is assigned", "ya tiene una cuadrilla asignada"),
    "completed": ("completed", "terminada"),
    "cancelled": ("cancelled", "cancelada"),
}


def quoted_number(text: str) -> str | None:
    found = ORDER_NUMBER.search(text or "")
    return f"{found.group(1).upper()}-{found.group(2)}" if found else None


def describe(order: dict[str, Any], ctx: Context) -> str:
    """One line per order: number, what it is, where it stands, and its date."""
    kind_en, kind_es = KINDS.get(order["kind"], (order["kind"].replace("_", " "),) * 2)
    status_en, status_es = STATUSES.get(order["status"], (order["status"],) * 2)
    number = order["order_number"]
    if order.get("scheduled_date"):
        day = when(order["scheduled_date"], ctx)
        return ctx.t(f"• {number}, {kind_en}: {status_en}, for {day}.",
                     f"• {number}, {kind_es}: {status_es}, para el {day}.")
    day = when(order["created_at"], ctx)
    return ctx.t(f"• {number}, {kind_en}: {status_en} (requested {day}).",
                 f"• {number}, {kind_es}: {status_es} (solicitada el {day}).")


class ActionOrderStatus(WaterDeskAction):
    action_name = "action_order_status"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        # The quoted number may be in an earlier message (asked before verifying).
        texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"][-4:]
        number = next((n for n in map(quoted_number, reversed(texts)) if n), None)
        orders = await self.api.orders(ctx.account, token=ctx.token, order_number=number)
        if number and not orders:
            say(dispatcher, ctx,
                f"I don't find order {number} on account {ctx.account}. Here's what the account "
                "has:",
                f"No encuentro la orden {number} en la cuenta {ctx.account}. Esto es lo que tiene la "
                "cuenta:")
            orders = await self.api.orders(ctx.account, token=ctx.token)
        if not orders:
            say(dispatcher, ctx,
                "You have no open service or work orders, and none in the last 30 days. If you "
                "asked for something that isn't here, I can help you request it now: what do you "
                "need?",
                "No tiene órdenes de servicio ni de trabajo abiertas, ni de los últimos 30 días. Si "
                "pidió algo que no aparece, le ayudo a solicitarlo ahora: ¿qué necesita?")
            return []
        lines = "\n".join(describe(o, ctx) for o in orders)
        say(dispatcher, ctx, f"Here are your orders:\n{lines}", f"Estas son sus órdenes:\n{lines}")
        return []
