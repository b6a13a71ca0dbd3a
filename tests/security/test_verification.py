"""Findings 3 and 4 of the security probe: account + ZIP guessed inside the lockout, the phone
route around a locked account, and concurrent attempts past the limit."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session

from backend.core.db import make_engine
from backend.crud import verification
from backend.domain.district import load_district
from tests.utils.api import SERVICE

ZIPS = ["92688", "92691", "92692", "92610", "92679", "92630", "92653", "92694"]  # 92694 is right


def verify(client, **fields):
    return client.post("/api/v1/verify", headers=SERVICE, json=fields)


def test_the_service_zip_cannot_be_guessed_inside_the_lockout(fresh_client):
    answers = [verify(fresh_client, account_number="1000002", zip=z) for z in ZIPS]
    # Three wrong ZIPs, then the account is locked: the right ZIP is never checked.
    assert [r.json()["verified"] for r in answers[:3]] == [False] * 3
    assert answers[2].json()["locked"] is True and answers[2].json()["attempts_left"] == 0
    assert {r.status_code for r in answers[3:]} == {429}
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_a_locked_account_is_locked_on_every_route(fresh_client):
    for z in ZIPS[:3]:
        verify(fresh_client, account_number="1000002", zip=z)
    by_phone = verify(fresh_client, phone="(949) 555-0102", last_name="Carter")
    assert by_phone.status_code == 429
    # Another customer, on either route, is not affected.
    assert verify(fresh_client, phone="9495550101", last_name="Lopez").json()["verified"]
    assert verify(fresh_client, account_number="2000001", zip="92691").json()["verified"]


def test_failures_on_the_phone_route_count_against_the_account(fresh_client):
    for _ in range(5):
        assert verify(fresh_client, phone="9495550102", last_name="Smith").status_code == 200
    # The account itself is now locked, so account + ZIP is refused too.
    assert verify(fresh_client, account_number="1000002", zip="92694").status_code == 429


def test_concurrent_attempts_never_exceed_the_limit(fresh_client):
    """3 failures, then 4 attempts at once: only 2 may be checked (5 in all)."""
    settings = fresh_client.app.state.settings
    district = load_district(settings.DISTRICT_FILE)
    engine = make_engine(settings)

    def attempt(results: list, barrier: threading.Barrier | None = None) -> None:
        if barrier is not None:
            barrier.wait()
        with Session(engine) as session:
            results.append(verification.verify(
                session=session, district=district, account_number=None, zip_code=None,
                phone="9495550102", last_name="Smith", conversation_id=None))

    try:
        first: list = []
        for _ in range(3):
            attempt(first)
        assert [o.attempts_left for o in first] == [4, 3, 2]
        barrier, results = threading.Barrier(4), []
        threads = [threading.Thread(target=attempt, args=(results, barrier)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        engine.dispose()
    checked = [o for o in results if o.attempted]
    assert len(results) == 4 and len(checked) == 2
    assert sorted(o.attempts_left for o in checked) == [0, 1]


@pytest.mark.parametrize("email", [None, "james.carter@example.com"])
def test_an_email_claim_without_the_hubs_signature_is_refused(fresh_client, email):
    body = {"account_number": "1000002", "conversation_id": "c1"}
    if email:
        body["email"] = email  # what the forged tracker carried: no longer a field at all
    assert verify(fresh_client, **body).status_code == 422
    forged = "eyJhbGciOiJIUzI1NiJ9.eyJjaCI6ImVtYWlsIiwiY2lkIjoiYzEiLCJlbWFpbCI6ImphbWVzLmNhcnRlckBleGFtcGxlLmNvbSJ9.x"
    assert verify(fresh_client, channel_token=forged, **body).status_code == 422
