"""A customer on the demo site chats through the widget and is handed to a rep in the console.

Real backend, action server and Rasa; Debian's Chromium driven by Playwright.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import REP

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(1200)]
BOT_WAIT = 60_000  # ms: the first replies wait for Rasa and the action server
XSS = "<img src=x onerror=alert(1)>"


def focused(page: Page) -> str:
    """"class|text" of the focused element, looking inside the widget's shadow root."""
    return page.evaluate("""() => {
      let el = document.activeElement;
      while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
      return el ? `${el.className || el.tagName}|${(el.textContent || '').trim()}` : '';
    }""")


def bot_count(page: Page) -> int:
    return page.evaluate("""() => document.querySelector('waterdesk-chat').shadowRoot
                                    .querySelectorAll('li.msg.bot:not([data-local])').length""")


def wait_for_bot(page: Page, before: int) -> None:
    page.wait_for_function("""n => document.querySelector('waterdesk-chat').shadowRoot
                                    .querySelectorAll('li.msg.bot:not([data-local])').length > n""",
                           arg=before, timeout=BOT_WAIT)


def say(page: Page, text: str) -> None:
    """Type into the widget's composer and press Enter, then wait for the bot's answer."""
    before = bot_count(page)
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    wait_for_bot(page, before)


def press_until(page: Page, key: str, wanted: str, tries: int = 60) -> None:
    for _ in range(tries):
        page.keyboard.press(key)
        if re.search(wanted, focused(page)):
            return
    pytest.fail(f"{key} never reached {wanted!r}; focus is on {focused(page)!r}")


def test_customer_is_verified_queued_and_answered_live_by_a_rep(web, new_page):
    dialogs: list[str] = []
    customer = new_page()
    customer.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    customer.goto(f"{web}/")
    expect(customer.locator("h1")).to_contain_text("water")

    # Keyboard only: Tab to the launcher, Enter opens it and focus lands in the composer.
    press_until(customer, "Tab", r"launcher")
    customer.keyboard.press("Enter")
    composer = customer.locator("waterdesk-chat textarea#wd-input")
    expect(composer).to_be_focused()
    say(customer, "hi")
    expect(customer.locator(".quick button", has_text="My balance")).to_be_visible()
    # The quick replies sit just above the composer in the tab order.
    press_until(customer, "Shift+Tab", r"\|My balance$", tries=8)
    before = bot_count(customer)
    customer.keyboard.press("Enter")
    wait_for_bot(customer, before)
    expect(customer.locator(".msg.customer .bubble").last).to_have_text("My balance")
    expect(customer.locator(".msg.bot .bubble").last).to_contain_text("account number")

    composer.focus()
    say(customer, "1000002")
    say(customer, "92694")
    expect(customer.locator(".msg.bot .bubble", has_text="$312.40").first).to_be_visible(
        timeout=BOT_WAIT)

    # A reload keeps the conversation: same session, transcript shown again.
    session_id = customer.evaluate("""() => JSON.parse(localStorage.getItem(
        Object.keys(localStorage).find(k => k.startsWith('waterdesk:')))).session_id""")
    customer.reload()
    expect(customer.locator(".msg.bot .bubble", has_text="$312.40").first).to_be_visible()
    expect(customer.locator(".heading .dot:not(.off)")).to_be_visible()  # reconnected
    assert customer.evaluate("""() => JSON.parse(localStorage.getItem(
        Object.keys(localStorage).find(k => k.startsWith('waterdesk:')))).session_id""") == session_id

    composer.focus()
    say(customer, "I want to talk to a real person")
    expect(customer.locator(".banner")).to_contain_text(re.compile("in line|away right now"))

    # Markup from the customer is shown as text and never runs.
    customer.keyboard.type(XSS)
    customer.keyboard.press("Enter")
    mine = customer.locator(".msg.customer .bubble", has_text=XSS)
    expect(mine).to_have_text(XSS)
    expect(customer.locator(".msg.customer.pending")).to_have_count(0)  # acknowledged

    # A rep signs in from another browser, finds the conversation in the queue and claims it.
    rep = new_page()
    rep.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    rep.goto(f"{web}/console/")
    rep.fill("#username", REP[0])
    rep.fill("#password", REP[1])
    rep.keyboard.press("Enter")
    entry = rep.locator(f'.entry[data-id="{session_id}"]')
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("EN")
    entry.click()
    expect(rep.locator(".transcript")).to_contain_text("$312.40")
    expect(rep.locator(".transcript .m.customer .m-text", has_text=XSS)).to_have_text(XSS)
    expect(rep.locator(".account")).to_contain_text("1000002")
    expect(rep.locator(".account svg.chart rect").first).to_be_attached()
    expect(rep.locator(".conv-side")).to_contain_text("1000002")  # the bot's summary
    rep.locator('[data-action="claim"]').click()
    expect(rep.locator(".conv-head")).to_contain_text("assigned")
    expect(customer.locator(".banner")).to_contain_text("joined the conversation")

    # The rep's reply reaches the customer live; so does markup, as text.
    rep.locator(".composer textarea").fill("Hi James, this is Maria. I can help with that bill.")
    rep.keyboard.press("Enter")
    expect(customer.locator(".msg.rep .bubble")).to_have_text(
        "Hi James, this is Maria. I can help with that bill.")
    expect(customer.locator(".msg.rep .who").first).to_have_text("Maria Lopez")
    rep.locator(".composer textarea").fill(f"{XSS} see https://smwd.example.com/pay")
    rep.keyboard.press("Enter")
    reply = customer.locator(".msg.rep .bubble", has_text=XSS)
    expect(reply).to_have_text(f"{XSS} see https://smwd.example.com/pay")
    link = reply.locator("a")
    expect(link).to_have_attribute("href", "https://smwd.example.com/pay")
    expect(link).to_have_attribute("rel", "noopener noreferrer")

    # An internal note stays in the console.
    rep.get_by_role("tab", name="Internal note").click()
    rep.locator(".composer textarea").fill("Customer sounds calm; waiver likely.")
    rep.keyboard.press("Enter")
    expect(rep.locator(".m.internal")).to_contain_text("waiver likely")
    customer.wait_for_timeout(1500)
    expect(customer.locator(".bubble", has_text="waiver likely")).to_have_count(0)

    # Nothing in any message became an element or ran.
    assert customer.evaluate(
        "() => document.querySelector('waterdesk-chat').shadowRoot.querySelectorAll('img').length"
    ) == 0
    assert rep.locator(".transcript img").count() == 0
    assert dialogs == []


