"""All table models, imported here so SQLModel.metadata and Alembic see every table."""

from backend.models.accounts import Account, AccountNote, Deposit, Meter, MeterRead
from backend.models.approvals import Approval
from backend.models.audit import AuditLog, IdempotencyRecord, VerificationAttempt
from backend.models.billing import (
    Bill,
    BillLine,
    DueDateExtension,
    FeeAdjustment,
    Installment,
    Payment,
    PaymentArrangement,
    PendingCharge,
)
from backend.models.conversations import Conversation, Message
from backend.models.customers import Customer, Premise
from backend.models.leaks import JobRun, LeakAlert, NightFlow
from backend.models.lockout import LockoutCounter
from backend.models.email import EmailAttachment, EmailThread, InboundEmail, OutboxEmail  # noqa: F401
from backend.models.orders import Outage, OutageReport, ServiceOrder, WorkOrder
from backend.models.ratings import Rating
from backend.models.reps import Rep

__all__ = [
    "Rating",
    "NightFlow",
    "LeakAlert",
    "JobRun",
    "Account",
    "AccountNote",
    "Approval",
    "AuditLog",
    "Bill",
    "Conversation",
    "BillLine",
    "Customer",
    "Deposit",
    "DueDateExtension",
    "FeeAdjustment",
    "IdempotencyRecord",
    "LockoutCounter",
    "Message",
    "Installment",
    "Meter",
    "MeterRead",
    "Outage",
    "OutageReport",
    "Payment",
    "PaymentArrangement",
    "PendingCharge",
    "Premise",
    "Rep",
    "ServiceOrder",
    "VerificationAttempt",
    "WorkOrder",
]
