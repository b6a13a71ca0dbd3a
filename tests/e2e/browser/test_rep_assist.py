"""Rep assist in the browser: a verified customer asks the bot for a late-fee waiver the policy
refers to a supervisor; the rep who claims the conversation drafts a reply naming the rule and
the fee, edits it and sends it, and the customer's widget shows the edited text. A Spanish
customer gets a Spanish draft. Nothing is sent until the rep sends it.

Real backend, action server and Rasa; Debian's Chromium driven by Playwright.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import REP
from tests.e2e.browser.test_widget_and_console import BOT_WAIT, say

# The waiver request leaves a supervisor review on a demo account: after the tests that read it.
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(1200),
              pytest.mark.changes_demo_accounts]


def handed_off_customer(page: Page, web: str, lines: list[str]) -> str:
    """The customer says `lines` in the widget until the bot hands off; the session id."""
    page.goto(f"{web}/")
    page.locator("waterdesk-chat .launcher").click()
    expect(page.locator("waterdesk-chat textarea#wd-input")).to_be_focused()
    for line in lines:
        say(page, line)
    expect(page.locator(".banner")).to_contain_text(
        re.compile("in line|away right now|en la fila|no está disponible"), timeout=BOT_WAIT)
    return str(page.evaluate("""() => JSON.parse(localStorage.getItem(
        Object.keys(localStorage).find(k => k.startsWith('waterdesk:')))).session_id"""))


def claim_and_draft(rep: Page, web: str, session_id: str) -> None:
    rep.goto(f"{web}/console/")
    rep.fill("#username", REP[0])
    rep.fill("#password", REP[1])
    rep.keyboard.press("Enter")
    rep.locator(f'.entry[data-id="{session_id}"]').click()
    rep.locator('[data-action="claim"]').click()
    expect(rep.locator(".conv-head")).to_contain_text("assigned")
    box = rep.locator(".composer textarea")
    expect(box).to_have_value("")
    rep.locator('[data-action="draft"]').click()
    expect(box).not_to_have_value("", timeout=20_000)


def test_a_rep_drafts_edits_and_sends_a_waiver_reply(web, new_page):
    dialogs: list[str] = []
    customer = new_page()
    customer.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # Shah Dental Group had a late fee waived 3 months ago: the bot refers the new one.
    session_id = handed_off_customer(customer, web,
                                     ["can you waive my late fee?", "2000001", "92691"])
    bot_replies = customer.locator(".msg.bot .bubble").count()

    rep = new_page()
    rep.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    claim_and_draft(rep, web, session_id)
    box = rep.locator(".composer textarea")
    draft = box.input_value()
    assert draft.startswith("Hi Priya"), draft
    assert "We can waive one late fee every 12 months" in draft  # the rule, in the customer's words
    assert "$15.00 late fee" in draft  # the amount
    assert re.search(r"reference AP-\d+", draft), draft  # the review the bot's request opened
    basis = rep.locator(".assist-basis")
    expect(basis).to_contain_text("Based on:")
    expect(basis).to_contain_text("Late fee waiver · needs a supervisor")
    basis.locator("summary").click()
    expect(basis.locator("li").first).to_contain_text("Topic: fee waiver")

    # Drafting sent nothing: the customer sees no rep message yet.
    customer.wait_for_timeout(1000)
    expect(customer.locator(".msg.rep")).to_have_count(0)
    assert customer.locator(".msg.bot .bubble").count() == bot_replies

    # The rep edits the draft and sends it; the customer gets the edited text.
    edited = draft.replace("Is there anything else I can help you with?",
                           "I'll email you as soon as the supervisor decides.")
    assert edited != draft
    box.fill(edited)
    rep.keyboard.press("Enter")
    expect(customer.locator(".msg.rep .bubble")).to_have_text(edited, timeout=20_000)
    expect(rep.locator(".assist-basis")).to_have_count(0)  # the basis went with the sent draft
    assert dialogs == []


def test_a_spanish_customer_gets_a_spanish_draft(web, new_page):
    customer = new_page()
    # Maria Lopez prefers Spanish and has no late fee: the bot says so, then she asks for a person.
    session_id = handed_off_customer(customer, web, [
        "hola, ¿me pueden quitar el recargo por pago atrasado?", "1000001", "92688",
        "quiero hablar con una persona"])
    rep = new_page()
    claim_and_draft(rep, web, session_id)
    draft = rep.locator(".composer textarea").input_value()
    assert draft.startswith("Hola, Maria."), draft
    assert "recargo por pago atrasado" in draft and "Is there" not in draft
    expect(rep.locator(".assist-basis")).to_contain_text("ES")
