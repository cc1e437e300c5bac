"""Scalar summaries of a SDE run for sweep indices (diffusive shock acceleration).

Each entry of ``SUMMARIES`` is ``name -> (f(run) -> float, units, description)``; ``f`` takes a
run read back with :func:`crescape.open_run`. Missing variables may raise KeyError/AttributeError:
:func:`crescape.sweep.summaries.compute_summaries` turns those into NaN.
"""
from __future__ import annotations

import math

import numpy as np

from ..registry import summary_table

SUMMARIES, summary = summary_table()


def _last_particles(run):
    s = run.snapshots
    alive = np.asarray(s["alive"].values[-1], dtype=bool) if "alive" in s else np.ones(s["p"].shape[-1], bool)
    w = np.asarray(s["w"].values[-1], dtype=float) if "w" in s else np.ones(alive.shape)
    return np.asarray(s["p"].values[-1], dtype=float), w, alive


@summary("N_alive_final", "", "pseudo-particles alive at the last snapshot")
def _n_alive(run):
    return float(_last_particles(run)[2].sum())


@summary("weight_alive_final", "", "summed weight of the particles alive at the last snapshot")
def _w_alive(run):
    _p, w, alive = _last_particles(run)
    return float(w[alive].sum())


@summary("p_max_final", "m_p c", "largest momentum of an alive particle at the last snapshot")
def _p_max(run):
    p, _w, alive = _last_particles(run)
    return float(np.max(p[alive])) if alive.any() else math.nan


def fit_slope(p, f, f_err, max_rel_err: float = 0.3, min_bins: int = 3) -> float:
    """q in f ∝ p^-q: weighted least squares of ln f on ln p over the bins above the injection
    bump, below the cut-off (p^q f ≥ max/2, iterated) and with relative Monte-Carlo error below
    ``max_rel_err`` (NaN with fewer than ``min_bins``). Test-particle DSA at a shock of
    compression r gives q = 3r/(r − 1) (Bell 1978; Blandford & Ostriker 1978)."""
    p, f, e = (np.asarray(a, dtype=float) for a in (p, f, f_err))
    ok = (f > 0) & np.isfinite(f) & (e >= 0) & (e < max_rel_err * np.where(f > 0, f, 1.0))
    if ok.sum() < min_bins:
        return math.nan
    ok &= p > 2.0 * p[np.argmax(np.where(ok, f * p**3, 0.0))]  # past the injection bump of p³f
    q, use = 4.0, ok
    for _ in range(4):  # below the cut-off: p^q f within a factor 2 of its largest value
        y = np.where(ok, f * p**q, 0.0)
        use = ok & (y >= 0.5 * y.max())
        if use.sum() < min_bins:
            return math.nan
        w = 1.0 / np.maximum(e[use] / f[use], 1e-3)
        q = -float(np.polyfit(np.log(p[use]), np.log(f[use]), 1, w=w)[0])
    return q


@summary("q_integrated", "", "index q of f ∝ p^-q of the time-integrated spectrum (DSA: 3r/(r-1))")
def _q_int(run):
    g = run.groups["integrated"]
    return fit_slope(g["p"].values, g["f"].values[0], g["f_err"].values[0])


@summary("escaped_per_particle", "", "pseudo-particles escaped through the boundaries per injected one")
def _escaped(run):
    g = run.escaped
    edges = np.asarray(run.spectra["p_edges"].values, dtype=float)
    dlnp = np.diff(np.log(edges))
    return float((np.asarray(g["dN_dlnp"].values, dtype=float) * dlnp).sum())
