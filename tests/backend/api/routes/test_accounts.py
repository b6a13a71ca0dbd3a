"""The three fixed demo accounts answer through the API exactly as the docs describe."""

from datetime import timedelta
from decimal import Decimal

from tests.utils.api import SERVICE, verified_headers
from tests.utils.db import district_today


def test_account_data_needs_a_verified_customer(client):
    assert client.get("/api/v1/accounts/1000001", headers=SERVICE).status_code == 403
    # A token for one account opens no other.
    other = verified_headers(client, "1000002")
    assert client.get("/api/v1/accounts/1000001", headers=other).status_code == 403
    bad = {**SERVICE, "X-Verification-Token": "not-a-token"}
    assert client.get("/api/v1/accounts/1000001", headers=bad).status_code == 403


def test_maria_lopez(client, seeded_settings):
    today = district_today(seeded_settings)
    r = client.get("/api/v1/accounts/1000001", headers=verified_headers(client, "1000001"))
    assert r.status_code == 200
    a = r.json()
    assert a["customer_name"] == "Maria Lopez"
    assert a["service_address"] == "22 Alondra, Rancho Santa Margarita CA 92688"
    assert a["account_type"] == "residential" and a["status"] == "active"
    assert a["preferred_language"] == "es"
    assert a["balance"] == "84.12" and a["past_due"] == "0.00"
    assert a["due_date"] == (today + timedelta(days=14)).isoformat()
    assert a["autopay"] is False and a["shutoff_scheduled_on"] is None


def test_james_carter_high_bill_with_a_likely_leak(client):
    h = verified_headers(client, "1000002")
    a = client.get("/api/v1/accounts/1000002", headers=h).json()
    assert a["customer_name"] == "James Carter"
    assert a["service_address"] == "14 Vista Ridge, Ladera Ranch CA 92694"
    assert a["last_bill"]["total"] == "312.40"

    explained = client.get("/api/v1/accounts/1000002/bills/latest/explanation", headers=h).json()
    kinds = [line["kind"] for line in explained["lines"]]
    assert kinds.count("late_fee") == 1
    fee = next(line for line in explained["lines"] if line["kind"] == "late_fee")
    assert fee["amount"] == "15.00"
    assert sum(Decimal(line["amount"]) for line in explained["lines"]) == Decimal("312.40")
    assert all(line["explanation"]["es"] for line in explained["lines"])

    analysis = client.get("/api/v1/accounts/1000002/high-bill", headers=h).json()
    assert analysis["is_high"] is True
    assert analysis["causes"][0]["code"] == "continuous_use"
    # Typical use is about 12 HCF (a ~$95 bill); last year's same period was normal too.
    assert Decimal("10") <= Decimal(analysis["trailing_average_hcf"]) <= Decimal("14")
    assert analysis["last_year"]["consumption_hcf"] < 20

    eligibility = client.get("/api/v1/accounts/1000002/eligibility", headers=h).json()
    assert eligibility["late_fee_waiver"]["eligible"] is True
    assert eligibility["late_fee_waiver"]["details"]["amount"] == "15.00"


def test_shah_dental_past_due_with_shutoff_notice(client, seeded_settings):
    today = district_today(seeded_settings)
    h = verified_headers(client, "2000001")
    a = client.get("/api/v1/accounts/2000001", headers=h).json()
    assert a["business_name"] == "Shah Dental Group"
    assert a["customer_name"] == "Priya Shah"
    assert a["account_type"] == "commercial"
    assert a["past_due"] == "640.00" and a["balance"] == "640.00"
    assert a["shutoff_scheduled_on"] == (today + timedelta(days=7)).isoformat()

    waiver = client.get("/api/v1/accounts/2000001/eligibility", headers=h).json()["late_fee_waiver"]
    assert waiver["eligible"] is False
    assert any(r["code"] for r in waiver["reasons"])
    assert "representative" in " ".join(r["en"] for r in waiver["reasons"])


def test_usage_history_has_24_months(client):
    h = verified_headers(client, "1000001")
    usage = client.get("/api/v1/accounts/1000001/usage", headers=h).json()
    assert len(usage["rows"]) == 24
    assert usage["rows"][-1]["hcf"] == 9


def test_bills_and_unknown_bill(client):
    h = verified_headers(client, "1000001")
    bills = client.get("/api/v1/accounts/1000001/bills?limit=3", headers=h).json()
    assert len(bills) == 3 and bills[0]["total"] == "84.12"
    r = client.get("/api/v1/accounts/1000001/bills/999999999/explanation", headers=h)
    assert r.status_code == 404


def test_preferences_and_contact_updates_are_audited(fresh_client):
    h = verified_headers(fresh_client, "1000001")
    r = fresh_client.put("/api/v1/accounts/1000001/autopay", headers=h,
                         json={"enabled": True, "last4": "4242"})
    assert r.status_code == 200 and r.json()["autopay"] is True
    r = fresh_client.put("/api/v1/accounts/1000001/paperless", headers=h, json={"enabled": True})
    assert r.status_code == 200
    r = fresh_client.patch("/api/v1/accounts/1000001/contact", headers=h,
                           json={"phone": "(949) 555-0199", "email": "maria.l@example.com"})
    assert r.status_code == 200 and r.json()["changed"] == ["email", "phone"]
    a = fresh_client.get("/api/v1/accounts/1000001", headers=h).json()
    assert a["autopay"] is True and a["paperless"] is True
    # The old phone no longer verifies; the new one does.
    r = fresh_client.post("/api/v1/verify", headers=SERVICE,
                          json={"phone": "949-555-0199", "last_name": "lopez"})
    assert r.json()["verified"] is True

    r = fresh_client.patch("/api/v1/accounts/1000001/contact", headers=h, json={"email": "nope"})
    assert r.status_code == 422
    r = fresh_client.patch("/api/v1/accounts/1000001/contact", headers=h, json={})
    assert r.status_code == 422


