"""Greeting, fallback, details given outside a form, and the yes/no answers to the bot's offers."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.asks import ask
from actions.common import (REGISTRY, Context, WaterDeskAction, latest_entities, perform, say,
                            start_verification, work_order)
from actions.handoff import hand_off
from common.language import named_language
from actions.leaks import ActionMeterReread


# Offers of a field visit, and the action that books each.
VISITS = {"leak_order": "action_leak_order", "meter_test": "action_meter_test_order"}


class ActionGreet(WaterDeskAction):
    action_name = "action_greet"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        name = f", {ctx.name}" if ctx.name else ""
        say(dispatcher, ctx,
            f"Hi{name}! I'm WaterDesk, Santa Margarita Water District's assistant. How can I help? "
            "(¿Prefiere español? Solo escríbame en español.)",
            f"¡Hola{name}! Soy WaterDesk, el asistente del Distrito de Agua Santa Margarita. "
            "¿En qué le puedo ayudar?",
            buttons=[("My balance", "Mi saldo", "/check_balance"),
                     ("Report a leak", "Reportar una fuga", "/report_leak"),
                     ("Start or stop service", "Iniciar o cancelar servicio", "/start_service"),
                     ("Talk to a person", "Hablar con una persona", "/request_human")])
        return []


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many customer messages in a row, up to this one, the bot didn't understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != "nlu_fallback":
            break
        count += 1
    return count


def nlu_unsure(tracker: Tracker) -> bool:
    """The NLU couldn't tell what the message asks (rather than the dialogue policy being
    unsure what to do next, which also ends in this fallback)."""
    return tracker.latest_message.get("intent", {}).get("name") in ("nlu_fallback", "out_of_scope")


def asked_to_switch(tracker: Tracker) -> bool:
    """"¿hablan español?", "english please": a language request, however the NLU read it."""
    text = tracker.latest_message.get("text") or ""
    return bool(latest_entities(tracker, "language")) or named_language(text) is not None


def confirm_switch(dispatcher: CollectingDispatcher, ctx: Context) -> list[EventType]:
    say(dispatcher, ctx, "Sure, we can continue in English. How can I help?",
        "Claro, podemos seguir en español. ¿En qué le puedo ayudar?")
    return []


class ActionDefaultFallback(WaterDeskAction):
    action_name = "action_default_fallback"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        # A possible leak is never met with "say that again": unsure or not, start the triage.
        where = latest_entities(tracker, "leak_location")
        how = latest_entities(tracker, "severity")
        if where or "emergency" in how:
            return [*(SlotSet("leak_location", where[0]) for _ in where[:1]),
                    *(SlotSet("severity", how[0]) for _ in how[:1]), ActiveLoop("leak_form")]
        if asked_to_switch(tracker):
            return confirm_switch(dispatcher, ctx)
        if ctx.email:
            if not nlu_unsure(tracker):
                return []  # the NLU knew; only the next step was unsure, and the turn is over
            # By email, "say it another way" costs the customer a day: a person reads it.
            return await hand_off(dispatcher=dispatcher, tracker=tracker, ctx=ctx,
                                  reason_code="unclear_email")
        misses = consecutive_fallbacks(tracker)
        if misses >= 2:
            say(dispatcher, ctx, "I'm still not understanding, sorry.",
                "Sigo sin entender, perdón.")
            return await hand_off(dispatcher=dispatcher, tracker=tracker, ctx=ctx,
                                  reason_code="fallbacks", consecutive_fallbacks=misses)
        if pair := torn_between(tracker):
            # Unsure between two things the bot can do ("split my bill": pay or a plan?): ask which.
            say(dispatcher, ctx, "Just to be sure, which do you mean?", "Para estar seguro, ¿a qué se "
                "refiere?", buttons=[(*CHOICES[name], f"/{name}") for name in pair])
            return [SlotSet("fallback_count", misses)]
        ask(dispatcher, ctx, "rephrase")
        dispatcher.utter_message(response="utter_help")
        return [SlotSet("fallback_count", misses)]


# Requests the NLU may hesitate between, as a customer would name them (EN, ES).
CHOICES = {
    "check_balance": ("My balance", "Mi saldo"), "pay_bill": ("Paying my bill", "Pagar mi factura"),
    "payment_arrangement": ("A payment plan", "Un plan de pagos"),
    "explain_bill": ("Explaining my bill", "Explicar mi factura"),
    "high_bill": ("A high bill", "Una factura alta"),
    "fee_waiver": ("Waiving a fee", "Quitar un cargo"), "deposit": ("A deposit", "Un depósito"),
    "shutoff": ("A shut-off notice", "Un aviso de corte"), "autopay": ("Autopay", "Pago automático"),
    "paperless_billing": ("Paperless billing", "Factura electrónica"),
    "usage_history": ("My water use", "Mi consumo"), "ask_rates": ("Water rates", "Tarifas"),
    "water_outage": ("An outage", "Una interrupción"), "report_leak": ("A leak", "Una fuga"),
    "meter_reread": ("A meter reread", "Nueva lectura"),
    "meter_test": ("A meter test", "Prueba del medidor"),
    "start_service": ("Starting service", "Iniciar servicio"),
    "stop_service": ("Stopping service", "Cancelar servicio"),
    "transfer_service": ("Moving my service", "Cambiar de domicilio"),
    "update_contact": ("My contact details", "Mis datos de contacto"),
}


def torn_between(tracker: Tracker) -> tuple[str, str] | None:
    """The two requests the NLU hesitated between, when both are things the bot can do."""
    ranked = [r for r in tracker.latest_message.get("intent_ranking") or []
              if r.get("name") != "nlu_fallback"][:2]
    if len(ranked) == 2 and all(r["name"] in CHOICES and r.get("confidence", 0) >= 0.2
                                for r in ranked):
        return ranked[0]["name"], ranked[1]["name"]
    return None


class ActionHandleInform(WaterDeskAction):
    """Details given when no form asked for them: a language switch, an offer's answer."""

    action_name = "action_handle_inform"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        offer = tracker.get_slot("offer") or ""
        option = (latest_entities(tracker, "option") or [None])[0]
        if asked_to_switch(tracker):
            return confirm_switch(dispatcher, ctx)
        if offer == "high_bill" and option:
            return await high_bill_choice(dispatcher, tracker, ctx, option=option)
        say(dispatcher, ctx, "Thanks. What would you like me to do with that?",
            "Gracias. ¿Qué quiere que haga con ese dato?")
        dispatcher.utter_message(response="utter_help")
        return []


