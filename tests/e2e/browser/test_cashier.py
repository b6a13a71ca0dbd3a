"""The cashier's day in the browser: a supervisor opens it in the console for the seeded day
before the suite's today (2026-12-02), sees the totals by channel and method agree with the API,
the day balanced and its exceptions, steps a day back and forth, switches to Spanish and
downloads the CSV.

Real backend (seeded as of the suite clock); Debian's Chromium driven by Playwright.
"""

import csv
import io
from decimal import Decimal

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.browser.conftest import SUPERVISOR
from tests.e2e.browser.test_back_office import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(600)]
DAY = "2026-12-01"  # the seed's last office day before today: it has the seeded exceptions


def _money(amount: str) -> str:
    return f"${Decimal(amount):,.2f}"


def _report(web: str) -> dict:
    with httpx.Client(base_url=web, timeout=30) as api:
        token = api.post("/api/v1/login/access-token", data={
            "username": SUPERVISOR[0], "password": SUPERVISOR[1]}).json()["access_token"]
        r = api.get("/api/v1/cashier/day", params={"date": DAY},
                    headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        return r.json()


def test_supervisor_reviews_the_cashiers_day(web, new_page):
    report = _report(web)
    exceptions = [p for p in report["payments"] if p["status"] != "applied"]
    assert report["balanced"] and len(exceptions) == 3

    sup = new_page(accept_downloads=True)
    sign_in(sup, web, SUPERVISOR)
    sup.locator('[data-tab="cashier"]').click()
    view = sup.locator(".cashier")
    expect(view.locator("[data-balanced]")).to_be_visible()
    picker = view.locator('input[name="day"]')
    picker.fill(DAY)
    picker.dispatch_event("change")
    expect(sup.locator(".cashier")).to_have_attribute("data-day", DAY)

    # Totals by channel and by method, each footed to the day's total, and the day balanced.
    total = _money(report["total"]["amount"])
    for kind in ("channel", "method"):
        table = view.locator(f'table[data-totals="{kind}"]')
        expect(table.locator("tfoot")).to_contain_text(total)
        expect(table.locator("tfoot")).to_contain_text(str(report["total"]["count"]))
    web_line = next(x for x in report["by_channel"] if x["key"] == "web")
    expect(view.locator('table[data-totals="channel"] tr[data-key="web"]')).to_contain_text(
        _money(web_line["amount"]))
    expect(view.locator('[data-balanced="true"]')).to_contain_text("Balanced")
    expect(view.locator(".cashier-balance")).to_contain_text(total)

    # The exceptions, with their account numbers, amounts and reasons.
    rows = view.locator("table.cashier-exceptions tbody tr")
    expect(rows).to_have_count(3)
    unapplied = next(p for p in exceptions if p["status"] == "unapplied")
    row = view.locator(f'table.cashier-exceptions tr[data-id="{unapplied["id"]}"]')
    expect(row).to_contain_text(f'#{unapplied["account_number"]}')
    expect(row).to_contain_text(_money(unapplied["amount"]))
    expect(row).to_contain_text("Not applied to any bill")
    expect(view.locator('tr[data-status="mismatched"]').first).to_contain_text(
        "Applied to another account's bill")

    # A day back and forth.
    view.locator('[data-nav="prev"]').click()
    expect(sup.locator(".cashier")).to_have_attribute("data-day", "2026-11-30")
    sup.locator('.cashier [data-nav="next"]').click()
    expect(sup.locator(".cashier")).to_have_attribute("data-day", DAY)

    # In Spanish.
    sup.locator('button[aria-label="Cambiar a español"]').click()
    view = sup.locator(".cashier")
    expect(view.locator("h2")).to_have_text("Caja del día")
    expect(view.locator('[data-balanced="true"]')).to_contain_text("Cuadrado")
    expect(view.locator('table[data-totals="method"]')).to_contain_text("Efectivo")
    expect(view.locator(f'tr[data-id="{unapplied["id"]}"]')).to_contain_text(
        "No aplicado a ninguna factura")

    # The CSV, fetched with the supervisor's token.
    with sup.expect_download() as download:
        view.locator('[data-action="csv"]').click()
    assert download.value.suggested_filename == f"cashier-{DAY}.csv"
    with open(download.value.path(), encoding="utf-8") as f:
        lines = list(csv.reader(io.StringIO(f.read())))
    assert lines[0][:3] == ["payment_id", "paid_on", "account_number"]
    listed = lines[1:lines.index([])]
    assert len(listed) == len(report["payments"])
    (found,) = [r for r in listed if r[0] == str(unapplied["id"])]
    assert found[2] == unapplied["account_number"] and found[10] == "unapplied"
    assert ["balanced", "yes", "", ""] in lines
