"""Seed the configured database with demo data: `python -m backend.seed`.

Tables must exist already (run the migrations first). WATERDESK_SEED_TODAY=YYYY-MM-DD
pins the date the data is built around; otherwise it is the district's today (common.clock).
"""

import os
import sys
from datetime import date

from sqlmodel import Session


def main() -> int:
    from backend.core.config import get_settings
    from backend.core.db import get_engine
    from backend.domain.district import load_district
    from backend.seed.generator import seed_demo
    from common import clock

    district = load_district(get_settings().DISTRICT_FILE)
    raw = os.environ.get("WATERDESK_SEED_TODAY", "").strip()
    try:
        today = date.fromisoformat(raw) if raw else clock.today(district.tz)
    except ValueError:
        print(f"WATERDESK_SEED_TODAY must be YYYY-MM-DD, got {raw!r}", file=sys.stderr)
        return 2
    with Session(get_engine()) as session:
        report = seed_demo(session=session, today=today, district=district)
    print(report.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
