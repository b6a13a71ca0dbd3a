"""GET /api/v1/analytics and /analytics.csv: supervisors only, a checked period, JSON and CSV."""

import csv
import io
from datetime import UTC, datetime

from sqlmodel import Session

from backend.models import Conversation, Message
from backend.models.conversations import ConversationStatus, Sender
from tests.backend.crud.test_analytics import seed
from tests.utils.api import SERVICE, SUPERVISOR, field_errors, rep_headers

URL = "/api/v1/analytics"
PERIOD = {"start": "2026-01-10", "end": "2026-01-11"}


def test_only_supervisors_read_analytics(client):
    for url in (URL, URL + ".csv"):
        assert client.get(url, params=PERIOD).status_code == 401
        assert client.get(url, params=PERIOD, headers=SERVICE).status_code == 401
        assert client.get(url, params=PERIOD, headers=rep_headers(client)).status_code == 403
        assert client.get(url, params=PERIOD,
                          headers=rep_headers(client, SUPERVISOR)).status_code == 200


def test_a_bad_period_is_a_clear_422(client):
    sup = rep_headers(client, SUPERVISOR)
    for url in (URL, URL + ".csv"):
        backwards = client.get(url, headers=sup,
                               params={"start": "2026-01-11", "end": "2026-01-10"})
        assert "before its start" in field_errors(backwards)["query.end"]
        long = client.get(url, headers=sup, params={"start": "2025-01-01", "end": "2026-01-02"})
        assert "366 days" in field_errors(long)["query.end"]
        assert "query.start" in field_errors(
            client.get(url, headers=sup, params={"start": "2026-13-01", "end": "2026-01-10"}))


def test_the_default_period_is_the_30_days_to_the_districts_today(client):
    # The suite's clock: 2026-12-02 in the district. The console learns "today" from this answer.
    sup = rep_headers(client, SUPERVISOR)
    body = client.get(URL, headers=sup).json()
    assert (body["start"], body["end"]) == ("2026-11-03", "2026-12-02")
    assert len(body["days"]) == 30
    ending = client.get(URL, headers=sup, params={"end": "2026-01-31"}).json()
    assert ending["start"] == "2026-01-02"


def test_json_and_csv_give_the_same_numbers(fresh_client):
    client = fresh_client
    with Session(client.app.state.engine) as session:
        seed(session)
        # A handoff whose reason code is a spreadsheet formula: it must never become one.
        at = datetime(2026, 1, 11, 19, 0, tzinfo=UTC)
        session.add(Conversation(id="e" * 32, created_at=at, updated_at=at, language="es",
                                 status=ConversationStatus.closed, queued_at=at,
                                 handoff={"reason_code": "=HYPERLINK(\"http://evil\")"}))
        session.flush()
        session.add(Message(conversation_id="e" * 32, seq=1, sender=Sender.customer, text="-1+1",
                            intent="@SUM(A1)", created_at=at))
        session.commit()
    sup = rep_headers(client, SUPERVISOR)

    r = client.get(URL, headers=sup, params=PERIOD)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["timezone"] == "America/Los_Angeles"
    assert [d["day"] for d in body["days"]] == ["2026-01-10", "2026-01-11"]
    jan10 = body["days"][0]["totals"]
    assert jan10["conversations"] == 3
    assert jan10["containment"] == {"count": 1, "total": 3, "rate": 1 / 3}
    assert (jan10["wait_p50_s"], jan10["wait_p90_s"]) == (60, 120)
    assert body["by_language"]["es"]["handoffs"] == 2
    assert {c["key"] for c in body["handoff_reasons"]} == {
        "request", "strong_emotion", '=HYPERLINK("http://evil")'}
    assert body["csat_by_involvement"]["bot"]["average"] == 5.0

    r = client.get(URL + ".csv", headers=sup, params=PERIOD)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert ('filename="waterdesk-analytics-2026-01-10-2026-01-11.csv"'
            in r.headers["content-disposition"])
    table = list(csv.reader(io.StringIO(r.text)))
    header, *rows = table
    assert header[:5] == ["day", "conversations", "customer_conversations", "contained",
                          "containment_rate"]
    assert {"es_wait_p90_s", "en_fallback_rate", "csat_bot_average",
            "priority_emergency"} <= set(header)
    day = dict(zip(header, rows[0], strict=True))
    assert (day["day"], day["conversations"], day["contained"], day["wait_p90_s"]) == (
        "2026-01-10", "3", "1", "120.0")
    total = dict(zip(header, rows[-1], strict=True))
    assert (total["day"], total["conversations"], total["ratings"]) == ("total", "4", "2")
    assert total['reason_=HYPERLINK("http://evil")'] == "1"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)
