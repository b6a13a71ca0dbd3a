"""The signed opt-out link of a leak alert email: it names one account and does one thing, turn
that account's leak alerts off.

A JWT signed with SECRET_KEY under an audience of its own, so no other WaterDesk token (a
verification, channel, rep or chat-link token) is accepted as an opt-out, nor an opt-out as one
of them. It lasts a year (a customer may act on an old email; RFC 8058 asks that unsubscribe
links keep working) and its lifetime is counted on common.clock, like the chat link's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import jwt

from backend.core.config import Settings
from backend.core.security import ALGORITHM
from common import clock

OPT_OUT_AUDIENCE = "waterdesk:leak-alert-opt-out"
OPT_OUT_DAYS = 365
# Where the confirmation page lives (under the API prefix).
OPT_OUT_PATH = "/leak-alerts/opt-out"


def create_opt_out_token(*, settings: Settings, account_number: str,
                         days: int = OPT_OUT_DAYS) -> str:
    now = clock.now()
    claims = {"aud": OPT_OUT_AUDIENCE, "sub": account_number, "iat": int(now.timestamp()),
              "exp": int((now + timedelta(days=days)).timestamp())}
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=ALGORITHM)


def opt_out_link(*, settings: Settings, account_number: str) -> str:
    """The full URL of the opt-out confirmation page for one account."""
    token = create_opt_out_token(settings=settings, account_number=account_number)
    return (f"{settings.PUBLIC_URL.rstrip('/')}{settings.API_V1_STR}{OPT_OUT_PATH}"
            f"?token={quote(token, safe='')}")


def decode_opt_out_token(*, settings: Settings, token: str) -> str | None:
    """The account number the token opts out, or None if it is tampered, foreign or expired."""
    if not isinstance(token, str) or not token or len(token) > 2048:
        return None
    try:
        claims = jwt.decode(token, settings.SECRET_KEY, algorithms=[ALGORITHM],
                            audience=OPT_OUT_AUDIENCE,
                            # Expiry is judged on common.clock below, not PyJWT's real clock.
                            options={"require": ["exp", "sub", "aud"], "verify_exp": False,
                                     "verify_iat": False})
        number = str(claims["sub"])
        expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (jwt.PyJWTError, KeyError, TypeError, ValueError, OverflowError):
        return None
    if not number or clock.now() >= expires:
        return None
    return number
