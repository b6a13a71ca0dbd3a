"""Ratings: the customer's 1-to-5 score and comment on a conversation, asked for once.

The facts a report needs (channel, language, intents, whether a person took part, what
prompted the question) are copied onto the rating when it is given, so later changes to the
conversation don't rewrite what the customer rated."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.models.common import utcnow
from backend.models.conversations import Conversation, Message, Sender
from backend.models.ratings import Rating
from common.cards import mask_cards

# The stored system message that asks for the rating carries this in its payload, with the
# trigger; the widget shows the rating form for it (backend/hub/events.py).
REQUEST_KEY = "rating_request"
TRIGGERS = ("resolved", "bot_task")
MAX_COMMENT = 2000


class RatingRefused(Exception):
    """Why a rating was not stored; `code` is what the channels answer with."""

    code = "refused"


class BadScore(RatingRefused, ValueError):
    code = "bad_score"


class NotRequested(RatingRefused):
    code = "not_requested"


class AlreadyRated(RatingRefused):
    code = "already_rated"


def mark_requested(*, session: Session, conversation_id: str) -> bool:
    """Note that the customer is being asked now. True only the first time: the update matches
    while the conversation has never been asked, so two triggers at once ask once."""
    result = session.execute(
        update(Conversation)
        .where(col(Conversation.id) == conversation_id,
               col(Conversation.rating_requested_at).is_(None))
        .values(rating_requested_at=utcnow()))
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def clean_score(score: Any) -> int:
    """A whole number from 1 to 5 (a digit string from a form is fine); BadScore otherwise."""
    if isinstance(score, str) and score.strip().isdigit():
        score = int(score.strip())
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise BadScore("the score must be a whole number from 1 to 5")
    return score


def clean_comment(comment: Any) -> str | None:
    """Card numbers masked (they are never stored), capped, blank as None."""
    if not isinstance(comment, str):
        return None
    text = mask_cards(comment.replace("\x00", "").strip())[:MAX_COMMENT].strip()
    return text or None


def intents(*, session: Session, conversation_id: str) -> list[str]:
    """The bot's readings of the customer's messages, each once, in the order first seen."""
    seen: list[str] = []
    for intent in session.exec(select(Message.intent).where(
            Message.conversation_id == conversation_id, Message.sender == Sender.customer,
            col(Message.intent).is_not(None)).order_by(col(Message.seq))).all():
        if intent and intent not in seen:
            seen.append(intent)
    return seen


def person_involved(*, session: Session, conversation: Conversation) -> bool:
    """A rep wrote in it (a note counts) or it was ever claimed or assigned."""
    if conversation.claimed_at or conversation.assigned_rep_id:
        return True
    return session.exec(select(Message.id).where(
        Message.conversation_id == conversation.id,
        Message.sender == Sender.rep).limit(1)).first() is not None


def trigger(*, session: Session, conversation_id: str) -> str:
    """What prompted the question, from the stored request (the latest, should there be two)."""
    asked = session.exec(select(Message).where(
        Message.conversation_id == conversation_id, Message.sender == Sender.system)
        .order_by(col(Message.seq).desc())).all()
    for message in asked:
        request = (message.payload or {}).get(REQUEST_KEY)
        if isinstance(request, dict) and request.get("trigger") in TRIGGERS:
            return str(request["trigger"])
    return "resolved"


def get(*, session: Session, conversation_id: str) -> Rating | None:
    return session.exec(select(Rating).where(Rating.conversation_id == conversation_id)).first()


def create(*, session: Session, conversation_id: str, score: Any,
           comment: Any = None) -> Rating:
    """Store the customer's rating. BadScore, NotRequested (never asked, or no such
    conversation), AlreadyRated (one per conversation) otherwise."""
    score = clean_score(score)
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.rating_requested_at is None:
        raise NotRequested("this conversation was not asked for a rating")
    if get(session=session, conversation_id=conversation_id) is not None:
        raise AlreadyRated("this conversation has been rated already")
    rating = Rating(
        conversation_id=conversation_id, score=score, comment=clean_comment(comment),
        channel=conversation.channel[:20],
        language="es" if conversation.language == "es" else "en",
        intents=intents(session=session, conversation_id=conversation_id),
        person_involved=person_involved(session=session, conversation=conversation),
        trigger=trigger(session=session, conversation_id=conversation_id))
    session.add(rating)
    try:
        session.commit()
    except IntegrityError as exc:  # the same rating from another tab, a moment earlier
        session.rollback()
        raise AlreadyRated("this conversation has been rated already") from exc
    session.refresh(rating)
    return rating
