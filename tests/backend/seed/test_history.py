from datetime import date, timedelta

from backend.seed.history import DAYS, history

TODAY = date(2026, 12, 2)


def test_history_is_deterministic_and_ends_yesterday():
    a, b = history(today=TODAY, seed=7), history(today=TODAY, seed=7)
    assert a == b
    assert history(today=TODAY, seed=8).conversations != a.conversations
    days = {c["created_at"].date() for c in a.conversations}
    # Stored UTC at UTC-8: the last district day is yesterday, even after 4 PM there.
    assert max(days) <= TODAY
    first = min(c["created_at"] for c in a.conversations)
    assert first.date() >= TODAY - timedelta(days=DAYS)
    assert all(c["created_at"] < c["closed_at"] for c in a.conversations)


def test_handoffs_are_claimed_after_queueing_and_ratings_match_their_conversation():
    out = history(today=TODAY, seed=20261126)
    handed = [c for c in out.conversations if c["queued_at"]]
    assert 0.2 < len(handed) / len(out.conversations) < 0.5
    for c in handed:
        assert c["queued_at"] < c["claimed_at"] < c["closed_at"]
        assert c["handoff"]["priority"] == c["handoff_priority"]
    by_id = {c["id"]: c for c in out.conversations}
    for r in out.ratings:
        conv = by_id[r["conversation_id"]]
        assert r["person_involved"] == bool(conv["queued_at"])
        assert r["channel"] == conv["channel"] and r["language"] == conv["language"]
        assert r["created_at"] > conv["closed_at"] and 1 <= r["score"] <= 5
    assert len({r["conversation_id"] for r in out.ratings}) == len(out.ratings)


def test_history_names_no_account_and_every_customer_message_has_an_intent():
    out = history(today=TODAY, seed=20261126)
    assert all(c["verified_account"] is None for c in out.conversations)
    customer = [m for m in out.messages if m["sender"] == "customer"]
    assert customer and all(m["intent"] for m in customer)
    assert {m["intent"] for m in customer} >= {"check_balance", "nlu_fallback"}
    assert all(m["intent"] is None for m in out.messages if m["sender"] != "customer")
