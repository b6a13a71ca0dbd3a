"""The signed chat link a leak alert carries: it opens the chat already verified for one account.

The token is a JWT signed with SECRET_KEY under its own audience, so no other WaterDesk token
(verification, channel, rep) is accepted as a link, nor a link as one of them. Its lifetime is
days, counted on common.clock: the alert job dates the link by the district's clock, and the hub
must judge it by the same one (PyJWT would judge "exp" by the real clock, so it is checked here).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import jwt

from backend.core.config import Settings
from backend.core.security import ALGORITHM
from common import clock

CHAT_LINK_AUDIENCE = "waterdesk:chat-link"
# The page parameter the widget reads (and removes from the address bar).
CHAT_LINK_PARAM = "chat"


@dataclass(frozen=True)
class ChatLink:
    account_number: str
    ref: str
    expires: datetime


def create_chat_token(*, settings: Settings, account_number: str, ref: str, days: int = 7) -> str:
    now = clock.now()
    claims = {"aud": CHAT_LINK_AUDIENCE, "sub": account_number, "ref": ref,
              "iat": int(now.timestamp()),
              "exp": int((now + timedelta(days=days)).timestamp())}
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=ALGORITHM)


def chat_link(*, settings: Settings, account_number: str, ref: str, days: int = 7) -> str:
    """The full URL of the district's chat page that opens the chat verified for the account."""
    token = create_chat_token(settings=settings, account_number=account_number, ref=ref, days=days)
    return f"{settings.PUBLIC_URL.rstrip('/')}/?{CHAT_LINK_PARAM}={quote(token, safe='')}"


def decode_chat_link(*, settings: Settings, token: str) -> ChatLink | None:
    """The link's account, reference and expiry; None for anything tampered, foreign or expired."""
    if not isinstance(token, str) or not token or len(token) > 2048:
        return None
    try:
        claims = jwt.decode(
            token, settings.SECRET_KEY, algorithms=[ALGORITHM], audience=CHAT_LINK_AUDIENCE,
            # exp and iat are judged on common.clock below, not PyJWT's real clock.
            options={"require": ["exp", "sub", "aud"], "verify_exp": False, "verify_iat": False},
        )
        expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
        link = ChatLink(account_number=str(claims["sub"]), ref=str(claims.get("ref", "")),
                        expires=expires)
    except (jwt.PyJWTError, KeyError, TypeError, ValueError, OverflowError):
        return None
    if not link.account_number or clock.now() >= link.expires:
        return None
    return link
