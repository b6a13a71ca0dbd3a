"""POST /api/v1/returned-mail: a rep marks a bill as returned mail; the account is flagged, noted
and audited, and the customer is asked by email, in their language, to confirm their address."""

from email import message_from_bytes
from email.policy import default

from sqlmodel import Session, col, select

from backend.models import Account, AccountNote, AuditLog, Bill, OutboxEmail
from tests.utils.api import SERVICE, field_errors, rep_headers


def _load(client, number: str):
    with Session(client.app.state.engine) as session:
        account = session.exec(select(Account).where(Account.account_number == number)).one()
        notes = session.exec(select(AccountNote).where(AccountNote.account_id == account.id)
                             .order_by(col(AccountNote.id))).all()
        audit = session.exec(select(AuditLog).where(
            AuditLog.account_id == account.id, AuditLog.action == "returned_mail_flagged")
            .order_by(col(AuditLog.id))).all()
        mails = session.exec(select(OutboxEmail).where(OutboxEmail.kind == "returned_mail")
                             .order_by(col(OutboxEmail.id))).all()
        bill = session.exec(select(Bill).where(Bill.account_id == account.id)
                            .order_by(col(Bill.bill_date).desc())).first()
        return account, list(notes), list(audit), list(mails), bill


def test_a_returned_bill_flags_the_account_and_asks_the_customer_by_email(fresh_client):
    client = fresh_client
    rep = rep_headers(client)
    account, notes_before, _, _, bill = _load(client, "1000001")
    assert not account.returned_mail
    r = client.post("/api/v1/returned-mail", headers=rep, json={
        "account_number": "1000001", "bill_id": bill.id, "note": "Envelope marked 'moved'."})
    assert r.status_code == 200, r.text
    assert r.json()["returned_mail"] is True and r.json()["emailed"] is True
    account, notes, audit, mails, _ = _load(client, "1000001")
    assert account.returned_mail
    [note] = notes[len(notes_before):]
    assert note.id == r.json()["note_id"] and note.author.startswith("rep:")
    assert f"Bill {bill.id} sent to 22 Alondra" in note.body and "moved" in note.body
    assert "Asked the customer by email (maria.lopez@example.com)" in note.body
    [entry] = audit
    assert (entry.actor_type, entry.entity, entry.entity_id) == ("rep", "account", "1000001")
    assert entry.detail["bill_id"] == bill.id and entry.detail["emailed"] is True
    # Maria prefers Spanish: asked in Spanish to confirm the address on file, through the outbox.
    [mail] = mails
    assert mail.to_address == "maria.lopez@example.com"
    sent = message_from_bytes(mail.raw, policy=default)
    text = sent.get_body(("plain",)).get_content()
    assert sent["Subject"] == "Confirme su dirección postal"
    assert text.startswith("Hola, Maria:") and "terminada en 0001" in text
    assert "22 Alondra, Rancho Santa Margarita, CA 92688" in text

    # Marked again: noted and audited, but the customer isn't emailed twice.
    again = client.post("/api/v1/returned-mail", headers=rep, json={"account_number": "1000001"})
    assert again.status_code == 200 and again.json()["emailed"] is False
    _, notes, audit, mails, _ = _load(client, "1000001")
    assert len(notes) == len(notes_before) + 2 and len(audit) == 2 and len(mails) == 1
    assert audit[-1].detail["before"] is True


def test_no_email_to_an_address_that_bounced(fresh_client):
    client = fresh_client
    with Session(client.app.state.engine) as session:
        james = session.exec(select(Account).where(Account.account_number == "1000002")).one()
        james.email_bounced = True
        session.add(james)
        session.commit()
    r = client.post("/api/v1/returned-mail", headers=rep_headers(client),
                    json={"account_number": "1000002"})
    assert r.status_code == 200 and r.json()["emailed"] is False
    account, notes, audit, mails, _ = _load(client, "1000002")
    assert account.returned_mail and len(audit) == 1 and mails == []
    assert "Confirm the mailing address with the customer" in notes[-1].body


def test_bad_requests_are_refused_plainly(fresh_client):
    client = fresh_client
    rep = rep_headers(client)
    _, _, _, _, other_bill = _load(client, "1000002")
    assert client.post("/api/v1/returned-mail", json={"account_number": "1000001"}
                       ).status_code == 401
    assert client.post("/api/v1/returned-mail", headers=SERVICE,
                       json={"account_number": "1000001"}).status_code == 401
    assert client.post("/api/v1/returned-mail", headers=rep,
                       json={"account_number": "9999999"}).status_code == 404
    assert "body.account_number" in field_errors(client.post(
        "/api/v1/returned-mail", headers=rep, json={"account_number": "12"}))
    wrong_bill = client.post("/api/v1/returned-mail", headers=rep, json={
        "account_number": "1000001", "bill_id": other_bill.id})
    assert "body.bill_id" in field_errors(wrong_bill)
    account, _, audit, mails, _ = _load(client, "1000001")
    assert not account.returned_mail and audit == [] and mails == []
