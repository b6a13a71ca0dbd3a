"""GET /api/v1/cashier/day and /day.csv: supervisors only; the seeded district's latest day
with payments by default; a bad date is a 422; the CSV is safe to open in a spreadsheet."""

import csv
import io

from tests.utils.api import SERVICE, SUPERVISOR, field_errors, rep_headers

URL = "/api/v1/cashier/day"
INTEGRATION = {**SERVICE, "X-Actor": "integration", "X-Actor-Id": "processor"}


def test_only_supervisors(client):
    for url in (URL, f"{URL}.csv"):
        assert client.get(url).status_code == 401
        assert client.get(url, headers=SERVICE).status_code == 401  # not a rep's token
        assert client.get(url, headers=rep_headers(client)).status_code == 403


def test_a_bad_date_is_a_clear_422(client):
    sup = rep_headers(client, SUPERVISOR)
    for bad in ("2026-13-01", "yesterday", "2026-02-30"):
        for url in (URL, f"{URL}.csv"):
            errors = field_errors(client.get(url, headers=sup, params={"date": bad}))
            assert list(errors) == ["query.date"] and "date" in errors["query.date"], errors


def test_the_seeded_day(client):
    """The suite's today is 2026-12-02: the seed's latest day with payments is the day before,
    with one unapplied payment and two mismatched ones on population accounts."""
    sup = rep_headers(client, SUPERVISOR)
    r = client.get(URL, headers=sup)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["day"] == "2026-12-01"
    assert client.get(URL, headers=sup, params={"date": "2026-12-01"}).json() == body
    assert body["balanced"] is True and body["problems"] == []
    assert [x["key"] for x in body["by_channel"]] == ["web", "phone", "office", "mail", "autopay"]
    assert [x["key"] for x in body["by_method"]] == ["card", "ach", "autopay", "check", "cash"]
    count = len(body["payments"])
    assert body["total"]["count"] == body["listed"]["count"] == count > 0
    cents = sum(round(float(p["amount"]) * 100) for p in body["payments"])
    assert round(float(body["total"]["amount"]) * 100) == cents
    assert sum(round(float(x["amount"]) * 100) for x in body["by_method"]) == cents
    exceptions = [(p["status"], p["reasons"]) for p in body["payments"]
                  if p["status"] != "applied"]
    assert exceptions == [("unapplied", ["no_bill"]), ("mismatched", ["other_account"]),
                          ("mismatched", ["bill_paid", "over_balance"])]
    other = next(p for p in body["payments"] if p["reasons"] == ["other_account"])
    assert other["bill_account_number"] != other["account_number"]
    assert other["why"] == "Applied to another account's bill"
    assert all(p["account_number"] not in ("1000001", "1000002", "2000001")
               for p in body["payments"] if p["status"] != "applied")
    assert all(p["reference"] for p in body["payments"])
    empty = client.get(URL, headers=sup, params={"date": "2020-01-01"}).json()
    assert empty["payments"] == [] and empty["total"] == {"key": "total", "count": 0,
                                                          "amount": "0.00"}


def test_csv(client):
    sup = rep_headers(client, SUPERVISOR)
    r = client.get(f"{URL}.csv", headers=sup, params={"date": "2026-12-01"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="cashier-2026-12-01.csv"' in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["payment_id", "paid_on", "account_number", "bill_id",
                       "bill_account_number", "amount", "channel", "method", "reference",
                       "late", "status", "why"]
    listed = rows[1:rows.index([])]
    body = client.get(URL, headers=sup, params={"date": "2026-12-01"}).json()
    assert [row[0] for row in listed] == [str(p["id"]) for p in body["payments"]]
    assert {row[10] for row in listed} == {"applied", "unapplied", "mismatched"}
    totals = {(row[0], row[1]): row[2:] for row in rows[rows.index([]) + 2:]}
    assert totals[("total", "total")] == [str(body["total"]["count"]), body["total"]["amount"]]
    assert totals[("status", "unapplied")][0] == "1"
    assert ("balanced", "yes") in totals


def test_csv_cells_never_run_as_formulas(fresh_client):
    client = fresh_client
    r = client.post("/api/v1/accounts/1000001/payments", headers=INTEGRATION,
                    json={"amount": "10.00", "method": "card", "channel": "phone",
                          "reference": "=HYPERLINK(\"http://x\")"})
    assert r.status_code == 200, r.text
    sup = rep_headers(client, SUPERVISOR)
    text = client.get(f"{URL}.csv", headers=sup, params={"date": "2026-12-02"}).text
    (row,) = [row for row in csv.reader(io.StringIO(text)) if row and row[2] == "1000001"]
    assert row[8] == "'=HYPERLINK(\"http://x\")" and row[6:8] == ["phone", "card"]
    assert row[10] == "applied"
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in csv.reader(
        io.StringIO(text)) for cell in line)
