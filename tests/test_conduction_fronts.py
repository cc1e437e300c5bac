"""Implicit conduction: linear Green's functions (planar, spherical) and the Zel'dovich front."""
from __future__ import annotations

import numpy as np
import pytest

from crescape.config import load_config
from crescape.core.constants import k_B, m_p
from crescape.engines.crhydro.solver import CRHydroSolver
from crescape.physics.conduction import T_CONTINUOUS, conductivity

N_GAS = 1.0  # cm^-3
C_V = N_GAS * k_B / (5.0 / 3.0 - 1.0)  # erg cm^-3 K^-1


def make_solver(geometry, n_cells, r_max, K_const=0.0, theta=1.0, picard=2, T=1e4, saturation=False, T_sw=T_CONTINUOUS):
    d = load_config({
        "engine": "crhydro",
        "run": {"progress": False},
        "grid": {"geometry": geometry, "r_max": r_max, "n_cells": n_cells},
        "thermal": {"cooling": False, "heating": False, "conduction": True, "saturation": saturation,
                    "conduction_theta": theta, "picard_iterations": picard, "T_switch_conduction": T_sw},
        "problem": {"kind": "uniform", "n": N_GAS, "T": T},
    })
    return CRHydroSolver(d, K_const=K_const)


def set_T(s, T):
    s.U[2] = C_V * T  # gas at rest


def get_T(s):
    return s.U[2] / C_V


def green(r, t, chi, dim, Q=1.0):
    return Q * np.exp(-r * r / (4 * chi * t)) / (4 * np.pi * chi * t) ** (dim / 2)


@pytest.mark.parametrize("geometry,dim", [("planar", 1), ("spherical", 3)])
def test_constant_K_reproduces_the_linear_diffusion_greens_function(geometry, dim):
    K = 1e6
    chi = K / C_V
    L = 1e20
    t0 = (0.05 * L) ** 2 / (2 * chi)  # sigma = 0.05 L
    t1 = 4 * t0
    s = make_solver(geometry, 400, L, K_const=K)
    Tb = 1e4
    amp = 1e6 / green(0.0, t0, chi, dim)
    set_T(s, Tb + amp * green(s.grid.rc, t0, chi, dim))
    E0 = np.dot(s.U[2], s.grid.V)
    nsteps = 300
    for _ in range(nsteps):
        s.thermal.conduct(s.U, (t1 - t0) / nsteps)
    ex = Tb + amp * green(s.grid.rc, t1, chi, dim)
    err = np.max(np.abs(get_T(s) - ex)) / (ex.max() - Tb)
    print(f"{geometry}: max error / peak = {err:.2e}")
    assert err < 0.01
    assert np.dot(s.U[2], s.grid.V) == pytest.approx(E0, rel=1e-13)


def front_position(x, T, Tb, frac=1e-3):
    hot = np.nonzero(T > Tb + frac * (T.max() - Tb))[0]
    return x[hot[-1]]


def test_nonlinear_K_T52_front_follows_zeldovich_scaling_t_2_9():
    """Planar K = 1.25e-6 T^2.5 from an instantaneous plane source: x_f ∝ t^(1/(n+2)) = t^(2/9)
    (Zel'dovich & Raizer 1967, ch. X). Exponent within 0.02 over a factor 30 in time."""
    L = 1e17
    s = make_solver("planar", 800, L, T=10.0, T_sw=1e-3)  # always the T^2.5 branch, no saturation
    T = np.full(s.grid.n, 10.0)
    T[:4] = 1e7
    set_T(s, T)
    E0 = np.dot(s.U[2], s.grid.V)
    ts, xs = [], []
    t = 0.0
    targets = np.geomspace(1e7, 3e8, 12)
    dt = 1e4
    for tt in targets:
        while t < tt * (1 - 1e-12):
            h = min(dt, tt - t)
            s.thermal.conduct(s.U, h)
            t += h
            dt *= 1.02
        ts.append(t)
        xs.append(front_position(s.grid.rc, get_T(s), 10.0))
    slope = np.polyfit(np.log(ts), np.log(xs), 1)[0]
    print(f"Zel'dovich front exponent {slope:.4f} (exact 2/9 = 0.2222), x_f/L = {xs[0] / L:.3f}..{xs[-1] / L:.3f}")
    assert abs(slope - 2.0 / 9.0) < 0.02
    assert xs[-1] < 0.9 * L and xs[0] > 20 * s.grid.dr[0]
    assert np.dot(s.U[2], s.grid.V) == pytest.approx(E0, rel=1e-12)


def test_parker_conductivity_branches_and_the_seed_switch_jump():
    assert T_CONTINUOUS == pytest.approx(4.4721e4, rel=1e-4)
    assert conductivity(1e4) == pytest.approx(2.5e3 * 100.0)
    assert conductivity(1e6) == pytest.approx(1.25e-6 * 1e15)
    T = 4.74e4  # seed 000's switch: the upper branch is 12 % above the lower there
    assert 1.25e-6 * T**2.5 / (2.5e3 * T**0.5) == pytest.approx(1.1235, abs=1e-3)


def test_saturated_flux_limits_a_steep_gradient():
    """With saturation the heat flux through a sharp hot/cold interface cannot exceed
    5 φ ρ c_s³ (Cowie & McKee 1977); without, it is much larger."""
    rates = {}
    for sat in (False, True):
        s = make_solver("planar", 200, 1e15, T=1e4, saturation=sat)
        T = np.where(s.grid.rc < 0.5e15, 1e7, 1e4)
        set_T(s, T)
        dt = 1e3
        s.thermal.conduct(s.U, dt)
        rates[sat] = np.sum(np.clip(s.thermal.q_cond, 0, None) * s.grid.V)  # heat flux into the cold side
    rho = N_GAS * m_p
    q_sat_hot = 5 * rho * (k_B * 1e7 / m_p) ** 1.5
    assert rates[True] < q_sat_hot
    assert rates[False] > 3 * rates[True]
