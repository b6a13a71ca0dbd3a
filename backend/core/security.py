"""Tokens: the service token callers present, and the short-lived proof that a customer was verified."""

import hmac
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt

from backend.core.config import Settings

ALGORITHM = "HS256"
VERIFICATION_AUDIENCE = "waterdesk:verified-customer"
# Token times are real time, not common.clock: PyJWT checks "exp" and "iat" against the real
# clock, so a token issued on a clock a test set would be born expired or not yet valid.


def service_token_matches(*, settings: Settings, presented: str) -> bool:
    # Constant-time comparison: the token is the only thing guarding the API.
    return hmac.compare_digest(presented.encode(), settings.SERVICE_TOKEN.encode())


@dataclass(frozen=True)
class VerifiedCustomer:
    account_number: str
    method: str
    conversation_id: str | None


def create_verification_token(
    *, settings: Settings, account_number: str, method: str, conversation_id: str | None
) -> tuple[str, int]:
    ttl = settings.VERIFICATION_TOKEN_MINUTES * 60
    now = datetime.now(UTC)
    claims = {
        "sub": account_number,
        "aud": VERIFICATION_AUDIENCE,
        "iat": now,
        "exp": now + timedelta(seconds=ttl),
        "mth": method,
        "cid": conversation_id,
    }
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=ALGORITHM), ttl


def decode_verification_token(*, settings: Settings, token: str) -> VerifiedCustomer | None:
    try:
        verified, expires = _verified_claims(settings.SECRET_KEY, token)
    except jwt.PyJWTError:
        return None
    # PyJWT checked "exp" when it first decoded the token; a remembered one is checked here,
    # by PyJWT's rule (expired once now >= exp).
    return verified if time.time() < expires else None


@lru_cache(maxsize=4096)
def _verified_claims(secret_key: str, token: str) -> tuple[VerifiedCustomer, float]:
    """A token that decodes, remembered: the bot presents the same one on every account call,
    and decoding it (signature, two JSON parses, claim checks) cost as much as the account
    read's queries. A token that doesn't decode raises, and nothing is remembered."""
    claims = jwt.decode(
        token, secret_key, algorithms=[ALGORITHM], audience=VERIFICATION_AUDIENCE
    )
    verified = VerifiedCustomer(
        account_number=str(claims["sub"]), method=str(claims.get("mth", "")),
        conversation_id=claims.get("cid"),
    )
    return verified, float(claims.get("exp", math.inf))


# What a channel vouches for about the person writing (the conversation, the channel, an email
# sender the receiving relay authenticated), signed by the hub for one bot turn. It travels
# through Rasa and the actions, which can't forge it; only POST /verify trusts what it says.
CHANNEL_AUDIENCE = "waterdesk:channel"
CHANNEL_TOKEN_SECONDS = 5 * 60


@dataclass(frozen=True)
class ChannelFacts:
    conversation_id: str
    channel: str
    email: str | None = None
    # The account a signed chat link (backend/core/links.py) opened this conversation for.
    link_account: str | None = None


def create_channel_token(*, settings: Settings, facts: ChannelFacts) -> str:
    now = datetime.now(UTC)
    claims = {"aud": CHANNEL_AUDIENCE, "iat": now,
              "exp": now + timedelta(seconds=CHANNEL_TOKEN_SECONDS),
              "cid": facts.conversation_id, "ch": facts.channel}
    if facts.email:
        claims["email"] = facts.email
    if facts.link_account:
        claims["link"] = facts.link_account
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=ALGORITHM)


def decode_channel_token(*, settings: Settings, token: str) -> ChannelFacts | None:
    try:
        claims = jwt.decode(token, settings.SECRET_KEY, algorithms=[ALGORITHM],
                            audience=CHANNEL_AUDIENCE)
        link = claims.get("link")
        return ChannelFacts(conversation_id=str(claims["cid"]), channel=str(claims["ch"]),
                            email=claims.get("email"),
                            link_account=link if isinstance(link, str) and link else None)
    except (jwt.PyJWTError, KeyError):
        return None


# Reps: argon2id password hashes and signed access tokens for the console and Socket.IO.
REP_AUDIENCE = "waterdesk:rep"


def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(*, password: str, password_hash: str) -> bool:
    from argon2.exceptions import Argon2Error, InvalidHashError

    try:
        return bool(_hasher().verify(password_hash, password))
    except (Argon2Error, InvalidHashError):
        return False


def create_rep_token(*, settings: Settings, rep_id: int, role: str) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(rep_id), "aud": REP_AUDIENCE, "iat": now, "role": role,
              "exp": now + timedelta(minutes=settings.REP_TOKEN_MINUTES)}
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=ALGORITHM)


def decode_rep_token(*, settings: Settings, token: str) -> int | None:
    """The rep id the token was issued to, or None if it's invalid or expired."""
    try:
        claims = jwt.decode(token, settings.SECRET_KEY, algorithms=[ALGORITHM],
                            audience=REP_AUDIENCE)
        return int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        return None