def test_widget_fits_320px_and_ignores_the_host_pages_css(web, new_page):
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{web}/")
    # Hostile page styles: none of them may reach inside the widget. A constructed sheet,
    # since the page's CSP (style-src 'self') refuses an inline <style>.
    page.evaluate("""() => { const s = new CSSStyleSheet();
        s.replaceSync('* { font-family: serif !important; letter-spacing: 3px !important } '
                      + 'button { background: rgb(255, 0, 0) !important } '
                      + 'div, li, ol { display: none !important }');
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, s]; }""")
    launcher = page.locator("waterdesk-chat .launcher")
    expect(launcher).to_be_visible()
    assert launcher.evaluate("el => getComputedStyle(el).backgroundColor") != "rgb(255, 0, 0)"
    launcher.click()
    panel = page.locator("waterdesk-chat .panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    font = page.locator("waterdesk-chat .msg .bubble").first.evaluate(
        "el => getComputedStyle(el).fontFamily")
    assert "serif" not in font.replace("sans-serif", "")
    # The composer is reachable and the launcher steps aside (minimize lives in the header).
    expect(page.locator("waterdesk-chat textarea#wd-input")).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert "launcher" in focused(page)


def test_unsent_messages_are_resent_after_a_reload_and_stored_once(web, new_page):
    import httpx

    from tests.utils.stack import SERVICE_TOKEN

    page = new_page()
    page.goto(f"{web}/")
    page.locator("waterdesk-chat .launcher").click()
    say(page, "hi")
    key = page.evaluate("() => Object.keys(localStorage).find(k => k.startsWith('waterdesk:'))")
    data = page.evaluate("k => JSON.parse(localStorage.getItem(k))", key)
    sent = next(m for m in data["messages"] if m["sender"] == "customer")
    # As if the page had closed while offline: one message never acknowledged, plus a resend
    # of one the server already has (same client_id).
    data["outbox"] = [
        {"client_id": sent["client_id"], "text": "hi", "created_at": sent["created_at"]},
        {"client_id": "resend-test-1", "text": "what are your office hours",
         "created_at": sent["created_at"]},
    ]
    page.evaluate("([k, v]) => localStorage.setItem(k, JSON.stringify(v))", [key, data])
    page.reload()
    expect(page.locator(".msg.customer .bubble", has_text="office hours")).to_be_visible()
    page.wait_for_function("k => JSON.parse(localStorage.getItem(k)).outbox.length === 0", arg=key)
    stored = httpx.get(f"{web}/api/v1/conversations/{data['session_id']}",
                       headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}).json()
    customer_texts = [m["text"] for m in stored["messages"] if m["sender"] == "customer"]
    assert customer_texts.count("hi") == 1
    assert customer_texts.count("what are your office hours") == 1