async def high_bill_choice(dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context,
                           *, option: str) -> list[EventType]:
    done: list[EventType] = [SlotSet("offer", None)]
    if option == "reread":
        return done + await ActionMeterReread().safely(dispatcher, tracker, ctx)
    if option == "leak_check":
        return done + await ActionLeakOrder().safely(dispatcher, tracker, ctx)
    return done + await hand_off(dispatcher=dispatcher, tracker=tracker, ctx=ctx,
                                 reason_code="policy_referral",
                                 policy_referral="high_bill_adjustment")


class ActionLeakOrder(WaterDeskAction):
    """A leak investigation visit the customer accepted; it needs the verified premise."""

    action_name = "action_leak_order"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        order = await work_order(self, ctx, kind="leak_investigation", priority="normal",
                                  description="Customer accepted a leak investigation visit")
        say(dispatcher, ctx,
            f"Booked: a technician will check for leaks (work order {order['order_number']}) and "
            "call before coming.",
            f"Listo: un técnico revisará si hay fugas (orden {order['order_number']}) y llamará "
            "antes de ir.")
        return [SlotSet("offer", None)]


class ActionMeterTestOrder(WaterDeskAction):
    action_name = "action_meter_test_order"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        order = await work_order(self, ctx, kind="meter_test", priority="normal",
                                  description="Customer requested a meter accuracy test")
        say(dispatcher, ctx,
            f"Scheduled (work order {order['order_number']}). The ${order['fee']} test fee will "
            "appear on your next bill and is refunded if the meter is inaccurate.",
            f"Programada (orden {order['order_number']}). El cargo de ${order['fee']} aparecerá en su "
            "próxima factura y se reembolsa si el medidor no es preciso.")
        return [SlotSet("offer", None)]


