"""The back office in the browser: a customer verified in the widget is handed to a rep, whose
fee-waiver request policy refers to a supervisor; the supervisor approves it in the console's
Approvals screen, the customer's widget shows the outcome, and the balance drops by the fee.

Real backend, action server and Rasa; Debian's Chromium driven by Playwright.
"""

import re
from decimal import Decimal

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import REP, SUPERVISOR
from tests.e2e.browser.test_widget_and_console import BOT_WAIT, say
from tests.utils.stack import SERVICE_TOKEN

# Adds a meter test (and its fee, waived) to a demo account: after the tests that read them.
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(1200),
              pytest.mark.changes_demo_accounts]
ACCOUNT, ZIP = "1000001", "92688"
METER_TEST_FEE = Decimal("50.00")  # backend/district.yml fees.meter_test_fee


def balance(web: str) -> Decimal:
    """The account's balance through the API, as the bot reads it."""
    service = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    with httpx.Client(base_url=web, headers=service, timeout=30) as api:
        v = api.post("/api/v1/verify", json={"account_number": ACCOUNT, "zip": ZIP})
        assert v.status_code == 200 and v.json()["verified"], v.text
        r = api.get(f"/api/v1/accounts/{ACCOUNT}",
                    headers={"X-Verification-Token": v.json()["verification_token"]})
        assert r.status_code == 200, r.text
        return Decimal(r.json()["balance"])


def sign_in(page: Page, web: str, who: tuple[str, str]) -> None:
    page.goto(f"{web}/console/")
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.keyboard.press("Enter")
    expect(page.locator(".topbar")).to_be_visible()


def test_supervisor_approves_a_referred_waiver_and_the_customer_is_told(web, new_page):
    # The customer verifies with the bot, then asks for a person.
    customer = new_page()
    customer.goto(f"{web}/")
    customer.locator("waterdesk-chat .launcher").click()
    expect(customer.locator("waterdesk-chat textarea#wd-input")).to_be_focused()
    say(customer, "What is my balance?")
    say(customer, ACCOUNT)
    say(customer, ZIP)
    expect(customer.locator(".msg.bot .bubble", has_text="$").last).to_be_visible(timeout=BOT_WAIT)
    session_id = customer.evaluate("""() => JSON.parse(localStorage.getItem(
        Object.keys(localStorage).find(k => k.startsWith('waterdesk:')))).session_id""")
    say(customer, "I want to talk to a real person")
    expect(customer.locator(".banner")).to_contain_text(re.compile("in line|away right now"))

    # A rep claims it, orders a meter test (its fee is charged) and asks to waive that fee:
    # no written rule allows it, so it goes to a supervisor.
    rep = new_page()
    sign_in(rep, web, REP)
    rep.locator(f'.entry[data-id="{session_id}"]').click()
    expect(rep.locator(".account")).to_contain_text(ACCOUNT)
    rep.locator('[data-action="claim"]').click()
    expect(rep.locator(".conv-head")).to_contain_text("assigned")
    before_test = balance(web)
    rep.locator('[data-action="work-order"]').click()
    dialog = rep.locator("dialog.dialog")
    dialog.locator('select[name="kind"]').select_option("meter_test")
    dialog.locator('textarea[name="description"]').fill("Customer doubts the meter's accuracy")
    dialog.locator('button[type="submit"]').click()
    expect(dialog).to_have_count(0)
    expect(rep.locator(".toast", has_text="Meter test")).to_be_visible()
    charged = balance(web)
    assert charged == before_test + METER_TEST_FEE
    rep.locator('[data-action="waiver"]').click()
    dialog = rep.locator("dialog.dialog")
    dialog.locator('select[name="fee_kind"]').select_option("meter_test_fee")
    dialog.locator('textarea[name="reason"]').fill("The meter tested accurate; first request")
    dialog.locator('button[type="submit"]').click()
    expect(dialog).to_have_count(0)
    toast = rep.locator(".toast", has_text="AP-")
    expect(toast).to_be_visible()
    reference = re.search(r"AP-\d+", toast.first.inner_text()).group(0)
    assert balance(web) == charged  # nothing credited until a supervisor decides

    # The supervisor opens Approvals: the request with its rule, reasons and amount.
    sup = new_page()
    sign_in(sup, web, SUPERVISOR)
    sup.locator('[data-tab="approvals"]').click()
    card = sup.locator(".approval", has_text=reference)
    expect(card).to_be_visible()
    expect(card).to_contain_text(ACCOUNT)
    expect(card).to_contain_text("$50.00")
    expect(card).to_contain_text("The meter tested accurate; first request")
    # Denying needs a note; approving with one applies the waiver at once.
    card.locator('[data-decide="deny"]').click()
    expect(card.locator(".error")).to_contain_text("note")
    card.locator('textarea[name="note"]').fill("Courtesy: first meter test on this account")
    card.locator('[data-decide="approve"]').click()
    expect(sup.locator(".approval", has_text=reference)).to_have_count(0)
    expect(sup.locator(".toast", has_text=reference)).to_be_visible()

    # The customer is told in the widget, live; the balance is back down by exactly the fee.
    outcome = customer.locator("waterdesk-chat li.msg", has_text=re.compile(r"approved|aprob", re.I))
    expect(outcome.first).to_be_visible(timeout=BOT_WAIT)
    assert balance(web) == charged - METER_TEST_FEE

    # The supervisor finds the decision in the audit log.
    sup.locator('[data-tab="audit"]').click()
    form = sup.locator("form.audit-filters")
    form.locator('input[name="account_number"]').fill(ACCOUNT)
    form.locator('input[name="action"]').fill("approval_*")
    form.locator('button[type="submit"]').click()
    expect(sup.locator("table.audit tbody tr", has_text="approval_approved").first).to_be_visible()
