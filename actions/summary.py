"""The rep's summary of a conversation: who, what about, what was done, what is pending."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from actions.emotion import normalize_lang
from actions.handoff_decision import asks_for_person, clip
from common.cards import mask_cards

TOPICS: Mapping[str, str] = {
    "check_balance": "their balance", "explain_bill": "their bill", "high_bill": "a high bill",
    "pay_bill": "paying a bill", "autopay": "autopay", "payment_arrangement": "a payment plan",
    "fee_waiver": "a fee waiver", "deposit": "a deposit", "shutoff": "a shut-off",
    "usage_history": "their usage", "ask_rates": "rates", "paperless_billing": "paperless billing",
    "report_leak": "a leak", "meter_reread": "a meter reread", "meter_test": "a meter test",
    "water_outage": "a water outage", "water_quality": "water quality",
    "start_service": "starting service", "stop_service": "stopping service",
    "transfer_service": "transferring service", "update_contact": "updating contact details",
    "order_status": "the status of an order",
}


def _items(value: Any) -> list[str]:
    if not value:
        return []
    return [str(value)] if isinstance(value, str) else [str(v) for v in value if v]


def _money(value: Any) -> str:
    try:
        return f"${Decimal(str(value).replace('$', '').replace(',', '')):,.2f}"
    except InvalidOperation:
        return str(value)


def summarize(*, turns: Sequence[tuple[str, str]], collected: Mapping[str, Any], lang: str,
              max_chars: int = 600) -> str:
    """A few English sentences for the rep: who, what about, what was done, what is pending."""
    said = [text for speaker, text in turns if speaker == "user" and text.strip()]
    parts: list[tuple[int, str]] = []  # (drop order: higher goes first when too long, sentence)
    account, name = collected.get("verified_account"), collected.get("customer_name")
    if account:
        parts.append((0, f"Verified {account}" + (f" ({name})" if name else "") + "."))
    elif collected.get("account_number"):
        parts.append((0, f"Not verified (gave account {collected['account_number']})."))
    else:
        parts.append((0, "Not verified."))
    if topic := collected.get("topic"):
        amount = f" ({_money(collected['amount'])})" if collected.get("amount") else ""
        finding = f"; {collected['finding']}" if collected.get("finding") else ""
        parts.append((1, f"Asked about {TOPICS.get(topic, str(topic).replace('_', ' '))}"
                         f"{amount}{finding}."))
    elif said:
        parts.append((5, f"Opened with: “{clip(said[0], 100)}”."))
    if leak := [str(collected[k]) for k in ("leak_location", "severity", "leak_address")
                if collected.get(k)]:
        parts.append((3, f"Leak: {', '.join(leak)}."))
    if done := _items(collected.get("done")):
        parts.append((4, f"Bot already: {'; '.join(done)}."))
    pending = _items(collected.get("pending")) + [
        str(v).removeprefix("action_").replace("_", " ")
        for v in _items(collected.get("pending_action"))]
    if pending:
        parts.append((3, f"Pending: {'; '.join(pending)}."))
    if collected.get("requested_human") or any(asks_for_person(t, lang=lang) for t in said):
        parts.append((2, "Customer asked for a person."))
    if normalize_lang(lang) == "es":
        parts.append((2, "Language: Spanish."))
    parts = [(rank, mask_cards(text)) for rank, text in parts]
    while len(parts) > 1 and len(" ".join(t for _, t in parts)) > max_chars:
        drop = max(range(len(parts)), key=lambda i: (parts[i][0], i))
        parts.pop(drop)
    return clip(" ".join(t for _, t in parts), max_chars)
