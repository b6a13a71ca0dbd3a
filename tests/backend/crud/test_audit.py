"""backend.crud.audit: what record writes, and how entries filters and orders it."""

from datetime import UTC, datetime

from sqlmodel import Session, select

from backend.crud import audit
from backend.crud.audit import Actor, AuditQuery
from backend.models import Account
from backend.models.common import ActorType


def test_record_and_read_back(fresh_client):
    with Session(fresh_client.app.state.engine) as session:
        shah = session.exec(select(Account).where(Account.account_number == "2000001")).one()
        rep = Actor(type=ActorType.rep, id="3", conversation_id="c-123")
        first = audit.record(session=session, actor=rep, action="conversation_claimed",
                             entity="conversation", entity_id="c-123")
        second = audit.record(session=session, actor=rep, action="approval_approved",
                              entity="approval", entity_id=12, account_id=shah.id,
                              reason="one-time courtesy", detail={"amount_cents": 7500})
        system = audit.record(session=session, actor=audit.SYSTEM, action="approval_notified",
                              entity="approval", entity_id=12, account_id=shah.id)
        system.at = datetime(2026, 11, 1, 12, tzinfo=UTC)
        session.commit()
        assert second.entity_id == "12"  # ids are stored as text
        assert second.detail == {"amount_cents": 7500, "conversation_id": "c-123"}

        def actions(**query):
            return [e.action for e, _ in audit.entries(session=session, query=AuditQuery(**query))]

        # Newest written first, each with its account's number.
        rows = audit.entries(session=session, query=AuditQuery(actor_id="3"))
        assert [(e.id, n) for e, n in rows] == [(second.id, "2000001"), (first.id, None)]
        assert actions(account_number="2000001", action="approval_*") == [
            "approval_notified", "approval_approved"]
        assert actions(actor_type=ActorType.system, action="approval_*") == ["approval_notified"]
        assert actions(action="approval_approved") == ["approval_approved"]
        assert actions(action="approval*", since=datetime(2026, 11, 2, tzinfo=UTC)) == [
            "approval_approved"]
        assert actions(action="approval*", until=datetime(2026, 11, 2, tzinfo=UTC)) == [
            "approval_notified"]
        assert actions(actor_id="3", before_id=second.id) == ["conversation_claimed"]
        assert len(audit.entries(session=session, query=AuditQuery(), limit=2)) == 2
