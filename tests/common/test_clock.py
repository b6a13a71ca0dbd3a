"""The one clock: real outside tests, set in process by frozen() and in child processes by
WATERDESK_NOW, and the only place the code reads the date from. Runs in both interpreters."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List, Optional
from zoneinfo import ZoneInfo

import pytest

from common import clock

ROOT = Path(__file__).resolve().parents[2]
LA = ZoneInfo("America/Los_Angeles")


def child(code: str, env: Optional[Dict[str, str]] = None) -> dict:
    """Run `code` in a fresh interpreter (nothing frozen) with the clock's variables only as given;
    it prints a JSON object."""
    base = {k: v for k, v in os.environ.items()
            if k not in (clock.ENV, clock.ENV_AT, "ENVIRONMENT")}
    out = subprocess.run([sys.executable, "-c", "import json\nfrom common import clock\n" + code],
                         cwd=ROOT, env={**base, "PYTHONPATH": str(ROOT), **(env or {})},
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


NOW_AND_TODAY = ('print(json.dumps({"now": clock.now().isoformat(), '
                 '"today": clock.today("America/Los_Angeles").isoformat(), '
                 '"set": clock.is_set(), "environ": clock.environ()}))')


def test_a_process_nobody_set_runs_on_the_real_clock() -> None:
    before = datetime.now(timezone.utc)
    got = child(NOW_AND_TODAY)
    after = datetime.now(timezone.utc)
    now = datetime.fromisoformat(got["now"])
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= after
    assert got["today"] in {before.astimezone(LA).date().isoformat(),
                            after.astimezone(LA).date().isoformat()}
    # Nothing is handed on to children: they keep the real clock too.
    assert got["set"] is False and got["environ"] == {}


def test_waterdesk_now_sets_a_child_process_clock_which_then_runs() -> None:
    got = child("import time\n"
                "first = clock.now()\n"
                "time.sleep(0.3)\n"
                "second = clock.now()\n"
                'print(json.dumps({"first": first.isoformat(), "second": second.isoformat(), '
                '"today": clock.today("America/Los_Angeles").isoformat(), '
                '"utc_today": clock.today("UTC").isoformat()}))',
                env={clock.ENV: "2027-03-01T07:30:00Z"})
    first, second = (datetime.fromisoformat(got[k]) for k in ("first", "second"))
    start = datetime(2027, 3, 1, 7, 30, tzinfo=timezone.utc)
    assert start <= first < start + timedelta(seconds=5)
    assert timedelta(seconds=0.29) <= second - first < timedelta(seconds=5)
    # 07:30 UTC on March 1 is still February 28 in the district.
    assert (got["today"], got["utc_today"]) == ("2027-02-28", "2027-03-01")


def test_waterdesk_now_is_read_when_the_clock_is_asked_not_at_import() -> None:
    got = child("import os\n"
                "real = clock.now()\n"
                "os.environ[clock.ENV] = '2030-06-01T12:00:00+02:00'\n"
                "set_ = clock.now()\n"
                "del os.environ[clock.ENV]\n"
                'print(json.dumps({"real": real.isoformat(), "set": set_.isoformat(), '
                '"again": clock.now().isoformat()}))')
    real, set_, again = (datetime.fromisoformat(got[k]) for k in ("real", "set", "again"))
    assert timedelta(0) <= set_ - datetime(2030, 6, 1, 10, tzinfo=timezone.utc) < timedelta(
        seconds=5)
    assert abs(real - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert abs(again - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_production_ignores_waterdesk_now() -> None:
    got = child(NOW_AND_TODAY, env={clock.ENV: "2030-06-01T12:00:00Z", "ENVIRONMENT": "production"})
    real = datetime.now(timezone.utc)
    assert abs(datetime.fromisoformat(got["now"]) - real) < timedelta(minutes=1)
    assert got["set"] is False and got["environ"] == {}


def test_a_bad_waterdesk_now_is_an_error_not_the_real_clock() -> None:
    code = ("try:\n    clock.now()\nexcept ValueError as e:\n"
            "    print(json.dumps({'error': str(e)}))\n"
            "else:\n    print(json.dumps({}))\n")
    for bad in ("tomorrow", "2027-03-01T07:30:00", "2027-03-01"):  # not a date, or no offset
        error = child(code, env={clock.ENV: bad}).get("error", "")
        assert error.startswith(f"{clock.ENV}={bad!r}"), error


def test_frozen_stops_the_clock_for_every_thread_and_restores_it() -> None:
    outer = clock.now()
    with clock.frozen("2027-07-05T06:59:00Z") as at:
        assert at == datetime(2027, 7, 5, 6, 59, tzinfo=timezone.utc)
        seen: List[datetime] = []
        worker = threading.Thread(target=lambda: seen.append(clock.now()))
        worker.start()
        worker.join()
        time.sleep(0.01)
        assert clock.now() == at == seen[0]
        assert clock.today(LA) == date(2027, 7, 4) and clock.today("UTC") == date(2027, 7, 5)
        with clock.frozen(datetime(2027, 12, 31, 23, 59, tzinfo=LA)):
            assert clock.today(LA) == date(2027, 12, 31)
            assert clock.now() == datetime(2028, 1, 1, 7, 59, tzinfo=timezone.utc)
        assert clock.now() == at
    # Back on the suite's clock, which runs.
    assert outer <= clock.now() < outer + timedelta(minutes=30)


def test_frozen_with_tick_runs_from_the_instant() -> None:
    with clock.frozen("2027-01-01T00:00:00Z", tick=True) as at:
        first = clock.now()
        time.sleep(0.05)
        second = clock.now()
    assert at <= first < second < at + timedelta(seconds=5)


def test_environ_hands_the_clock_to_a_child() -> None:
    with clock.frozen("2027-02-15T17:00:00Z"):
        env = clock.environ()
    assert env[clock.ENV] == "2027-02-15T17:00:00Z" and float(env[clock.ENV_AT]) > 0
    got = child(NOW_AND_TODAY, env=env)
    assert got["today"] == "2027-02-15" and got["set"] is True
    assert got["environ"][clock.ENV].startswith("2027-02-15T17:00:0")


def test_a_child_started_later_reads_the_same_time_as_its_siblings() -> None:
    """Pinned to the real moment it was handed over: a restarted service isn't behind."""
    env = {clock.ENV: "2027-02-15T17:00:00Z", clock.ENV_AT: repr(time.time() - 3600)}
    got = child(NOW_AND_TODAY, env=env)
    now = clock.parse_instant(got["now"])
    assert clock.parse_instant("2027-02-15T18:00:00Z") <= now \
        < clock.parse_instant("2027-02-15T18:01:00Z")


