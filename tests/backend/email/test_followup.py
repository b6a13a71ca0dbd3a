"""Follow-up email (backend/email/followup.py through the hub's Mailer): a web customer who left an
address and is away gets a rep's replies and notices by email, threaded, and their answer comes
back into the same conversation. The bot is down here, so the hub queues every conversation."""

from __future__ import annotations

from functools import partial

from sqlmodel import Session, func, select

from backend.models.conversations import Message
from backend.models.email import EmailThread, OutboxEmail
from tests.utils.api import rep_headers
from tests.utils.db import TEST_SERVICE_TOKEN
from tests.utils.mail import mail

AUTH = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
ADDRESS = "cliente@example.org"


def _call(client, fn, /, **kw):
    """An async hub method, on the app's own event loop."""
    return client.portal.call(partial(fn, **kw))


def web_customer(client, *, language: str = "es", text: str = "necesito ayuda con mi factura",
                 email: str | None = ADDRESS) -> str:
    """A web chat conversation (as the widget opens it), queued, with the address left."""
    hub = client.app.state.hub
    conversation, _secret = _call(client, hub.open_session, language=language)
    result = _call(client, hub.customer_message, conversation_id=conversation.id, text=text)
    assert result.status == "queued"
    if email:
        assert _call(client, hub.leave_email, conversation_id=conversation.id, email=email)
    return conversation.id


def body(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def outbox_count(client) -> int:
    with Session(client.app.state.engine) as session:
        return session.exec(select(func.count()).select_from(OutboxEmail)).one()


def test_an_away_customer_gets_the_reply_threaded_and_answers_into_the_conversation(inbox, relay):
    cid = web_customer(inbox, email="Cliente@Example.org")
    rep = rep_headers(inbox)
    assert inbox.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    first_reply = inbox.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                             json={"text": "Hola, ya revisé su cuenta."})
    assert first_reply.status_code == 201
    assert inbox.post(f"/api/v1/queue/{cid}/messages", headers=rep, json={
        "text": "nota interna", "internal": True}).status_code == 201
    [first] = relay.sent_to(ADDRESS)
    text = body(first)
    # In Spanish, as the conversation is; the framing says why and how to answer.
    assert first["Subject"] == "Su conversación con Santa Margarita Water District"
    assert "Nos dejó esta dirección en su chat" in text and "Maria Lopez le respondió" in text
    assert "Hola, ya revisé su cuenta." in text and "Puede contestar" in text
    assert "nota interna" not in text
    assert first["In-Reply-To"] is None and first["Reply-To"].startswith("inbox+")
    with Session(inbox.app.state.engine) as session:
        [thread] = session.exec(select(EmailThread).where(EmailThread.conversation_id == cid)).all()
    assert thread.customer_address == ADDRESS and thread.token in first["Reply-To"]

    # The customer answers the email: it lands in the same (web) conversation, with the rep.
    answer = mail("Gracias, ¿y cuándo llega la próxima factura?", sender=ADDRESS,
                  subject=f"Re: {first['Subject']}", to=first["Reply-To"],
                  In_Reply_To=first["Message-ID"], References=first["Message-ID"])
    r = inbox.post("/api/v1/email/inbound", content=answer.as_bytes(),
                   headers={**AUTH, "Content-Type": "message/rfc822"})
    assert r.status_code == 202 and r.json()["conversation_id"] == cid
    entry = inbox.get(f"/api/v1/queue/{cid}", headers=rep).json()
    assert entry["channel"] == "web" and entry["status"] == "assigned"
    last = entry["messages"][-1]
    assert last["sender"] == "customer" and "próxima factura" in last["text"]

    # The rep's next reply continues the thread: same Reply-To, In-Reply-To their answer.
    assert inbox.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                      json={"text": "Llega el 15 de diciembre."}).status_code == 201
    mails = relay.sent_to(ADDRESS, count=3)  # the reply, the acknowledgement, the reply
    second = [m for m in mails if "15 de diciembre" in body(m)][0]
    assert second["In-Reply-To"] == answer["Message-ID"]
    assert second["References"].split()[0] == first["Message-ID"]
    assert second["Reply-To"] == first["Reply-To"]
    assert second["Subject"] == "Re: Su conversación con Santa Margarita Water District"

    # An outcome told to the customer (an approval's) goes the same way, framed as a notice.
    note = _call(inbox, inbox.app.state.hub.notify_customer, conversation_id=cid,
                 text="Su solicitud fue aprobada.")
    assert note is not None and note.sender == "system"
    notice = [m for m in relay.sent_to(ADDRESS, count=4) if "aprobada" in body(m)][0]
    assert "Una novedad mientras no estaba" in body(notice)
    assert notice["Reply-To"] == first["Reply-To"]
    assert first["Message-ID"] in notice["References"].split()


