"""backend.crud.assist: drafts from the real records, on SQLite and PostgreSQL. The policy engine
is only evaluated: after any number of drafts, balances and every table are unchanged."""

from datetime import date

from sqlalchemy import func, inspect, select, table
from sqlmodel import Session

from backend.crud import assist as assist_crud
from backend.crud import policies
from backend.crud.accounts import get_bundle, ledger
from backend.crud.audit import Actor
from backend.domain.district import load_district
from backend.models.common import FeeKind
from backend.models.conversations import Conversation, Message, Sender

TODAY = date(2026, 12, 2)


def _conversation(session: Session, *, account: str | None, language: str, said: list[str],
                  handoff: dict | None = None, intent: str | None = None) -> Conversation:
    conversation = Conversation(channel="web", language=language, status="assigned",
                                verified_account=account, handoff=handoff or {})
    session.add(conversation)
    session.commit()
    for seq, text in enumerate(said, start=1):
        session.add(Message(conversation_id=conversation.id, seq=seq * 2 - 1,
                            sender=Sender.customer, text=text, intent=intent))
        session.add(Message(conversation_id=conversation.id, seq=seq * 2, sender=Sender.bot,
                            text=f"bot answer {seq}"))
    session.commit()
    return conversation


def _counts(session: Session) -> dict[str, int]:
    tables = inspect(session.get_bind()).get_table_names()
    return {name: session.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in tables if name != "alembic_version"}


def test_drafts_from_the_records_change_nothing(fresh_client):
    district = load_district()
    with Session(fresh_client.app.state.engine) as session:
        james = _conversation(session, account="1000002", language="en",
                              said=["can you waive my late fee?"],
                              handoff={"reason_code": "request", "collected": {"topic": "fee_waiver"},
                                       "emotions": [{"label": "calm"}]})
        priya = _conversation(session, account="2000001", language="es",
                              said=["esto es inaceptable, quítenme el recargo"])
        maria = _conversation(session, account="1000001", language="es",
                              said=["quiero hablar con una persona"], intent="fee_waiver")
        stranger = _conversation(session, account=None, language="en",
                                 said=["waive my late fee, card 4111 1111 1111 1111"])
        before = _counts(session)
        balances = {n: ledger(session=session, account=get_bundle(
            session=session, account_number=n).account, today=TODAY).balance_cents
            for n in ("1000001", "1000002", "2000001")}

        granted = assist_crud.draft(session=session, district=district, conversation=james,
                                    today=TODAY, rep_name="Maria Lopez")
        assert (granted.topic, granted.decision, granted.rule) == (
            "fee_waiver", "granted", "late_fee_waiver")
        assert "$15.00" in granted.text and "Hi James" in granted.text
        assert granted.rule_text.en in granted.text
        assert "bot_said" in [b.code for b in granted.basis]

        referred = assist_crud.draft(session=session, district=district, conversation=priya,
                                     today=TODAY)
        assert (referred.language, referred.decision, referred.rule) == (
            "es", "referred", "late_fee_waiver")
        assert referred.text.startswith("Hola, Priya. Lamento mucho las molestias")
        assert "Ya se le eximió un recargo" in referred.text

        nothing = assist_crud.draft(session=session, district=district, conversation=maria,
                                    today=TODAY)
        assert (nothing.topic, nothing.decision) == ("fee_waiver", "denied")
        assert "No hay ningún recargo" in nothing.text

        unverified = assist_crud.draft(session=session, district=district,
                                       conversation=stranger, today=TODAY)
        assert (unverified.decision, unverified.rule) == ("verify", "verification")
        assert "4111" not in unverified.text and "$" not in unverified.text

        session.expire_all()
        assert _counts(session) == before  # no approval, adjustment, audit entry or message
        for number, cents in balances.items():
            account = get_bundle(session=session, account_number=number).account
            assert ledger(session=session, account=account, today=TODAY).balance_cents == cents


def test_a_waiting_review_and_a_waiver_already_applied_are_what_the_draft_says(fresh_client):
    district = load_district()
    with Session(fresh_client.app.state.engine) as session:
        priya = _conversation(session, account="2000001", language="en",
                              said=["please waive my late fee"])
        james = _conversation(session, account="1000002", language="en",
                              said=["please waive my late fee"])
        for number, conversation in (("2000001", priya), ("1000002", james)):
            out = policies.request_fee_waiver(
                session=session, district=district,
                bundle=get_bundle(session=session, account_number=number),
                actor=Actor.rep(1, conversation.id), today=TODAY, fee_kind=FeeKind.late_fee,
                reason="asked in chat")
            assert out.name == ("referred" if number == "2000001" else "granted")
            reference = out.reference
        waiting = assist_crud.draft(session=session, district=district, conversation=priya,
                                    today=TODAY)
        assert waiting.decision == "referred" and "(reference AP-" in waiting.text
        done = assist_crud.draft(session=session, district=district, conversation=james,
                                 today=TODAY)
        assert done.decision == "granted" and "has already been waived" in done.text
        assert reference.startswith("FA-")


def test_other_fees_and_topics(fresh_client):
    district = load_district()
    with Session(fresh_client.app.state.engine) as session:
        reconnect = _conversation(session, account="2000001", language="en",
                                  said=["can you waive the reconnection fee?"])
        draft = assist_crud.draft(session=session, district=district, conversation=reconnect,
                                  today=TODAY)
        # No reconnection fee is charged on the account: nothing to waive.
        assert (draft.decision, draft.rule) == ("denied", "reconnection_fee_review")
        assert "no reconnection fee" in draft.text
        plan = _conversation(session, account="2000001", language="en",
                             said=["can I split it into 3 payments?"])
        draft = assist_crud.draft(session=session, district=district, conversation=plan,
                                  today=TODAY)
        assert (draft.topic, draft.decision) == ("arrangement", "granted")
        assert "3 monthly payments" in draft.text and "$213.34" in draft.text
        shutoff = _conversation(session, account="2000001", language="es",
                                said=["¿me van a cortar el agua?"])
        draft = assist_crud.draft(session=session, district=district, conversation=shutoff,
                                  today=TODAY)
        assert (draft.topic, draft.decision, draft.rule) == ("shutoff", "info", "shutoff_notice")
        assert "$640.00" in draft.text and "aviso de corte" in draft.text
