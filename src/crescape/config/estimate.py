"""Resource estimates of a validated deck: memory, run-file size and work, before anything runs.

``estimate(deck)`` counts the arrays an engine allocates (state, per-block statistics,
per-lane histograms, snapshots kept for ``run.h5``) from the deck alone; ``check_resources``
refuses a deck whose estimate exceeds the limits with a :class:`DeckError` naming the key
that dominates. Limits default to what fits a laptop (:data:`DEFAULT_MAX_MEMORY`,
:data:`DEFAULT_MAX_WORK`) and are raised with ``crescape run --max-memory 64GB --max-work 1e14``
or the environment variables ``CRESCAPE_MAX_MEMORY`` / ``CRESCAPE_MAX_WORK``.
``crescape run DECK --dry-run`` and ``crescape info DECK`` print the estimate.

The counts are estimates (within a factor ~2 of the allocations: temporaries of numpy and
HDF5 are not counted); work is in elementary updates (cell × bin per step, particle steps).
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field

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


def _crhydro(deck) -> Estimate:
    n = deck.grid.n_cells
    cr = deck.cr
    n_p = math.ceil(cr.bins_per_decade * math.log10(cr.p_max / cr.p_min)) if cr.enabled else 0
    n_snap, snap_key = snapshot_count(deck.output, deck.run.t_end)
    per_snap = (16 * n + n * n_p + n_p) * F8
    e = Estimate()
    e.memory_items.append(("grid.n_cells", f"gas state and work arrays ({n} cells)", 48 * n * F8))
    if n_p:
        e.memory_items.append(("grid.n_cells", f"CR state and operators ({n} cells × {n_p} bins)", 16 * n * n_p * F8))
    e.memory_items.append((snap_key if n_snap > 1000 else "grid.n_cells",
                           f"{n_snap} snapshots kept for run.h5 (× 2 while written)", 2 * n_snap * per_snap))
    e.run_file = n_snap * per_snap
    e.steps = _crhydro_steps(deck)
    e.work_is_bound = deck.problem.kind not in ("riemann", "uniform", "shimoda2025")
    e.work = n * max(n_p, 1) * e.steps
    e.work_what = (f"cell-bin updates ({n} cells × {max(n_p, 1)} bins × "
                   f"{'at most run.max_steps = ' if e.work_is_bound else '~'}{e.steps:.3g} steps"
                   f"{'' if e.work_is_bound else ' from the initial signal speed: a lower bound'})")
    e.work_key = "grid.n_cells"
    return e


def _crhydro_steps(deck) -> float:
    """Steps ≈ t_end / (cfl Δr_min / c) with c the largest initial signal speed (sound + flow)."""
    from ..constants import k_B, m_p

    p, g = deck.problem, deck.gas.gamma
    if p.kind == "riemann":
        c = max(math.sqrt(g * s.P / s.rho) + abs(s.v) for s in (p.left, p.right))
    elif p.kind in ("uniform", "shimoda2025"):
        c = math.sqrt(g * k_B * p.T / (deck.gas.mu * m_p)) + abs(getattr(p, "v", 0.0))
    else:  # a blast wave: its speed is set by the energy deposit; the step count is bounded by max_steps
        return float(deck.run.max_steps)
    dx = (deck.grid.r_max - deck.grid.r_min) / deck.grid.n_cells
    if deck.grid.spacing != "uniform":
        dx = dx / 10.0  # log / stretched cells: the smallest cell is smaller than the mean
    return float(min(deck.run.max_steps, deck.run.t_end / (deck.run.cfl * dx / c)))


def _sde(deck) -> Estimate:
    r, o, inj = deck.run, deck.output, deck.injection
    n = inj.n_particles
    chunk = min(n, r.chunk_particles or n)
    n_blk = chunk // r.block_size + 1
    lanes = min(r.n_lanes, n_blk)
    k_t, _ = snapshot_count(o, r.t_end)
    n_obs = max(1, len(o.observers))
    n_int = len(o.integrate)
    e = Estimate()
    e.memory_items.append(("injection.n_particles", f"particle state ({n} particles)", 8 * n * F8))
    e.memory_items.append(("run.block_size", f"block statistics ({n_blk} blocks × {k_t} times × {o.n_p} p)",
                           n_blk * (2 * k_t * n_obs + 2 * k_t + n_int) * o.n_p * F8 * 2))
    e.memory_items.append(("output.n_x", f"(x, p) histograms ({lanes} lanes × {k_t} times × {o.n_x} × {o.n_p})",
                           (lanes + 1) * k_t * o.n_x * o.n_p * F8))
    e.run_file = (k_t * o.n_x * o.n_p + 4 * k_t * n_obs * o.n_p) * F8
    if o.particles:
        e.memory_items.append(("output.particles", f"particle snapshots ({k_t} times × {n} particles)",
                               2 * 3 * k_t * n * F8))
        e.run_file += 3 * k_t * n * F8
    e.steps = r.t_end / r.dt
    clones = 1 + (deck.splitting.n_levels if deck.splitting.enabled else 0)
    e.work = n * clones * e.steps
    e.work_what = (f"particle steps ({n} particles{f' × {clones} (splitting)' if clones > 1 else ''} × "
                   f"{e.steps:.3g} steps of run.dt{', at least: adaptive' if r.adaptive else ''})")
    e.work_key = "run.dt"
    return e


def _cloud(deck) -> Estimate:
    n = deck.grid.n_cells
    n_e = len(deck.cr.energies) or deck.cr.bins
    r = deck.run
    n_snap, snap_key = snapshot_count(deck.output, r.t_end)
    per_snap = 6 * n * n_e * F8
    e = Estimate()
    e.memory_items.append(("grid.n_cells", f"CR and wave state ({n} cells × {n_e} energies)", 30 * n * n_e * F8))
    e.memory_items.append((snap_key if n_snap > 1000 else "grid.n_cells", f"{n_snap} snapshots kept for run.h5 (× 2 while written)", 2 * n_snap * per_snap))
    e.run_file = n_snap * per_snap
    # dt = dt_factor (t + dt_min) up to dt_max: logarithmic growth, then linear
    t_cap = r.dt_max / r.dt_factor
    e.steps = math.log1p(min(r.t_end, t_cap) / r.dt_min) / r.dt_factor + max(0.0, r.t_end - t_cap) / r.dt_max
    e.steps = min(e.steps, r.max_steps)
    e.work = n * n_e * e.steps
    e.work_what = f"cell-energy updates ({n} cells × {n_e} energies × ~{e.steps:.3g} steps)"
    e.work_key = "grid.n_cells"
    return e


ESTIMATORS = {"crhydro": _crhydro, "sde": _sde, "cloud": _cloud}


def estimate(deck) -> Estimate:
    """Resource estimate of a validated deck (see the module docstring)."""
    e = ESTIMATORS[deck.engine](deck)
    t_end = deck.run.t_end
    e.n_snapshots, e.snapshot_key = snapshot_count(deck.output, t_end)
    return e


def limits(max_memory=None, max_work=None) -> tuple[int, float]:
    """The limits in force: arguments, else ``CRESCAPE_MAX_MEMORY`` / ``CRESCAPE_MAX_WORK``, else defaults."""
    from . import DeckError

    try:
        mem = parse_size(max_memory if max_memory is not None else os.environ.get("CRESCAPE_MAX_MEMORY", DEFAULT_MAX_MEMORY))
        work = float(max_work if max_work is not None else os.environ.get("CRESCAPE_MAX_WORK", DEFAULT_MAX_WORK))
    except ValueError as exc:
        raise DeckError(f"--max-memory / --max-work: {exc}") from None
    return mem, work


def check_resources(deck, max_memory=None, max_work=None, source: str = "deck") -> Estimate:
    """Return the estimate, or raise DeckError when it exceeds the limits (naming the key)."""
    from . import DeckError

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
