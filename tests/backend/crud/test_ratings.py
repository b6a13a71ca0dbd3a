"""backend.crud.ratings: asked once per conversation, one rating each, with the facts a report
needs copied from the conversation; card numbers masked and comments capped."""

import threading

import pytest
from sqlmodel import Session

from backend.crud import ratings
from backend.hub import conversations as data
from backend.models.conversations import Sender
from backend.models.ratings import Rating


def _conversation(session, *, channel="web", language="es", intents=(), rep=False,
                  trigger="bot_task", asked=True):
    conversation = data.start(session=session, channel=channel, language=language)
    for intent in intents:
        message, _ = data.store(session=session, conversation_id=conversation.id,
                                sender=Sender.customer, text="hola")
        message.intent = intent
        session.add(message)
        session.commit()
        data.store(session=session, conversation_id=conversation.id, sender=Sender.bot, text="ok")
    if rep:
        data.store(session=session, conversation_id=conversation.id, sender=Sender.rep,
                   text="Hola, soy Ana", rep_id=1)
    if asked:
        assert ratings.mark_requested(session=session, conversation_id=conversation.id)
        data.store(session=session, conversation_id=conversation.id, sender=Sender.system,
                   text="¿Cómo lo hicimos?", payload={ratings.REQUEST_KEY: {"trigger": trigger}})
    return conversation


def test_a_rating_keeps_the_conversations_facts(client):
    with Session(client.app.state.engine) as session:
        conversation = _conversation(session, intents=["greet", "check_balance", None, "greet",
                                                       "nlu_fallback"])
        rating = ratings.create(session=session, conversation_id=conversation.id, score="4",
                                comment="  Muy bien, mi tarjeta 4111 1111 1111 1111  ")
        assert (rating.score, rating.channel, rating.language, rating.trigger) == (
            4, "web", "es", "bot_task")
        assert rating.intents == ["greet", "check_balance", "nlu_fallback"]
        assert rating.person_involved is False
        assert "4111 1111" not in rating.comment and rating.comment.endswith("1111")
        assert rating.comment.startswith("Muy bien")
        session.expire_all()
        assert ratings.get(session=session, conversation_id=conversation.id).score == 4


def test_a_person_took_part_when_a_rep_wrote_or_claimed(client):
    with Session(client.app.state.engine) as session:
        wrote = _conversation(session, rep=True, trigger="resolved")
        rating = ratings.create(session=session, conversation_id=wrote.id, score=2)
        assert rating.person_involved and rating.trigger == "resolved"
        claimed = _conversation(session, asked=False)
        claimed.assigned_rep_id = 1
        session.add(claimed)
        session.commit()
        assert ratings.person_involved(session=session, conversation=claimed)


def test_asked_once_rated_once(client):
    with Session(client.app.state.engine) as session:
        conversation = _conversation(session)
        assert not ratings.mark_requested(session=session, conversation_id=conversation.id)
        ratings.create(session=session, conversation_id=conversation.id, score=5)
        with pytest.raises(ratings.AlreadyRated):
            ratings.create(session=session, conversation_id=conversation.id, score=1)
        assert ratings.get(session=session, conversation_id=conversation.id).score == 5


def test_two_ratings_at_once_store_one(client):
    with Session(client.app.state.engine) as session:
        conversation_id = _conversation(session).id
    outcomes: list[str] = []

    def rate(score: int) -> None:
        with Session(client.app.state.engine) as session:
            try:
                ratings.create(session=session, conversation_id=conversation_id, score=score)
                outcomes.append("stored")
            except ratings.AlreadyRated:
                outcomes.append("refused")

    threads = [threading.Thread(target=rate, args=(n,)) for n in (1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "stored"]


@pytest.mark.parametrize("score", [0, 6, 3.5, "five", None, True, "", "-1"])
def test_a_bad_score_is_refused(client, score):
    with Session(client.app.state.engine) as session:
        conversation = _conversation(session)
        with pytest.raises(ratings.BadScore):
            ratings.create(session=session, conversation_id=conversation.id, score=score)
        assert ratings.get(session=session, conversation_id=conversation.id) is None


def test_never_asked_or_unknown_is_not_rated(client):
    with Session(client.app.state.engine) as session:
        quiet = _conversation(session, asked=False)
        with pytest.raises(ratings.NotRequested):
            ratings.create(session=session, conversation_id=quiet.id, score=3)
        with pytest.raises(ratings.NotRequested):
            ratings.create(session=session, conversation_id="0" * 32, score=3)


def test_a_long_comment_is_capped_and_a_blank_one_is_none(client):
    with Session(client.app.state.engine) as session:
        long = _conversation(session)
        rating = ratings.create(session=session, conversation_id=long.id, score=3,
                                comment="x" * 5000)
        assert len(rating.comment) == ratings.MAX_COMMENT
        blank = _conversation(session)
        assert ratings.create(session=session, conversation_id=blank.id, score=3,
                              comment="   ").comment is None
        assert isinstance(rating, Rating)
