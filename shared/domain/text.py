"""Free text people type (names, addresses, reasons): what is refused, and why.

Control characters break exports and logs, NUL truncates in other systems, and bidi overrides make a name read
differently from what it is (a reseller called "moc.nosotfim" shown as "microsoft.com"). They are refused, never
silently removed, so what is stored is what was sent.
"""

from __future__ import annotations

import re

# Written as escapes (not the characters themselves) so the documented patterns stay readable.
_BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SEPARATORS = r"\u2028\u2029"
_C0_SINGLE_LINE = r"\x00-\x1f\x7f-\x9f"
_C0_TEXT = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # tab, line feed and carriage return allowed
_NOT_TEXT = r"\ud800-\udfff\ufffe\uffff"  # lone surrogates and non-characters: not text at all
# The same classes as regular expressions a JSON Schema reader understands (documented on every text field).
SINGLE_LINE_PATTERN = f"^[^{_C0_SINGLE_LINE}{_BIDI}{_SEPARATORS}]*$"
TEXT_PATTERN = f"^[^{_C0_TEXT}{_BIDI}{_SEPARATORS}]*$"
_UNSAFE_SINGLE_LINE = re.compile(f"[{_C0_SINGLE_LINE}{_BIDI}{_SEPARATORS}{_NOT_TEXT}]")
_UNSAFE_TEXT = re.compile(f"[{_C0_TEXT}{_BIDI}{_SEPARATORS}{_NOT_TEXT}]")


def unsafe_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character free text may not hold, as U+XXXX, or None when the text is clean."""
    match = (_UNSAFE_TEXT if multiline else _UNSAFE_SINGLE_LINE).search(value)
    return None if match is None else f"U+{ord(match.group()):04X}"


def refuse_unsafe_text(value: str, *, multiline: bool = False) -> str:
    found = unsafe_character(value, multiline=multiline)
    if found is not None:
        raise ValueError(f"must not contain control characters or bidirectional overrides (found {found})")
    return value