class ActionAcceptOffer(WaterDeskAction):
    action_name = "action_accept_offer"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        offer = tracker.get_slot("offer") or ""
        kind, _, arg = offer.partition(":")
        done: list[EventType] = [SlotSet("offer", None)]
        if kind == "handoff":
            return done + await hand_off(dispatcher=dispatcher, tracker=tracker, ctx=ctx,
                                         reason_code=arg or "request")
        if kind == "high_bill":
            say(dispatcher, ctx, "Which would you like: a meter reread, a leak check, or a review?",
                "¿Qué prefiere: nueva lectura, revisión de fugas o una revisión por un representante?")
            return []
        if kind in VISITS:  # a visit needs the verified premise: verify first if need be
            return done + await perform(VISITS[kind], dispatcher=dispatcher, tracker=tracker,
                                        ctx=ctx)
        if kind == "order" and arg in REGISTRY:  # the read-back was confirmed: place it
            return await REGISTRY[arg]().safely(dispatcher, tracker, ctx) + done
        if kind == "run" and arg in REGISTRY:  # "I can check whether you qualify…": yes
            return done + await perform(arg, dispatcher=dispatcher, tracker=tracker, ctx=ctx)
        if kind == "leak_report":
            return done + [ActiveLoop("leak_form")]
        if not ctx.verified and kind in ("autopay", "paperless", "arrangement", "extension"):
            return start_verification(pending=None, tracker=tracker)
        if kind in ("autopay", "paperless"):
            enabled = arg == "on"
            await self.api.write("PUT", f"/accounts/{ctx.account}/{kind}", body={"enabled": enabled},
                                 key=ctx.key(self.action_name), token=ctx.token,
                                 conversation_id=ctx.conversation_id)
            d = await self.api.district()
            messages = {
                ("autopay", True): (f"You're signed up for autopay. Add your bank account or card at "
                                    f"{d['payment_url']} to finish.",
                                    f"Quedó inscrito en pago automático. Agregue su cuenta bancaria "
                                    f"o tarjeta en {d['payment_url']} para terminar."),
                ("autopay", False): ("Autopay is cancelled. Remember to pay each bill by its due date.",
                                     "Cancelé el pago automático. Recuerde pagar cada factura a tiempo."),
                ("paperless", True): ("Done: your bills will come by email from now on.",
                                      "Listo: desde ahora sus facturas llegarán por correo electrónico."),
                ("paperless", False): ("Done: you'll get paper bills by mail again.",
                                       "Listo: volverá a recibir facturas en papel por correo."),
            }
            say(dispatcher, ctx, *messages[(kind, enabled)])
            return done
        if kind in ("arrangement", "extension"):
            path, body = (("payment-arrangements", {"installments": int(arg)}) if kind == "arrangement"
                          else ("extensions", {"days": int(arg)}))
            result = await self.api.write("POST", f"/accounts/{ctx.account}/{path}", body=body,
                                          key=ctx.key(self.action_name), token=ctx.token,
                                          conversation_id=ctx.conversation_id)
            if result["outcome"] == "granted":
                say(dispatcher, ctx, ctx.pick(result["message"]), ctx.pick(result["message"]))
                return done
            from actions.billing import explain_referral

            return done + await explain_referral(self, dispatcher, tracker, ctx, result=result)
        say(dispatcher, ctx, "Great! What can I help you with?", "¡Perfecto! ¿En qué le ayudo?")
        return done


class ActionDeclineOffer(WaterDeskAction):
    action_name = "action_decline_offer"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        if (tracker.get_slot("offer") or "").startswith("order:"):
            say(dispatcher, ctx, "OK, I haven't placed the order; nothing has changed.",
                "De acuerdo, no hice la orden; no cambió nada.")
        ask(dispatcher, ctx, "anything_else")
        return [SlotSet("offer", None)]
