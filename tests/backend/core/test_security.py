"""Verification tokens: a token is remembered once it decodes, and still expires on time."""

import time

import jwt

from backend.core.security import (
    ALGORITHM,
    VERIFICATION_AUDIENCE,
    create_verification_token,
    decode_verification_token,
)
from tests.utils.db import make_test_settings


def test_a_remembered_token_still_expires(tmp_path):
    settings = make_test_settings(database_url="sqlite://", data_dir=tmp_path)
    expires = int(time.time()) + 2
    token = jwt.encode({"sub": "1000001", "aud": VERIFICATION_AUDIENCE, "exp": expires,
                        "mth": "account_zip", "cid": None}, settings.SECRET_KEY,
                       algorithm=ALGORITHM)
    first = decode_verification_token(settings=settings, token=token)
    assert first is not None and first.account_number == "1000001"
    assert decode_verification_token(settings=settings, token=token) == first
    time.sleep(max(0.0, expires - time.time()) + 0.05)
    assert decode_verification_token(settings=settings, token=token) is None


def test_a_token_signed_with_another_key_is_refused_whatever_was_remembered(tmp_path):
    settings = make_test_settings(database_url="sqlite://", data_dir=tmp_path)
    token, _ = create_verification_token(settings=settings, account_number="1000001",
                                         method="account_zip", conversation_id="c-1")
    assert decode_verification_token(settings=settings, token=token) is not None
    other = settings.model_copy(update={"SECRET_KEY": "another-secret-key-0123456789abcdef"})
    assert decode_verification_token(settings=other, token=token) is None
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert decode_verification_token(settings=settings, token=forged) is None
