"""Returned mail and bounced e-bills: told to the verified customer once per conversation, after
what they asked for, with a way to confirm or correct the address on file."""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api import APIError, APIUnavailable, get_api
from actions.common import Context, WaterDeskAction, say

log = logging.getLogger(__name__)
CONFIRM = "run:action_confirm_mailing"


def busy(done: list[EventType]) -> bool:
    """The request left a question open (an offer, a form, a handoff): don't ask another."""
    return any((e.get("event") == "active_loop" and e.get("name")) or (
        e.get("event") == "slot" and e.get("name") in ("offer", "handed_off") and e.get("value"))
        for e in done)


async def contact_aside(dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context, *,
                        done: list[EventType]) -> list[EventType]:
    """After verification: if mail or e-bills to the customer came back, say so (once)."""
    if tracker.get_slot("contact_checked") or not ctx.verified:
        return []
    try:
        summary = await get_api().account(str(ctx.account), token=str(ctx.token))
    except (APIError, APIUnavailable) as exc:  # an aside never spoils the answer given
        log.warning("contact check skipped: %s", exc)
        return []
    events: list[EventType] = [SlotSet("contact_checked", True)]
    mail, bounced = bool(summary.get("returned_mail")), bool(summary.get("email_bounced"))
    if not mail and not bounced:
        return events
    if mail and bounced:
        came_back = ctx.t("By the way, mail we sent to your mailing address and the e-bill we "
                          "emailed you both came back to us.",
                          "Por cierto, nos devolvieron el correo que enviamos a su dirección "
                          "postal y también la factura electrónica que le enviamos por email.")
    elif mail:
        came_back = ctx.t("By the way, mail we sent to your mailing address came back to us.",
                          "Por cierto, nos devolvieron el correo que enviamos a su dirección "
                          "postal.")
    else:
        came_back = ctx.t("By the way, the e-bill we emailed you bounced back.",
                          "Por cierto, la factura electrónica que le enviamos por email rebotó.")
    if busy(done):
        # Mid-request: a short note now; the customer can update it when they're ready.
        say(dispatcher, ctx,
            f"{came_back} When you're ready, say \"update my contact details\" and I'll fix it.",
            f"{came_back} Cuando quiera, diga «actualizar mis datos de contacto» y lo corregimos.")
        return events
    if mail:
        ask_en = "Is the mailing address on file still right" + (
            ", and could you send me your current email?" if bounced else "?")
        ask_es = "¿Sigue siendo correcta la dirección postal registrada" + (
            "? ¿Y me envía su correo electrónico actual?" if bounced else "?")
        say(dispatcher, ctx, f"{came_back} {ask_en}", f"{came_back} {ask_es}",
            buttons=[("Yes, it's right", "Sí, es correcta", "/affirm"),
                     ("No, update it", "No, actualizarla", "/update_contact")])
        return events + [SlotSet("offer", CONFIRM)]
    say(dispatcher, ctx,
        f"{came_back} Could you send me your current email address so your bills reach you?",
        f"{came_back} ¿Me envía su correo electrónico actual para que le lleguen las facturas?",
        buttons=[("Update my email", "Actualizar mi correo", "/update_contact")])
    return events


class ActionConfirmMailing(WaterDeskAction):
    """The customer says the mailing address on file is right: the returned-mail flag is settled."""

    action_name = "action_confirm_mailing"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        await self.api.write("PATCH", f"/accounts/{ctx.account}/contact",
                             body={"returned_mail_resolved": True},
                             key=ctx.key(self.action_name), token=ctx.token,
                             conversation_id=ctx.conversation_id)
        say(dispatcher, ctx,
            "Thanks, I've noted that your mailing address is correct. We'll keep sending your "
            "mail there.",
            "Gracias, anoté que su dirección postal es correcta. Seguiremos enviándole el correo "
            "ahí.")
        return [SlotSet("offer", None)]
