from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from sqlmodel import select

from backend.models import Outage, OutageReport, WorkOrder
from backend.models.common import utcnow
from tests.utils.api import SERVICE, field_errors, verified_headers


def test_planned_outage_by_zip(client):
    outages = client.get("/api/v1/outages?zip=92688", headers=SERVICE).json()
    assert len(outages) == 1
    assert outages[0]["planned"] is True and "Antonio" in outages[0]["title"]
    assert outages[0]["expected_restore_at"] > outages[0]["starts_at"]


def test_outage_by_street_address(client):
    found = client.get("/api/v1/outages", headers=SERVICE,
                       params={"address": "27 Antonio Parkway, Rancho Santa Margarita"}).json()
    assert len(found) == 1


def test_no_outage_elsewhere(client):
    assert client.get("/api/v1/outages?zip=92694", headers=SERVICE).json() == []


def test_outages_need_a_zip_or_address(client):
    assert "query.zip" in field_errors(client.get("/api/v1/outages", headers=SERVICE))


def test_service_date_check(client):
    r = client.get("/api/v1/district/service-dates/2026-12-25", headers=SERVICE).json()
    assert r["ok"] is False and r["problems"]


# Outage reports: no water or low pressure, matched against known outages.
RESTORE = datetime(2026, 12, 2, 21, 0, tzinfo=timezone.utc)  # four hours after the suite's clock

@contextmanager
def active_outage(client, *, zips: str, streets: str = "") -> Iterator[None]:
    """A known outage under way now (the seed's only outage is days away), removed afterwards."""
    from sqlmodel import Session

    now = utcnow()
    with Session(client.app.state.engine) as session:
        outage = Outage(title="Main break on Vista del Verde",
                        description="Crews are repairing it.",
                        zips=zips, streets=streets, planned=False,
                        starts_at=now - timedelta(hours=1),
                        expected_restore_at=RESTORE)
        session.add(outage)
        session.commit()
        outage_id = outage.id
    try:
        yield
    finally:
        with Session(client.app.state.engine) as session:
            for report in session.exec(select(OutageReport).where(
                    OutageReport.outage_id == outage_id)).all():
                session.delete(report)
            session.delete(session.get(Outage, outage_id))
            session.commit()


def stored(client, number: str) -> tuple[OutageReport, WorkOrder | None]:
    from sqlmodel import Session

    with Session(client.app.state.engine) as session:
        report = session.exec(select(OutageReport).where(
            OutageReport.report_number == number)).one()
        order = session.get(WorkOrder, report.work_order_id) if report.work_order_id else None
        return report, order


def test_no_water_without_a_known_outage_sends_a_crew(client):
    r = client.post("/api/v1/outage-reports", headers=SERVICE,
                    json={"kind": "no_water", "location": "14 Vista Ridge, Ladera Ranch 92694",
                          "description": "nothing comes out of the taps"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["report_number"].startswith("OR-") and len(body["report_number"]) == 9
    assert body["outage"] is None and body["zip"] == "92694"
    report, order = stored(client, body["report_number"])
    assert order is not None and order.order_number == body["work_order_number"]
    assert order.priority == "high" and order.kind == "leak_investigation"
    assert order.location == "14 Vista Ridge, Ladera Ranch 92694"
    assert body["report_number"] in order.description
    assert report.account_id is None  # no token: no account, whatever the caller may claim


def test_low_pressure_gets_a_normal_priority_visit(client):
    body = client.post("/api/v1/outage-reports", headers=SERVICE,
                       json={"kind": "low_pressure", "zip": "92691"}).json()
    report, order = stored(client, body["report_number"])
    assert report.location == "ZIP 92691" and order is not None and order.priority == "normal"


def test_a_known_outage_answers_the_report_and_no_crew_is_sent(client):
    with active_outage(client, zips="92679", streets="Vista del Verde"):
        for where in ({"zip": "92679"}, {"location": "8 Vista del Verde, Coto de Caza"}):
            r = client.post("/api/v1/outage-reports", headers=SERVICE,
                            json={"kind": "no_water", **where})
            assert r.status_code == 201, r.text
            body = r.json()
            assert body["outage"]["title"] == "Main break on Vista del Verde"
            assert body["outage"]["expected_restore_at"] and body["outage"]["active"] is True
            # In the district's time, in words: 21:00Z is 1 PM in Los Angeles.
            assert body["outage"]["expected_back"]["en"] == "Wednesday, December 2 at 1:00 PM"
            assert body["outage"]["expected_back"]["es"] == "miércoles 2 de diciembre a las 13:00"
            assert body["work_order_number"] is None
            report, order = stored(client, body["report_number"])
            assert report.outage_id is not None and order is None


def test_a_planned_outage_not_yet_started_does_not_explain_no_water(client):
    # The seed's Antonio Pkwy work starts in three days: no water today is something else.
    body = client.post("/api/v1/outage-reports", headers=SERVICE,
                       json={"kind": "no_water", "location": "27 Antonio Parkway 92688"}).json()
    assert body["outage"] is None and body["work_order_number"]


def test_a_verified_report_is_linked_to_the_account_and_its_premise(client):
    h = verified_headers(client, "1000001")
    body = client.post("/api/v1/outage-reports", headers=h, json={"kind": "low_pressure"}).json()
    assert body["location"] == "22 Alondra, Rancho Santa Margarita 92688"
    report, order = stored(client, body["report_number"])
    assert report.account_id is not None and order is not None
    assert order.account_id == report.account_id


def test_outage_reports_refuse_bad_input(client):
    assert "body.location" in field_errors(
        client.post("/api/v1/outage-reports", headers=SERVICE, json={"kind": "no_water"}))
    assert "body.kind" in field_errors(client.post(
        "/api/v1/outage-reports", headers=SERVICE, json={"kind": "flood", "zip": "92688"}))
    assert "body.zip" in field_errors(client.post(
        "/api/v1/outage-reports", headers=SERVICE, json={"kind": "no_water", "zip": "9268"}))
    # An account number in the body is not how a report is linked to an account.
    r = client.post("/api/v1/outage-reports", headers=SERVICE,
                    json={"kind": "no_water", "zip": "92688", "account_number": "1000001"})
    assert r.status_code == 201 and stored(client, r.json()["report_number"])[0].account_id is None
    assert client.post("/api/v1/outage-reports", json={"kind": "no_water",
                                                       "zip": "92688"}).status_code == 401
    bad = {**SERVICE, "X-Verification-Token": "not-a-token"}
    assert client.post("/api/v1/outage-reports", headers=bad,
                       json={"kind": "no_water", "zip": "92688"}).status_code == 403


def test_a_retried_report_is_filed_once(client):
    h = {**SERVICE, "Idempotency-Key": "outage-report-retry-1"}
    body = {"kind": "no_water", "location": "3 Retry Lane, Mission Viejo 92692"}
    first = client.post("/api/v1/outage-reports", headers=h, json=body)
    second = client.post("/api/v1/outage-reports", headers=h, json=body)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second.headers["Idempotent-Replayed"] == "true"
