"""The rep console's account card for a verified customer: what a rep needs at a glance."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from backend.crud import accounts as accounts_crud
from backend.crud.orders import OPEN_WORK
from backend.models import AccountNote, Bill, WorkOrder
from backend.models.approvals import Approval
from backend.models.common import ApprovalStatus

@dataclass(frozen=True)
class AccountCard:
    summary: accounts_crud.Summary
    bills: list[Bill]  # newest first
    open_orders: list[WorkOrder]
    notes: list[AccountNote]  # newest first
    pending_approvals: int


def account_card(*, session: Session, account_number: str, today: date,
                 bill_limit: int = 12, note_limit: int = 50) -> AccountCard | None:
    found = accounts_crud.summary(session=session, account_number=account_number, today=today)
    if found is None:
        return None
    account = found.bundle.account
    orders = session.exec(select(WorkOrder).where(
        WorkOrder.account_id == account.id,
        col(WorkOrder.status).in_(OPEN_WORK)).order_by(col(WorkOrder.id))).all()
    notes = session.exec(select(AccountNote).where(AccountNote.account_id == account.id)
                         .order_by(col(AccountNote.created_at).desc(), col(AccountNote.id).desc())
                         .limit(note_limit)).all()
    pending = session.exec(select(func.count()).select_from(Approval).where(
        Approval.account_id == account.id, Approval.status == ApprovalStatus.pending)).one()
    return AccountCard(
        summary=found,
        bills=accounts_crud.recent_bills(session=session, account=account, limit=bill_limit),
        open_orders=list(orders), notes=list(notes), pending_approvals=int(pending))
