"""CR escape from CR-hydro runs: escaped spectra and fractions (seed 000 Figs. 4, 10)."""
from __future__ import annotations

import numpy as np

from ..physics.losses import kinetic_energy


def escape_time(R, D):
    """Diffusive escape time R²/(4D) [s] (seed 000 §4.1: (300 pc)²/(4D) ≈ 1 Myr at 1 GeV, D0 = 1e28)."""
    return R * R / (4.0 * D)


def escaped_number_spectrum(run, t=None):
    """Cumulative escaped number per unit p/(m_p c) at time t (default: last): (p, dN/dp)."""
    esc = run.escaped
    i = -1 if t is None else int(np.argmin(np.abs(esc["t"].values - t)))
    return esc["p"].values, esc["escaped"].values[i]


def escaped_energy(run):
    """(t, E_escaped(t) [erg]) from the escaped spectra: Σ_p ε(p) dN/dp Δp."""
    esc = run.escaped
    p = esc["p"].values
    edges = _edges_from_centres(p)
    dp = np.diff(edges)
    E = esc["escaped"].values @ (kinetic_energy(p) * dp)
    return esc["t"].values, E


def escaped_fraction(run):
    """(t, E_cr_escaped / E_cr(0)) from the history."""
    h = run.history
    return h["t"].values, h["E_cr_escaped"].values / h["E_cr"].values[0]


def _edges_from_centres(p):
    """Bin edges of a log-uniform grid from its geometric centres."""
    lp = np.log(np.asarray(p, dtype=float))
    d = lp[1] - lp[0] if lp.size > 1 else 1.0
    return np.exp(np.concatenate([lp - 0.5 * d, [lp[-1] + 0.5 * d]]))
