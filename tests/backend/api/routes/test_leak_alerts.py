"""/api/v1/leak-alerts: supervisors see the alerts and the scan's runs and can run it now; the
opt-out page asks on GET (changing nothing) and turns alerts off on POST, from its button or a
mail client's one-click unsubscribe."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from backend.core.optout import create_opt_out_token, opt_out_link
from backend.models import Account, AuditLog, LeakAlert, OutboxEmail
from tests.utils.api import REP, SERVICE, SUPERVISOR, rep_headers

URL = "/api/v1/leak-alerts"


def _james(client) -> Account:  # type: ignore[no-untyped-def]
    with Session(client.app.state.engine) as session:
        return session.exec(select(Account).where(Account.account_number == "1000002")).one()


def test_only_supervisors_see_and_run_the_scan(fresh_client):
    client = fresh_client
    for headers in ({}, SERVICE, rep_headers(client, REP)):
        assert client.get(URL, headers=headers).status_code in (401, 403)
        assert client.post(f"{URL}/run", headers=headers).status_code in (401, 403)
    supervisor = rep_headers(client, SUPERVISOR)
    assert client.get(URL, headers=supervisor).json() == {"alerts": [], "runs": []}

    run = client.post(f"{URL}/run", headers=supervisor)
    assert run.status_code == 200, run.text
    assert run.json()["status"] == "ok" and run.json()["acted"] >= 1
    assert run.json()["run_for"] == "2026-12-02"
    seen = client.get(URL, headers=supervisor).json()
    james = [a for a in seen["alerts"] if a["account_number"] == "1000002"]
    assert james and james[0]["status"] == "sent" and james[0]["days"] == 14
    assert [r["status"] for r in seen["runs"]] == ["ok"]
    # Again: a run recorded, nothing alerted twice.
    again = client.post(f"{URL}/run", headers=supervisor).json()
    assert again["acted"] == 0
    with Session(client.app.state.engine) as session:
        assert len(session.exec(select(LeakAlert).where(
            LeakAlert.account_id == _james(client).id)).all()) == 1
        assert session.exec(select(OutboxEmail).where(OutboxEmail.kind == "leak_alert")).all()


def test_the_opt_out_page_asks_on_get_and_acts_on_post(fresh_client):
    client = fresh_client
    settings = client.app.state.settings
    link = opt_out_link(settings=settings, account_number="1000002")
    path = link.split(settings.PUBLIC_URL, 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Stop leak alerts?" in page.text and "¿Dejar de recibir alertas de fugas?" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert _james(client).leak_alerts is True
    action = re.search(r'action="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    token = re.search(r'name="token" value="([^"]+)"',  # type: ignore[union-attr]
                      page.text).group(1)
    done = client.post(action, data={"token": token})
    assert done.status_code == 200 and "Leak alerts are off" in done.text
    assert _james(client).leak_alerts is False
    # Twice is fine, and audited once.
    assert client.post(action, data={"token": token}).status_code == 200
    with Session(client.app.state.engine) as session:
        assert len(session.exec(select(AuditLog).where(
            AuditLog.action == "leak_alerts_opt_out")).all()) == 1


def test_a_mail_clients_one_click_unsubscribe_works(fresh_client):
    client = fresh_client
    token = create_opt_out_token(settings=client.app.state.settings, account_number="1000001")
    r = client.post(f"{URL}/opt-out", params={"token": token},
                    data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    with Session(client.app.state.engine) as session:
        maria = session.exec(select(Account).where(Account.account_number == "1000001")).one()
        assert maria.leak_alerts is False


def test_a_bad_or_foreign_token_changes_nothing(fresh_client):
    client = fresh_client
    settings = client.app.state.settings
    good = create_opt_out_token(settings=settings, account_number="1000002")
    login = client.post("/api/v1/verify", headers=SERVICE,
                        json={"account_number": "1000002", "zip": "92694"})
    verification = login.json()["verification_token"]
    for token in ("", "nonsense", good[:-3] + "abc", verification):
        assert client.get(f"{URL}/opt-out", params={"token": token}).status_code == 400
        r = client.post(f"{URL}/opt-out", data={"token": token})
        assert r.status_code == 400 and "Este enlace no funciona" in r.text
    assert _james(client).leak_alerts is True
    unknown = create_opt_out_token(settings=settings, account_number="9999999")
    assert client.post(f"{URL}/opt-out", data={"token": unknown}).status_code == 400
