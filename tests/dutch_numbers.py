"""A scan for numbers written the English way in text a user reads (``1,234.5``, ``4519.0``).

dekkend writes every number with :mod:`dekkend.formatting`: thousands with a point, decimals
with a comma. A decimal point (``35.4``, ``0.00``) or comma-thousands with a decimal point
(``1,234.5``) is a number that bypassed it. Dotted references that are not numbers
(``art. 4.19 WVO``, version numbers, file names) are left out by the context rules below.
"""

from __future__ import annotations

import html
import re

#: A number with a decimal point and one or two decimals (a Dutch thousands group has three digits),
#: a long number with any decimal point, or English thousands separators.
ENGLISH = re.compile(
    r"(?<![\w.,/-])(\d{1,3}(?:,\d{3})+\.\d+|\d{1,3}(?:,\d{3}){2,}|\d+\.\d{1,2}|\d{4,}\.\d+)(?![\w.,/])"
)
#: Dotted numbers that are references, not quantities: an article of a law.
_REFERENCE = re.compile(r"\bart(?:ikel|\.)\s*$", re.IGNORECASE)
#: A version in a name (``Technum 2.0``): one digit, point, one digit after a capitalised word.
_VERSION_NAME = re.compile(r"\b[A-Z][a-z]+ $")


def english_numbers(text: str) -> list[str]:
    """Every English-formatted number in ``text``, with a little context (empty: all Dutch)."""
    found = []
    for m in ENGLISH.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if _REFERENCE.search(before):
            continue
        if re.fullmatch(r"\d\.\d", m.group(0)) and _VERSION_NAME.search(before):
            continue
        found.append(text[max(0, m.start() - 40) : m.end() + 20].replace("\n", " "))
    return found


def visible_text(page: str) -> str:
    """The text a reader sees in an HTML page: no scripts, styles or tags; entities resolved."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))
