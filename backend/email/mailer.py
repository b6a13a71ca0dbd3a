"""The email channel as the hub's Mailer (backend/hub/channels.py): the hub asks, this queues."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from backend.core.config import Settings
from backend.email import followup, notices, outbound, rating
from backend.email.outbox import enqueue
from backend.models.accounts import Account
from backend.models.conversations import Conversation
from backend.models.customers import Customer


@dataclass
class EmailMailer:
    settings: Settings
    nudge: Callable[[], None] = lambda: None  # wakes the outbox sender

    def queue_to_customer(self, *, session: Session, conversation: Conversation, text: str,
                          rep_name: str | None) -> bool:
        return followup.queue_to_customer(session=session, settings=self.settings,
                                          conversation=conversation, text=text,
                                          rep_name=rep_name) is not None

    def queue_transcript(self, *, session: Session, conversation: Conversation,
                         to_address: str) -> None:
        outbound.queue_transcript(session=session, conversation=conversation,
                                  to_address=to_address, settings=self.settings)

    def queue_rating_request(self, *, session: Session, conversation: Conversation,
                             trigger: str) -> bool:
        return rating.queue_rating_request(session=session, settings=self.settings,
                                           conversation=conversation,
                                           trigger=trigger) is not None

    def queue_returned_mail(self, session: Session, customer: Customer, account: Account) -> None:
        enqueue(session=session, msg=notices.returned_mail(
            settings=self.settings, customer=customer, account=account),
            kind="returned_mail", conversation_id=None, thread_id=None)

    def wake(self) -> None:
        self.nudge()
