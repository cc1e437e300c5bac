"""Sod shock tube vs an exact Riemann solver (Toro 2009, ch. 4) implemented here."""
from __future__ import annotations

import math

import numpy as np
import pytest

from crescape.config import load_config
from crescape.engines.crhydro.solver import CRHydroSolver


def exact_riemann(x, t, left, right, gamma, x0=0.5):
    """Exact solution (ρ, v, P) of the Euler Riemann problem at positions x and time t > 0."""
    rl, ul, pl = left
    rr, ur, pr = right
    cl, cr = math.sqrt(gamma * pl / rl), math.sqrt(gamma * pr / rr)
    g1 = (gamma - 1) / (2 * gamma)

    def fk(p, rk, pk, ck):
        if p > pk:  # shock
            A, B = 2 / ((gamma + 1) * rk), (gamma - 1) / (gamma + 1) * pk
            s = math.sqrt(A / (p + B))
            return (p - pk) * s, s * (1 - 0.5 * (p - pk) / (p + B))
        f = 2 * ck / (gamma - 1) * ((p / pk) ** g1 - 1)  # rarefaction
        return f, (p / pk) ** (-(gamma + 1) / (2 * gamma)) / (rk * ck)

    p = max(1e-12, 0.5 * (pl + pr))
    for _ in range(100):
        f1, d1 = fk(p, rl, pl, cl)
        f2, d2 = fk(p, rr, pr, cr)
        dp = (f1 + f2 + ur - ul) / (d1 + d2)
        p = max(p - dp, 1e-12)
        if abs(dp) < 1e-15 * p:
            break
    us = 0.5 * (ul + ur) + 0.5 * (fk(p, rr, pr, cr)[0] - fk(p, rl, pl, cl)[0])
    out = np.zeros((3, len(x)))
    gp, gm = gamma + 1, gamma - 1
    for i, xi in enumerate(x):
        s = (xi - x0) / t
        if s < us:  # left of contact
            if p > pl:
                S = ul - cl * math.sqrt(gp / (2 * gamma) * p / pl + g1)
                st = (rl * ((p / pl + gm / gp) / (gm / gp * p / pl + 1)), us, p) if s > S else (rl, ul, pl)
            else:
                cs = cl * (p / pl) ** g1
                if s < ul - cl:
                    st = (rl, ul, pl)
                elif s > us - cs:
                    st = (rl * (p / pl) ** (1 / gamma), us, p)
                else:
                    u = 2 / gp * (cl + gm / 2 * ul + s)
                    c = 2 / gp * (cl + gm / 2 * (ul - s))
                    st = (rl * (c / cl) ** (2 / gm), u, pl * (c / cl) ** (2 * gamma / gm))
        else:
            if p > pr:
                S = ur + cr * math.sqrt(gp / (2 * gamma) * p / pr + g1)
                st = (rr * ((p / pr + gm / gp) / (gm / gp * p / pr + 1)), us, p) if s < S else (rr, ur, pr)
            else:
                cs = cr * (p / pr) ** g1
                if s > ur + cr:
                    st = (rr, ur, pr)
                elif s < us + cs:
                    st = (rr * (p / pr) ** (1 / gamma), us, p)
                else:
                    u = 2 / gp * (-cr + gm / 2 * ur + s)
                    c = 2 / gp * (cr - gm / 2 * (ur - s))
                    st = (rr * (c / cr) ** (2 / gm), u, pr * (c / cr) ** (2 * gamma / gm))
        out[:, i] = st
    return out


def test_exact_riemann_star_state_matches_toro_table():
    """Toro (2009) Table 4.2, test 1 (Sod): p* = 0.30313, u* = 0.92745."""
    x = np.array([0.5 + 0.5 * 0.92745 * 0.1])  # on the contact at t = 0.1
    ex = exact_riemann(x - 1e-9, 0.1, (1.0, 0.0, 1.0), (0.125, 0.0, 0.1), 1.4)
    assert ex[2, 0] == pytest.approx(0.30313, abs=1e-5)
    assert ex[1, 0] == pytest.approx(0.92745, abs=1e-5)


def sod_deck(n, **extra):
    d = {
        "engine": "crhydro",
        "run": {"t_end": 0.2, "cfl": 0.4, "progress": False},
        "grid": {"geometry": "planar", "r_min": 0.0, "r_max": 1.0, "n_cells": n},
        "gas": {"gamma": 1.4},
        "thermal": {"cooling": False, "heating": False, "conduction": False},
        "problem": {"kind": "riemann", "x0": 0.5, "left": {"rho": 1.0, "v": 0.0, "P": 1.0},
                    "right": {"rho": 0.125, "v": 0.0, "P": 0.1}},
    }
    d.update(extra)
    return load_config(d)


def run_solver(s, t_end):
    while s.t < t_end * (1 - 1e-14):
        s.step(t_end - s.t)
    return s


def sod_l1(n):
    s = run_solver(CRHydroSolver(sod_deck(n)), 0.2)
    ex = exact_riemann(s.grid.rc, 0.2, (1.0, 0.0, 1.0), (0.125, 0.0, 0.1), 1.4)
    return float(np.sum(np.abs(s.U[0] - ex[0]) * s.grid.dr)), s


def test_sod_density_l1_error_and_convergence_order():
    e200, _ = sod_l1(200)
    e800, s = sod_l1(800)
    order = math.log(e200 / e800) / math.log(4.0)
    print(f"Sod L1(rho): 200 cells {e200:.3e}, 800 cells {e800:.3e}, order {order:.3f}")
    assert e800 <= 1.2e-3
    assert order >= 0.8
    # conservation: nothing has reached the boundaries yet, so mass and energy are exact
    assert np.dot(s.U[0], s.grid.V) == pytest.approx(0.5625, rel=1e-13)
    assert np.dot(s.U[2], s.grid.V) == pytest.approx(2.5 * 0.5 + 0.25 * 0.5, rel=1e-13)


def test_outflow_boundary_fluxes_close_the_mass_and_energy_budget():
    """Run Sod until the waves have left through both ends of [0.2, 1] with a reflecting wall at
    0.2 and outflow at 1: mass and energy in the box + what left through the outer face = initial."""
    d = sod_deck(200)
    d.grid.r_min = 0.2
    s = CRHydroSolver(d)
    M0, E0 = np.dot(s.U[0], s.grid.V), np.dot(s.U[2], s.grid.V)
    run_solver(s, 1.0)
    M, E = np.dot(s.U[0], s.grid.V), np.dot(s.U[2], s.grid.V)
    assert s.M_out > 0.05 * M0 and s.E_out > 0.05 * E0  # a sizeable part has left
    assert M + s.M_out == pytest.approx(M0, rel=1e-13)
    assert E + s.E_out == pytest.approx(E0, rel=1e-13)


def test_unphysical_state_stops_with_time_cell_and_values():
    from crescape.engines.driver import SimulationError

    s = CRHydroSolver(sod_deck(50))
    s.U[2, 17] = -1.0
    with pytest.raises(SimulationError, match=r"t = .* cell 17 \(r = 3\.5"):
        s.check()
    s.U[2, 17] = np.nan
    with pytest.raises(SimulationError, match="cell 17"):
        s.step(1.0)
