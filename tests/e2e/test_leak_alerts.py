"""Leak alerts end to end: the leak scan (`python -m backend.jobs leak-alerts --once`) against the
running stack's seeded district queues its emails, the backend's outbox delivers them to the
relay in each customer's language with the gallons, the cost, how to check and the signed links;
a second run sends nothing; and the opt-out page (GET asks, POST does) stops the alert of the
customer's next leak while still recording it.

Helpers for other tests of the alert (the chat link's own test opens it in the chat):
`run_leak_scan`, `alert_emails`, `chat_link_from` and `opt_out_link_from`."""

from __future__ import annotations

import re
import subprocess
import time
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage

import httpx
import pytest
from sqlmodel import Session, create_engine, select

from backend.models import Account, AuditLog, Customer, LeakAlert, Meter, NightFlow
from tests.utils.mail import JAMES, Relay
from tests.utils.stack import APP_PY, ROOT, Stack, backend_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600), pytest.mark.changes_demo_accounts]

TODAY = date(2026, 12, 2)  # the suite's day in the district: the seed's nights end the day before
SUBJECT = {"en": "Possible leak", "es": "Posible fuga"}


def run_leak_scan(stack: Stack, *, today: date = TODAY) -> str:
    """One run of the scheduled job against the stack's database, as the supervisor's service
    would run it; links point at the stack's backend. Its one-line summary."""
    env = {**backend_env(stack.logs, stack.database_url), "PUBLIC_URL": stack.backend}
    done = subprocess.run([str(APP_PY), "-m", "backend.jobs", "leak-alerts", "--once",
                           "--today", today.isoformat()], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip().splitlines()[-1]


def alert_emails(relay: Relay, address: str, *, count: int = 1,
                 wait: float = 30) -> list[EmailMessage]:
    """The leak alerts the relay got for `address` (waiting for `count` of them)."""
    def alerts() -> list[EmailMessage]:
        return [m for m in relay.messages() if address in str(m["To"])
                and str(m["Subject"]).startswith(tuple(SUBJECT.values()))]
    deadline = time.monotonic() + wait
    while len(alerts()) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return alerts()


def body(msg: EmailMessage) -> str:
    """The plain text, with plain line ends (SMTP's CRLF survives decoding)."""
    plain = msg.get_body(("plain",))
    assert plain is not None
    return "\n".join(plain.get_content().splitlines())


def chat_link_from(msg: EmailMessage) -> str:
    """The signed link that opens the chat verified for the account, from an alert email."""
    found = re.search(r"^(https?://\S+/\?chat=\S+)$", body(msg), re.M)
    assert found, body(msg)
    return found.group(1)


def opt_out_link_from(msg: EmailMessage) -> str:
    found = re.search(r"^(https?://\S+/leak-alerts/opt-out\?token=\S+)$", body(msg), re.M)
    assert found, body(msg)
    return found.group(1)


def _money(cents: int) -> str:
    return f"${Decimal(cents) / 100:,.2f}"


def _alert(session: Session, address: str) -> LeakAlert:
    return session.exec(select(LeakAlert).where(LeakAlert.email == address)).one()


def test_the_alert_reaches_each_customer_in_their_language_once_per_episode(
        stack: Stack, relay: Relay) -> None:
    summary = run_leak_scan(stack)
    assert re.search(r": ok, scanned \d+ meters, \d+ new alerts", summary), summary
    engine = create_engine(stack.database_url)
    with Session(engine) as session:
        alerts = session.exec(select(LeakAlert)).all()
        # About 2-3% of the district's 503 accounts, each episode recorded once, told or not.
        assert 8 <= len(alerts) <= 20
        assert {a.status for a in alerts} <= {"sent", "no_email", "opted_out"}
        james = _alert(session, JAMES)
        spanish = session.exec(select(LeakAlert).where(
            LeakAlert.language == "es", LeakAlert.status == "sent")).first()
        assert spanish is not None
    engine.dispose()

    [mail] = alert_emails(relay, JAMES)
    text = body(mail)
    assert mail["Subject"] == \
        f"Possible leak: water has run at your property for {james.days} nights"
    assert text.startswith("Hello James,")
    assert f"every night since November 18, 2026: {james.days} nights in a row" in text
    assert f"about {james.gallons:,} gallons, roughly {_money(james.cost_cents)}" in text
    assert "This is an estimate" in text
    for step in ("food coloring", "leak indicator", "Irrigation", "relief valve"):
        assert step in text, step
    assert chat_link_from(mail).startswith(f"{stack.backend}/?chat=")
    assert "the link works for 7 days" in text
    assert mail["List-Unsubscribe"].strip() == f"<{opt_out_link_from(mail)}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert 'href="' + chat_link_from(mail) in mail.get_body(("html",)).get_content()

    [es] = alert_emails(relay, spanish.email or "")
    assert es["Subject"].startswith("Posible fuga: el agua ha corrido")
    assert f"unos {spanish.gallons:,} galones, aproximadamente {_money(spanish.cost_cents)}" \
        in body(es)
    assert "Cómo revisar si hay una fuga" in body(es) and "colorante" in body(es)
    assert chat_link_from(es).startswith(f"{stack.backend}/?chat=")

    # One alert per episode: the next run, later the same day or the next, sends nothing.
    assert ", 0 new alerts" in run_leak_scan(stack)
    assert ", 0 new alerts" in run_leak_scan(stack, today=TODAY + timedelta(days=1))
    time.sleep(2)  # the outbox sends every half second on the stack
    assert len(alert_emails(relay, JAMES, wait=0)) == 1


def test_the_alert_emails_link_opens_the_chat_verified_for_the_account(
        stack: Stack, relay: Relay) -> None:
    """The link as the customer gets it, from the email: the chat opens on James's account and
    answers an account question without asking who he is."""
    from tests.e2e.test_signed_link import ASKS, LinkCustomer
    from tests.utils.chat import run

    [mail] = alert_emails(relay, JAMES)
    token = chat_link_from(mail).split("?chat=", 1)[1]

    async def scenario() -> list[str]:
        customer = LinkCustomer(stack.backend)
        await customer.open_with(token)
        greeting = await customer.wait_for("bot_uttered")
        assert "leak alert for the account ending in 0002" in greeting["text"]
        assert (await customer.say("what do i owe", client_id="c1"))["ok"]
        # The demo accounts have changed by now (this module runs last): any amount will do.
        await customer.wait_for("bot_uttered", lambda m: re.search(r"\$\d", m["text"]),
                                timeout=90)
        await customer.disconnect()
        return customer.texts()

    said = run(scenario())
    assert not [t for t in said if any(ask in t for ask in ASKS)], said


def _new_episode(session: Session, number: str, *, dry: date, nights: int) -> date:
    """A night without flow on `dry`, then `nights` nights of flow: the account's next leak."""
    meter_id = session.exec(select(Meter.id).join(
        Account, Account.premise_id == Meter.premise_id).where(
        Account.account_number == number)).one()
    for i in range(nights + 1):
        day = dry + timedelta(days=i)
        session.add(NightFlow(meter_id=meter_id, day=day, min_gph=0.0 if i == 0 else 3.0,
                              gallons=250 if i == 0 else 400))
    session.commit()
    return dry + timedelta(days=1)


def test_the_opt_out_page_asks_first_and_then_the_next_leak_is_not_emailed(
        stack: Stack, relay: Relay) -> None:
    [mail] = alert_emails(relay, JAMES)
    link = opt_out_link_from(mail)
    engine = create_engine(stack.database_url)

    def james() -> Account:
        with Session(engine) as session:
            return session.exec(select(Account).where(Account.account_number == "1000002")).one()

    page = httpx.get(link)
    assert page.status_code == 200 and "Stop leak alerts?" in page.text
    assert "¿Dejar de recibir alertas de fugas?" in page.text and "ending in 0002" in page.text
    assert '<form method="post"' in page.text
    assert james().leak_alerts is True  # looking is not opting out
    token = re.search(r'name="token" value="([^"]+)"',  # type: ignore[union-attr]
                      page.text).group(1)
    done = httpx.post(link.split("?")[0], data={"token": token})
    assert done.status_code == 200 and "Leak alerts are off" in done.text
    assert "Las alertas de fugas están desactivadas" in done.text
    assert james().leak_alerts is False
    assert httpx.get(link.replace("token=", "token=x")).status_code == 400
    with Session(engine) as session:
        [entry] = session.exec(select(AuditLog).where(
            AuditLog.action == "leak_alerts_opt_out")).all()
        assert entry.entity_id == "1000002"
        start = _new_episode(session, "1000002", dry=TODAY, nights=3)
        # A Spanish-speaking customer with a leak the same days, who did not opt out.
        maria_email = session.exec(select(Customer.email).where(
            Customer.first_name == "Maria", Customer.last_name == "Lopez")).one()
        _new_episode(session, "1000001", dry=TODAY, nights=3)

    summary = run_leak_scan(stack, today=start + timedelta(days=3))
    assert ", 2 new alerts" in summary, summary
    with Session(engine) as session:
        recorded = session.exec(select(LeakAlert).join(
            Account, Account.id == LeakAlert.account_id).where(
            Account.account_number == "1000002", LeakAlert.episode_start == start)).one()
        assert (recorded.status, recorded.days, recorded.email) == ("opted_out", 3, None)
    engine.dispose()
    [maria] = alert_emails(relay, maria_email)  # the run did send mail...
    assert "3 noches seguidas" in body(maria)
    assert len(alert_emails(relay, JAMES, wait=0)) == 1  # ...but not to James
