"""Observers: windows at snapshot times, spectra with Monte-Carlo errors, slope fits.

Snapshot observers record Σw and Σw² of the particles inside their window at
each output time; ``kind = "shock"`` windows move with a shock of the flow
(lo/hi relative to the shock position), ``"fixed"`` windows are fixed in space.
Time-integrating observers record Σ w Δt every step (continuous injection of
a stationary flow, seed 003 §2.1 / Merten et al. 2018).

Monte-Carlo errors are batch means over blocks of particles: with B blocks
of totals H_b, Var(Σ_b H_b) = B/(B-1) Σ_b (H_b - H̄)²; this stays valid when
splitting correlates clones (a lineage never leaves its block). The sums
S1 = Σ H_b, S2 = Σ H_b² and B are mergeable across chunks.
"""
from __future__ import annotations

import numpy as np

from .deck import ObserverSpec


def default_observers(deck, flow):
    if deck.output.observers:
        return list(deck.output.observers)
    if flow.shocks(deck.run.t_end):
        w = max(flow.w_char, 1e-300)
        return [ObserverSpec(name="shock", kind="shock", lo=-5 * w, hi=5 * w)]
    return [ObserverSpec(name="all", kind="fixed", lo=deck.output.x_lo, hi=deck.output.x_hi)]


def windows(observers, flow, times):
    """(lo, hi) arrays of shape (n_times, n_observers); empty windows where the shock does not exist."""
    lo = np.full((len(times), len(observers)), np.inf)
    hi = np.full((len(times), len(observers)), np.inf)
    for j, o in enumerate(observers):
        for k, t in enumerate(times):
            if o.kind == "fixed":
                lo[k, j], hi[k, j] = o.lo, o.hi
            else:
                s = flow.shocks(t)
                if len(s) > o.shock:
                    lo[k, j], hi[k, j] = s[o.shock] + o.lo, s[o.shock] + o.hi
    return lo, hi


def batch_error(S1, S2, nb):
    """Standard error of a total from block sums S1 = ΣH_b, S2 = ΣH_b² over nb blocks."""
    if nb < 2:
        return np.full_like(S1, np.nan)
    var = nb / (nb - 1.0) * (S2 - S1 * S1 / nb)
    return np.sqrt(np.maximum(var, 0.0))


def fit_slope(p, y, err=None, p_lo=None, p_hi=None):
    """Least-squares slope s of y ∝ p^s (weighted by relative errors) over [p_lo, p_hi].

    Returns (slope, standard error). Bins with y <= 0 are skipped.
    """
    p = np.asarray(p, float)
    y = np.asarray(y, float)
    m = (y > 0) & np.isfinite(y)
    if p_lo is not None:
        m &= p >= p_lo
    if p_hi is not None:
        m &= p <= p_hi
    if m.sum() < 3:
        raise ValueError("fit_slope: fewer than 3 populated bins in the fit range")
    X = np.log(p[m])
    Y = np.log(y[m])
    if err is not None:
        rel = np.asarray(err, float)[m] / y[m]
        wts = 1.0 / np.maximum(rel, 1e-12) ** 2
    else:
        wts = np.ones_like(X)
    W = wts.sum()
    xm = (wts * X).sum() / W
    ym = (wts * Y).sum() / W
    sxx = (wts * (X - xm) ** 2).sum()
    s = (wts * (X - xm) * (Y - ym)).sum() / sxx
    resid = Y - ym - s * (X - xm)
    dof = max(m.sum() - 2, 1)
    chi2 = (wts * resid**2).sum() / dof
    se = np.sqrt(max(chi2, 1.0) / sxx) if err is not None else np.sqrt((resid**2).sum() / dof / ((X - xm) ** 2).sum())
    return float(s), float(se)


def reweight_particles(p0, w, index_old: float, index_new: float):
    """Weights for a different injected power law: w' ∝ w · p0^(index_old - index_new), same total."""
    p0 = np.asarray(p0, float)
    w = np.asarray(w, float)
    f = p0 ** (index_old - index_new)
    out = w * f
    return out * (np.nansum(w) / np.nansum(out))
