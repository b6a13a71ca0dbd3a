"""The supervisor's Analytics screen in the browser: KPI tiles with the numbers for rows the test
stored in the shared stack's database, the Spanish labels, and the CSV download."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session

from tests.backend.crud.test_analytics import seed
from tests.e2e.browser.conftest import SUPERVISOR

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(600)]
# The days seed() fills (January 2026: before the demo's six weeks of conversation history).
START, END = "2026-01-10", "2026-01-11"


@pytest.fixture(scope="module")
def site(stack, web) -> str:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{stack.logs / 'waterdesk.sqlite3'}")
    with Session(engine) as session:
        seed(session)
    engine.dispose()
    return web


def sign_in(page: Page, web: str) -> None:
    page.goto(f"{web}/console/")
    page.fill("#username", SUPERVISOR[0])
    page.fill("#password", SUPERVISOR[1])
    page.keyboard.press("Enter")
    expect(page.locator(".topbar")).to_be_visible()


def tile(page: Page, kpi: str):  # type: ignore[no-untyped-def]
    return page.locator(f'.tile[data-kpi="{kpi}"]')


def test_a_supervisor_reads_the_period_in_both_languages_and_downloads_it(site, new_page):
    page = new_page()
    sign_in(page, site)
    page.locator('[data-tab="analytics"]').click()
    # The default period (30 days to the district's today) loads first.
    expect(page.locator("[data-period]")).to_have_attribute("data-period", "2026-11-03/2026-12-02")
    page.locator('.an-period [data-days="7"]').click()
    expect(page.locator("[data-period]")).to_have_attribute("data-period", "2026-11-26/2026-12-02")
    expect(page.locator('.an-period [data-days="7"]')).to_have_attribute("aria-pressed", "true")

    page.fill('.an-period input[name="start"]', START)
    page.fill('.an-period input[name="end"]', END)
    page.locator('.an-period button[type="submit"]').click()
    expect(page.locator("[data-period]")).to_have_attribute("data-period", f"{START}/{END}")

    # Hand-computed from seed(): 3 conversations the customer spoke in, one the bot kept alone;
    # 1 of 4 read messages a fallback; waits of 60 s and 120 s; ratings 5 and 2.
    expect(tile(page, "containment").locator("strong")).to_have_text("33.3%")
    expect(tile(page, "containment")).to_contain_text("1 of 3")
    expect(tile(page, "fallback").locator("strong")).to_have_text("25%")
    expect(tile(page, "wait-p50").locator("strong")).to_have_text("1m")
    expect(tile(page, "wait-p90").locator("strong")).to_have_text("2m")
    expect(tile(page, "csat").locator("strong")).to_have_text("50%")
    expect(tile(page, "csat")).to_contain_text("average 3.5 of 5")
    expect(tile(page, "split").locator("strong")).to_have_text("2 / 1")
    expect(page.locator('[data-table="reasons"] tr[data-key="strong_emotion"]')).to_contain_text(
        "strong_emotion (en)")
    expect(page.locator('[data-chart="conversations"] svg rect.chart-bar')).to_have_count(2)

    page.get_by_role("button", name="Cambiar a español").click()
    expect(tile(page, "containment").locator("span")).to_have_text("Contención")
    expect(tile(page, "containment")).to_contain_text("1 de 3 resueltas solo por el bot")
    expect(tile(page, "csat")).to_contain_text("promedio 3.5 de 5")  # es-US writes a decimal point
    expect(page.locator('[data-table="reasons"] tr[data-key="strong_emotion"]')).to_contain_text(
        "strong_emotion (es)")
    expect(page.locator('[data-table="priorities"] tr[data-key="distressed"]')).to_contain_text(
        "Angustiado")
    download_button = page.locator('[data-action="csv"]')
    expect(download_button).to_have_text("Descargar CSV")

    with page.expect_download() as caught:
        download_button.click()
    download = caught.value
    assert download.suggested_filename == f"waterdesk-analytics-{START}-{END}.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert [r["day"] for r in rows] == [START, END, "total"]
    first = rows[0]
    assert (first["conversations"], first["contained"], first["wait_p90_s"]) == ("3", "1", "120.0")
    assert rows[-1]["ratings"] == "2" and rows[-1]["es_ratings"] == "1"
