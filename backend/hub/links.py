"""The hub's side of the signed chat link a leak alert carries (backend/core/links.py).

A link always starts a new conversation. A valid one binds it to the account: the account is
kept on the conversation (verified_account, and link_account, which the hub reads back on
every turn to put the account in the channel facts it signs), so the bot's first account action
verifies through POST /verify with those facts and asks nothing. The link's token itself is
never stored, logged or sent on: only the account, the alert's reference and the expiry are.
"""

from __future__ import annotations

from sqlmodel import Session

from backend.core.links import ChatLink
from backend.crud.accounts import get_bundle
from backend.models.conversations import Conversation
from backend.models.common import utcnow

# Longer than any token we sign; anything longer is junk, refused unread.
MAX_TOKEN = 2048

GREETING = {
    "en": "Hello! This chat opened from your leak alert for the account ending in {last4}, so "
          "you're already verified. You can ask about your water usage, tell me \"I found the "
          "leak\", or ask to talk to a person.",
    "es": "¡Hola! Este chat se abrió desde su alerta de fuga para la cuenta que termina en "
          "{last4}, así que ya está verificado. Puede preguntar por su consumo de agua, decirme "
          "\"encontré la fuga\" o pedir hablar con una persona.",
}
EXPIRED = {
    "en": "This chat link has expired or isn't valid, so it can't open your account. You can "
          "still ask me anything and verify as usual.",
    "es": "Este enlace de chat venció o no es válido, así que no puede abrir su cuenta. Puede "
          "preguntarme lo que necesite y verificarse como siempre.",
}


def bind(*, session: Session, conversation_id: str, link: ChatLink) -> Conversation | None:
    """Bind a new conversation to the link's account, in the customer's language; None (and
    nothing changed) when the account doesn't exist."""
    bundle = get_bundle(session=session, account_number=link.account_number)
    conversation = session.get(Conversation, conversation_id)
    if bundle is None or conversation is None:
        return None
    conversation.verified_account = bundle.account.account_number
    conversation.language = str(bundle.customer.preferred_language)
    conversation.link_account = bundle.account.account_number
    conversation.updated_at = utcnow()
    session.add(conversation)
    session.commit()
    session.refresh(conversation)
    return conversation


def link_account(conversation: Conversation) -> str | None:
    """The account a signed link opened this conversation for (web chat only), if any."""
    return conversation.link_account if conversation.channel == "web" else None
