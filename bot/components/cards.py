"""Find and mask payment card numbers (PANs) in free text.

Plain Python with no Rasa import: the backend keeps a copy of this logic, so keep it standalone.

A card number is 13-19 digits, written as one run or in groups separated by single spaces or
dashes, that passes the Luhn check. Grouped numbers must look like cards (4-4-4-4, 4-4-4-4-3,
4-6-5 Amex, 4-6-4 Diners) so a phone number next to an account number is not read as one.
"""

from __future__ import annotations

import re

# Maximal runs of digit groups joined by one space or dash; cards are looked for inside.
_RUN = re.compile(r"(?<!\d)\d+(?:[ -]\d+)*(?!\d)")
_DIGITS = re.compile(r"\d+")

MASK_PREFIX = "**** **** **** "


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number passes."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def mask_card(digits: str) -> str:
    """ "4111111111111111" -> "**** **** **** 1111": only the last four survive."""
    return MASK_PREFIX + re.sub(r"\D", "", digits)[-4:]


def _card_shaped(groups: list[str]) -> bool:
    sizes = [len(g) for g in groups]
    if len(sizes) == 1:
        return True
    if sizes in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(s == 4 for s in sizes[:-1]) and 1 <= sizes[-1] <= 4


def find_card_numbers(text: str) -> list[tuple[int, int, str]]:
    """(start, end, masked) for every Luhn-valid card number in `text`, in text order."""
    found: list[tuple[int, int, str]] = []
    for run in _RUN.finditer(text):
        # Group boundaries inside the run, so a card can be picked out of a longer run
        # ("4111 1111 1111 1111 92688").
        bounds = [(m.start(), m.end()) for m in _DIGITS.finditer(text, run.start(), run.end())]
        i = 0
        while i < len(bounds):
            match = _longest_card(text, bounds=bounds, first=i)
            if match is None:
                i += 1
                continue
            j, digits = match
            found.append((bounds[i][0], bounds[j][1], mask_card(digits)))
            i = j + 1
    return found


def _longest_card(
    text: str, *, bounds: list[tuple[int, int]], first: int
) -> tuple[int, str] | None:
    """The longest card starting at group `first`: (index of its last group, its digits)."""
    best: tuple[int, str] | None = None
    groups: list[str] = []
    for j in range(first, len(bounds)):
        groups.append(text[bounds[j][0] : bounds[j][1]])
        digits = "".join(groups)
        if len(digits) > 19:
            break  # no card is longer: this keeps long digit runs linear
        if len(digits) >= 13 and _card_shaped(groups) and luhn_valid(digits):
            best = (j, digits)
    return best


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
