"""Payments from the processor integration: posted once per reference, never a card number, and
a payment in full on a shut-off account turns the water back on with the reconnection fee."""

from sqlmodel import Session, select

from backend.domain.district import load_district
from backend.models import Account, AuditLog, Payment, PendingCharge, WorkOrder
from common import clock
from tests.utils.api import SERVICE, SUPERVISOR, rep_headers, verified_headers

INTEGRATION = {**SERVICE, "X-Actor": "integration", "X-Actor-Id": "processor"}
# 9 PM in the district on a Wednesday: the office is closed.
AFTER_HOURS = "2026-12-03T05:00:00Z"


def _pay(client, number, amount, reference=None, headers=INTEGRATION, **extra):
    body = {"amount": amount, "method": "card", "channel": "web", **extra}
    if reference:
        body["reference"] = reference
    return client.post(f"/api/v1/accounts/{number}/payments", headers=headers, json=body)


def _account(client, number):
    with Session(client.app.state.engine) as s:
        return s.exec(select(Account).where(Account.account_number == number)).one()


def _shut_off(client, number="2000001"):
    with Session(client.app.state.engine) as s:
        account = s.exec(select(Account).where(Account.account_number == number)).one()
        account.status = "shut_off"
        s.add(account)
        s.commit()


def _turn_ons(client):
    with Session(client.app.state.engine) as s:
        return s.exec(select(WorkOrder).where(WorkOrder.kind == "turn_on")).all()


def _payments(client):
    """The payments posted through the API: the seed's (with references too) are dated before
    the seed's today."""
    today = clock.today(load_district().tz)
    with Session(client.app.state.engine) as s:
        return s.exec(select(Payment).where(Payment.reference.is_not(None),
                                            Payment.paid_on >= today)).all()


def test_card_numbers_are_refused_and_never_stored(fresh_client):
    r = _pay(fresh_client, "1000001", "84.12", card_number="4111111111111111")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "card_number"]
    assert "4111" not in r.text
    for ref in ("4111111111111111", "4111 1111 1111 1111", "ref-4111-1111-1111-1111"):
        r = _pay(fresh_client, "1000001", "84.12", reference=ref)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "reference"]
        assert "1111" not in r.text
    assert _pay(fresh_client, "1000001", "0").status_code == 422
    assert _pay(fresh_client, "1000001", "-5").status_code == 422
    assert _payments(fresh_client) == []


def test_who_may_post_a_payment(fresh_client):
    assert _pay(fresh_client, "1000001", "10.00", headers={}).status_code == 401
    system = {**SERVICE, "X-Actor": "system"}
    assert _pay(fresh_client, "1000001", "10.00", headers=system).status_code == 403
    # The bot acts for a verified customer only, and only on that account.
    assert _pay(fresh_client, "1000001", "10.00", headers=SERVICE).status_code == 403
    h = verified_headers(fresh_client, "1000002")
    assert _pay(fresh_client, "1000001", "10.00", headers=h).status_code == 403
    assert _pay(fresh_client, "9999999", "10.00").status_code == 404
    r = _pay(fresh_client, "1000002", "12.40", headers=h, reference="bot-1")
    assert r.status_code == 200 and r.json()["balance"] == "300.00"


def test_a_payment_is_posted_once_per_reference(fresh_client):
    h = verified_headers(fresh_client, "1000001")
    first = _pay(fresh_client, "1000001", "84.12", reference="ch_3Nabc")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["duplicate"] is False and body["balance"] == "0.00"
    # Maria's bill is not due yet: on time.
    assert body["payment"]["late"] is False and body["turn_on_order"] is None
    again = _pay(fresh_client, "1000001", "84.12", reference="ch_3Nabc").json()
    assert again["duplicate"] is True and again["payment"]["id"] == body["payment"]["id"]
    assert fresh_client.get("/api/v1/accounts/1000001", headers=h).json()["balance"] == "0.00"
    assert len(_payments(fresh_client)) == 1
    # Another account's payment can't reuse the reference.
    assert _pay(fresh_client, "1000002", "10.00", reference="ch_3Nabc").status_code == 409
    with Session(fresh_client.app.state.engine) as s:
        [entry] = s.exec(select(AuditLog).where(AuditLog.action == "payment_posted")).all()
    assert entry.actor_type == "integration" and entry.detail["amount_cents"] == 8412


