"""The customer's rating in the widget: after a rep resolves the conversation the widget shows
the 1-to-5 row under the request; the customer rates it with the keyboard, adds a comment and
sends; the thanks replaces the form and the rating is stored. Real stack, Debian's Chromium."""

import re

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.e2e.browser.conftest import REP

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(900)]
BOT_WAIT = 60_000


def test_the_widget_asks_after_a_rep_resolves_and_stores_the_rating(web, new_page, stack):
    page = new_page()
    page.goto(f"{web}/")
    page.locator("waterdesk-chat .launcher").click()
    composer = page.locator("waterdesk-chat textarea#wd-input")
    expect(composer).to_be_focused()
    composer.type("I want to talk to a real person")
    page.keyboard.press("Enter")
    expect(page.locator("waterdesk-chat .banner")).to_contain_text(
        re.compile("in line|away right now"), timeout=BOT_WAIT)
    expect(page.locator("waterdesk-chat .rating")).to_have_count(0)  # nothing to rate yet
    session_id = page.evaluate("""() => JSON.parse(localStorage.getItem(
        Object.keys(localStorage).find(k => k.startsWith('waterdesk:')))).session_id""")

    # A rep claims the conversation and resolves it (the console's buttons call these).
    token = httpx.post(f"{web}/api/v1/login/access-token",
                       data={"username": REP[0], "password": REP[1]}).json()["access_token"]
    rep = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{web}/api/v1/queue/{session_id}/claim", headers=rep).status_code == 200
    assert httpx.post(f"{web}/api/v1/queue/{session_id}/resolve", headers=rep).status_code == 200

    form = page.locator("waterdesk-chat form.rating")
    expect(form).to_be_visible()
    expect(page.locator("waterdesk-chat .msg.system .bubble").last).to_contain_text("How did we do")
    expect(form.get_by_role("group", name="Your rating")).to_be_visible()
    # Keyboard only: the first star, arrows to 4, Tab to the comment, Tab to Send.
    form.locator('input[value="1"]').focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(form.get_by_role("radio", name="4 of 5, Very good")).to_be_checked()
    page.keyboard.press("Tab")
    expect(form.locator("textarea")).to_be_focused()
    page.keyboard.type("Maria sorted it out quickly.")
    page.keyboard.press("Tab")
    expect(form.get_by_role("button", name="Send rating")).to_be_focused()
    page.keyboard.press("Enter")
    thanks = page.locator("waterdesk-chat .rating.done")
    expect(thanks).to_have_text("Thank you for your feedback!")
    expect(form).to_have_count(0)

    engine = create_engine(stack.database_url)
    try:
        with engine.connect() as db:
            row = db.execute(text("SELECT score, comment, trigger, person_involved, channel "
                                  "FROM rating WHERE conversation_id = :c"),
                             {"c": session_id}).one()
    finally:
        engine.dispose()
    assert (row.score, row.comment, row.trigger, bool(row.person_involved), row.channel) == (
        4, "Maria sorted it out quickly.", "resolved", True, "web")

    # A reload shows the thanks, not the form again.
    page.reload()
    expect(page.locator("waterdesk-chat .launcher")).to_be_visible()
    if not page.locator("waterdesk-chat .panel").is_visible():  # the open state is kept
        page.locator("waterdesk-chat .launcher").click()
    expect(page.locator("waterdesk-chat .rating.done")).to_be_visible()
    expect(page.locator("waterdesk-chat form.rating")).to_have_count(0)
