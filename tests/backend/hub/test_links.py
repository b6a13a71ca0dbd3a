"""The hub's side of the signed chat link: binding a new conversation to the link's account, and
reading it back for the channel facts."""

from datetime import UTC, datetime

from sqlmodel import Session

from backend.core.db import make_engine
from backend.core.links import ChatLink
from backend.hub import conversations as data
from backend.hub import links
from backend.models.conversations import Conversation

EXPIRES = datetime(2026, 12, 9, 17, tzinfo=UTC)


def test_a_link_binds_the_conversation_to_its_account_in_the_customers_language(
        seeded_settings):
    engine = make_engine(seeded_settings)
    with Session(engine) as session:
        conversation = data.start(session=session, channel="web", language="en")
        assert links.link_account(conversation) is None
        bound = links.bind(session=session, conversation_id=conversation.id,
                           link=ChatLink(account_number="1000001", ref="alert-9",
                                         expires=EXPIRES))
        assert bound is not None
        assert bound.verified_account == "1000001" and links.link_account(bound) == "1000001"
        assert bound.language == "es"  # 1000001's customer prefers Spanish
        assert bound.link_account == "1000001"
    engine.dispose()


def test_a_link_for_no_account_binds_nothing(seeded_settings):
    engine = make_engine(seeded_settings)
    with Session(engine) as session:
        conversation = data.start(session=session, channel="web", language="en")
        link = ChatLink(account_number="9999999", ref="r", expires=EXPIRES)
        assert links.bind(session=session, conversation_id=conversation.id, link=link) is None
        session.expire_all()
        stored = session.get(Conversation, conversation.id)
        assert stored is not None and stored.verified_account is None
        assert stored.link_account is None
    engine.dispose()


def test_only_a_web_conversation_a_link_opened_has_a_link_account():
    assert links.link_account(Conversation(channel="web", link_account="1000002")) == "1000002"
    assert links.link_account(Conversation(channel="email", link_account="1000002")) is None
    assert links.link_account(Conversation(channel="web")) is None
    # A handoff's details don't replace it: the bot still verifies by the link afterwards.
    assert links.link_account(Conversation(channel="web", link_account="1000002",
                                           handoff={"summary": "x"})) == "1000002"
