"""Card numbers: Luhn check, finding and masking. Plain functions, no Rasa."""

import pytest

from bot.components.cards import find_card_numbers, luhn_valid, mask_card, mask_card_numbers

VISA = "4111111111111111"


@pytest.mark.parametrize(
    "digits",
    [
        "4111111111111111",  # Visa
        "5555555555554444",  # Mastercard
        "378282246310005",  # American Express, 15 digits
        "6011000990139424",  # Discover
        "4222222222222",  # Visa, 13 digits
    ],
)
def test_luhn_accepts_test_card_numbers(digits: str) -> None:
    assert luhn_valid(digits)


@pytest.mark.parametrize(
    "digits", ["4111111111111112", "1234567812345678", "", "4111-1111", "abcd"]
)
def test_luhn_rejects(digits: str) -> None:
    assert not luhn_valid(digits)


def test_mask_keeps_only_the_last_four() -> None:
    assert mask_card(VISA) == "**** **** **** 1111"
    assert mask_card("3782-822463-10005") == "**** **** **** 0005"


@pytest.mark.parametrize(
    ("text", "card", "masked"),
    [
        ("4111 1111 1111 1111", "4111 1111 1111 1111", "**** **** **** 1111"),
        ("4111-1111-1111-1111", "4111-1111-1111-1111", "**** **** **** 1111"),
        ("card 4111111111111111 please", "4111111111111111", "**** **** **** 1111"),
        ("mastercard 5555 5555 5555 4444 exp 12/28", "5555 5555 5555 4444", "**** **** **** 4444"),
        ("amex 3782 822463 10005", "3782 822463 10005", "**** **** **** 0005"),
        ("visa 4222222222222", "4222222222222", "**** **** **** 2222"),
        ("19 digits 6304 0000 0000 0000 000", "6304 0000 0000 0000 000", "**** **** **** 0000"),
        # A card followed by a ZIP in the same run of digits: the card is picked out.
        ("4111 1111 1111 1111 92688", "4111 1111 1111 1111", "**** **** **** 1111"),
    ],
)
def test_find_card_numbers(text: str, card: str, masked: str) -> None:
    start = text.index(card)
    assert find_card_numbers(text) == [(start, start + len(card), masked)]


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # fails Luhn
        "(949) 555-0101",
        "9495550101",
        "1000001 92688",
        "9495550101 1000002",  # Luhn-valid as 17 digits, but a phone and an account, not a card
        "411111111111",  # 12 digits
        "41111111111111111111",  # 20 digits
        "$84.12",
    ],
)
def test_not_a_card(text: str) -> None:
    assert find_card_numbers(text) == []
    assert mask_card_numbers(text) == (text, False)


def test_mask_card_numbers_replaces_every_card_and_keeps_the_rest() -> None:
    text = "cards 4111111111111111 and 5555-5555-5555-4444. acct 1000001"
    masked, found = mask_card_numbers(text)
    assert found is True
    assert masked == "cards **** **** **** 1111 and **** **** **** 4444. acct 1000001"


def test_masked_text_holds_no_card_digits() -> None:
    masked, _ = mask_card_numbers("pay with 4111 1111 1111 1111 exp 09/27 cvv 123")
    assert masked == "pay with **** **** **** 1111 exp 09/27 cvv 123"
    assert "4111" not in masked
