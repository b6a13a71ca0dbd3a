"""Find and mask payment card numbers (PANs) in free text: the one masker every channel uses.

Standard library only, Python 3.10 syntax: the backend (3.12), the Rasa components and the
actions (3.10) all import it.

A card number is 13-19 digits that pass the Luhn check and don't start with 0 (no payment card
does), written the ways people write them:

- as one run: ``4111111111111111``;
- in groups joined by up to six separator characters, mixed freely: spaces (double ones too,
  tabs, newlines, non-breaking and every other Unicode space, zero-width spaces), dots, dashes
  (and the Unicode dashes), slashes and backslashes, underscores, and the ``>`` of a quoted reply
  line: ``4111.1111.1111.1111``, ``4111  1111``, ``4111\\n1111``, ``4111/1111``, ``4111 - 1111``;
- in any script's digits (full-width ``４１１１`` included: ``\\d`` is Unicode).

Grouped numbers must be grouped like a card (4-4-4-4, 4-4-4-1..3, 4-4-4-4-3, 4-6-5 Amex,
4-6-4 Diners, 8-8, or one digit at a time) so that a phone number next to an account number, a
date, or an amount is not read as a card. A 14-digit run that is a timestamp (YYYYMMDDhhmmss)
is not a card either: 14-digit cards (Diners) start with 3.

Every mask has one format, ``**** **** **** 1111``: only the last four digits survive.

Linear time: runs of digit groups are found with a regex that can't backtrack badly, and a card
is at most 19 digits, so each group starts at most 19 candidate windows, each checked in O(1)
(the Luhn sums are prefix sums).
"""

from __future__ import annotations

import re

MASK_PREFIX = "**** **** **** "

# What may stand between two groups of a card number's digits.
_SEP_CHARS = (
    r"\s"  # every Unicode space: NBSP, thin/narrow/ideographic spaces, tabs, newlines
    "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen, zero-width characters
    r"\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d"  # dashes and minus signs
    r".\u00b7\u2022\u2024\u2027\u30fb\uff0e\u3002"  # dots, middle dots, bullets
    r"/\\\u2044\u2215\uff0f"  # slashes
    r"_>"  # underscores, the quote marks of a reply line ("4111 1111\n> 1111 1111")
)
MAX_SEPARATOR = 6
# A maximal run of digit groups; separators and digits are disjoint, so this can't backtrack.
# The lookahead skips, inside the regex engine, what is too short to hold 13 digits (most of a
# binary attachment read as text).
_RUN = re.compile(rf"\d(?=[\d{_SEP_CHARS}]{{12}})\d*(?:[{_SEP_CHARS}]{{1,{MAX_SEPARATOR}}}\d+)*")
_DIGITS = re.compile(r"\d+")
_TIMESTAMP = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                        r"(?:[01]\d|2[0-3])[0-5]\d[0-5]\d")
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, its digits summed (Luhn)
_SPECIAL_SHAPES = {(4, 6, 5), (4, 6, 4), (8, 8)}


def _digit_values(digits: str) -> list[int]:
    return [int(ch) for ch in digits]  # int() reads every script's decimal digits


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number passes."""
    if not digits or not digits.isdecimal():
        return False
    total = 0
    for i, n in enumerate(reversed(_digit_values(digits))):
        total += _DOUBLED[n] if i % 2 else n
    return total % 10 == 0


def mask_card(digits: str) -> str:
    """ "4111 1111 1111 1111" -> "**** **** **** 1111": only the last four digits survive."""
    last = "".join(str(int(ch)) for ch in re.findall(r"\d", digits)[-4:])
    return MASK_PREFIX + last


def _card_shaped(sizes: tuple[int, ...], *, fours: bool, ones: bool) -> bool:
    """Grouped like a card. `fours`: every group but the last has 4 digits; `ones`: every
    group has one digit."""
    n = len(sizes)
    if n == 1 or ones:
        return True
    if fours:  # 4-4-4-1..4, 4-4-4-4, 4-4-4-4-3 (19 digits)
        return sizes[-1] <= 4 if n <= 4 else sizes[-1] == 3
    return sizes in _SPECIAL_SHAPES


def _run_cards(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    groups = [(m.start(), m.end()) for m in _DIGITS.finditer(text, start, end)]
    digits = "".join(text[a:b] for a, b in groups)
    if len(digits) < 13:
        return []
    values = _digit_values(digits)
    # Luhn sums of every prefix, for both parities: a window's sum is a difference of two.
    even, odd = [0], [0]  # even: digits at even offsets taken as they are, odd ones doubled
    for i, n in enumerate(values):
        plain, doubled = n, _DOUBLED[n]
        even.append(even[-1] + (plain if i % 2 == 0 else doubled))
        odd.append(odd[-1] + (doubled if i % 2 == 0 else plain))
    offsets = [0]  # where each group starts in `digits`
    for a, b in groups:
        offsets.append(offsets[-1] + b - a)

    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(groups):
        best = None
        first = offsets[i]
        if values[first] != 0:
            fours = ones = True
            for j in range(i, len(groups)):
                size = offsets[j + 1] - offsets[j]
                ones = ones and size == 1
                length = offsets[j + 1] - first
                if length > 19:
                    break  # no card is longer: this keeps long runs linear
                if length >= 13:
                    last = offsets[j + 1] - 1  # the rightmost digit is never doubled
                    sums = even if last % 2 == 0 else odd
                    if (sums[last + 1] - sums[first]) % 10 == 0 and _card_shaped(
                            tuple(offsets[k + 1] - offsets[k] for k in range(i, j + 1)),
                            fours=fours, ones=ones) and not (
                            length == 14 and _TIMESTAMP.fullmatch(digits, first, last + 1)):
                        best = j
                fours = fours and size == 4
        if best is None:
            i += 1
            continue
        found.append((groups[i][0], groups[best][1], mask_card(digits[first:offsets[best + 1]])))
        i = best + 1
    return found


def find_card_numbers(text: str) -> list[tuple[int, int, str]]:
    """(start, end, masked) for every card number in `text`, in text order.

    Within a run of digit groups the longest card starting at each group wins, so a card is
    picked out of "1000002 4111 1111 1111 1111 92688" and the account and ZIP are left alone.
    """
    found: list[tuple[int, int, str]] = []
    for run in _RUN.finditer(text):
        if run.end() - run.start() >= 13:  # shorter runs can't hold 13 digits
            found += _run_cards(text, run.start(), run.end())
    return found


def mask_card_numbers(text: str) -> tuple[str, bool]:
    """Replace every card number in `text` with its mask; also say whether any was found."""
    cards = find_card_numbers(text)
    if not cards:
        return text, False
    parts: list[str] = []
    last = 0
    for start, end, masked in cards:
        parts.append(text[last:start])
        parts.append(masked)
        last = end
    parts.append(text[last:])
    return "".join(parts), True


def mask_cards(text: str) -> str:
    """`text` with every card number masked."""
    return mask_card_numbers(text)[0]


def has_card_number(text: str) -> bool:
    return any(run.end() - run.start() >= 13 and _run_cards(text, run.start(), run.end())
               for run in _RUN.finditer(text))
