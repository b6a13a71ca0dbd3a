"""The bot's unverified read of the hub's channel token: a hint, never an identity."""

import base64
import json

from common.channel import peek


def token(claims: object) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{body}.signature"


def test_peek_reads_the_claims():
    assert peek(token({"ch": "email", "email": "a@b.example"})) == {"ch": "email",
                                                                    "email": "a@b.example"}


def test_peek_gives_nothing_for_anything_malformed():
    for bad in (None, "", "abc", "a.b", "a.!!!.c", token(["a list"]), token("text"), 42):
        assert peek(bad) == {}  # type: ignore[arg-type]
