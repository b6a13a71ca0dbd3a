"""`python -m backend.jobs`: the scheduler loop, as the run command's supervisor starts it.
`python -m backend.jobs leak-alerts --once [--today YYYY-MM-DD]`: one leak scan now, for the
district's today or the day given (nights before that day count), recorded like any run.

Mail goes to the outbox; the backend's outbox sender delivers it."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend.core.config import Settings
    from backend.domain.district import District
    from backend.jobs.scheduler import Job


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m backend.jobs", description=__doc__)
    sub = parser.add_subparsers(dest="job")
    leak = sub.add_parser("leak-alerts", help="the leak scan")
    leak.add_argument("--once", action="store_true", required=True,
                      help="run it once now (the scheduler runs it daily without this)")
    leak.add_argument("--today", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="the district day to run for (default: the district's today)")
    return parser.parse_args(argv)


def scheduled(*, settings: Settings, district: District) -> list[Job]:
    """The jobs the scheduler runs: those the settings turn on."""
    from backend.jobs import leak_alerts

    return [leak_alerts.job(settings=settings, district=district)] if settings.LEAK_ALERTS else []


def main(argv: list[str] | None = None) -> int:
    from backend.core.config import get_settings
    from backend.core.db import make_engine
    from backend.domain.district import load_district
    from backend.jobs import leak_alerts
    from backend.jobs.scheduler import Scheduler
    from common import clock

    args = _parse(argv)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    if not 0 <= settings.LEAK_ALERT_HOUR <= 23:
        print(f"LEAK_ALERT_HOUR must be 0-23, got {settings.LEAK_ALERT_HOUR}", file=sys.stderr)
        return 2
    district = load_district(settings.DISTRICT_FILE)
    engine = make_engine(settings)
    try:
        if args.job == "leak-alerts":
            today = args.today or clock.today(district.tz)
            run = leak_alerts.run_now(engine=engine, settings=settings, district=district,
                                      today=today)
            print(f"leak-alerts for {today}: {run.status}, scanned {run.scanned} meters, "
                  f"{run.acted} new alerts, {run.seconds:.2f}s"
                  + (f"; {run.error}" if run.error else ""))
            return 0 if run.status == "ok" else 1
        scheduler = Scheduler(engine=engine, district=district,
                              jobs=scheduled(settings=settings, district=district),
                              interval=settings.JOBS_TICK_SECONDS)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda *_: scheduler.stop())
        scheduler.run_forever()
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
