"""Balances, bills, usage, rates, payments and the policy requests (arrangements, extensions, waivers)."""

from __future__ import annotations

from abc import abstractmethod
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import Context, WaterDeskAction, latest_entities, money, say
from common.dates import format_date

PAY_BUTTONS = [("Pay online", "Pagar en línea", "/pay_bill")]


def when(iso: str | None, ctx: Context) -> str:
    if not iso:
        return ""
    d = date.fromisoformat(str(iso)[:10])
    return ctx.t(format_date(day=d, lang="en"), format_date(day=d, lang="es"))


class ActionCheckBalance(WaterDeskAction):
    action_name = "action_check_balance"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        a = await self.api.account(ctx.account, token=ctx.token)
        due = when(a["due_date"], ctx)
        if float(a["balance"]) <= 0:
            say(dispatcher, ctx, "You have no balance due. Thanks for staying current!",
                "No tiene saldo pendiente. ¡Gracias por estar al corriente!")
            return []
        say(dispatcher, ctx, f"Your balance is {money(a['balance'])}, due {due}.",
            f"Su saldo es de {money(a['balance'])}, con vencimiento el {due}.")
        if float(a["past_due"]) > 0:
            say(dispatcher, ctx, f"{money(a['past_due'])} of it is past due.",
                f"De eso, {money(a['past_due'])} está vencido.")
        if a.get("shutoff_scheduled_on"):
            day = when(a["shutoff_scheduled_on"], ctx)
            say(dispatcher, ctx,
                f"Service is scheduled to be shut off on {day} unless the past-due amount is paid "
                "or a payment arrangement is made. I can help with either.",
                f"El servicio está programado para cortarse el {day} si no se paga lo vencido o se "
                "hace un plan de pagos. Puedo ayudarle con cualquiera de los dos.",
                buttons=[("Payment arrangement", "Plan de pagos", "/payment_arrangement"),
                         ("How to pay", "Cómo pagar", "/pay_bill")])
            return [SlotSet("offer", "run:action_payment_arrangement")]  # a yes checks the plan
        if a.get("autopay"):
            say(dispatcher, ctx, "You're on autopay, so it will be paid automatically on the due date.",
                "Tiene pago automático, así que se pagará solo en la fecha de vencimiento.")
        return []


class ActionExplainBill(WaterDeskAction):
    action_name = "action_explain_bill"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        b = await self.api.explain_latest_bill(ctx.account, token=ctx.token)
        bill = b["bill"]
        lines = "\n".join(f"• {ctx.pick(line['explanation'])}" for line in b["lines"])
        say(dispatcher, ctx,
            f"Your bill of {when(bill['bill_date'], ctx)} for {money(bill['total'])} covers "
            f"{bill['consumption_hcf']} HCF ({b['gallons']:,} gallons):\n{lines}",
            f"Su factura del {when(bill['bill_date'], ctx)} por {money(bill['total'])} cubre "
            f"{bill['consumption_hcf']} HCF ({b['gallons']:,} galones):\n{lines}")
        if bill["read_type"] == "estimated":
            say(dispatcher, ctx, "This bill used an estimated read; the next actual read corrects it.",
                "Esta factura usó una lectura estimada; la próxima lectura real la corrige.")
        return []


class ActionUsageHistory(WaterDeskAction):
    action_name = "action_usage_history"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        u = await self.api.usage(ctx.account, token=ctx.token, months=12)
        label = "label_es" if ctx.lang == "es" else "label"
        rows = "\n".join(f"• {r[label]}: {r['hcf']} HCF ({r['gallons']:,} gal)" for r in u["rows"][-6:])
        say(dispatcher, ctx, f"{ctx.pick(u['summary'])}\nLast 6 bills:\n{rows}",
            f"{ctx.pick(u['summary'])}\nÚltimas 6 facturas:\n{rows}")
        return []


class ActionAskRates(WaterDeskAction):
    action_name = "action_ask_rates"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        kind = (latest_entities(tracker, "account_type") or ["residential"])[0]
        r = await self.api.rates(account_type=kind, hcf=12)
        tiers = "\n".join(
            f"• {t['range_es'] if ctx.lang == 'es' else t['range']}: {money(t['price'])} / HCF"
            for t in r["rates"])
        example = "\n".join(f"  {line}" for line in r["explanation"][ctx.lang])
        say(dispatcher, ctx,
            f"Water is billed per HCF (100 cubic feet = {r['gallons_per_unit']} gallons). "
            f"Rates in force since {when(r['effective'], ctx)}:\n{tiers}\n"
            f"For example, {r['consumption_hcf']} HCF ({r['gallons']:,} gallons) on a "
            f"{r['meter_size']}-inch meter comes to {money(r['total'])}:\n{example}",
            f"El agua se cobra por HCF (100 pies cúbicos = {r['gallons_per_unit']} galones). "
            f"Tarifas vigentes desde el {when(r['effective'], ctx)}:\n{tiers}\n"
            f"Por ejemplo, {r['consumption_hcf']} HCF ({r['gallons']:,} galones) con un medidor de "
            f"{r['meter_size']} de pulgada suman {money(r['total'])}:\n{example}")
        return []


