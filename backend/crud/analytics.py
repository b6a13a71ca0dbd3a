"""Loads a period's conversations, message counts and ratings for backend.domain.analytics.

Three queries, each bounded by an indexed created_at (conversation, rating): the conversations
created in the period, their customer and rep messages counted per (conversation, sender,
intent) in the database, and the ratings given in the period.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, tzinfo

from sqlmodel import Session, col, func, select

from backend.domain import analytics
from backend.models import Conversation, Message, Rating
from backend.models.conversations import Sender


@dataclass
class _Tally:
    """One conversation's messages: the customer's, the reps', and the intents the bot read."""

    customer: int = 0
    rep: int = 0
    intents: Counter[str] = field(default_factory=Counter)


def report(*, session: Session, start: date, end: date, tz: tzinfo) -> analytics.Report:
    """The analytics for the district days start..end (both included). Raises ValueError for a
    period analytics.check_period refuses."""
    analytics.check_period(start=start, end=end)
    since, until = analytics.period_bounds(start=start, end=end, tz=tz)
    in_period = (col(Conversation.created_at) >= since, col(Conversation.created_at) < until)

    tallies: dict[str, _Tally] = defaultdict(_Tally)
    messages = session.exec(
        select(Message.conversation_id, Message.sender, Message.intent, func.count())
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .where(*in_period, col(Message.sender).in_([Sender.customer, Sender.rep]))
        .group_by(col(Message.conversation_id), col(Message.sender), col(Message.intent)))
    for conversation_id, sender, intent, n in messages:
        tally = tallies[conversation_id]
        if sender == Sender.rep:
            tally.rep += n
            continue
        tally.customer += n
        if intent:  # none on what a customer wrote to a rep: the bot didn't read it
            tally.intents[intent] += n

    columns = (Conversation.id, Conversation.created_at, Conversation.channel,
               Conversation.language, Conversation.status, Conversation.queued_at,
               Conversation.claimed_at, Conversation.assigned_rep_id,
               Conversation.handoff_priority, Conversation.handoff)
    conversations = []
    for (cid, created_at, channel, language, status, queued_at, claimed_at, rep_id, priority,
         handoff) in session.exec(select(*columns).where(*in_period)):
        tally = tallies.get(cid) or _Tally()
        conversations.append(analytics.ConversationRow(
            id=cid, created_at=created_at, channel=channel, language=language, status=str(status),
            queued_at=queued_at, claimed_at=claimed_at, assigned_rep_id=rep_id,
            handoff_priority=priority, handoff=handoff or {}, customer_messages=tally.customer,
            rep_messages=tally.rep, intents=dict(tally.intents)))

    ratings = [
        analytics.RatingRow(score=score, created_at=at, channel=channel, language=language,
                            person_involved=person)
        for score, at, channel, language, person in session.exec(
            select(Rating.score, Rating.created_at, Rating.channel, Rating.language,
                   Rating.person_involved)
            .where(col(Rating.created_at) >= since, col(Rating.created_at) < until))]
    return analytics.report(start=start, end=end, tz=tz, conversations=conversations,
                            ratings=ratings)
