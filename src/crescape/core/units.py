"""Unit handling at the user boundary.

Decks may give a bare number (taken as CGS) or a string with a unit such as
``"300 pc"`` or ``"1 uG"``; :func:`to_cgs` converts the latter once, at load
time, with astropy.units. Inside crescape every number is CGS.
"""
from __future__ import annotations

import functools

# Units whose CGS form astropy does not pick by itself (magnetic field).
_SPECIAL = {"G": "G"}


@functools.lru_cache(maxsize=256)
def _parse(text: str):
    import astropy.units as u

    try:
        return u.Quantity(text)
    except Exception as exc:  # astropy raises several types; one message for the user
        raise ValueError(f"cannot parse {text!r} as a quantity with a unit ({exc})") from None


def to_cgs(value, unit: str | None):
    """Convert ``value`` (number or ``"<number> <unit>"`` string) to a CGS float.

    ``unit`` is the CGS unit the result must carry (e.g. ``"cm"``, ``"s"``,
    ``"g cm-3"``, ``"G"``); ``None`` or ``""`` means dimensionless. A bare
    number is returned unchanged (already CGS). Raises ``ValueError`` with a
    readable message when the string has an incompatible unit.
    """
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:  # an int beyond 1.8e308: a ValueError so that pydantic names the key
            bits = value.bit_length() if isinstance(value, int) else 0
            raise ValueError(f"an integer of {bits} bits is too large for a float (max ≈ 1.8e308)") from None
    if not isinstance(value, str):
        raise ValueError(f"expected a number or a string with a unit, got {type(value).__name__}")
    text = value.strip()
    if len(text) > 200:
        raise ValueError(f"a quantity string of {len(text)} characters (at most 200)")
    try:
        return float(text)
    except ValueError:
        pass
    import astropy.units as u

    q = _parse(text)
    target = u.Unit(unit) if unit else u.dimensionless_unscaled
    try:
        if unit == "G":
            return float(q.to_value(u.G))
        return float(q.to(target, equivalencies=u.temperature()).value)
    except u.UnitConversionError:
        raise ValueError(f"{text!r} cannot be converted to {unit or 'a dimensionless number'}") from None