def test_the_summary_says_what_the_rep_consoles_card_says(client, seeded_settings):
    """The API reads the summary in one query of plain columns; the rep console's card reads it
    as ORM objects. On every seeded account they give the same summary."""
    from sqlmodel import Session, select

    from backend.api.routes.accounts import summary_public, summary_view
    from backend.crud import accounts as accounts_crud
    from backend.models import Account

    today = district_today(seeded_settings)
    with Session(client.app.state.engine) as session:
        numbers = session.exec(select(Account.account_number)).all()
        assert len(numbers) > 500
        for number in numbers:
            fast = accounts_crud.summary_fields(session=session, account_number=number,
                                                today=today)
            full = accounts_crud.summary(session=session, account_number=number, today=today)
            assert fast is not None and full is not None
            assert summary_view(fast) == summary_public(full), number
        assert accounts_crud.summary_fields(session=session, account_number="0000000",
                                            today=today) is None


def _add_work_order(client, number: str, *, status: str, days_ago: int) -> str:
    from sqlmodel import Session

    from backend.crud import accounts as accounts_crud
    from backend.models import WorkOrder
    from backend.models.common import utcnow

    with Session(client.app.state.engine) as session:
        account = accounts_crud.get_account(session=session, account_number=number)
        order = WorkOrder(order_number=f"WO-9{days_ago:02d}{number[-3:]}{status[:1] == 'c':d}",
                          kind="meter_repair", status=status, account_id=account.id,
                          location="22 Alondra", description="test order",
                          created_at=utcnow() - timedelta(days=days_ago))
        session.add(order)
        session.commit()
        return order.order_number


def test_a_customer_reads_their_own_orders_only(client):
    h = verified_headers(client, "1000002")
    r = client.post("/api/v1/work-orders", headers=h,
                    json={"kind": "meter_reread", "description": "Reread please"})
    placed = r.json()["order_number"]
    recent = _add_work_order(client, "1000002", status="completed", days_ago=10)
    old = _add_work_order(client, "1000002", status="completed", days_ago=40)
    orders = client.get("/api/v1/accounts/1000002/orders", headers=h).json()
    numbers = [o["order_number"] for o in orders]
    # Open orders and those of the last 30 days, newest first; older finished ones are left out.
    assert placed in numbers and recent in numbers and old not in numbers
    assert numbers.index(placed) < numbers.index(recent)
    mine = next(o for o in orders if o["order_number"] == placed)
    assert mine == {"order_number": placed, "order_type": "work", "kind": "meter_reread",
                    "status": "open", "scheduled_date": None, "created_at": mine["created_at"]}
    # By number: an old order of theirs is found; another account's order is not.
    by_number = client.get("/api/v1/accounts/1000002/orders", headers=h,
                           params={"number": old.lower()}).json()
    assert [o["order_number"] for o in by_number] == [old]
    theirs = client.get("/api/v1/accounts/1000001/orders",
                        headers=verified_headers(client, "1000001"),
                        params={"number": placed}).json()
    assert theirs == []
    assert client.get("/api/v1/accounts/1000002/orders", headers=SERVICE).status_code == 403
    assert client.get("/api/v1/accounts/1000002/orders", headers=h,
                      params={"number": "ORDER-1"}).status_code == 422


def test_service_orders_show_their_requested_date(client):
    """A seeded customer with a pending stop order sees it with the date asked for."""
    from sqlmodel import Session, select

    from backend.models import Account, Premise, ServiceOrder

    with Session(client.app.state.engine) as session:
        order, number, zip_code = session.exec(
            select(ServiceOrder, Account.account_number, Premise.zip)
            .join(Account, Account.id == ServiceOrder.account_id)
            .join(Premise, Premise.id == Account.premise_id)
            .where(ServiceOrder.kind == "stop")).first()
    orders = client.get(f"/api/v1/accounts/{number}/orders",
                        headers=verified_headers(client, number, zip_code)).json()
    found = next(o for o in orders if o["order_number"] == order.order_number)
    assert found["order_type"] == "service" and found["kind"] == "stop"
    assert found["scheduled_date"] == order.requested_date.isoformat()
    assert found["status"] in ("pending", "scheduled")


def test_a_bounced_e_bill_shows_on_the_summary_until_an_email_is_given(fresh_client):
    from sqlmodel import Session

    from backend.crud import accounts as accounts_crud

    h = verified_headers(fresh_client, "1000001")
    assert fresh_client.get("/api/v1/accounts/1000001", headers=h).json()["email_bounced"] is False
    with Session(fresh_client.app.state.engine) as session:
        account = accounts_crud.get_account(session=session, account_number="1000001")
        account.email_bounced = True
        session.add(account)
        session.commit()
    assert fresh_client.get("/api/v1/accounts/1000001", headers=h).json()["email_bounced"] is True
    # A phone change leaves it; an email (new, or the same one confirmed) settles it.
    r = fresh_client.patch("/api/v1/accounts/1000001/contact", headers=h,
                           json={"phone": "949-555-0142"})
    assert "email_bounced" not in r.json()["changed"]
    r = fresh_client.patch("/api/v1/accounts/1000001/contact", headers=h,
                           json={"email": "maria.new@example.com"})
    assert r.json()["changed"] == ["email", "email_bounced"]
    assert fresh_client.get("/api/v1/accounts/1000001", headers=h).json()["email_bounced"] is False
