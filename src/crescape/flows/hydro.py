"""Replay of a crescape CR-hydro run as a tabulated flow u(r, t), ∇·u(r, t).

Reads the ``snapshots`` group (``v`` [cm/s] on dims (t, r), r = cell centres
[cm], t [s]) of a run directory via :func:`crescape.io.open_run`, resamples
each snapshot onto a uniform r grid (linear interpolation) and computes
∇·u = ∂u/∂r (planar) or r^-2 ∂(r² u)/∂r (spherical) with second-order
differences. The kernel interpolates linearly in r and t; outside the
tabulated times the first/last snapshot is used.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..io import open_run
from .base import FlowSpec
from .compiled import FLOW_TABLE


def tabulate(t, r, v, geometry="spherical", n_r=None):
    """FlowSpec from snapshot arrays t (nt), r (nr, cell centres), v (nt, nr)."""
    # copies: arrays read from HDF5 may be read-only, which numba types differently (recompiles)
    t = np.array(t, dtype=float)
    r = np.array(r, dtype=float)
    v = np.array(v, dtype=float)
    if v.shape != (t.size, r.size):
        raise ValueError(f"hydro replay: v has shape {v.shape}, expected (t, r) = {(t.size, r.size)}")
    if t.size < 1 or r.size < 3 or np.any(np.diff(r) <= 0) or np.any(np.diff(t) <= 0):
        raise ValueError("hydro replay needs >= 3 increasing r and increasing t")
    if not np.all(np.isfinite(v)):
        raise ValueError("hydro replay: the velocity contains NaN/Inf")
    nr = n_r or r.size
    ru = np.linspace(r[0], r[-1], nr)
    U = np.array([np.interp(ru, r, vi) for vi in v])
    if geometry == "spherical":
        D = np.gradient(U, ru, axis=1) + 2.0 * U / np.where(ru > 0, ru, np.inf)
    else:
        D = np.gradient(U, ru, axis=1)
    tt = t if t.size > 1 else np.array([t[0], t[0] + 1.0])
    if t.size == 1:
        U, D = np.vstack([U, U]), np.vstack([D, D])
    fpar = np.array([ru[0], ru[1] - ru[0], float(nr)])
    return FlowSpec(FLOW_TABLE, fpar, ttab=np.ascontiguousarray(tt), utab=np.ascontiguousarray(U),
                    dtab=np.ascontiguousarray(D), geometry=geometry, u_char=float(np.abs(U).max()),
                    description="tabulated hydro flow")


def hydro_replay(run_dir: str | Path, n_r=None):
    """FlowSpec replaying ``v(t, r)`` of the CR-hydro run in ``run_dir``."""
    run = open_run(run_dir)
    snap = run.snapshots
    if snap is None or "v" not in snap:
        raise ValueError(f"{run_dir}: no snapshots/v in the run file (not a CR-hydro run?)")
    geom = "spherical"
    if run.config is not None and hasattr(run.config, "grid"):
        geom = run.config.grid.geometry
    if geom == "cylindrical":
        raise ValueError("hydro replay supports planar and spherical runs only")
    spec = tabulate(snap["t"].values, snap["r"].values, snap["v"].values, geom, n_r)
    spec.description = f"replay of {run_dir}"
    return spec
