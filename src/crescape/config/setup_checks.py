"""Set-up checks: everything about a deck that is known before a run starts.

The pydantic models check each value and each section; some problems only show when an
engine builds its set-up — a snapshot cadence that gives a billion snapshots, a
temperature without thermal equilibrium, shocks that never collide, a replayed run that
is not a CR-hydro run, a diffusion coefficient that overflows at the top of the momentum
grid. :func:`validate_setup` runs those checks on a validated deck (``load_config`` calls
it) so that each becomes a :class:`DeckError` naming the key — before the output directory
is created and before anything is compiled. The shared checks (snapshot times) live here;
each engine adds its own as ``Engine.check(deck, source)`` (``engines/<name>/checks.py``),
found through the engine registry. Nothing here compiles a kernel.

Resource limits (memory, run-file size, work) are checked separately, with limits the
user can raise: :mod:`crescape.config.estimate`.
"""
from __future__ import annotations

import re

from ..engines.registry import get_engine
from ..errors import DeckError
from .messages import shorten

MAX_SNAPSHOTS = 100_000  # snapshot times per run (each one is a full write of run.h5)
_KEY_AT_START = re.compile(r"^([a-z_]+\.[A-Za-z_0-9.]+)\b")


def fail(source: str, key: str, msg: str):
    """Raise the DeckError ``<source> error at '<key>': <msg>`` (msg cut to 300 characters)."""
    raise DeckError(f"{source} error at '{key}': {shorten(msg, 300)[1:-1] if len(msg) > 300 else msg}")


def key_of(msg: str, default: str) -> str:
    """The deck key an engine's set-up message starts with (``flow.V2 (0.5) must …``), else ``default``."""
    m = _KEY_AT_START.match(msg)
    return m.group(1) if m else default


def snapshot_count(output, t_end: float) -> tuple[int, str]:
    """(number of snapshot times, the key that contributes most) — computed without building them."""
    parts = {"output.times": len(output.times), "output.n_snapshots": int(output.n_snapshots)}
    if output.every > 0:
        n_every = (t_end - output.every_from) / output.every + 1
        parts["output.every"] = int(min(max(n_every, 0.0), 1e18))
    key = max(parts, key=parts.get)
    return sum(parts.values()) + int(output.initial), key


def check_output(deck, source: str):
    t_end = deck.run.t_end
    n, key = snapshot_count(deck.output, t_end)
    if n > MAX_SNAPSHOTS:
        what = f"{getattr(deck.output, key.split('.')[1])!r}" if key != "output.times" else f"{n} times"
        fail(source, key, f"{key.split('.')[1]} = {what} with run.t_end = {t_end:g} gives {n} snapshots "
             f"(at most {MAX_SNAPSHOTS})")
    try:
        deck.output.snapshot_times(0.0, t_end)
    except ValueError as exc:
        fail(source, key_of(str(exc), "output"), str(exc))


def validate_setup(deck, source: str = "deck"):
    """Run every set-up check of ``deck`` (validated model); raise DeckError naming the key."""
    if hasattr(deck, "output") and hasattr(deck.output, "snapshot_times"):
        check_output(deck, source)
    check = getattr(get_engine(deck.engine), "check", None)
    if check is not None:
        check(deck, source)
