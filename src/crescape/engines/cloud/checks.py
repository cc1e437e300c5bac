"""Set-up checks and resource estimate of a cloud deck (``Engine.check``, ``Engine.estimate``).

The set-up (:func:`crescape.engines.cloud.problems.build`: tube grid, phases, background
diffusion against the Bohm limit, the TM99 source radius) is plain numpy and is built once
here, so that its errors are deck errors before anything runs.
"""
from __future__ import annotations

import math

from ...config.estimate import F8, Estimate
from ...config.setup_checks import fail, key_of, snapshot_count
from .problems import build


def check(deck, source: str):
    try:
        build(deck)
    except ValueError as exc:
        msg = str(exc)
        fail(source, key_of(msg, "source" if msg.startswith("source") else "cloud"), msg)


def estimate(deck) -> Estimate:
    n = deck.grid.n_cells
    n_e = len(deck.cr.energies) or deck.cr.bins
    r = deck.run
    n_snap, snap_key = snapshot_count(deck.output, r.t_end)
    per_snap = 6 * n * n_e * F8
    e = Estimate()
    e.memory_items.append(("grid.n_cells", f"CR and wave state ({n} cells × {n_e} energies)", 30 * n * n_e * F8))
    e.memory_items.append((snap_key if n_snap > 1000 else "grid.n_cells",
                           f"{n_snap} snapshots kept for run.h5 (× 2 while written)", 2 * n_snap * per_snap))
    e.run_file = n_snap * per_snap
    # dt = dt_factor (t + dt_min) up to dt_max: logarithmic growth, then linear
    t_cap = r.dt_max / r.dt_factor
    e.steps = math.log1p(min(r.t_end, t_cap) / r.dt_min) / r.dt_factor + max(0.0, r.t_end - t_cap) / r.dt_max
    e.steps = min(e.steps, r.max_steps)
    e.work = n * n_e * e.steps
    e.work_what = f"cell-energy updates ({n} cells × {n_e} energies × ~{e.steps:.3g} steps)"
    e.work_key = "grid.n_cells"
    return e
