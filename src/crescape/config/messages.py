"""Bounded quoting of user values in error messages."""
from __future__ import annotations

from typing import Any

MAX_SHOWN = 80  # characters of a user value quoted in an error message


def shorten(value: Any, limit: int = MAX_SHOWN) -> str:
    """``repr(value)`` cut to ``limit`` characters, with the full length stated.

    Error messages quote what the user gave; a 200 kB string or a 5000-digit integer
    must not be echoed whole (``repr`` of an int over 4300 digits even raises).
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of {value.bit_length()} bits (about {int(value.bit_length() * 0.30103)} digits)"
    try:
        text = repr(value)
    except ValueError:
        return f"a {type(value).__name__} too large to show"
    if len(text) <= limit:
        return text
    return f"{text[:limit - 20]}…{text[-10:]} ({len(text)} characters)"