class ActionHighBill(WaterDeskAction):
    action_name = "action_high_bill"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        h = await self.api.high_bill(ctx.account, token=ctx.token)
        say(dispatcher, ctx, ctx.pick(h["summary"]), ctx.pick(h["summary"]))
        for cause in h["causes"][:3]:
            say(dispatcher, ctx, f"• {ctx.pick(cause['reason'])}", f"• {ctx.pick(cause['reason'])}")
        say(dispatcher, ctx, "What would you like to do next?", "¿Qué le gustaría hacer?",
            buttons=[("Meter reread", "Volver a leer el medidor", '/inform{"option": "reread"}'),
                     ("Leak check", "Revisión de fugas", '/inform{"option": "leak_check"}'),
                     ("Review by a representative", "Revisión por un representante",
                      '/inform{"option": "review"}')])
        return [SlotSet("offer", "high_bill")]


class ActionPayBill(WaterDeskAction):
    action_name = "action_pay_bill"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        d = await self.api.district()
        if ctx.verified:
            a = await self.api.account(ctx.account, token=ctx.token)
            say(dispatcher, ctx, f"Your balance is {money(a['balance'])}.",
                f"Su saldo es de {money(a['balance'])}.")
        say(dispatcher, ctx,
            f"You can pay securely online at {d['payment_url']}, by phone at {d['phone']}, by mail "
            "with the stub from your bill, or at our office drop box. "
            + ("Please never send card numbers by email." if ctx.email
               else "I can't take card numbers in chat."),
            f"Puede pagar de forma segura en línea en {d['payment_url']}, por teléfono al "
            f"{d['phone']}, por correo con el talón de su factura o en el buzón de nuestra oficina. "
            + ("Por favor nunca envíe números de tarjeta por correo." if ctx.email
               else "No puedo recibir números de tarjeta por chat."),
            buttons=[("Set up autopay", "Activar pago automático", "/autopay")])
        return []


class _Toggle(WaterDeskAction):
    needs_verification = True
    flag = ""
    offer = ""

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        a = await self.api.account(ctx.account, token=ctx.token)
        on = bool(a[self.flag])
        self.describe(dispatcher, ctx, on)
        return [SlotSet("offer", f"{self.offer}:{'off' if on else 'on'}")]

    @abstractmethod
    def describe(self, dispatcher: CollectingDispatcher, ctx: Context, on: bool) -> None:
        """Tell the customer where they stand and offer the change."""


class ActionAutopay(_Toggle):
    action_name = "action_autopay"
    flag, offer = "autopay", "autopay"

    def describe(self, dispatcher, ctx, on):  # type: ignore[no-untyped-def]
        if on:
            say(dispatcher, ctx, "You're already on autopay. Would you like to cancel it?",
                "Ya tiene pago automático. ¿Quiere cancelarlo?",
                buttons=[("Cancel autopay", "Cancelar", "/affirm"), ("Keep it", "Mantenerlo", "/deny")])
        else:
            say(dispatcher, ctx,
                "With autopay, your bill is paid from your bank account or card on each due date. "
                "Shall I sign you up? You'll add the payment details on our secure payment site.",
                "Con el pago automático, su factura se paga de su cuenta bancaria o tarjeta en cada "
                "fecha de vencimiento. ¿Lo inscribo? Los datos de pago se agregan en nuestro sitio "
                "seguro de pagos.",
                buttons=[("Yes, sign me up", "Sí, inscríbame", "/affirm"), ("No", "No", "/deny")])


