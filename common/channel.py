"""The channel token the hub signs for each bot turn, as the bot reads it.

The bot never holds the key, so what it reads here is a hint for asking the right questions
(is this email, did the relay authenticate the sender?). Only the backend's POST /verify checks
the signature and trusts the facts.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Optional

METADATA_KEY = "channel_token"


def peek(token: Optional[str]) -> dict[str, Any]:
    """The token's claims, unverified; {} for anything that isn't a well-formed token."""
    if not isinstance(token, str) or token.count(".") != 2:
        return {}
    body = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}