def test_a_connected_customer_sees_the_reply_live_and_gets_no_email(inbox, relay):
    cid = web_customer(inbox, language="en", text="I need help", email=ADDRESS)
    rep = rep_headers(inbox)
    assert inbox.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    manager = inbox.app.state.sio.manager
    # A socket in the conversation's room, as the widget's session_request puts it there.
    manager.basic_enter_room("sid-of-the-widget", "/", f"conv:{cid}", eio_sid="eio-sid")
    try:
        before = outbox_count(inbox)
        assert inbox.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                          json={"text": "Here live."}).status_code == 201
        assert outbox_count(inbox) == before
    finally:
        manager.basic_leave_room("sid-of-the-widget", "/", f"conv:{cid}")
    assert inbox.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                      json={"text": "Now you're away."}).status_code == 201
    [sent] = relay.sent_to(ADDRESS)
    assert "Now you're away." in body(sent) and "Here live." not in body(sent)
    assert "You left us this address in your chat" in body(sent)


def test_a_customer_who_left_no_address_gets_nothing_by_email(inbox, relay):
    cid = web_customer(inbox, language="en", text="I need help", email=None)
    rep = rep_headers(inbox)
    assert inbox.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    before = outbox_count(inbox)
    assert inbox.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                      json={"text": "Hello?"}).status_code == 201
    _call(inbox, inbox.app.state.hub.notify_customer, conversation_id=cid, text="Approved.")
    assert outbox_count(inbox) == before


def test_notices_on_an_email_conversation_go_by_email_in_its_thread(inbox, relay):
    msg = mail("I need a person.", sender="ana.rivera@example.org", subject="Help")
    r = inbox.post("/api/v1/email/inbound", content=msg.as_bytes(),
                   headers={**AUTH, "Content-Type": "message/rfc822"})
    cid = r.json()["conversation_id"]
    [ack] = relay.sent_to("ana.rivera@example.org")
    _call(inbox, inbox.app.state.hub.notify_customer, conversation_id=cid,
          text="Your fee waiver was approved.")
    notice = relay.sent_to("ana.rivera@example.org", count=2)[-1]
    assert "Your fee waiver was approved." in body(notice)
    assert notice["Reply-To"] == ack["Reply-To"] and notice["In-Reply-To"] == msg["Message-ID"]
    assert notice["Subject"] == "Re: Help"


def test_without_an_email_channel_email_features_answer_unavailable(inbox, relay):
    hub = inbox.app.state.hub
    cid = web_customer(inbox, language="en", text="I need help", email=ADDRESS)
    rep = rep_headers(inbox)
    assert inbox.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    mailer = hub.mailer
    hub.register_mailer(None)
    try:
        before = outbox_count(inbox)
        assert _call(inbox, hub.email_transcript, conversation_id=cid,
                     email=ADDRESS) == "unavailable"
        r = inbox.post(f"/api/v1/queue/{cid}/messages", headers=rep, json={"text": "Hi"})
        assert r.status_code == 201  # the live chat carries on
        assert _call(inbox, hub.notify_customer, conversation_id=cid, text="Done.") is not None
        assert outbox_count(inbox) == before
    finally:
        hub.register_mailer(mailer)
    assert _call(inbox, hub.email_transcript, conversation_id=cid, email=ADDRESS) is None
    [transcript] = relay.sent_to(ADDRESS)
    assert "I need help" in body(transcript)
    with Session(inbox.app.state.engine) as session:
        stored = session.exec(select(Message).where(Message.conversation_id == cid)).all()
    assert [m.text for m in stored if m.sender == "rep"] == ["Hi"]


def test_many_follow_ups_dont_make_the_customers_answer_look_like_a_mail_loop(inbox, relay):
    cid = web_customer(inbox, language="en", text="I need help", email=ADDRESS)
    rep = rep_headers(inbox)
    assert inbox.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    limit = inbox.app.state.settings.EMAIL_REPLIES_PER_HOUR
    for n in range(limit + 1):
        assert inbox.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                          json={"text": f"Update {n}"}).status_code == 201
    first = relay.sent_to(ADDRESS, count=limit + 1)[0]
    answer = mail("Thanks for all the updates", sender=ADDRESS, subject=f"Re: {first['Subject']}",
                  to=first["Reply-To"], In_Reply_To=first["Message-ID"])
    r = inbox.post("/api/v1/email/inbound", content=answer.as_bytes(),
                   headers={**AUTH, "Content-Type": "message/rfc822"})
    assert r.json()["status"] == "answered" and r.json()["conversation_id"] == cid
