"""A customer follows the leak alert's signed link: the chat opens by itself, verified for the
account, and the token is gone from the address bar before anything else happens.

Real backend, action server and Rasa; Debian's Chromium driven by Playwright.
"""

import pytest
from playwright.sync_api import expect

from backend.core.links import chat_link
from tests.utils.db import make_test_settings
from tests.utils.stack import SECRET_KEY

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(900)]
BOT_WAIT = 60_000  # ms: the first replies wait for Rasa and the action server


def test_the_link_opens_the_chat_verified_and_leaves_no_token_in_the_address_bar(
        web, new_page, tmp_path):
    # The stack's signing key and address, as its alert job would use them.
    settings = make_test_settings(database_url="sqlite://", data_dir=tmp_path).model_copy(
        update={"SECRET_KEY": SECRET_KEY, "PUBLIC_URL": web})
    page = new_page()
    # A conversation this browser already had: the link must not reopen or show it.
    page.goto(f"{web}/")
    page.locator("waterdesk-chat .launcher").click()
    page.locator("waterdesk-chat textarea#wd-input").fill("an earlier question")
    page.keyboard.press("Enter")
    expect(page.locator("waterdesk-chat .msg.customer:not(.pending)")).to_have_count(1)
    page.locator("waterdesk-chat .launcher").click()  # closed again

    url = chat_link(settings=settings, account_number="1000002", ref="browser-alert")
    token = url.split("?chat=", 1)[1]
    page.goto(url.replace("/?chat=", "/?utm_source=leak-alert&chat=") + "#help")

    panel = page.locator("waterdesk-chat .panel")
    expect(panel).to_be_visible()
    expect(page.locator("waterdesk-chat .msg.bot .bubble").first).to_contain_text(
        "ending in 0002", timeout=BOT_WAIT)
    # Gone from the address bar (and so from bookmarks and shared links); the rest stays.
    assert token not in page.url and "chat=" not in page.url
    assert page.url.endswith("/?utm_source=leak-alert#help")
    assert page.evaluate("() => location.search") == "?utm_source=leak-alert"
    # A new conversation: nothing of the earlier one, and the token kept nowhere in storage.
    expect(page.locator("waterdesk-chat .bubble", has_text="an earlier question")).to_have_count(0)
    assert token not in page.evaluate("() => JSON.stringify(localStorage)")

    page.locator("waterdesk-chat textarea#wd-input").fill("what's my balance?")
    page.keyboard.press("Enter")
    expect(page.locator("waterdesk-chat .msg.bot .bubble", has_text="$312.40").first).to_be_visible(
        timeout=BOT_WAIT)
    bot = page.locator("waterdesk-chat .msg.bot .bubble")
    expect(bot.filter(has_text="account number")).to_have_count(0)

    # A reload resumes the verified conversation, not a new link session.
    page.reload()
    expect(page.locator("waterdesk-chat .msg.bot .bubble", has_text="$312.40").first).to_be_visible(
        timeout=BOT_WAIT)
    expect(bot.filter(has_text="ending in 0002")).to_have_count(1)
