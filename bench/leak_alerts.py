"""The leak scan over the demo district: how many seeded accounts it alerts, and how long a run
over the 503 accounts takes on SQLite.

    .venvs/app/bin/python bench/leak_alerts.py [--runs 5] [--accounts 500]

Seeds one SQLite database as the run command does (migrations, then the demo seed for the
suite's day, 2026-12-02), then for each of --runs copies of it, fresh: the first run, which
finds the ongoing leaks, records their alerts and queues their emails in the outbox (the
backend's outbox sender delivers them; not timed here), and a second run that day, which finds
the same leaks already alerted and sends nothing (the steady state of a daily job). Each run is
the whole job as the scheduler runs it (python -m backend.jobs), JobRun bookkeeping included,
timed in-process. Prints the alerts by status and the median, min and max of each.
"""

import argparse
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = "2026-12-02T17:00:00Z"  # 9 AM in the district: the job's hour has passed
TODAY = date(2026, 12, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=500)
    args = parser.parse_args()

    from sqlmodel import Session, select

    from backend.core.config import Settings
    from backend.core.db import make_engine
    from backend.domain.district import load_district
    from backend.jobs import leak_alerts
    from backend.models import Account, LeakAlert
    from backend.prestart import upgrade_database
    from backend.seed.generator import seed_demo
    from common import clock

    district = load_district()
    with tempfile.TemporaryDirectory() as tmp, clock.frozen(NOW):
        template = Path(tmp) / "template.sqlite3"
        engine = make_engine(_settings(Settings, template))
        upgrade_database(engine)
        with Session(engine) as session:
            report = seed_demo(session=session, today=TODAY, district=district,
                               n_accounts=args.accounts)
            accounts = len(session.exec(select(Account.id)).all())
        engine.dispose()
        print(f"seeded {accounts} accounts ({report.rows.get('nightflow', 0)} nights of flow) "
              f"in {report.seconds:.1f}s; Python {platform.python_version()}, "
              f"{platform.machine()}")
        first, again, statuses = [], [], Counter()
        for i in range(args.runs):
            path = Path(tmp) / f"run{i}.sqlite3"
            shutil.copy(template, path)
            settings = _settings(Settings, path)
            engine = make_engine(settings)
            for times in (first, again):
                started = time.perf_counter()
                run = leak_alerts.run_now(engine=engine, settings=settings, district=district,
                                          today=TODAY)
                times.append((time.perf_counter() - started, run))
                assert run.status == "ok", run.error
            if i == 0:
                with Session(engine) as session:
                    statuses.update(session.exec(select(LeakAlert.status)).all())
            engine.dispose()
    alerted = sum(statuses.values())
    print(f"alerted {alerted} of {accounts} accounts ({alerted / accounts:.1%}): "
          + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    for label, times in (("first run (records and queues the alerts)", first),
                         ("second run that day (nothing new)", again)):
        secs = [t for t, _ in times]
        scanned = times[0][1].scanned
        print(f"{label}: median {statistics.median(secs) * 1000:.0f} ms, min "
              f"{min(secs) * 1000:.0f}, max {max(secs) * 1000:.0f} over {len(secs)} runs; "
              f"{scanned} meters scanned, {times[0][1].acted} alerts")
    return 0


def _settings(cls, path: Path):  # type: ignore[no-untyped-def]
    return cls(_env_file=None, ENVIRONMENT="development", DATABASE_URL=f"sqlite:///{path}",
               DATA_DIR=path.parent, PUBLIC_URL="http://127.0.0.1:8000")


if __name__ == "__main__":
    sys.exit(main())
