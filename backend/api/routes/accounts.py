from dataclasses import asdict
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from backend.api.deps import (
    CallerDep,
    DistrictDep,
    EngineDep,
    SessionDep,
    TodayDep,
    VerifiedAccountDep,
    VerifiedNumberDep,
)
from backend.core.db import run_in_session
from backend.crud import accounts as accounts_crud
from backend.crud import bills as bills_crud
from backend.crud import contact as contact_crud
from backend.crud import orders as orders_crud
from backend.domain import highbill, usage
from backend.domain.rates import explain_line, from_cents
from backend.models import Bill, ServiceOrder
from backend.models.common import utcnow
from backend.models.orders import AccountOrderPublic
from backend.models.views import (
    AccountSummary,
    BillExplanation,
    BillLinePublic,
    BillSummary,
    ContactUpdate,
    NoteCreate,
    ToggleRequest,
)

router = APIRouter(prefix="/accounts", tags=["accounts"])

Lang = Annotated[str, Query(pattern=r"^(en|es)", description="Language of the explanations")]


def bill_summary(bill: Bill | accounts_crud.LastBill) -> BillSummary:
    return BillSummary(
        id=bill.id, bill_date=bill.bill_date, due_date=bill.due_date,  # type: ignore[arg-type]
        period_start=bill.period_start, period_end=bill.period_end,
        consumption_hcf=bill.consumption_hcf, read_type=bill.read_type,
        total=from_cents(bill.total_cents),
    )


@router.get("/{account_number}", response_model=AccountSummary)
async def read_account(account_number: VerifiedNumberDep, engine: EngineDep,
                       today: TodayDep) -> AccountSummary:
    """The account at a glance: status, balance, due date, last bill, autopay and paperless."""
    # One thread hop, with a session that opens and closes on it. A sync route takes a second
    # hop to validate its reply while its session still holds a connection: with more requests
    # in flight than threads, every thread waits for a connection and every connection for a
    # thread, until the pool's 30 s timeout (bench/README.md, the account API under load).
    found = await run_in_session(engine, accounts_crud.summary_fields,
                                 account_number=account_number, today=today)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such account")
    return summary_view(found)


def summary_public(found: accounts_crud.Summary) -> AccountSummary:
    """The same summary from the ORM objects (the rep console's account card)."""
    return summary_view(accounts_crud.fields_of(found))


def summary_view(found: accounts_crud.SummaryFields) -> AccountSummary:
    unit = f" {found.unit}" if found.unit else ""
    return AccountSummary(
        account_number=found.account_number, account_type=found.account_type,
        status=found.status, customer_name=f"{found.first_name} {found.last_name}",
        business_name=found.business_name,
        service_address=f"{found.street}{unit}, {found.city} {found.state} {found.zip}",
        preferred_language=found.preferred_language,
        balance=from_cents(found.balance_cents), past_due=from_cents(found.past_due_cents),
        due_date=found.due_date,
        last_bill=bill_summary(found.last_bill) if found.last_bill else None,
        autopay=found.autopay, paperless=found.paperless,
        shutoff_scheduled_on=found.shutoff_scheduled_on, returned_mail=found.returned_mail,
        email_bounced=found.email_bounced,
    )


@router.get("/{account_number}/bills", response_model=list[BillSummary])
def list_bills(
    bundle: VerifiedAccountDep, session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=36)] = 12,
) -> list[BillSummary]:
    """Recent bills, newest first."""
    bills = accounts_crud.recent_bills(session=session, account=bundle.account, limit=limit)
    return [bill_summary(b) for b in bills]


@router.get("/{account_number}/bills/{bill_ref}/explanation", response_model=BillExplanation)
def explain_bill(
    bill_ref: Annotated[str, "a bill id, or 'latest'"],
    bundle: VerifiedAccountDep, session: SessionDep, district: DistrictDep, lang: Lang = "en",
) -> BillExplanation:
    """A bill explained line by line, in plain words."""
    if bill_ref == "latest":
        recent = accounts_crud.recent_bills(session=session, account=bundle.account, limit=1)
        bill = recent[0] if recent else None
    elif bill_ref.isdigit():
        bill = bills_crud.get_bill(session=session, account=bundle.account, bill_id=int(bill_ref))
    else:
        bill = None
    if bill is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such bill on this account")
    unit = district.billing_unit
    lines = []
    for item in bills_crud.lines_of(session=session, bill=bill):
        lines.append(BillLinePublic(
            kind=item.kind, description=item.description, quantity=item.quantity,
            unit_price=item.unit_price, tier=item.tier, amount=item.amount,
            explanation={  # type: ignore[arg-type]
                "code": item.kind,
                "en": explain_line(line=item, lang="en", unit=unit),
                "es": explain_line(line=item, lang="es", unit=unit),
            },
        ))
    return BillExplanation(
        bill=bill_summary(bill), schedule_name=bill.schedule_name, lines=lines,
        gallons=bill.consumption_hcf * district.gallons_per_unit,
    )


