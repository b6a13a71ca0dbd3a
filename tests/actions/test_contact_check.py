"""Returned mail and bounced e-bills: a verified customer is told once, after their answer, and
can confirm or correct the address."""

from itertools import count

import pytest

from actions.contact_check import ActionConfirmMailing
from actions.verification import ActionVerify
from tests.actions.test_outages import database
from tests.utils.trackers import run, slot, texts
from tests.utils.trackers import tracker as base_tracker

pytestmark = pytest.mark.usefixtures("backend")
_turns = count()


def tracker(**kwargs):  # type: ignore[no-untyped-def]
    """Each its own conversation: the actions' writes are idempotent per conversation and turn."""
    return base_tracker(sender=f"contact_check-{next(_turns)}", **kwargs)


def flags(tmp_path_factory, number: str, *, mail: bool, bounced: bool) -> None:
    db = database(tmp_path_factory)
    db.execute("UPDATE account SET returned_mail = ?, email_bounced = ? WHERE account_number = ?",
               (mail, bounced, number))
    db.commit()


def read_flags(tmp_path_factory, number: str) -> tuple[int, int]:
    return database(tmp_path_factory).execute(
        "SELECT returned_mail, email_bounced FROM account WHERE account_number = ?",
        (number,)).fetchone()


def test_returned_mail_is_told_after_the_answer_and_confirmed(tmp_path_factory):
    flags(tmp_path_factory, "1000002", mail=True, bounced=False)
    messages, events = run(ActionVerify(), tracker(slots={
        "account_number": "1000002", "zip": "92694", "pending_action": "action_check_balance"}))
    said = [m.get("text") or "" for m in messages]
    answer = next(i for i, t in enumerate(said) if "$312.40" in t)
    aside = next(i for i, t in enumerate(said) if "came back" in t)
    assert answer < aside and "mailing address" in said[aside]
    assert slot(events, "offer") == "run:action_confirm_mailing"
    assert slot(events, "contact_checked") is True
    slots = {"verified": True, "verification_token": slot(events, "verification_token"),
             "verified_account": "1000002", "contact_checked": True,
             "offer": "run:action_confirm_mailing"}
    messages, _ = run(ActionConfirmMailing(), tracker(text="yes", intent="affirm", slots=slots))
    assert "mailing address is correct" in texts(messages)
    assert read_flags(tmp_path_factory, "1000002") == (0, 0)


def test_told_once_per_conversation(tmp_path_factory):
    flags(tmp_path_factory, "1000002", mail=True, bounced=False)
    messages, events = run(ActionVerify(), tracker(slots={
        "account_number": "1000002", "zip": "92694", "contact_checked": True}))
    assert "came back" not in texts(messages) and slot(events, "offer") is None
    flags(tmp_path_factory, "1000002", mail=False, bounced=False)


def test_a_bounced_e_bill_asks_for_the_email_in_spanish(tmp_path_factory):
    flags(tmp_path_factory, "1000001", mail=False, bounced=True)
    messages, events = run(ActionVerify(), tracker(slots={
        "account_number": "1000001", "zip": "92688", "pending_action": "action_check_balance"}))
    reply = texts(messages)
    assert "factura electrónica que le enviamos por email rebotó" in reply, reply
    buttons = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert "/update_contact" in buttons
    flags(tmp_path_factory, "1000001", mail=False, bounced=False)


def test_mid_request_it_is_only_a_short_note(tmp_path_factory):
    flags(tmp_path_factory, "1000002", mail=True, bounced=True)
    # Autopay leaves its own yes/no question open: the aside asks nothing more.
    messages, events = run(ActionVerify(), tracker(slots={
        "account_number": "1000002", "zip": "92694", "pending_action": "action_autopay"}))
    reply = texts(messages)
    assert "both came back" in reply and "update my contact details" in reply, reply
    assert slot(events, "offer") != "run:action_confirm_mailing"
    flags(tmp_path_factory, "1000002", mail=False, bounced=False)
