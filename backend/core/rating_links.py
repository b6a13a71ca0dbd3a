"""The signed links of a rating email: each opens a small page to rate one conversation.

The token names the conversation only (the score is the link's own parameter, which the page
lets the customer change), is signed with SECRET_KEY under its own audience so no other
WaterDesk token is accepted as one, and lives 30 days, judged on common.clock like the chat
links (backend/core/links.py). Opening a link stores nothing: only the page's POST does, so a
mail scanner that follows every link rates nothing."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import jwt

from backend.core.config import Settings
from backend.core.security import ALGORITHM
from common import clock

RATING_AUDIENCE = "waterdesk:rating"
RATING_LINK_DAYS = 30
MAX_TOKEN = 2048


@dataclass(frozen=True)
class RatingLink:
    conversation_id: str
    expires: datetime


def create_rating_token(*, settings: Settings, conversation_id: str,
                        days: int = RATING_LINK_DAYS) -> str:
    now = clock.now()
    claims = {"aud": RATING_AUDIENCE, "sub": conversation_id, "iat": int(now.timestamp()),
              "exp": int((now + timedelta(days=days)).timestamp())}
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=ALGORITHM)


def rating_url(*, settings: Settings, token: str, score: int) -> str:
    """The page for one score (1..5) of the email's five links."""
    return (f"{settings.PUBLIC_URL.rstrip('/')}{settings.API_V1_STR}/ratings/link"
            f"?token={quote(token, safe='')}&score={int(score)}")


def decode_rating_token(*, settings: Settings, token: object) -> RatingLink | None:
    """The conversation the link rates; None for anything tampered, foreign or expired."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        return None
    try:
        claims = jwt.decode(
            token, settings.SECRET_KEY, algorithms=[ALGORITHM], audience=RATING_AUDIENCE,
            # exp is judged on common.clock below, not PyJWT's real clock.
            options={"require": ["exp", "sub", "aud"], "verify_exp": False, "verify_iat": False})
        link = RatingLink(conversation_id=str(claims["sub"]),
                          expires=datetime.fromtimestamp(int(claims["exp"]), UTC))
    except (jwt.PyJWTError, KeyError, TypeError, ValueError, OverflowError):
        return None
    if not link.conversation_id or clock.now() >= link.expires:
        return None
    return link
