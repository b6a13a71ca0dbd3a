"""Identity verification: account number + service ZIP, or the phone on file + last name."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api import APIError, APIUnavailable, get_api
from actions.common import REGISTRY, Context, WaterDeskAction, channel_claims, channel_token, say
from actions.contact_check import contact_aside
from common.language import detect_language

MAX_FAILURES = 3
log = logging.getLogger(__name__)


class ValidateVerifyForm(FormValidationAction):
    def name(self) -> str:
        return "validate_verify_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        # A customer without the account number can use the phone on file and last name.
        if tracker.get_slot("phone") and not tracker.get_slot("account_number"):
            return ["phone", "last_name"]
        # By email, the sender's address on file is the second factor: try it before the ZIP.
        if email_sender(tracker) and not tracker.get_slot("zip") \
                and not int(tracker.get_slot("verify_failures") or 0):
            return ["account_number"]
        return ["account_number", "zip"]

    def validate_account_number(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        digits = "".join(ch for ch in str(value or "") if ch.isdigit())
        if len(digits) == 7:
            return {"account_number": digits}
        ctx = Context.of(tracker)
        say(dispatcher, ctx, "Account numbers have 7 digits, like 1000001.",
            "Los números de cuenta tienen 7 dígitos, por ejemplo 1000001.")
        return {"account_number": None}

    def validate_zip(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: DomainDict) -> dict[str, Any]:
        digits = "".join(ch for ch in str(value or "") if ch.isdigit())[:5]
        return {"zip": digits if len(digits) == 5 else None}

    def validate_last_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:
        words = [w for w in str(value or "").replace(",", " ").split() if w.isalpha()]
        # "my last name is Carter" arrives whole through from_text: keep the last word.
        return {"last_name": words[-1] if words else None}


class ActionVerify(WaterDeskAction):
    action_name = "action_verify"
    guarded = False

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     ctx: Context) -> list[EventType]:
        fields = {"account_number": tracker.get_slot("account_number"),
                  "zip": tracker.get_slot("zip"), "conversation_id": ctx.conversation_id}
        by_email = bool(fields["account_number"] and not fields["zip"] and email_sender(tracker))
        if by_email:
            # The hub's signed facts go to the backend as they are; only it can check them.
            fields = {"account_number": fields["account_number"],
                      "channel_token": channel_token(tracker),
                      "conversation_id": ctx.conversation_id}
        elif not fields["account_number"]:
            fields = {"phone": tracker.get_slot("phone"), "last_name": tracker.get_slot("last_name"),
                      "conversation_id": ctx.conversation_id}
        try:
            result = await get_api().verify(**fields)
        except APIError as exc:
            if exc.status == 429:
                return await self._give_up(dispatcher, tracker, ctx)
            raise
        if not result.get("verified"):
            failures = int(tracker.get_slot("verify_failures") or 0) + 1
            if by_email and not result.get("locked"):
                # Not the address on file: keep the account number and ask for the ZIP.
                phone = await _district_phone()
                say(dispatcher, ctx,
                    "This email address isn't the one on file for that account, so I can't share "
                    "its details: we discuss an account only with the account holder. If it's your "
                    "account, reply with the ZIP code of the service address. If it's someone "
                    "else's, the account holder can write to us from the email address on file, "
                    f"call us at {phone}, or add you to the account as an authorized contact.",
                    "Este correo electrónico no es el registrado en esa cuenta, así que no puedo "
                    "compartir sus datos: solo tratamos una cuenta con su titular. Si la cuenta es "
                    "suya, responda con el código postal de la dirección del servicio. Si es de "
                    "otra persona, el titular puede escribirnos desde el correo registrado, "
                    f"llamarnos al {phone} o agregarle a la cuenta como contacto autorizado.")
                return [SlotSet("verify_failures", failures), ActiveLoop("verify_form")]
            if failures >= MAX_FAILURES or result.get("locked"):
                return [SlotSet("verify_failures", failures),
                        *await self._give_up(dispatcher, tracker, ctx)]
            say(dispatcher, ctx,
                "Those details don't match our records. Let's try again.",
                "Esos datos no coinciden con nuestros registros. Intentemos de nuevo.")
            from actions.common import start_verification

            return [SlotSet("verify_failures", failures),
                    *start_verification(pending=tracker.get_slot("pending_action"))]
        # Once verified, the customer's preferred language wins unless they wrote in another.
        lang = ctx.lang
        if tracker.get_slot("language") == "en" and not _wrote_english(tracker):
            lang = result.get("preferred_language") or ctx.lang
        ctx = ctx.with_verification(token=result["verification_token"],
                                    account=result["account_number"],
                                    name=result["first_name"], lang=lang)
        say(dispatcher, ctx, f"Thanks, {ctx.name}, you're verified.",
            f"Gracias, {ctx.name}, ya está verificado.")
        events: list[EventType] = [
            SlotSet("verified", True), SlotSet("verification_token", ctx.token),
            SlotSet("verified_account", ctx.account), SlotSet("customer_name", ctx.name),
            SlotSet("verify_failures", 0), SlotSet("pending_action", None),
            SlotSet("language", ctx.lang),
        ]
        pending_name = tracker.get_slot("pending_action") or ""
        if pending_name.startswith("form:"):
            # A stop, transfer or contact change carries on with its form.
            return events + [ActiveLoop(pending_name[5:])]
        pending = REGISTRY.get(pending_name)
        done: list[EventType] = []
        if pending is not None:
            done = await pending().safely(dispatcher, tracker, ctx)
        # After the answer: mail or e-bills that came back, told once.
        return events + done + await contact_aside(dispatcher, tracker, ctx, done=done)

    async def _give_up(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                       ctx: Context) -> list[EventType]:
        # Stop asking: no more guesses at someone's account. Offer a person instead.
        say(dispatcher, ctx,
            "I couldn't verify your identity, so I can't share account details here. "
            "Would you like me to connect you with a representative?",
            "No pude verificar su identidad, así que no puedo compartir datos de la cuenta aquí. "
            "¿Quiere que lo comunique con un representante?",
            buttons=[("Yes, connect me", "Sí, comuníqueme", "/affirm"),
                     ("No, thanks", "No, gracias", "/deny")])
        return [SlotSet("pending_action", None), SlotSet("offer", "handoff:verification_failed")]


async def verify_by_link(*, tracker: Tracker, ctx: Context) -> tuple[Context, list[EventType]]:
    """A leak alert's signed chat link opened this conversation: the hub checked the link and
    puts its account in the channel facts it signs. The backend checks that signature on
    /verify; the customer is asked nothing. Any refusal leaves them unverified, to verify as
    usual."""
    account = channel_claims(tracker).get("link")
    if not isinstance(account, str) or not account:
        return ctx, []
    try:
        result = await get_api().verify(account_number=account, method="signed_link",
                                        channel_token=channel_token(tracker),
                                        conversation_id=ctx.conversation_id)
    except (APIError, APIUnavailable) as exc:
        log.warning("signed link verification refused: %s", exc)
        return ctx, []
    if not result.get("verified"):
        return ctx, []
    ctx = ctx.with_verification(token=result["verification_token"],
                                account=result["account_number"], name=result["first_name"],
                                lang=ctx.lang)
    return ctx, [SlotSet("verified", True), SlotSet("verification_token", ctx.token),
                 SlotSet("verified_account", ctx.account), SlotSet("customer_name", ctx.name),
                 SlotSet("verify_failures", 0)]


async def _district_phone() -> str:
    try:
        return str((await get_api().district())["phone"])
    except (APIError, APIUnavailable, KeyError):
        return "our customer service number"


def email_sender(tracker: Tracker) -> str | None:
    """The email sender the hub vouches for: only when the receiving relay authenticated it.
    Read unverified, to choose what to ask; the backend checks the signature on /verify."""
    claims = channel_claims(tracker)
    email = claims.get("email")
    return email if claims.get("ch") == "email" and isinstance(email, str) else None


def _wrote_english(tracker: Tracker) -> bool:
    return any(detect_language(ev.get("text") or "") == "en"
               for ev in tracker.events if ev.get("event") == "user")


__all__ = ["ActionVerify", "ValidateVerifyForm", "APIUnavailable"]
