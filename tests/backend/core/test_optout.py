"""backend.core.optout: the opt-out link names one account, under an audience no other token
shares, and lasts a year on common.clock."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from backend.core.config import Settings
from backend.core.links import create_chat_token
from backend.core.optout import create_opt_out_token, decode_opt_out_token, opt_out_link
from backend.core.security import create_verification_token
from common import clock

KEY = "a-test-secret-key-that-is-long-enough-0123"


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, SECRET_KEY=KEY,  # type: ignore[call-arg]
                    PUBLIC_URL="https://water.example.org/")


def test_a_link_round_trips_to_its_account(settings):
    link = opt_out_link(settings=settings, account_number="1000002")
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == \
        "https://water.example.org/api/v1/leak-alerts/opt-out"
    [token] = parse_qs(parts.query)["token"]
    assert decode_opt_out_token(settings=settings, token=token) == "1000002"


def test_it_expires_after_a_year_on_the_districts_clock(settings):
    with clock.frozen("2026-12-02T17:00:00Z"):
        token = create_opt_out_token(settings=settings, account_number="1000002")
    with clock.frozen("2027-12-01T17:00:00Z"):
        assert decode_opt_out_token(settings=settings, token=token) == "1000002"
    with clock.frozen("2027-12-02T17:00:00Z"):
        assert decode_opt_out_token(settings=settings, token=token) is None


def test_other_tokens_and_tampering_are_refused(settings):
    token = create_opt_out_token(settings=settings, account_number="1000002")
    other_key = Settings(_env_file=None, SECRET_KEY=KEY[::-1])  # type: ignore[call-arg]
    assert decode_opt_out_token(settings=other_key, token=token) is None
    assert decode_opt_out_token(settings=settings, token=token[:-2] + "xx") is None
    verification, _ = create_verification_token(settings=settings, account_number="1000002",
                                                 method="zip", conversation_id=None)
    chat = create_chat_token(settings=settings, account_number="1000002", ref="x")
    for foreign in (verification, chat, "", "x" * 3000):
        assert decode_opt_out_token(settings=settings, token=foreign) is None
    now = clock.now()
    no_exp = jwt.encode({"aud": "waterdesk:leak-alert-opt-out", "sub": "1000002"}, KEY,
                        algorithm="HS256")
    no_sub = jwt.encode({"aud": "waterdesk:leak-alert-opt-out",
                         "exp": int((now + timedelta(days=1)).timestamp())}, KEY,
                        algorithm="HS256")
    assert decode_opt_out_token(settings=settings, token=no_exp) is None
    assert decode_opt_out_token(settings=settings, token=no_sub) is None
