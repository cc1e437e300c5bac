"""Initial CR distributions of the CR-hydro problems (deck ``[problem]`` and ``[cr]``)."""
from __future__ import annotations

import numpy as np


def initial_tophat(grid, p_f, p_c, eps, E_cr, r0, slope):
    """Seed 000 eq. (10): N ∝ p^-slope for r ≤ r0, 0 outside, normalised to E_cr = Σ V ε n.

    Returns ``n[i, j]`` [cm-3] (number density per momentum bin). The number per bin is the
    exact integral of p^-slope over the bin; a cell cut by r0 gets its volume fraction.
    """
    if slope == 1.0:
        per_bin = np.log(p_f[1:] / p_f[:-1])
    else:
        per_bin = (p_f[:-1] ** (1 - slope) - p_f[1:] ** (1 - slope)) / (slope - 1)
    inner = np.clip(grid.rf[:-1], 0, r0)
    outer = np.clip(grid.rf[1:], 0, r0)
    if grid.geometry == "spherical":
        frac = (outer**3 - inner**3) / (grid.rf[1:] ** 3 - grid.rf[:-1] ** 3)
    elif grid.geometry == "cylindrical":
        frac = (outer**2 - inner**2) / (grid.rf[1:] ** 2 - grid.rf[:-1] ** 2)
    else:
        frac = (outer - inner) / (grid.rf[1:] - grid.rf[:-1])
    n = frac[:, None] * per_bin[None, :]
    E = float(np.dot(grid.V, n @ eps))
    if E <= 0:
        raise ValueError(f"CR initial condition: r0 = {r0:g} cm holds no cell volume")
    return n * (E_cr / E)


def initial_cr(deck, grid, p_f, p_c, eps) -> np.ndarray:
    """n[i, j] [cm^-3] at t = 0: the seed 000 top-hat of ``problem.kind = "shimoda2025"``
    (``problem.E_cr``, ``r0``, ``slope``), else the optional ``cr.init_*`` top-hat (zero if ``init_E = 0``)."""
    cr, prob = deck.cr, deck.problem
    if prob.kind == "shimoda2025":
        E, r0, s = prob.E_cr, prob.r0, prob.slope
    else:
        E, r0, s = cr.init_E, cr.init_r0, cr.init_slope
    if E > 0:
        return initial_tophat(grid, p_f, p_c, eps, E, r0, s)
    return np.zeros((grid.n, p_c.size))
