"""The one card-number masker (common.cards): every way people write one, and what is not one."""

from __future__ import annotations

import time

import pytest

from common.cards import (MASK_PREFIX, find_card_numbers, has_card_number, luhn_valid, mask_card,
                          mask_card_numbers, mask_cards)

VISA = "4111111111111111"
GROUPS = ["4111", "1111", "1111", "1111"]
NBSP, THIN, NARROW, IDEO, ZWSP = "\u00a0", "\u2009", "\u202f", "\u3000", "\u200b"


def luhn_complete(body: str) -> str:
    """body + the check digit that makes it pass Luhn."""
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("unreachable")


@pytest.mark.parametrize("digits", [
    "4111111111111111",  # Visa
    "5555555555554444",  # Mastercard
    "378282246310005",  # American Express, 15 digits
    "6011000990139424",  # Discover
    "4222222222222",  # Visa, 13 digits
    "４１１１１１１１１１１１１１１１",  # full-width digits
])
def test_luhn_accepts_test_card_numbers(digits: str) -> None:
    assert luhn_valid(digits)


@pytest.mark.parametrize("digits", ["4111111111111112", "1234567812345678", "", "4111-1111",
                                    "abcd"])
def test_luhn_rejects(digits: str) -> None:
    assert not luhn_valid(digits)


def test_one_mask_format_keeps_only_the_last_four() -> None:
    assert MASK_PREFIX == "**** **** **** "
    assert mask_card(VISA) == "**** **** **** 1111"
    assert mask_card("3782-822463-10005") == "**** **** **** 0005"
    assert mask_card("４１１１ １１１１ １１１１ １１１１") == "**** **** **** 1111"


# Every way of writing 4111 1111 1111 1111 that must be masked.
WRITTEN = {
    "single spaces": "4111 1111 1111 1111",
    "double spaces": "4111  1111  1111  1111",
    "dots": "4111.1111.1111.1111",
    "dashes": "4111-1111-1111-1111",
    "spaced dashes": "4111 - 1111 - 1111 - 1111",
    "slashes": "4111/1111/1111/1111",
    "backslashes": "4111\\1111\\1111\\1111",
    "underscores": "4111_1111_1111_1111",
    "no separator": "4111111111111111",
    "nbsp": NBSP.join(GROUPS),
    "thin and narrow spaces": f"4111{THIN}1111{NARROW}1111{THIN}1111",
    "ideographic space": IDEO.join(GROUPS),
    "zero-width space": ZWSP.join(GROUPS),
    "tabs": "4111\t1111\t1111\t1111",
    "newlines": "4111\n1111\n1111\n1111",
    "crlf": "4111\r\n1111\r\n1111\r\n1111",
    "quoted reply lines": "4111 1111\r\n> 1111 1111",
    "unicode dashes": "4111\u20131111\u20141111\u22121111",
    "bullets": "4111\u20221111\u00b71111\u20221111",
    "mixed": "4111 1111-1111.1111",
    "mixed 2": f"4111{NBSP} 1111/1111\n1111",
    "full-width": "４１１１　１１１１　１１１１　１１１１",
    "full-width separators": "４１１１－１１１１．１１１１／１１１１",
    "one digit at a time": " ".join(VISA),
    "two halves": "41111111 11111111",
}


@pytest.mark.parametrize("written", WRITTEN.values(), ids=WRITTEN.keys())
def test_every_common_way_of_writing_a_card_is_masked(written: str) -> None:
    text = f"my card is {written}, please"
    masked, found = mask_card_numbers(text)
    assert found and has_card_number(text)
    assert masked == "my card is **** **** **** 1111, please"
    assert not has_card_number(masked)


