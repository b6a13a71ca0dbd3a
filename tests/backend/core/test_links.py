"""The leak alert's signed chat link: what it carries, and every way a bad one is refused."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from backend.core import security
from backend.core.links import (
    CHAT_LINK_AUDIENCE,
    chat_link,
    create_chat_token,
    decode_chat_link,
)
from common import clock
from tests.utils.db import make_test_settings

NOW = "2026-12-02T17:00:00Z"


@pytest.fixture
def settings(tmp_path):
    return make_test_settings(database_url="sqlite://", data_dir=tmp_path).model_copy(
        update={"PUBLIC_URL": "https://water.example.org/"})


def _token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["chat"][0]


def test_the_link_is_the_public_chat_page_with_a_token_for_the_account(settings):
    with clock.frozen(NOW):
        url = chat_link(settings=settings, account_number="1000002", ref="alert-7")
        link = decode_chat_link(settings=settings, token=_token_of(url))
    assert url.startswith("https://water.example.org/?chat=")
    assert link is not None
    assert (link.account_number, link.ref) == ("1000002", "alert-7")
    assert link.expires == datetime(2026, 12, 9, 17, 0, tzinfo=UTC)


def test_the_link_lasts_the_days_asked_on_the_districts_clock(settings):
    with clock.frozen(NOW):
        token = create_chat_token(settings=settings, account_number="1000002", ref="r", days=7)
    with clock.frozen("2026-12-09T16:59:59Z"):
        assert decode_chat_link(settings=settings, token=token) is not None
    with clock.frozen("2026-12-09T17:00:00Z"):
        assert decode_chat_link(settings=settings, token=token) is None
    with clock.frozen(NOW):
        short = create_chat_token(settings=settings, account_number="1000002", ref="r", days=1)
    with clock.frozen("2026-12-03T17:00:01Z"):
        assert decode_chat_link(settings=settings, token=short) is None


def test_a_tampered_token_is_refused(settings):
    with clock.frozen(NOW):
        token = create_chat_token(settings=settings, account_number="1000002", ref="r")
        header, body, signature = token.split(".")
        claims = jwt.decode(token, options={"verify_signature": False})
        other_body = jwt.encode({**claims, "sub": "1000003"}, "x" * 32,
                                algorithm="HS256").split(".")[1]
        altered = f"{header}.{other_body}.{signature}"
        assert decode_chat_link(settings=settings, token=altered) is None
        flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
        assert decode_chat_link(settings=settings, token=f"{header}.{body}.{flipped}") is None
        for junk in ("", "abc", "a.b.c", token + "x", "x" * 5000):
            assert decode_chat_link(settings=settings, token=junk) is None


def test_a_token_signed_with_another_key_is_refused(settings):
    other = settings.model_copy(update={"SECRET_KEY": "another-secret-key-0123456789abcdef"})
    with clock.frozen(NOW):
        token = create_chat_token(settings=other, account_number="1000002", ref="r")
        assert decode_chat_link(settings=settings, token=token) is None


def test_the_link_has_its_own_audience(settings):
    audiences = {v for k, v in vars(security).items() if k.endswith("_AUDIENCE")}
    assert len(audiences) >= 3 and CHAT_LINK_AUDIENCE not in audiences
    with clock.frozen(NOW):
        verification, _ = security.create_verification_token(
            settings=settings, account_number="1000002", method="account_zip",
            conversation_id="c-1")
        assert decode_chat_link(settings=settings, token=verification) is None
        channel = security.create_channel_token(
            settings=settings, facts=security.ChannelFacts(conversation_id="c-1", channel="web"))
        assert decode_chat_link(settings=settings, token=channel) is None
        link = create_chat_token(settings=settings, account_number="1000002", ref="r")
    # ...and a link is none of the other tokens.
    assert security.decode_verification_token(settings=settings, token=link) is None
    assert security.decode_channel_token(settings=settings, token=link) is None
    assert security.decode_rep_token(settings=settings, token=link) is None


def test_a_token_without_expiry_or_account_is_refused(settings):
    now = datetime(2026, 12, 2, 17, tzinfo=UTC)
    base = {"aud": CHAT_LINK_AUDIENCE, "sub": "1000002",
            "exp": int((now + timedelta(days=1)).timestamp())}
    with clock.frozen(NOW):
        for drop in ("exp", "sub", "aud"):
            claims = {k: v for k, v in base.items() if k != drop}
            token = jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")
            assert decode_chat_link(settings=settings, token=token) is None
        empty = jwt.encode({**base, "sub": ""}, settings.SECRET_KEY, algorithm="HS256")
        assert decode_chat_link(settings=settings, token=empty) is None
        assert decode_chat_link(settings=settings,
                                token=jwt.encode(base, settings.SECRET_KEY,
                                                 algorithm="HS256")) is not None
