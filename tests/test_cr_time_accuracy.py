"""Time accuracy of the CR diffusion step (TR-BDF2 + error control) against the exact spherical
top-hat solution (Crank 1975, The Mathematics of Diffusion, §6.3), at the default deck settings
(D0 = 1e26 cm² s⁻¹, δ = 1/3, 600 cells to 300 pc) with the hydro CFL step of static gas."""

import numpy as np
import pytest

from crescape.config import load_config
from crescape.core.constants import Myr, pc
from crescape.engines.crhydro.solver import CRHydroSolver
from helpers.crhydro_cr import build, cr_deck
from test_crtransport import tophat_green

A_TOP = 10 * pc
R_MAX = 300 * pc


def _deck(T, scheme="tr_bdf2", tol=None, n_cells=600):
    cr = {"enabled": True, "coulomb": False, "streaming": False, "alfven_heating": False,
          "pressure_coupling": False, "D0": 1e26, "init_E": 1e50, "init_r0": "10 pc", "time_scheme": scheme}
    if tol is not None:
        cr["dt_tolerance"] = tol
    return load_config({
        "engine": "crhydro", "grid": {"geometry": "spherical", "r_max": "300 pc", "n_cells": n_cells},
        "problem": {"kind": "uniform", "n": 1.0, "T": T},
        "thermal": {"cooling": False, "heating": False, "conduction": False}, "cr": cr})


def tophat_error(rc, mod, n0, t):
    """max over cells of |N − N_exact| / max N_exact, worst of every 4th bin whose front stays
    3 √(4Dt) inside r_max (the exact solution is for infinite space)."""
    worst = 0.0
    for j in range(0, mod.M, 4):
        D = mod.Dface[0, j]
        if A_TOP + 3 * np.sqrt(4 * D * t) > R_MAX:
            continue
        ex = tophat_green(rc, A_TOP, D * t)
        worst = max(worst, np.max(np.abs(mod.n[:, j] / n0[j] - ex)) / ex.max())
    return worst


def _errors_at(T, times, **kw):
    s = CRHydroSolver(_deck(T, **kw))
    m = s.modules[0]
    n0 = m.n[0].copy()
    out = []
    for tc in times:
        while s.t < tc * (1 - 1e-12):
            s.step(tc - s.t)
        out.append(tophat_error(s.grid.rc, m, n0, s.t))
    return out, s


@pytest.mark.parametrize("T", [1e4, 1e6])
def test_tophat_diffusion_within_one_percent_of_peak_at_hydro_cfl_steps(T):
    """Default cr.dt_tolerance: ≤ 1 % of the peak at 0.1, 0.3, 2 Myr. Measured 0.16 / 0.10 /
    0.03 % (1e4 K) and 0.13 / 0.13 / 0.03 % (1e6 K); backward Euler with the hydro step alone
    gives 39 / 11 / 1.6 % (1e4 K) and 3.1 / 1.0 / 0.2 % (1e6 K)."""
    errs, s = _errors_at(T, [0.1 * Myr, 0.3 * Myr, 2 * Myr])
    assert max(errs) < 0.01, errs
    m = s.modules[0]
    assert m.number_error() == pytest.approx(0.0, abs=1e-12)


def test_backward_euler_at_hydro_step_misses_the_tophat_by_tens_of_percent():
    """The error the controller removes is real: the first-order step with the 1e4 K hydro step."""
    errs, _ = _errors_at(1e4, [0.1 * Myr], scheme="backward_euler")
    assert errs[0] > 0.2, errs


def _fixed_step_run(nsteps, scheme, t_end=0.1 * Myr):
    deck = cr_deck(r_max="300 pc", n_cells=600, cr={"init_E": 1e50, "init_r0": "10 pc", "D0": 1e26,
                                                    "time_scheme": scheme, "dt_tolerance": 0.0})
    _grid, mod, s = build(deck)
    for _ in range(nsteps):
        mod.step(s, t_end / nsteps)
    return mod.n.copy()


@pytest.mark.parametrize("scheme, order", [("tr_bdf2", 2), ("backward_euler", 1)])
def test_fixed_step_convergence_order_in_time(scheme, order):
    """Halving Δt (fixed steps, no error control) against a 1280-step reference on the same grid:
    TR-BDF2 error ratio ≈ 4 (measured 4.0, 4.0), backward Euler ≈ 2."""
    ref = _fixed_step_run(1280, "tr_bdf2")
    scale = np.abs(ref).max(axis=0)
    e = [np.max(np.abs(_fixed_step_run(n, scheme) - ref).max(axis=0) / scale) for n in (10, 20, 40)]
    ratios = [e[0] / e[1], e[1] / e[2]]
    for r in ratios:
        assert r == pytest.approx(2.0**order, rel=0.15), (e, ratios)
