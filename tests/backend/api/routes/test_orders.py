"""Service orders (start, stop, transfer) and field work orders."""

from datetime import date, timedelta

from backend.domain.calendar import add_business_days, is_business_day, next_business_day
from backend.domain.district import load_district
from tests.utils.api import SERVICE, SUPERVISOR, field_errors, rep_headers, verified_headers
from tests.utils.db import district_today

ADDRESS = {"street": "31 Calle Aria", "city": "Rancho Santa Margarita", "zip": "92688"}
IDENTITY = {"first_name": "Ana", "last_name": "Reyes", "phone": "949-555-0777",
            "email": "ana@example.com", "preferred_language": "es"}


def business_day(settings, ahead: int = 5) -> date:
    return add_business_days(district=load_district(), day=district_today(settings), days=ahead)


def weekend_day(settings) -> date:
    day = district_today(settings) + timedelta(days=3)
    while day.weekday() < 5:
        day += timedelta(days=1)
    return day


def beyond_the_window(settings) -> date:
    """The first business day more than 60 days ahead: refused for its distance alone (the day
    75 days ahead may be a weekend or a holiday, and then that is the first reason given)."""
    limit = district_today(settings) + timedelta(days=60)
    return next_business_day(district=load_district(), day=limit)


def start_body(settings, **over):
    body = {"kind": "start", "requested_date": business_day(settings).isoformat(),
            "account_type": "residential", "identity": IDENTITY,
            "service_address": ADDRESS, "mailing_address": ADDRESS}
    body.update(over)
    return body


def test_start_service_for_a_new_customer(fresh_client, seeded_settings):
    r = fresh_client.post("/api/v1/service-orders", headers=SERVICE, json=start_body(seeded_settings))
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["order_number"].startswith("SO-") and order["status"] == "pending"
    assert order["deposit"] == "100.00"
    assert "deposit" in order["deposit_reason"]["en"]
    assert order["new_account_number"].startswith("1")
    got = fresh_client.get(f"/api/v1/service-orders/{order['order_number']}", headers=SERVICE)
    assert got.json()["new_account_number"] == order["new_account_number"]
    # The new customer can verify with the phone they gave.
    v = fresh_client.post("/api/v1/verify", headers=SERVICE,
                          json={"phone": "9495550777", "last_name": "Reyes"}).json()
    assert v["verified"] and v["account_number"] == order["new_account_number"]
    # The same address can't be started twice.
    again = fresh_client.post("/api/v1/service-orders", headers=SERVICE,
                              json=start_body(seeded_settings))
    assert again.status_code == 409


def test_a_new_service_deposit_is_charged_and_its_waiver_credits_it_once(fresh_client,
                                                                          seeded_settings):
    order = fresh_client.post("/api/v1/service-orders", headers=SERVICE,
                              json=start_body(seeded_settings)).json()
    number = order["new_account_number"]
    v = fresh_client.post("/api/v1/verify", headers=SERVICE,
                          json={"phone": "9495550777", "last_name": "Reyes"}).json()
    h = {**SERVICE, "X-Verification-Token": v["verification_token"]}
    # "Added to your first bill": owed now, not past due.
    a = fresh_client.get(f"/api/v1/accounts/{number}", headers=h).json()
    assert (a["balance"], a["past_due"]) == ("100.00", "0.00")
    # A brand-new customer has no on-time history: the waiver goes to a supervisor.
    waiver = fresh_client.post(f"/api/v1/accounts/{number}/fee-waivers", headers=h,
                               json={"fee_kind": "deposit", "reason": "Long-time customer"}).json()
    assert waiver["outcome"] == "referred", waiver
    sup = rep_headers(fresh_client, SUPERVISOR)
    decided = fresh_client.post(f"/api/v1/approvals/{waiver['reference'][3:]}", headers=sup,
                                json={"approve": True, "note": "moved from a neighbour"}).json()
    assert decided["amount"] == "100.00" and decided["status"] == "approved"
    assert fresh_client.get(f"/api/v1/accounts/{number}", headers=h).json()["balance"] == "0.00"
    again = fresh_client.post(f"/api/v1/accounts/{number}/fee-waivers", headers=h,
                              json={"fee_kind": "deposit"}).json()
    assert again["outcome"] == "nothing_to_grant"
    assert fresh_client.get(f"/api/v1/accounts/{number}", headers=h).json()["balance"] == "0.00"