@router.get("/{account_number}/usage")
def usage_history(
    bundle: VerifiedAccountDep, session: SessionDep, district: DistrictDep,
    months: Annotated[int, Query(ge=1, le=24)] = 24,
) -> dict[str, Any]:
    """Consumption by billing period with averages, peaks and the year-over-year change."""
    bills = bills_crud.history(session=session, account=bundle.account, limit=months)
    summary = usage.summarize_usage(district=district, periods=periods_of(bills))
    return asdict(summary)


@router.get("/{account_number}/high-bill")
def high_bill_analysis(
    bundle: VerifiedAccountDep, session: SessionDep, district: DistrictDep,
) -> dict[str, Any]:
    """The latest bill against last year and the trailing average, with the likely causes."""
    bills = bills_crud.history(session=session, account=bundle.account, limit=25)
    if not bills:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "This account has no bills yet")
    analysis = highbill.analyze_high_bill(district=district, periods=periods_of(bills))
    return asdict(analysis)


def periods_of(bills: list[Bill]) -> list[Any]:
    return [
        usage.PeriodUsage(
            period_start=b.period_start, period_end=b.period_end,
            consumption_hcf=b.consumption_hcf, total=from_cents(b.total_cents),
            read_type=b.read_type, night_flow_gph=b.night_flow_gph,
            schedule_name=b.schedule_name,
        )
        for b in bills
    ]


@router.get("/{account_number}/orders", response_model=list[AccountOrderPublic])
def list_orders(
    bundle: VerifiedAccountDep, session: SessionDep,
    number: Annotated[str | None, Query(pattern=r"^[SsWw][Oo]-\d{1,12}$",
                                        description="One of the account's orders")] = None,
) -> list[AccountOrderPublic]:
    """The account's open service and work orders and those of the last 30 days, newest first;
    with `number`, that order if it is the account's (else an empty list)."""
    since = utcnow() - timedelta(days=30)
    found = orders_crud.account_orders(session=session, account=bundle.account, since=since,
                                       number=number.upper() if number else None)
    return [AccountOrderPublic(
        order_number=o.order_number,
        order_type="service" if isinstance(o, ServiceOrder) else "work",
        kind=o.kind, status=o.status,
        scheduled_date=o.requested_date if isinstance(o, ServiceOrder) else None,
        created_at=o.created_at,
    ) for o in found]


@router.put("/{account_number}/autopay")
def set_autopay(
    body: ToggleRequest, bundle: VerifiedAccountDep, session: SessionDep,
    caller: CallerDep,
) -> Any:
    """Enroll in or cancel autopay. Payment details are entered on the payment portal, never here."""
    contact_crud.set_autopay(
        session=session, bundle=bundle, actor=caller, enabled=body.enabled, last4=body.last4
    )
    return {"account_number": bundle.account.account_number, "autopay": body.enabled}


@router.put("/{account_number}/paperless")
def set_paperless(
    body: ToggleRequest, bundle: VerifiedAccountDep, session: SessionDep,
    caller: CallerDep,
) -> Any:
    """Turn paperless billing (e-bills by email) on or off."""
    if body.enabled and not bundle.customer.email:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"loc": ["body", "enabled"], "msg": "Paperless billing needs an email address "
              "on file; add one with PATCH /contact first", "type": "value_error"}],
        )

    contact_crud.set_paperless(session=session, bundle=bundle, actor=caller, enabled=body.enabled)
    return {"account_number": bundle.account.account_number, "paperless": body.enabled}


@router.patch("/{account_number}/contact")
def update_contact(
    body: ContactUpdate, bundle: VerifiedAccountDep, session: SessionDep,
    caller: CallerDep,
) -> Any:
    """Change the phone, email, mailing address or preferred language on file."""
    changes = contact_crud.update_contact(
        session=session, bundle=bundle, actor=caller, update=body
    )
    return {"account_number": bundle.account.account_number, "changed": sorted(changes)}


@router.post("/{account_number}/notes", status_code=status.HTTP_201_CREATED)
def add_note(
    body: NoteCreate, bundle: VerifiedAccountDep, session: SessionDep,
    caller: CallerDep,
) -> Any:
    """Add a note to the account (for example what the customer said about returned mail)."""
    note = contact_crud.add_note(session=session, bundle=bundle, actor=caller, body=body.body)
    return {"id": note.id, "created_at": note.created_at}

