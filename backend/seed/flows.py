"""Overnight flow for the demo district: every meter's last 14 nights before `today`.

Most meters are dry every night. About 2.5% of accounts have a leak still running (three nights
or more up to yesterday): the population's accounts whose latest bill caught a leak, the fixed
demo account 1000002 (James Carter, whose latest bill is the 51 HCF leak and who has not fixed
it yet), and a few more. Some leaks stopped after a few nights, a few have just started (one
or two nights, no alert yet), and a toilet runs for a single night here and there.

Its own random.Random, derived from the seed: drawing from ctx.rng would change every row the
generator makes after this, and other tests pin those.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from backend.models import Account, Bill, Meter, NightFlow
from backend.seed.generator import Ctx

DAYS = 14
ONGOING_SHARE = 0.025
STOPPED_SHARE = 0.03
STARTING_SHARE = 0.01
SINGLE_NIGHT_SHARE = 0.08
# A leak the latest bill caught: the population's leak periods run at 3-10 gph.
BILLED_LEAK_GPH = 3.0
LEAKING_FIXED = "1000002"
# Maria and Shah stay dry: tests read them as accounts with nothing going on.
DRY_FIXED = ("1000001", "2000001")


@dataclass(frozen=True)
class _Meter:
    meter_id: int
    account_number: str
    daily_gallons: float
    billed_gph: float  # the latest bill's night flow


def _meters(ctx: Ctx) -> list[_Meter]:
    rows = ctx.rows.data
    account_by_premise = {a["premise_id"]: a for a in rows[Account]}
    latest: dict[int, dict] = {}
    for bill in rows[Bill]:  # each account's bills are added oldest first
        latest[bill["account_id"]] = bill
    out = []
    for meter in rows[Meter]:
        account = account_by_premise.get(meter["premise_id"])
        if account is None:
            continue
        bill = latest.get(account["id"])
        if bill is None:
            daily, gph = 150.0, 0.0
        else:
            days = max(1, (bill["period_end"] - bill["period_start"]).days)
            daily = bill["consumption_hcf"] * ctx.district.gallons_per_unit / days
            gph = bill["night_flow_gph"]
        out.append(_Meter(meter_id=meter["id"], account_number=account["account_number"],
                          daily_gallons=daily, billed_gph=gph))
    return out


def _plan(meters: list[_Meter], rng: random.Random) -> dict[int, list[float]]:
    """Each meter's overnight minimum for the 14 nights, oldest first (0.0: dry)."""
    n = len(meters)
    flows = {m.meter_id: [0.0] * DAYS for m in meters}
    ongoing = [m for m in meters if m.account_number == LEAKING_FIXED
               or (m.billed_gph >= BILLED_LEAK_GPH and m.account_number not in DRY_FIXED)]
    free = [m for m in meters if m not in ongoing and m.account_number not in DRY_FIXED]
    rng.shuffle(free)
    extra = max(0, round(ONGOING_SHARE * n) - len(ongoing))
    ongoing += free[:extra]
    cut = extra
    stopped = free[cut:cut + round(STOPPED_SHARE * n)]
    cut += len(stopped)
    starting = free[cut:cut + max(1, round(STARTING_SHARE * n))]
    cut += len(starting)
    single = free[cut:cut + round(SINGLE_NIGHT_SHARE * n)]

    for m in ongoing:
        if m.account_number == LEAKING_FIXED:
            nights, gph = DAYS, 6.5  # the leak on his latest bill, still running
        else:
            nights = rng.randint(3, DAYS)
            gph = m.billed_gph if m.billed_gph >= BILLED_LEAK_GPH else rng.uniform(1.0, 8.0)
        for i in range(DAYS - nights, DAYS):
            flows[m.meter_id][i] = round(gph * rng.uniform(0.85, 1.15), 1)
    for m in stopped:
        # Fixed within days: over by two nights ago at the latest, so never still running.
        nights, last = rng.randint(1, 5), rng.randint(6, DAYS - 2)
        gph = rng.uniform(0.5, 6.0)
        for i in range(max(0, last - nights + 1), last + 1):
            flows[m.meter_id][i] = round(gph * rng.uniform(0.85, 1.15), 1)
    for m in starting:
        # One or two nights up to yesterday: not yet an alert.
        for i in range(DAYS - rng.randint(1, 2), DAYS):
            flows[m.meter_id][i] = round(rng.uniform(0.5, 4.0), 1)
    for m in single:
        flows[m.meter_id][rng.randint(0, DAYS - 3)] = round(rng.uniform(0.2, 1.2), 1)
    return flows


def add_night_flows(ctx: Ctx, *, seed: int, today: date) -> None:
    rng = random.Random(seed ^ 0x5EED)
    meters = _meters(ctx)
    flows = _plan(meters, rng)
    first = today - timedelta(days=DAYS)
    for m in meters:
        for i, gph in enumerate(flows[m.meter_id]):
            use = m.daily_gallons * rng.uniform(0.6, 1.4) + gph * 24
            ctx.rows.add(NightFlow, meter_id=m.meter_id, day=first + timedelta(days=i),
                         min_gph=gph, gallons=max(0, round(use)))