def test_the_suite_runs_on_a_set_clock() -> None:
    # tests/conftest.py sets it for the session: no test here sees the real date.
    from tests.conftest import SUITE_NOW

    assert clock.is_set()
    start = clock.parse_instant(SUITE_NOW)
    assert start <= clock.now() < start + timedelta(hours=6)


@pytest.mark.parametrize("text, instant", [
    ("2026-12-02T17:00:00Z", datetime(2026, 12, 2, 17, tzinfo=timezone.utc)),
    ("2026-12-02T09:00:00-08:00", datetime(2026, 12, 2, 17, tzinfo=timezone.utc)),
    ("2026-12-02T17:00:00.250+00:00", datetime(2026, 12, 2, 17, 0, 0, 250000, tzinfo=timezone.utc)),
    (datetime(2026, 12, 2, 9, tzinfo=LA), datetime(2026, 12, 2, 17, tzinfo=timezone.utc)),
])
def test_parse_instant_gives_aware_utc(text: object, instant: datetime) -> None:
    got = clock.parse_instant(text)  # type: ignore[arg-type]
    assert got == instant and got.tzinfo is timezone.utc


@pytest.mark.parametrize("bad", ["2026-12-02T17:00:00", "2026-12-02", "noon", "",
                                 datetime(2026, 12, 2, 17)])
def test_parse_instant_refuses_what_is_not_one_instant(bad: object) -> None:
    with pytest.raises(ValueError):
        clock.parse_instant(bad)  # type: ignore[arg-type]


# --- nothing else reads the date -------------------------------------------------------------

# Reading the real date anywhere else would put it back in the answers (and in the tests).
# Token times are the one exception: PyJWT checks them against the real clock.
ALLOWED = {"common/clock.py", "backend/core/security.py"}
DATE_READS = {("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow"), ("date", "today")}


def real_date_reads(path: Path, root: Path = ROOT) -> List[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            if (name, node.func.attr) in DATE_READS:
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_only_the_clock_reads_the_real_date() -> None:
    offenders = []
    for top in ("backend", "actions", "bot", "common", "tests"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if path.relative_to(ROOT).as_posix() not in ALLOWED | {"tests/common/test_clock.py"}:
                offenders += real_date_reads(path)
    assert offenders == []


def test_the_guard_sees_every_spelling(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime as dt\nfrom datetime import date, datetime\n"
                      "a = datetime.now()\nb = date.today()\nc = dt.datetime.utcnow()\n"
                      "d = dt.date.today()\ne = 'datetime.now()'\n"
                      "f = date.fromisoformat('2027-01-01')\n")
    assert real_date_reads(sample, tmp_path) == [f"sample.py:{n}" for n in (3, 4, 5, 6)]
