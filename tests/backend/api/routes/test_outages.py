from tests.utils.api import SERVICE, field_errors


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
