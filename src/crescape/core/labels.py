"""Labels every figure shares: times in yr / kyr / Myr with a mantissa (never "2e+03 kyr"),
with just enough digits that different times never print alike."""
from __future__ import annotations

from .constants import kyr

_UNITS = ((1e3 * kyr, "Myr"), (kyr, "kyr"), (1e-3 * kyr, "yr"))


def time_label(t: float, digits: int = 3) -> str:
    """``"350 kyr"``, ``"1.2 Myr"``, ``"45 yr"``; seconds below a year (laboratory problems)."""
    if t == 0:
        return "0"
    for scale, unit in _UNITS:
        if abs(t) >= scale:
            v = t / scale
            s = f"{v:.{digits}g}"
            if "e" in s:  # beyond 10^digits of the unit: print the integer
                s = f"{v:.0f}"
            return f"{s} {unit}"
    return f"{t:.{digits}g} s"


def time_labels(times, digits: int = 3) -> list[str]:
    """One label per time, adding digits (up to 8) until different times get different labels."""
    times = [float(t) for t in times]
    d = [digits] * len(times)
    labels = [time_label(t, digits) for t in times]
    for _ in range(6):  # only the labels that collide get more digits
        clash = {i for i in range(len(times)) for j in range(len(times))
                 if i != j and labels[i] == labels[j] and times[i] != times[j]}
        if not clash:
            break
        for i in clash:
            d[i] += 1
            labels[i] = time_label(times[i], d[i])
    return labels
