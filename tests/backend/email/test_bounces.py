"""Bounced e-bills (backend/email/bounces.py, crud/contact.flag_bounced_email): a delivery status
notification for a customer's address on file flags the account, notes it, turns paper bills
back on, and is audited; a delay report or a bounce for no customer changes nothing."""

from __future__ import annotations

from email.message import EmailMessage

from sqlmodel import Session, col, select

from backend.email.bounces import failed_recipients, status_code
from backend.email.parse import parse
from backend.models import Account, AccountNote, AuditLog, OutboxEmail
from tests.backend.email.conftest import SAMPLES
from tests.utils.api import verified_headers
from tests.utils.db import TEST_SERVICE_TOKEN

AUTH = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_the_failed_recipients_of_a_report():
    ebill = parse(sample("bounce_ebill.eml")).message
    assert failed_recipients(ebill) == ["james.carter@example.com"] and status_code(ebill) == "5.1.1"
    assert failed_recipients(parse(sample("bounce_delayed.eml")).message) == []  # still trying
    assert failed_recipients(parse(sample("bounce.eml")).message) == []  # says nobody
    assert failed_recipients(parse(sample("plain.eml")).message) == []  # not a report


def test_a_report_without_recipient_fields_falls_back_to_the_returned_original():
    original = EmailMessage()
    original["From"], original["To"] = "inbox@smwd.example.com", "Maria.Lopez@example.com"
    original["Subject"] = "Your bill"
    original.set_content("Your bill is ready.")
    report = EmailMessage()
    report["From"], report["To"] = "postmaster@mx.example.com", "inbox@smwd.example.com"
    report["Subject"] = "failure notice"
    report.set_content("Sorry, it didn't work out.")
    report.add_attachment(original)
    report.replace_header("Content-Type", report["Content-Type"].replace(
        "multipart/mixed", "multipart/report"))
    parsed = parse(report.as_bytes()).message
    assert failed_recipients(parsed) == ["maria.lopez@example.com"]


def _account(client, number: str) -> Account:
    with Session(client.app.state.engine) as session:
        return session.exec(select(Account).where(Account.account_number == number)).one()


def _post(client, raw: bytes):
    return client.post("/api/v1/email/inbound", content=raw,
                       headers={**AUTH, "Content-Type": "message/rfc822"})


def test_a_bounced_ebill_flags_the_account_and_puts_bills_back_on_paper(inbox, relay):
    james = verified_headers(inbox, "1000002")
    assert inbox.put("/api/v1/accounts/1000002/paperless", headers=james,
                     json={"enabled": True}).status_code == 200
    before = _account(inbox, "1000002")
    assert before.paperless_enabled and not before.email_bounced

    r = _post(inbox, sample("bounce_ebill.eml"))
    assert r.status_code == 202 and r.json()["status"] == "auto" and r.json()["reason"] == "bounce"
    after = _account(inbox, "1000002")
    assert after.email_bounced and not after.paperless_enabled
    with Session(inbox.app.state.engine) as session:
        [note] = session.exec(select(AccountNote).where(AccountNote.account_id == after.id,
                                                        AccountNote.author == "system:system")
                              ).all()
        audit = session.exec(select(AuditLog).where(AuditLog.account_id == after.id)
                             .order_by(col(AuditLog.id))).all()
        mails = session.exec(select(OutboxEmail).where(
            OutboxEmail.to_address == "james.carter@example.com")).all()
    assert "james.carter@example.com bounced (status 5.1.1)" in note.body
    assert "Paperless billing turned off, so the next bill is mailed to" in note.body
    flagged = [a for a in audit if a.action == "email_bounce_flagged"]
    assert [(a.actor_type, a.actor_id, a.entity, a.entity_id) for a in flagged] == [
        ("system", "system", "account", "1000002")]
    assert flagged[0].detail["paperless"] == {"before": True, "after": False}
    assert flagged[0].detail["note_id"] == note.id
    assert any(a.action == "note_added" and a.entity_id == str(note.id) for a in audit)
    assert mails == []  # a bounce is never answered, and the bad address isn't written to

    # The same failure reported again changes nothing more.
    again = sample("bounce_ebill.eml").replace(b"<dsn-ebill-1@", b"<dsn-ebill-2@")
    assert _post(inbox, again).json()["reason"] == "bounce"
    with Session(inbox.app.state.engine) as session:
        notes = session.exec(select(AccountNote).where(AccountNote.account_id == after.id,
                                                       AccountNote.author == "system:system")
                             ).all()
    assert len(notes) == 1


def test_a_delay_report_flags_nothing(inbox, relay):
    r = _post(inbox, sample("bounce_delayed.eml"))
    assert r.json()["status"] == "auto" and r.json()["reason"] != "bounce"
    assert not _account(inbox, "1000001").email_bounced