def test_meter_test_fee_is_a_pending_charge_on_the_account(fresh_client):
    h = verified_headers(fresh_client, "1000001")
    r = fresh_client.post("/api/v1/work-orders", headers=h, json={
        "kind": "meter_test", "description": "Customer disputes the meter's accuracy"})
    assert r.status_code == 201
    a = fresh_client.get("/api/v1/accounts/1000001", headers=h).json()
    assert (a["balance"], a["past_due"]) == ("134.12", "0.00")
    # Other work orders charge nothing.
    fresh_client.post("/api/v1/work-orders", headers=h, json={
        "kind": "meter_reread", "description": "Read looks high"})
    assert fresh_client.get("/api/v1/accounts/1000001", headers=h).json()["balance"] == "134.12"


def test_start_refuses_bad_requests_with_the_field_and_reason(client, seeded_settings):
    outside = {**ADDRESS, "zip": "90210", "city": "Beverly Hills"}
    errors = field_errors(client.post("/api/v1/service-orders", headers=SERVICE,
                                      json=start_body(seeded_settings, service_address=outside)))
    assert "outside" in errors["body.service_address.zip"]
    errors = field_errors(client.post(
        "/api/v1/service-orders", headers=SERVICE,
        json=start_body(seeded_settings, requested_date=weekend_day(seeded_settings).isoformat())))
    assert "business day" in errors["body.requested_date"]
    far = beyond_the_window(seeded_settings)
    errors = field_errors(client.post("/api/v1/service-orders", headers=SERVICE,
                                      json=start_body(seeded_settings, requested_date=far.isoformat())))
    assert "60" in errors["body.requested_date"]
    errors = field_errors(client.post("/api/v1/service-orders", headers=SERVICE,
                                      json=start_body(seeded_settings, mailing_address=None)))
    assert "body.mailing_address" in errors
    errors = field_errors(client.post("/api/v1/service-orders", headers=SERVICE,
                                      json=start_body(seeded_settings, identity=None)))
    assert "body.identity" in errors


def test_stop_needs_verification_then_sets_pending_stop(fresh_client, seeded_settings):
    body = {"kind": "stop", "requested_date": business_day(seeded_settings, 3).isoformat(),
            "forwarding_address": {"street": "9 Elm St", "city": "Irvine", "zip": "92618"}}
    assert fresh_client.post("/api/v1/service-orders", headers=SERVICE, json=body).status_code == 403
    h = verified_headers(fresh_client, "1000001")
    r = fresh_client.post("/api/v1/service-orders", headers=h, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["account_number"] == "1000001"
    assert fresh_client.get("/api/v1/accounts/1000001", headers=h).json()["status"] == "pending_stop"
    assert fresh_client.post("/api/v1/service-orders", headers=h, json=body).status_code == 409
    no_forward = {k: v for k, v in body.items() if k != "forwarding_address"}
    h2 = verified_headers(fresh_client, "1000002")
    assert "body.forwarding_address" in field_errors(
        fresh_client.post("/api/v1/service-orders", headers=h2, json=no_forward))


def test_transfer_moves_service_and_the_deposit(fresh_client, seeded_settings):
    h = verified_headers(fresh_client, "1000002")
    body = {"kind": "transfer", "requested_date": business_day(seeded_settings, 4).isoformat(),
            "service_address": {"street": "5 Sendero Way", "city": "Rancho Mission Viejo",
                                "zip": "92694"}}
    r = fresh_client.post("/api/v1/service-orders", headers=h, json=body)
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["kind"] == "transfer" and order["deposit"] == "0.00"
    assert order["account_number"] == "1000002" and order["new_account_number"] != "1000002"


def test_leak_reports_need_no_verification_and_can_be_emergencies(client):
    r = client.post("/api/v1/work-orders", headers=SERVICE, json={
        "kind": "leak_investigation", "priority": "emergency",
        "location": "Antonio Pkwy at Avenida de las Banderas", "zip": "92688",
        "description": "Water gushing out of the sidewalk", "contact_phone": "9495550999"})
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["order_number"].startswith("WO-") and order["priority"] == "emergency"
    assert client.get(f"/api/v1/work-orders/{order['order_number']}",
                      headers=SERVICE).json()["status"] == "open"


def test_meter_test_needs_verification_and_discloses_the_fee(client):
    body = {"kind": "meter_test", "description": "Customer disputes the meter's accuracy"}
    assert client.post("/api/v1/work-orders", headers=SERVICE, json=body).status_code == 403
    r = client.post("/api/v1/work-orders", headers=verified_headers(client, "1000002"), json=body)
    assert r.status_code == 201
    assert r.json()["fee"] == "50.00" and "Vista Ridge" in r.json()["location"]


def test_only_safety_work_can_be_an_emergency(client):
    r = client.post("/api/v1/work-orders", headers=verified_headers(client, "1000001"),
                    json={"kind": "meter_reread", "priority": "emergency",
                          "description": "Reading looks wrong"})
    assert "body.priority" in field_errors(r)


def test_business_day_helper_is_sane(seeded_settings):
    assert is_business_day(district=load_district(), day=business_day(seeded_settings))
