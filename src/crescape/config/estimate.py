"""Resource estimates of a validated deck: memory, run-file size and work, before anything runs.

``estimate(deck)`` counts the arrays an engine allocates (state, per-block statistics,
per-lane histograms, snapshots kept for ``run.h5``) from the deck alone; ``check_resources``
refuses a deck whose estimate exceeds the limits with a :class:`DeckError` naming the key
that dominates. Limits default to what fits a laptop (:data:`DEFAULT_MAX_MEMORY`,
:data:`DEFAULT_MAX_WORK`) and are raised with ``crescape run --max-memory 64GB --max-work 1e14``
or the environment variables ``CRESCAPE_MAX_MEMORY`` / ``CRESCAPE_MAX_WORK``.
``crescape run DECK --dry-run`` and ``crescape info DECK`` print the estimate.

Each engine gives its counts as ``Engine.estimate(deck) -> Estimate`` (``engines/<name>/checks.py``).
The counts are estimates (within a factor ~2 of the allocations: temporaries of numpy and
HDF5 are not counted); work is in elementary updates (cell × bin per step, particle steps).
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field

from ..engines.registry import get_engine
from ..errors import DeckError
from .setup_checks import snapshot_count

DEFAULT_MAX_MEMORY = 4 * 1024**3  # bytes
DEFAULT_MAX_WORK = 1e12  # elementary updates (≈ hours on a laptop core)
F8 = 8
WRITE_OVERHEAD = 1024**2  # bytes counted per snapshot write (checkpoint, fsyncs, HDF5 metadata)
WRITES_PER_MEMORY = 16  # total writes allowed = 16 × the memory limit

_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kKMGTP]?)(i?)([bB]?)\s*$")


def parse_size(text: str | float) -> int:
    """``"64GB"``, ``"500 MiB"``, ``"2e9"`` → bytes (k/M/G/T/P: powers of 1000, with 'i': of 1024)."""
    if isinstance(text, (int, float)):
        return int(text)
    m = _SIZE.match(str(text))
    if not m:
        raise ValueError(f"cannot read {str(text)[:40]!r} as a size (examples: 64GB, 500MiB, 2e9)")
    num, prefix, binary = float(m.group(1)), m.group(2).upper(), m.group(3)
    power = " KMGTP".index(prefix) if prefix else 0
    return int(num * (1024 if binary else 1000) ** power)


def fmt_bytes(n: float) -> str:
    for unit, scale in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("kiB", 1024)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} B"


@dataclass
class Estimate:
    """Memory items (key, meaning, bytes), run-file bytes, work and the keys that set it."""

    memory_items: list = field(default_factory=list)
    run_file: float = 0.0
    work: float = 0.0
    work_what: str = ""
    work_key: str = ""
    steps: float = math.nan
    work_is_bound: bool = False  # steps could not be estimated: only their upper bound run.max_steps is known
    n_snapshots: int = 0
    snapshot_key: str = "output.n_snapshots"

    @property
    def writes(self) -> float:
        """Bytes written over the run: run.h5 is rewritten (with a checkpoint) at every snapshot."""
        return self.n_snapshots * (self.run_file / 2 + WRITE_OVERHEAD)

    @property
    def memory(self) -> float:
        return float(sum(b for _k, _w, b in self.memory_items))

    def dominant_key(self) -> str:
        return max(self.memory_items, key=lambda it: it[2])[0] if self.memory_items else "(deck)"

    def lines(self) -> list[str]:
        out = [f"memory (estimate): {fmt_bytes(self.memory)}"]
        out += [f"  {what:44s} {fmt_bytes(b):>10s}   ({key})" for key, what, b in self.memory_items]
        out.append(f"run.h5 (estimate): {fmt_bytes(self.run_file)}")
        out.append(f"writes (estimate): {fmt_bytes(self.writes)} ({self.n_snapshots} snapshots; run.h5 rewritten at each)")
        out.append(f"work (estimate): {self.work:.3g} {self.work_what}")
        return out


def estimate(deck) -> Estimate:
    """Resource estimate of a validated deck (``Engine.estimate`` of its engine; none: an empty estimate)."""
    fn = getattr(get_engine(deck.engine), "estimate", None)
    e = fn(deck) if fn is not None else Estimate(work_what="(no estimate for this engine)")
    if not hasattr(deck, "output") or not hasattr(deck.output, "n_snapshots"):
        return e
    t_end = deck.run.t_end
    e.n_snapshots, e.snapshot_key = snapshot_count(deck.output, t_end)
    return e


def limits(max_memory=None, max_work=None) -> tuple[int, float]:
    """The limits in force: arguments, else ``CRESCAPE_MAX_MEMORY`` / ``CRESCAPE_MAX_WORK``, else defaults."""
    try:
        mem = parse_size(max_memory if max_memory is not None else os.environ.get("CRESCAPE_MAX_MEMORY", DEFAULT_MAX_MEMORY))
        work = float(max_work if max_work is not None else os.environ.get("CRESCAPE_MAX_WORK", DEFAULT_MAX_WORK))
    except ValueError as exc:
        raise DeckError(f"--max-memory / --max-work: {exc}") from None
    return mem, work


def check_resources(deck, max_memory=None, max_work=None, source: str = "deck") -> Estimate:
    """Return the estimate, or raise DeckError when it exceeds the limits (naming the key)."""
    mem_limit, work_limit = limits(max_memory, max_work)
    e = estimate(deck)
    if e.memory > mem_limit:
        raise DeckError(f"{source} error at '{e.dominant_key()}': this run needs about {fmt_bytes(e.memory)} of memory "
                        f"(limit {fmt_bytes(mem_limit)}; raise it with --max-memory, e.g. --max-memory 64GB)")
    if e.run_file > mem_limit:
        raise DeckError(f"{source} error at 'output': run.h5 would be about {fmt_bytes(e.run_file)} "
                        f"(limit {fmt_bytes(mem_limit)}; fewer snapshots, or raise --max-memory)")
    if e.writes > WRITES_PER_MEMORY * mem_limit:
        raise DeckError(f"{source} error at '{e.snapshot_key}': {e.n_snapshots} snapshots rewrite run.h5 "
                        f"{e.n_snapshots} times, about {fmt_bytes(e.writes)} in all (limit {WRITES_PER_MEMORY} × the "
                        f"memory limit = {fmt_bytes(WRITES_PER_MEMORY * mem_limit)}; fewer snapshots, or raise --max-memory)")
    if not e.work <= work_limit and not e.work_is_bound:
        raise DeckError(f"{source} error at '{e.work_key}': about {e.work:.3g} {e.work_what} — above the limit "
                        f"{work_limit:.3g} (raise it with --max-work)")
    return e