class ActionPaperless(_Toggle):
    action_name = "action_paperless"
    flag, offer = "paperless", "paperless"

    def describe(self, dispatcher, ctx, on):  # type: ignore[no-untyped-def]
        if on:
            say(dispatcher, ctx, "You already get e-bills by email. Switch back to paper bills?",
                "Ya recibe facturas electrónicas por correo. ¿Quiere volver a facturas en papel?",
                buttons=[("Yes", "Sí", "/affirm"), ("No", "No", "/deny")])
        else:
            say(dispatcher, ctx,
                "With paperless billing you get each bill by email instead of by mail. Turn it on?",
                "Con la factura electrónica recibe cada factura por correo electrónico en lugar de "
                "por correo postal. ¿La activo?",
                buttons=[("Yes", "Sí", "/affirm"), ("No", "No", "/deny")])


class ActionPaymentArrangement(WaterDeskAction):
    action_name = "action_payment_arrangement"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        a = await self.api.account(ctx.account, token=ctx.token)
        e = await self.api.eligibility(ctx.account, token=ctx.token)
        if float(a["past_due"]) > 0:
            d = e["payment_arrangement"]
            if d["eligible"]:
                plan = d["details"]["plan"]
                say(dispatcher, ctx,
                    f"You qualify for a payment arrangement: {len(plan)} monthly payments of about "
                    f"{money(plan[-1]['amount'])} for your {money(a['past_due'])} past-due balance, "
                    f"the first due {when(plan[0]['due_date'], ctx)}. Shall I set it up?",
                    f"Califica para un plan de pagos: {len(plan)} pagos mensuales de aproximadamente "
                    f"{money(plan[-1]['amount'])} por su saldo vencido de {money(a['past_due'])}, el "
                    f"primero con vencimiento el {when(plan[0]['due_date'], ctx)}. ¿Lo preparo?",
                    buttons=[("Yes, set it up", "Sí, prepárelo", "/affirm"), ("No", "No", "/deny")])
                return [SlotSet("offer", f"arrangement:{len(plan)}")]
            return await refer(self, dispatcher, tracker, ctx, decision=d,
                               path="payment-arrangements",
                               body={"installments": d["details"]["installments"]})
        d = e["due_date_extension"]
        if d["eligible"]:
            days = int(d["details"]["max_days"])
            say(dispatcher, ctx,
                f"I can move your due date by up to {days} days, to "
                f"{when(d['details']['new_due_date'], ctx)}. Want me to do that?",
                f"Puedo mover su fecha de vencimiento hasta {days} días, al "
                f"{when(d['details']['new_due_date'], ctx)}. ¿Lo hago?",
                buttons=[("Yes, please", "Sí, por favor", "/affirm"), ("No", "No", "/deny")])
            return [SlotSet("offer", f"extension:{days}")]
        return await refer(self, dispatcher, tracker, ctx, decision=d, path="extensions",
                           body={"days": int(d["details"]["max_days"])})


class ActionFeeWaiver(WaterDeskAction):
    action_name = "action_fee_waiver"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        text = (tracker.latest_message.get("text") or "").lower()
        kind = "reconnection_fee" if any(w in text for w in ("reconnect", "reconex", "turn", "shut")) \
            else "late_fee"
        result = await self.api.write(
            "POST", f"/accounts/{ctx.account}/fee-waivers", key=ctx.key(self.action_name),
            token=ctx.token, conversation_id=ctx.conversation_id,
            body={"fee_kind": kind, "reason": f"Customer asked in chat: {text[:300]}"})
        if result["outcome"] == "granted":
            say(dispatcher, ctx, ctx.pick(result["message"]), ctx.pick(result["message"]))
            return []
        return await explain_referral(self, dispatcher, tracker, ctx, result=result)


async def refer(action: WaterDeskAction, dispatcher: CollectingDispatcher, tracker: Tracker,
                ctx: Context, *, decision: dict[str, Any], path: str,
                body: dict[str, Any]) -> list[EventType]:
    """Record the request for a representative (the backend refers it) and explain why."""
    result = await action.api.write("POST", f"/accounts/{ctx.account}/{path}", body=body,
                                    key=ctx.key(action.action_name), token=ctx.token,
                                    conversation_id=ctx.conversation_id)
    return await explain_referral(action, dispatcher, tracker, ctx, result=result)


async def explain_referral(action: WaterDeskAction, dispatcher: CollectingDispatcher,
                           tracker: Tracker, ctx: Context, *,
                           result: dict[str, Any]) -> list[EventType]:
    from actions.handoff import hand_off

    if result.get("outcome") == "nothing_to_grant":  # nothing owed or no fee: no review needed
        say(dispatcher, ctx, f"{ctx.pick(result['message'])} Is there anything else I can help with?",
            f"{ctx.pick(result['message'])} ¿Le puedo ayudar con algo más?")
        return []
    reasons = " ".join(ctx.pick(r) for r in result["decision"]["reasons"])
    say(dispatcher, ctx, f"{ctx.pick(result['decision']['rule_text'])} {reasons}",
        f"{ctx.pick(result['decision']['rule_text'])} {reasons}")
    return await hand_off(dispatcher=dispatcher, tracker=tracker, ctx=ctx,
                          reason_code="policy_referral",
                          policy_referral=result["decision"]["rule"])


