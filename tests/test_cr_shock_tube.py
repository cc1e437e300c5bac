"""CR shock tube (Pfrommer et al. 2006, MNRAS 367, 113, shock-tube test): spectral CRs in the
advective limit against the exact two-fluid Riemann solution (crescape.physics.cr_riemann).

Initial states of Pfrommer et al. (2006) (also GAMER's CR_ShockTube): left ρ = 1, P_th = 6.7e4,
P_cr = 1.3e5; right ρ = 0.2, P_th = P_cr = 240; at rest, γ_th = 5/3, γ_cr = 4/3. crescape's
momentum grid 1e3–1e7 m_p c (P_cr = ε_cr/3 to 1e-5) with a log-normal spectrum around 1e5 m_p c
(nothing reaches the grid ends); no diffusion, losses or streaming.
"""

import numpy as np
import pytest

from crescape.config import load_config
from crescape.engines.crhydro.solver import CRHydroSolver
from crescape.physics.cr_riemann import (
    TwoFluidState,
    sample,
    shock_state,
    solve_two_fluid,
)
from test_hydro_sod import exact_riemann

LEFT = TwoFluidState(1.0, 0.0, 6.7e4, 1.3e5)
RIGHT = TwoFluidState(0.2, 0.0, 240.0, 240.0)
T_END = 6e-4  # shock at x ≈ 0.86, rarefaction head at x ≈ 0.18 (domain [0, 1], x0 = 0.5)


def run_shock_tube(n_cells, t_end=T_END):
    """crescape's CR-hydro solver on the two-fluid shock tube; returns (solver, [ρ, v, P_th, P_cr])."""
    deck = load_config({
        "engine": "crhydro", "grid": {"geometry": "planar", "r_min": 0.0, "r_max": 1.0, "n_cells": n_cells},
        "problem": {"kind": "riemann", "left": {"rho": LEFT.rho, "P": LEFT.P_g},
                    "right": {"rho": RIGHT.rho, "P": RIGHT.P_g}, "x0": 0.5},
        "thermal": {"cooling": False, "heating": False, "conduction": False},
        "cr": {"enabled": True, "coulomb": False, "streaming": False, "alfven_heating": False,
               "pressure_coupling": True, "D0": 1e-30, "p_min": 1e3, "p_max": 1e7, "bins_per_decade": 10,
               "outer_bc": "zero_gradient"}})
    s = CRHydroSolver(deck)
    m = s.modules[0]
    shape = np.exp(-0.5 * (np.log(m.p_c / 1e5) / 0.8) ** 2)
    P_cr = np.where(s.grid.rc < 0.5, LEFT.P_c, RIGHT.P_c)
    m.n[:] = P_cr[:, None] * shape[None, :] / np.dot(shape, m.pv3)
    m.reset_ledger()
    s.E0 = s.total_energy()
    while s.t < t_end * (1 - 1e-12):
        s.step(t_end - s.t)
    rho, v, P, _T = s.primitives()
    return s, np.array([rho, v, P, m.pressure()])


def errors(n_cells):
    """Relative L1 errors of (ρ, v, P_th, P_cr), and the relative deviation of the mean
    post-shock (between contact and shock) and left-star states from the exact ones."""
    sol = solve_two_fluid(LEFT, RIGHT)
    s, num = run_shock_tube(n_cells)
    x, t = s.grid.rc, s.t
    ex = sample(sol, x, t, 0.5)
    L1 = np.abs(num - ex).sum(axis=1) / np.abs(ex).sum(axis=1)
    _lh, lt, uc, _rt, rh = sol.wave_speeds()
    out = []
    for a, b in ((uc, rh), (lt, uc)):  # middle half of each plateau
        m = (x > 0.5 + (a + 0.25 * (b - a)) * t) & (x < 0.5 + (a + 0.75 * (b - a)) * t)
        out.append(num[:, m].mean(axis=1) / ex[:, m].mean(axis=1) - 1)
    return L1, out[0], out[1], s


def test_exact_two_fluid_solver_reduces_to_sod_without_crs():
    sol = solve_two_fluid(TwoFluidState(1, 0, 1, 1e-14), TwoFluidState(0.125, 0, 0.1, 1e-14))
    x = np.linspace(0.005, 0.995, 100)
    a = sample(sol, x, 0.2, 0.5)
    b = exact_riemann(x, 0.2, (1, 0, 1), (0.125, 0, 0.1), 5 / 3)
    np.testing.assert_allclose(a[:3], b, rtol=1e-7, atol=1e-10)


def test_exact_two_fluid_shock_conserves_mass_momentum_energy_and_cr_adiabat():
    s1 = RIGHT
    rho2, pg, pc = shock_state(s1, 5e4)
    assert pc == pytest.approx(s1.P_c * (rho2 / s1.rho) ** (4 / 3), rel=1e-13)
    # shock frame: upstream speed w1 = m/ρ1, downstream w2 = m/ρ2
    P1, P2 = s1.P_g + s1.P_c, pg + pc
    m = np.sqrt((P2 - P1) / (1 / s1.rho - 1 / rho2))
    w1, w2 = m / s1.rho, m / rho2
    assert s1.rho * w1**2 + P1 == pytest.approx(rho2 * w2**2 + P2, rel=1e-12)

    def e_flux(rho, w, Pg, Pc):
        return w * (0.5 * rho * w**2 + 2.5 * Pg + 4.0 * Pc)

    assert e_flux(s1.rho, w1, s1.P_g, s1.P_c) == pytest.approx(e_flux(rho2, w2, pg, pc), rel=1e-12)


@pytest.fixture(scope="module")
def coarse():
    return {n: errors(n) for n in (200, 400)}


def test_cr_shock_tube_l1_errors_fall_with_resolution(coarse):
    """Measured relative L1 (ρ, v, P_th, P_cr): 200 cells 0.0103 0.0123 0.0167 0.0077;
    400 cells 0.0059 0.0068 0.0094 0.0041 (order 0.8–0.9); 800 cells in the slow test."""
    L1_200, L1_400 = coarse[200][0], coarse[400][0]
    assert np.all(L1_200 < 0.03), L1_200
    order = np.log2(L1_200 / L1_400)
    assert np.all(order > 0.6), order
    for n in (200, 400):
        s = coarse[n][3]
        assert abs(s.history()["E_total_error"][0]) < 1e-12
        assert abs(s.modules[0].number_error()) < 1e-12


def test_cr_shock_tube_plateaus_at_400_cells(coarse):
    """Post-shock and left-star means within 1 % (P_cr post-shock within 2 %: measured −0.9 %)."""
    _L1, post, left, _s = coarse[400]
    assert np.all(np.abs(post[:3]) < 0.01), post
    assert abs(post[3]) < 0.02, post
    assert np.all(np.abs(left) < 0.01), left


@pytest.mark.slow
def test_cr_shock_tube_converges_at_order_0p7_and_post_shock_within_2_percent_at_800_cells(coarse):
    """Measured at 800 cells: L1 0.0028 0.0024 0.0046 0.0023; order 200 → 800: 0.93, 1.18, 0.93,
    0.88; post-shock ρ, v, P_th, P_cr within +0.01, −0.00, +0.02, −0.78 %."""
    L1_800, post, left, _s = errors(800)
    order = 0.5 * np.log2(coarse[200][0] / L1_800)
    assert np.all(order >= 0.7), order
    assert np.all(np.abs(post) < 0.02), post
    assert np.all(np.abs(left) < 0.02), left
