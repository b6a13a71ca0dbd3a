"""The one clock WaterDesk reads: what "now" and "today" are, everywhere.

Outside tests it is the real clock. Tests set it, so that nothing they assert depends on the day
they happen to run:

- in the process itself, with ``with clock.frozen("2026-12-02T17:00:00Z"):`` (stopped), or
  ``frozen(..., tick=True)`` (starts there and runs at the real rate);
- in processes a test starts (the backend, the action server, Rasa's date entity component),
  with the environment variable ``WATERDESK_NOW=2026-12-02T17:00:00Z``: that process's clock
  starts at that instant the first time it is read and then runs at the real rate, so backoffs,
  retries and lockout windows still elapse. ``environ()`` gives the variables that hand this
  process's clock to a child, pinned to the real time (``WATERDESK_NOW_AT``), so that a child
  restarted later reads the same time as its siblings.

frozen() wins over the variable. The variable is read at call time, never at import time.
With ENVIRONMENT=production it has no effect, and the backend refuses to start with it
(``backend.core.config``). Token lifetimes (``backend.core.security``) stay on the real clock:
the JWT library checks expiry against the real clock.

Standard library only, Python 3.10 syntax: both interpreters import this module.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Dict, Optional, Tuple, Union
from zoneinfo import ZoneInfo

ENV = "WATERDESK_NOW"
# The real Unix time at which WATERDESK_NOW was the time; without it, a process's clock starts at
# WATERDESK_NOW when it first reads it.
ENV_AT = "WATERDESK_NOW_AT"

Instant = Union[datetime, str]

_lock = threading.Lock()
# Set by frozen(): (the instant, the monotonic reading it was set at, or None when stopped).
_override: Optional[Tuple[datetime, Optional[float]]] = None
# WATERDESK_NOW values seen by this process: value -> (its instant, monotonic at first read).
_anchors: Dict[str, Tuple[datetime, float]] = {}


def parse_instant(value: Instant) -> datetime:
    """An aware UTC datetime from an aware datetime or an ISO 8601 instant with an offset or Z.

    A naive value is refused: "17:00" means a different moment in every time zone.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"  # Python 3.10's fromisoformat doesn't take "Z"
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"an instant is ISO 8601 with an offset, such as 2026-12-02T17:00:00Z, not {text!r}"
            ) from None
    if not isinstance(value, datetime):
        raise TypeError(f"an instant is a datetime or an ISO 8601 string, not {type(value)!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"an instant needs a UTC offset or Z, got {value.isoformat()!r}")
    return value.astimezone(timezone.utc)


def _parse_env(raw: str) -> datetime:
    try:
        return parse_instant(raw)
    except ValueError as e:
        raise ValueError(f"{ENV}={raw!r}: {e}") from None


def env_instant() -> Optional[datetime]:
    """The instant WATERDESK_NOW sets, or None when it is unset or empty (ValueError if bad)."""
    raw = os.environ.get(ENV, "").strip()
    return _parse_env(raw) if raw else None


def _env_value() -> str:
    # Production never runs on a set clock: there the variable has no effect (and the backend
    # refuses to start with it).
    if os.environ.get("ENVIRONMENT", "").strip() == "production":
        return ""
    return os.environ.get(ENV, "").strip()


def _from_env() -> Optional[datetime]:
    raw = _env_value()
    if not raw:
        return None
    real_at = os.environ.get(ENV_AT, "").strip()
    if real_at:
        # Pinned to a real moment: every process (a restarted one too) reads the same time.
        try:
            offset = _parse_env(raw) - datetime.fromtimestamp(float(real_at), timezone.utc)
        except ValueError as e:
            raise ValueError(f"{ENV_AT}={real_at!r}: {e}") from None
        return datetime.now(timezone.utc) + offset
    with _lock:
        anchor = _anchors.get(raw)
        if anchor is None:
            anchor = _anchors[raw] = (_parse_env(raw), time.monotonic())
    start, since = anchor
    return start + timedelta(seconds=time.monotonic() - since)


def now() -> datetime:
    """The current instant, aware, in UTC."""
    override = _override
    if override is not None:
        start, since = override
        return start if since is None else start + timedelta(seconds=time.monotonic() - since)
    from_env = _from_env()
    return from_env if from_env is not None else datetime.now(timezone.utc)


def today(tz: Union[tzinfo, str]) -> date:
    """The calendar day it is now in `tz` (a district's day is not the server's UTC day)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return now().astimezone(zone).date()


def is_set() -> bool:
    """Whether this process runs on a set clock (frozen() or WATERDESK_NOW), not the real one."""
    return _override is not None or bool(_env_value())


def environ() -> Dict[str, str]:
    """{WATERDESK_NOW: now} when this process's clock is set, so a child process starts its clock
    where this one is; {} on the real clock, so children keep the real clock too."""
    if not is_set():
        return {}
    return {ENV: now().isoformat().replace("+00:00", "Z"), ENV_AT: repr(time.time())}


@contextmanager
def frozen(at: Instant, *, tick: bool = False) -> Iterator[datetime]:
    """Set this process's clock to `at` for the block: stopped, or running from there (tick=True).

    Every thread sees it (a test client runs the app in another thread). Blocks nest; the
    clock the block found is restored on leaving it.
    """
    global _override
    instant = parse_instant(at)
    previous = _override
    _override = (instant, time.monotonic() if tick else None)
    try:
        yield instant
    finally:
        _override = previous
