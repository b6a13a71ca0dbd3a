"""The REST channel the hub talks to, with card numbers masked before Rasa stores or logs them."""

from __future__ import annotations

from typing import Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from bot.components.cards import mask_card_numbers


class MaskingRestInput(RestInput):
    """Rasa's REST channel (same /webhooks/rest/webhook URL), masking card numbers on arrival."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def _extract_message(self, req: Request) -> Optional[Text]:
        text = super()._extract_message(req)
        return mask_card_numbers(text)[0] if text else text
