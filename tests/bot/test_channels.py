"""bot/channels.py: card numbers are masked (by common.cards) before Rasa stores or logs them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.channels import MaskingRestInput

CHANNEL = MaskingRestInput(token="a-hub-token-for-the-tests")


@pytest.mark.parametrize("written", [
    "4111 1111 1111 1111", "4111.1111.1111.1111", "4111  1111  1111  1111",
    "4111\u00a01111\u00a01111\u00a01111", "4111\n1111\n1111\n1111", "4111/1111/1111/1111",
    "4111-1111-1111-1111", "4111111111111111",
])
def test_card_numbers_are_masked_on_arrival(written: str) -> None:
    request = SimpleNamespace(json={"sender": "c1", "message": f"my card {written} ok"})
    assert CHANNEL._extract_message(request) == "my card **** **** **** 1111 ok"


def test_other_text_is_left_alone() -> None:
    request = SimpleNamespace(json={"sender": "c1", "message": "account 1000002 zip 92694"})
    assert CHANNEL._extract_message(request) == "account 1000002 zip 92694"
    assert CHANNEL._extract_message(SimpleNamespace(json={"sender": "c1"})) is None
