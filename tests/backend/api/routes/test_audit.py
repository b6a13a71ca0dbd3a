"""GET /api/v1/audit: supervisors read the log, filtered by account, actor, action and the
district's days, newest first, a page at a time."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from backend.crud import audit
from backend.crud.audit import Actor
from backend.models import Account
from backend.models.common import ActorType
from tests.utils.api import SERVICE, SUPERVISOR, rep_headers, verified_headers

URL = "/api/v1/audit"


@pytest.fixture
def logged(fresh_client):
    """Real writes through the API, plus three entries at known instants around midnight in
    the district (America/Los_Angeles: UTC-8 in December)."""
    client = fresh_client
    for number in ("1000001", "2000001"):
        h = verified_headers(client, number)
        assert client.post(f"/api/v1/accounts/{number}/notes", headers=h,
                           json={"body": f"note on {number}"}).status_code == 201
    with Session(client.app.state.engine) as session:
        maria = session.exec(select(Account).where(Account.account_number == "1000001")).one()
        for at, action in ((datetime(2026, 11, 30, 7, 59, tzinfo=UTC), "old_before_midnight"),
                           (datetime(2026, 11, 30, 8, 0, tzinfo=UTC), "old_at_midnight"),
                           (datetime(2026, 12, 1, 7, 59, tzinfo=UTC), "old_end_of_day")):
            entry = audit.record(session=session, actor=Actor(type=ActorType.rep, id="7"),
                                 action=action, entity="account", entity_id="1000001",
                                 account_id=maria.id, reason="backfilled for the test")
            entry.at = at
        session.commit()
    return client


def test_only_supervisors_read_the_log(logged):
    client = logged
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=SERVICE).status_code == 401  # not a rep's token
    assert client.get(URL, headers=rep_headers(client)).status_code == 403
    rows = client.get(URL, headers=rep_headers(client, SUPERVISOR)).json()
    assert rows and [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert set(rows[0]) >= {"id", "at", "actor_type", "actor_id", "action", "entity",
                            "entity_id", "reason", "detail", "account_number"}


def test_filters(logged):
    client = logged
    sup = rep_headers(client, SUPERVISOR)

    def get(**params):
        r = client.get(URL, headers=sup, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    notes = get(action="note_added")
    assert sorted(r["account_number"] for r in notes) == ["1000001", "2000001"]
    assert {r["actor_type"] for r in notes} == {"bot"}
    shahs = get(account_number="2000001")
    assert shahs and {r["account_number"] for r in shahs} == {"2000001"}
    assert {r["action"] for r in shahs} >= {"customer_verified", "note_added"}
    assert get(account_number="9999999") == []
    # By actor: the rep id 7 wrote the three backfilled entries.
    assert {r["action"] for r in get(actor_type="rep", actor_id="7")} == {
        "old_before_midnight", "old_at_midnight", "old_end_of_day"}
    assert get(actor_type="integration") == []
    # A prefix ends in "*"; "_" in it is a letter, not a LIKE wildcard.
    assert {r["action"] for r in get(action="old_*")} == {
        "old_before_midnight", "old_at_midnight", "old_end_of_day"}
    assert get(action="ol_d*") == []
    assert {r["action"] for r in get(action="customer_*")} == {"customer_verified"}
    # Days are the district's: Nov 30 runs from 08:00 UTC Nov 30 to 08:00 UTC Dec 1.
    assert [r["action"] for r in get(**{"from": "2026-11-30", "to": "2026-11-30"})] == [
        "old_end_of_day", "old_at_midnight"]
    assert [r["action"] for r in get(**{"to": "2026-11-29"})] == ["old_before_midnight"]
    today = get(**{"from": "2026-12-02"})
    assert today and not any(r["action"].startswith("old_") for r in today)


def test_paging_by_offset_and_cursor(logged):
    client = logged
    sup = rep_headers(client, SUPERVISOR)
    everything = client.get(URL, headers=sup, params={"limit": 200}).json()
    assert len(everything) >= 7
    first = client.get(URL, headers=sup, params={"limit": 3}).json()
    assert first == everything[:3]
    by_offset = client.get(URL, headers=sup, params={"limit": 3, "offset": 3}).json()
    by_cursor = client.get(URL, headers=sup,
                           params={"limit": 3, "before_id": first[-1]["id"]}).json()
    assert by_offset == by_cursor == everything[3:6]


@pytest.mark.parametrize("params", [
    {"limit": 201}, {"limit": 0}, {"offset": -1}, {"before_id": 0},
    {"account_number": "12"}, {"actor_type": "alien"}, {"action": "Note-Added"},
    {"action": "*"}, {"from": "2026-12-40"}, {"from": "2026-12-02", "to": "2026-12-01"},
])
def test_bad_filters_are_refused(client, params):
    r = client.get(URL, headers=rep_headers(client, SUPERVISOR), params=params)
    assert r.status_code == 422, (params, r.text)
    assert r.json()["detail"][0]["loc"][0] == "query"
