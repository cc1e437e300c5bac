"""DSA at a Sedov–Taylor blast wave (seed 003 §2.4): planar slope for small κ/(RV), steepening
for larger κ as predicted by the first-order spherical-shock slope (physics.shocks.spherical_slope).

Code units E = ρ = 1 (R = 1.15167 t^0.4); particles injected per volume in the gas the shock
sweeps between t = 1 and 2; spectrum in the shell [R - 0.02R, R] at t = 2; shock width 1.2e-4,
Δt = 1e-4 (u1Δt/w = 0.38 at t = 1, √(2κΔt)/w ≥ 3.6). Measured (seed 3, N = 1000):
κ/(RV) = 0.002: q = 4.07 ± 0.07 (1.5 < p < 20); κ/(RV) = 0.01: q = 4.86 ± 0.13 (prediction 4.86).
"""
import numpy as np
import pytest

from crescape.config import load_config
from crescape.engines.sde import simulate
from crescape.engines.sde.observers import batch_error, fit_slope
from crescape.physics.shocks import spherical_slope


def sedov_slope(eps, n=1000, t1=2.0):
    R1 = 1.15167 * t1**0.4
    V1 = 0.4 * R1 / t1
    kappa = eps * R1 * V1
    d = load_config({"engine": "sde", "grid": {"geometry": "spherical"},
                     "flow": {"kind": "sedov", "E": 1.0, "rho": 1.0, "width": 1.2e-4},
                     "diffusion": {"kappa": kappa}, "run": {"t_end": t1, "dt": 1e-4, "seed": 3},
                     "injection": {"n_particles": n, "p0": 1.0, "where": "volume", "x_lo": 1.15167, "x_hi": R1, "t0": 1.0},
                     "splitting": {"enabled": True, "expected_slope": 2.0, "n_levels": 12},
                     "output": {"times": [t1], "initial": False, "p_min": 1, "p_max": 1e4, "n_p": 40,
                                "observers": [{"name": "sh", "kind": "shock", "lo": -0.02 * R1, "hi": 0.0}]}})
    s, res, diag = simulate(d)
    pc = np.sqrt(s.p_edges[1:] * s.p_edges[:-1])
    f = res.S1[-1, 0] / pc**3
    e = batch_error(res.S1, res.Sb2, res.n_blocks)[-1, 0] / pc**3
    q, se = fit_slope(pc, f, e, 1.5, 20.0)
    return -q, se, spherical_slope(4.0, V1, R1, kappa, div_down=3.0 * V1 / R1)


@pytest.mark.slow
def test_sedov_small_kappa_gives_planar_slope():
    q, se, _ = sedov_slope(0.002)
    assert abs(q - 4.0) < max(3 * se, 0.1), (q, se)


@pytest.mark.slow
def test_sedov_larger_kappa_steepens_as_predicted():
    q_small, se_s, pred_s = sedov_slope(0.002)
    q_big, se_b, pred_b = sedov_slope(0.01)
    assert q_big - q_small > 2 * np.hypot(se_s, se_b)  # significant steepening
    assert abs(q_big - pred_b) < 3 * se_b, (q_big, se_b, pred_b)