def test_paying_a_shut_off_account_in_full_in_office_hours_turns_it_on(fresh_client):
    _shut_off(fresh_client)
    partial = _pay(fresh_client, "2000001", "300.00", reference="p-1").json()
    assert partial["payment"]["late"] is True and partial["turn_on_order"] is None
    assert (partial["balance"], partial["past_due"]) == ("340.00", "340.00")
    assert _turn_ons(fresh_client) == [] and _account(fresh_client, "2000001").status == "shut_off"
    full = _pay(fresh_client, "2000001", "340.00", reference="p-2").json()
    assert full["turn_on_order"].startswith("WO-") and full["reconnection_fee"] == "75.00"
    # The fee is owed now, on the next bill, and not past due.
    assert (full["balance"], full["past_due"]) == ("75.00", "0.00")
    [order] = _turn_ons(fresh_client)
    assert order.order_number == full["turn_on_order"] and order.priority == "high"
    account = _account(fresh_client, "2000001")
    assert account.status == "active" and account.shutoff_scheduled_on is None
    with Session(fresh_client.app.state.engine) as s:
        [charge] = s.exec(select(PendingCharge).where(
            PendingCharge.fee_kind == "reconnection_fee")).all()
    assert charge.amount_cents == 7500 and charge.source == order.order_number
    # A repeat posts nothing and orders nothing.
    again = _pay(fresh_client, "2000001", "340.00", reference="p-2").json()
    assert again["duplicate"] is True and again["turn_on_order"] == order.order_number
    assert len(_turn_ons(fresh_client)) == 1 and again["balance"] == "75.00"

    # The reconnection fee has no written waiver rule: a supervisor credits exactly it.
    h = verified_headers(fresh_client, "2000001")
    waiver = fresh_client.post("/api/v1/accounts/2000001/fee-waivers", headers=h,
                               json={"fee_kind": "reconnection_fee", "reason": "Hardship"}).json()
    assert waiver["outcome"] == "referred"
    sup = rep_headers(fresh_client, SUPERVISOR)
    [pending] = fresh_client.get("/api/v1/approvals", headers=sup).json()
    assert pending["amount"] == "75.00" and pending["rule"] == "reconnection_fee_review"
    fresh_client.post(f"/api/v1/approvals/{pending['id']}", headers=sup,
                      json={"approve": True, "note": "courtesy"})
    assert fresh_client.get("/api/v1/accounts/2000001", headers=h).json()["balance"] == "0.00"


def test_paying_a_shut_off_account_after_hours_charges_the_after_hours_fee(fresh_client):
    _shut_off(fresh_client)
    with clock.frozen(AFTER_HOURS):
        body = _pay(fresh_client, "2000001", "640.00", reference="late-night").json()
    assert body["reconnection_fee"] == "150.00" and body["balance"] == "150.00"
    [order] = _turn_ons(fresh_client)
    assert order.fee_cents == 15000 and order.priority == "high"


def test_paying_before_a_scheduled_shut_off_calls_it_off_without_a_crew_or_fee(fresh_client):
    assert _account(fresh_client, "2000001").shutoff_scheduled_on is not None
    body = _pay(fresh_client, "2000001", "640.00", reference="in-time").json()
    assert body["turn_on_order"] is None and body["balance"] == "0.00"
    assert _turn_ons(fresh_client) == []
    account = _account(fresh_client, "2000001")
    assert account.shutoff_scheduled_on is None and account.status == "active"
