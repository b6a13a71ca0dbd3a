"""The REST channel the hub talks to. It answers only the hub (a shared token in X-Hub-Token,
since Rasa's --auth-token does not cover channel webhooks), masks card numbers before Rasa stores
or logs them, and keeps of the caller's metadata only what the hub sends: the language hint and
the channel token the hub signed. Its answer ends with a control message saying how the bot read
the customer's message (common/signals.py), which Rasa's REST answer otherwise leaves out."""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from common.cards import mask_card_numbers
from common.signals import nlu_message

log = logging.getLogger(__name__)

HEADER = "X-Hub-Token"
KEPT_METADATA = ("language", "channel_token")


class MaskingRestInput(RestInput):
    """Rasa's REST channel (same /webhooks/rest/webhook URL), for the hub only."""

    def __init__(self, token: Optional[Text] = None) -> None:
        if not token or len(token) < 16:
            raise ValueError("bot/credentials.yml: the REST channel needs a token of 16 or more "
                             "characters (HUB_TOKEN)")
        self.token = token.encode()

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "MaskingRestInput":
        return cls(token=str((credentials or {}).get("token") or ""))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        bp = super().blueprint(on_new_message)

        @bp.middleware("request")
        async def only_the_hub(request: Request):  # type: ignore[no-untyped-def]
            if request.method == "GET":
                return None  # the channel's health check
            presented = (request.headers.get(HEADER) or "").encode()
            if not hmac.compare_digest(presented, self.token):
                return response.json({"error": f"missing or wrong {HEADER}"}, status=401)
            return None

        @bp.middleware("response")
        async def with_the_reading(request: Request,
                                   answer: HTTPResponse) -> Optional[HTTPResponse]:
            if request.method == "POST" and answer.status == 200:
                return await add_reading(request, answer)
            return None

        return bp

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        raw = super().get_metadata(request)
        if not isinstance(raw, dict):
            return None
        kept = {k: v for k, v in raw.items() if k in KEPT_METADATA and isinstance(v, str)}
        return {k: v[:4000] for k, v in kept.items()} or None

    def _extract_message(self, req: Request) -> Optional[Text]:
        text = super()._extract_message(req)
        return mask_card_numbers(text)[0] if text else text


async def add_reading(request: Request, answer: HTTPResponse) -> Optional[HTTPResponse]:
    """The answer with `{"custom": {"nlu": ...}}` appended: the intent of the sender's latest
    message, read back from the tracker store once the turn is over (the hub sends a
    conversation's messages one at a time, so it is this one). An empty answer stays empty, so
    the hub still sees a bot that had nothing to say; anything unexpected leaves the answer as
    it was, since the reading is for reports and must never cost the customer their reply."""
    started = time.perf_counter()
    try:
        replies = json.loads(answer.body or b"null")
        sender = (request.json or {}).get("sender")
        if not isinstance(replies, list) or not replies or not isinstance(sender, str):
            return None
        tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
        intent = (tracker.latest_message.intent or {}) if tracker is not None else {}
        if not intent.get("name"):
            return None
        replies.append(nlu_message(intent["name"], intent.get("confidence") or 0.0))
    except Exception:  # noqa: BLE001 - see above
        log.warning("no intent reading for this answer", exc_info=True)
        return None
    log.debug("intent reading took %.1f ms", (time.perf_counter() - started) * 1000)
    return response.json(replies, status=answer.status)
