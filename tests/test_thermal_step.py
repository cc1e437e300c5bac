"""Thermal step: equilibrium is kept, isochoric cooling follows an independent ODE solution."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from crescape.config import load_config
from crescape.core.constants import Myr, k_B, m_p, yr
from crescape.engines.crhydro.solver import CRHydroSolver
from crescape.physics.cooling import CoolingFunction


def uniform_deck(geometry="spherical", n_cells=64, r_max=3.0e20, **prob):
    return load_config({
        "engine": "crhydro",
        "run": {"t_end": Myr, "progress": False},
        "grid": {"geometry": geometry, "r_max": r_max, "n_cells": n_cells},
        "problem": {"kind": "uniform", **prob},
    })


def test_uniform_gas_in_thermal_equilibrium_stays_put_for_1_Myr():
    """7000 K at n = Γ/Λ(7000 K), cooling + heating + conduction + spherical hydro: every cell
    stays within 1e-6 (relative) of its initial state for 1 Myr, and v stays zero."""
    s = CRHydroSolver(uniform_deck(T=7000.0, equilibrium=True, r_max=3.0e19))
    rho0, v0, P0, T0 = s.primitives()
    assert rho0[0] / m_p == pytest.approx(0.2044, abs=5e-5)
    while s.t < Myr * (1 - 1e-14):
        s.step(Myr - s.t)
    rho, v, P, T = s.primitives()
    assert s.nstep > 50
    assert np.max(np.abs(rho / rho0 - 1)) < 1e-6
    assert np.max(np.abs(T / T0 - 1)) < 1e-6
    cs = np.sqrt(5 / 3 * P0[0] / rho0[0])
    assert np.max(np.abs(v)) < 1e-6 * cs


def test_uniform_gas_at_rest_is_well_balanced_in_every_geometry():
    for geom in ("planar", "cylindrical", "spherical"):
        d = load_config({"engine": "crhydro", "run": {"t_end": 1.0, "progress": False},
                         "grid": {"geometry": geom, "r_max": 1.0, "n_cells": 50, "spacing": "stretched",
                                  "stretch": 1.05},
                         "thermal": {"cooling": False, "heating": False, "conduction": False},
                         "problem": {"kind": "uniform", "rho": 1.0, "T": 1e-8 / k_B * m_p}})
        s = CRHydroSolver(d)
        U0 = s.U.copy()
        for _ in range(200):
            s.step(1.0)
        assert np.all(s.U[1] == 0.0), geom
        assert np.array_equal(s.U, U0), geom


def test_isochoric_cooling_from_1e6K_follows_an_independent_ODE_to_1_percent():
    """dT/dt = (γ−1)/k (Γ − n Λ(T)) at n = 1 cm^-3 from 1e6 K, compared with scipy's LSODA."""
    n, T0, gamma = 1.0, 1e6, 5.0 / 3.0
    deck = uniform_deck(geometry="planar", n_cells=4, r_max=1e30, n=n, T=T0)
    deck.thermal.conduction = False
    s = CRHydroSolver(deck)
    lam = CoolingFunction()
    Gamma = deck.thermal.Gamma

    def rhs(t, y):
        return [(gamma - 1) / k_B * (Gamma - n * lam(float(y[0])))]

    times = np.linspace(0, 2.0e5 * yr, 201)[1:]  # every 1 kyr: resolves the fast 1e5 -> 1e4 K drop
    ref = solve_ivp(rhs, (0, times[-1]), [T0], method="LSODA", t_eval=times, rtol=1e-9, atol=1e-6)
    got = []
    for t in times:
        while s.t < t * (1 - 1e-14):
            s.step(min(t - s.t, 2e3 * yr))
        got.append(s.primitives()[3][0])
    got = np.array(got)
    err = np.abs(got / ref.y[0] - 1)
    print(f"max rel. error of T(t) {err.max():.2e}; T range {got.min():.3g}..{got.max():.3g} K")
    assert got.min() < 2e4  # the parcel has cooled through the CIE peak
    assert err.max() < 0.01
    # energy bookkeeping: radiated energy equals the loss of thermal energy
    E_th = np.dot(s.U[2], s.grid.V)
    E_th0 = n * m_p / m_p * k_B * T0 / (gamma - 1) * s.grid.V.sum()
    assert E_th + s.E_rad == pytest.approx(E_th0, rel=1e-12)


@pytest.mark.parametrize("n", [0.1, 100.0])
def test_one_huge_step_relaxes_any_temperature_to_the_stable_equilibrium(n):
    """Unconditional stability: a single 30 Myr step from 30 K … 3e6 K (cooling times ≤ 2 Myr)
    lands on Γ = nΛ(T) (unique stable root for n = 0.1 (WNM) and n = 100 (CNM) cm^-3)."""
    from scipy.optimize import brentq

    lam = CoolingFunction()
    T_eq = brentq(lambda T: 2e-26 - n * lam(T), 11.0, 1e8, xtol=1e-12)
    deck = uniform_deck(geometry="planar", n_cells=8, r_max=1e30, n=n, T=1e4)
    s = CRHydroSolver(deck)
    T0 = np.geomspace(30.0, 3e6, 8)
    s.U[2] = n * k_B * T0 / (2.0 / 3.0)
    de, bad = s.thermal.cool(s.U, 30 * Myr)
    assert bad == -1
    T = s.primitives()[3]
    assert np.allclose(T, T_eq, rtol=1e-3), (T, T_eq)