@pytest.mark.parametrize(("text", "card", "masked"), [
    ("4111 1111 1111 1111", "4111 1111 1111 1111", "**** **** **** 1111"),
    ("card 4111111111111111 please", "4111111111111111", "**** **** **** 1111"),
    ("mastercard 5555 5555 5555 4444 exp 12/28", "5555 5555 5555 4444", "**** **** **** 4444"),
    ("amex 3782 822463 10005", "3782 822463 10005", "**** **** **** 0005"),
    ("amex 378282246310005", "378282246310005", "**** **** **** 0005"),
    ("diners 3056 930902 5904", "3056 930902 5904", "**** **** **** 5904"),
    ("visa 4222222222222", "4222222222222", "**** **** **** 2222"),
    ("19 digits 6304 0000 0000 0000 000", "6304 0000 0000 0000 000", "**** **** **** 0000"),
    (f"long {luhn_complete('601100000000000000')}", luhn_complete("601100000000000000"),
     "**** **** **** " + luhn_complete("601100000000000000")[-4:]),
    # A card followed by a ZIP in the same run of digits: the card is picked out.
    ("4111 1111 1111 1111 92688", "4111 1111 1111 1111", "**** **** **** 1111"),
    # An account number before it: 1000005 + "4111 1111 1111" is 19 digits that pass Luhn
    # too, but that is not how a card is grouped.
    ("1000005 4111 1111 1111 1111", "4111 1111 1111 1111", "**** **** **** 1111"),
    ("acct 1000002 card 5555.5555.5555.4444", "5555.5555.5555.4444", "**** **** **** 4444"),
])
def test_find_card_numbers(text: str, card: str, masked: str) -> None:
    start = text.index(card)
    assert find_card_numbers(text) == [(start, start + len(card), masked)]


@pytest.mark.parametrize("text", [
    "4111 1111 1111 1112",  # fails Luhn
    "4111.1111.1111.1112",
    "(949) 555-0101",
    "949.555.0101",
    "9495550101",
    "+1 949 555 0101 ext 1000002",
    "1000001 92688",
    "9495550101 1000002",  # Luhn-valid as 17 digits, but a phone and an account, not a card
    "acct 1000002, phone (949) 555-0102, zip 92694",
    "411111111111",  # 12 digits
    "41111111111111111111",  # 20 digits
    "reference 123456789012",
    "$84.12",
    "$1,234,567.89 and 12,345.67",
    "due 12/27/2026, paid 2026-11-02, read 02.12.2026",
    "20261202171546",  # a timestamp that passes Luhn: not a card
    "2019 2020 2021 2022",  # years
    "0000 0000 0000 0000",  # no card starts with 0
    "0000000000000000",
])
def test_not_a_card(text: str) -> None:
    assert luhn_valid("20261202171546")  # the timestamp case above does pass Luhn
    assert find_card_numbers(text) == []
    assert mask_card_numbers(text) == (text, False)
    assert not has_card_number(text)


def test_every_card_is_masked_and_the_rest_kept() -> None:
    text = "cards 4111111111111111 and 5555-5555-5555-4444. acct 1000001, cvv 123, exp 09/27"
    masked, found = mask_card_numbers(text)
    assert found is True
    assert masked == ("cards **** **** **** 1111 and **** **** **** 4444. acct 1000001, "
                      "cvv 123, exp 09/27")
    assert mask_cards(text) == masked
    assert mask_cards(masked) == masked  # masking twice changes nothing


ADVERSARIAL = {
    "one long run": "1" * 100_000,
    "digits and spaces": "1 " * 50_000,
    "groups of four": "4111 " * 20_000,
    "cards back to back": (VISA + " ") * 6_000,
    "pairs and dots": "12." * 33_000,
    "dashes": "4-" * 50_000,
    "long separators": ("1" + " " * 7) * 12_500,
    "mixed noise": "0123456789 -./\n" * 6_600,
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_long_adversarial_input_is_linear(text: str) -> None:
    assert len(text) >= 99_000
    started = time.perf_counter()
    mask_card_numbers(text)
    has_card_number(text)
    assert time.perf_counter() - started < 5  # about 0.3 s at worst on one core
