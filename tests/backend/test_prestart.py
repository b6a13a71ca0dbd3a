"""A backend process started on a set clock (WATERDESK_NOW): prestart seeds the demo district
around that day, and the API's "today" is that day, not the real one."""

from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from common import clock
from tests.utils.stack import SERVICE_TOKEN, start_backend

pytestmark = pytest.mark.slow

# Far from any real date this suite will run on, so the real clock could not pass for it;
# a Monday at 9 AM in the district.
ELSEWHERE = "2031-05-05T16:00:00Z"
TODAY = date(2031, 5, 5)


def test_a_started_backend_seeds_and_answers_on_the_clock_it_was_given(tmp_path: Path) -> None:
    with ExitStack() as stack:
        with clock.frozen(ELSEWHERE):
            # start_backend hands the test's clock to prestart and the server (backend_env).
            url = stack.enter_context(start_backend(tmp_path, stack=stack))
        service = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
        with httpx.Client(base_url=f"{url}/api/v1", headers=service, timeout=30) as api:
            yesterday = api.get(f"/district/service-dates/{TODAY - timedelta(days=1)}").json()
            assert [p["code"] for p in yesterday["problems"]] == ["date_in_past"]
            assert api.get(f"/district/service-dates/{TODAY}").json()["ok"] is True
            assert api.get("/district").json()["open_now"] is True  # Monday, 9 AM
            token = api.post("/verify", json={"account_number": "1000001", "zip": "92688"}
                             ).json()["verification_token"]
            summary = api.get("/accounts/1000001", headers={"X-Verification-Token": token}).json()
            # The demo bill is due 14 days after the day the seed ran (README, demo accounts).
            assert summary["due_date"] == (TODAY + timedelta(days=14)).isoformat()