class ActionDeposit(WaterDeskAction):
    action_name = "action_deposit"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        d = await self.api.district()
        dep = d["fees"]["deposit"]
        say(dispatcher, ctx,
            f"New service has a deposit: {money(dep['residential'])} residential, "
            f"{money(dep['commercial'])} commercial, {money(dep['temporary_construction'])} for "
            "temporary construction. It's waived for customers with 12 months of on-time payments, "
            "and refunded as a credit after 12 months of on-time payments.",
            f"El servicio nuevo tiene un depósito: {money(dep['residential'])} residencial, "
            f"{money(dep['commercial'])} comercial, {money(dep['temporary_construction'])} para "
            "construcción temporal. Se exime a clientes con 12 meses de pagos a tiempo y se "
            "reembolsa como crédito después de 12 meses de pagos a tiempo.")
        if ctx.verified:
            e = await self.api.eligibility(ctx.account, token=ctx.token)
            w = e["deposit_waiver"]
            say(dispatcher, ctx, " ".join(ctx.pick(r) for r in w["reasons"]),
                " ".join(ctx.pick(r) for r in w["reasons"]))
        return []


class ActionShutoff(WaterDeskAction):
    action_name = "action_shutoff"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        a = await self.api.account(ctx.account, token=ctx.token)
        d = await self.api.district()
        fee = money(d["fees"]["reconnection_fee"])
        if a["status"] == "shut_off":
            say(dispatcher, ctx,
                f"Your service is off for non-payment. To restore it today, pay the past-due "
                f"{money(a['past_due'])} plus the {fee} reconnection fee at {d['payment_url']} "
                "before 3:00 p.m. on a business day; a crew turns the water back on the same day.",
                f"Su servicio está cortado por falta de pago. Para restablecerlo hoy, pague lo "
                f"vencido ({money(a['past_due'])}) más el cargo de reconexión de {fee} en "
                f"{d['payment_url']} antes de las 15:00 en un día hábil; una cuadrilla reconecta el "
                "agua el mismo día.")
        elif a.get("shutoff_scheduled_on"):
            day = when(a["shutoff_scheduled_on"], ctx)
            say(dispatcher, ctx,
                f"There's a shut-off notice for {day} for the past-due {money(a['past_due'])}. "
                f"Paying it before then avoids the shut-off and the {fee} reconnection fee, or I can "
                "check whether you qualify for a payment arrangement.",
                f"Hay un aviso de corte para el {day} por lo vencido ({money(a['past_due'])}). Si lo "
                f"paga antes evita el corte y el cargo de reconexión de {fee}, o puedo revisar si "
                "califica para un plan de pagos.",
                buttons=[("Payment arrangement", "Plan de pagos", "/payment_arrangement"),
                         ("How to pay", "Cómo pagar", "/pay_bill")])
            return [SlotSet("offer", "run:action_payment_arrangement")]  # a yes checks the plan
        else:
            say(dispatcher, ctx,
                "Your service is active and there's no shut-off scheduled on your account. "
                "If your water is off, it may be an outage or a leak repair nearby.",
                "Su servicio está activo y no hay corte programado en su cuenta. Si no tiene agua, "
                "puede ser una interrupción o una reparación cercana.",
                buttons=[("Check outages", "Ver interrupciones", "/water_outage")])
            if _asks_what_it_costs(tracker.latest_message.get("text") or ""):
                late = money(d["fees"]["after_hours_reconnection_fee"])
                say(dispatcher, ctx,
                    f"If service were ever shut off, reconnecting costs {fee} ({late} after "
                    "hours).",
                    f"Si alguna vez se cortara el servicio, la reconexión cuesta {fee} ({late} "
                    "fuera del horario de oficina).")
        return []


COST_WORDS = ("fee", "cost", "charge", "how much", "price", "cargo", "cuesta", "cuanto",
              "cuánto", "cobran", "precio")


def _asks_what_it_costs(text: str) -> bool:
    """A shut-off question that also asks what reconnecting would cost."""
    lowered = text.lower()
    return any(w in lowered for w in COST_WORDS)
