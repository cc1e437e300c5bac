"""3-D SDE transport at shocks: oblique planar shock (Drury 1983) and the 1-D spherical limit at a Sedov blast."""
import copy
import functools

import numpy as np
import pytest
from scipy.stats import chi2

from crescape.config import load_config
from crescape.engines.sde import simulate
from crescape.engines.sde.observers import batch_error, fit_slope
from crescape.engines.sde.observers3d import mean_time
from crescape.engines.sde.solver3d import build_setup3, merge3, simulate3, simulate_chunk3


def _slope_and_time(s, res, t_acc):
    a = res.arrays
    pc = np.sqrt(s.p_edges[1:] * s.p_edges[:-1])
    H, E = a["I1"][0], batch_error(a["I1"], a["Ib2"], res.n_blocks)[0]
    slope, _ = fit_slope(pc, H, E, p_lo=1.5, p_hi=np.exp(3.0))
    tm, te = mean_time(res)
    m = (pc > 1.3) & (pc < np.exp(1.5))  # mean times well inside t_end (≤ 1/5 of it)
    ell = np.log(pc[m])
    wts = 1.0 / te[0, m] ** 2
    return 3.0 - slope, np.sum(wts * tm[0, m] * ell) / np.sum(wts * ell**2)


def oblique_shock(theta_deg, kpar, n, t_end, seed=1, n_groups=20):
    """Stationary planar shock (u1 = 1, r = 4, normal x̂), uniform field at θ to the normal, κ⊥ = 0.

    Time-integrated burst at the shock (window |x| < 0.01) = continuous injection: dN/dlnp ∝ p^(3−q),
    q = 3r/(r−1) = 4; the w dt-weighted mean time at p is Drury's (1983, Rep. Prog. Phys. 46, 973)
    mean acceleration time t_acc ln(p/p0), t_acc = 3/(u1 − u2) (κ_xx/u1 + κ_xx/u2), κ_xx = κ∥ cos²θ.
    Errors of q and of the fitted t_acc: jackknife over ``n_groups`` independent particle groups
    (the momentum bins of a time-integrated spectrum share particles, so a fit that treats them as
    independent underestimates the error: by ≈ 1.6× here, measured as the spread over 14 seeds).
    """
    th = np.radians(theta_deg)
    d = load_config({
        "engine": "sde", "units": "code", "grid": {"geometry": "cartesian3d"},
        "flow": {"kind": "planar_shock", "u1": 1.0, "compression": 4.0, "width": 0.004},
        "field": {"kind": "uniform", "direction": [np.cos(th), np.sin(th), 0.0]},
        "diffusion": {"kappa": kpar}, "run": {"t_end": t_end, "dt": 0.001, "seed": seed, "block_size": 16},
        "injection": {"n_particles": n, "p0": 1.0, "where": "shock"},
        "output": {"times": [t_end], "initial": False, "p_min": 1.0, "p_max": 1e3, "n_p": 30,
                   "integrate": [{"name": "shock", "kind": "fixed", "lo": -0.01, "hi": 0.01}]}})
    s = build_setup3(d)
    m = n // n_groups
    parts = [simulate_chunk3(s, g * m, m) for g in range(n_groups)]
    kxx = kpar * np.cos(th) ** 2
    t_acc = 3.0 / 0.75 * (kxx / 1.0 + kxx / 0.25)
    q, t_fit = _slope_and_time(s, functools.reduce(merge3, parts, None), t_acc)
    loo = np.array([_slope_and_time(s, functools.reduce(merge3, parts[:g] + parts[g + 1:], None), t_acc)
                    for g in range(n_groups)])
    dq, dt_fit = np.sqrt((n_groups - 1) / n_groups * np.sum((loo - loo.mean(0)) ** 2, axis=0))
    return q, dq, t_fit, dt_fit, t_acc


# The tanh width w = 0.004 (u1Δt/w = 0.25, √(2κ_xxΔt)/w ≥ 3.5) steepens q by ≈ +0.045 (1-D engine at the
# same u1w/κ = 0.04: 4.045, mean of seeds 1–3 with 2400 particles; 4.025 at w = 0.002, docs/sde.md); the
# tests allow 0.04 of that known bias on top of 3σ.
Q_BIAS = 0.04


def test_oblique_shock_slope_and_acceleration_time_at_60_degrees():
    q, dq, t_fit, dt_fit, t_acc = oblique_shock(60.0, 0.4, 1000, 16.0)
    assert abs(q - 4.0) < 3 * dq + Q_BIAS, (q, dq)
    assert abs(t_fit - t_acc) < 3 * dt_fit, (t_fit, dt_fit, t_acc)


@pytest.mark.slow
@pytest.mark.parametrize("theta,n,t_end", [(30.0, 2000, 48.0), (45.0, 3000, 32.0)])
def test_oblique_shock_slope_and_acceleration_time_slow(theta, n, t_end):
    q, dq, t_fit, dt_fit, t_acc = oblique_shock(theta, 0.4, n, t_end)
    assert abs(q - 4.0) < 3 * dq + Q_BIAS, (q, dq)
    assert abs(t_fit - t_acc) < 3 * dt_fit, (t_fit, dt_fit, t_acc)


def sedov_pair(n, t_end, seed=3):
    """The same Sedov DSA problem (seed 003 §2.4 set-up of examples/sde_sedov.toml, no splitting) in the 1-D
    spherical engine and in 3-D with κ⊥ = κ∥ in a uniform field (isotropic κ, so the problems are identical)."""
    base = {"engine": "sde", "units": "code", "run": {"t_end": t_end, "dt": 1e-4, "seed": seed, "block_size": 20},
            "flow": {"kind": "sedov", "E": 1.0, "rho": 1.0, "width": 1.2e-4}, "diffusion": {"kappa": 9.24e-4},
            "injection": {"n_particles": n, "p0": 1.0, "where": "volume", "x_lo": 1.15167, "x_hi": 1.3, "t0": 1.0},
            "output": {"times": [1.0, t_end], "initial": False, "p_min": 1.0, "p_max": 100.0, "n_p": 20,
                       "particles": True, "observers": [{"name": "shock", "kind": "shock", "lo": -0.03, "hi": 0.0}]}}
    d1 = copy.deepcopy(base)
    d1["grid"] = {"geometry": "spherical"}
    d3 = copy.deepcopy(base)
    d3["grid"] = {"geometry": "cartesian3d"}
    d3["transport3d"] = {"perp_ratio": 1.0}
    _, r1, _ = simulate(load_config(d1))
    _, r3, _ = simulate3(load_config(d3))
    dr1 = r1.particles["x"][-1] ** 2 - r1.particles["x"][0] ** 2
    X = r3.arrays["PX"][:, :, :3]
    dr3 = (X[-1] ** 2).sum(1) - (X[0] ** 2).sum(1)
    S1, E1 = r1.S1[-1, 0], batch_error(r1.S1, r1.Sb2, r1.n_blocks)[-1, 0]
    S3, E3 = r3.arrays["S1"][-1, 0], batch_error(r3.arrays["S1"], r3.arrays["Sb2"], r3.n_blocks)[-1, 0]
    return dr1, dr3, S1, E1, S3, E3


def _check_sedov(n, t_end):
    dr1, dr3, S1, E1, S3, E3 = sedov_pair(n, t_end)
    n1 = len(dr1)
    sig = np.sqrt((dr1.var() + dr3.var()) / n1)
    assert abs(dr1.mean() - dr3.mean()) < 3 * sig, (dr1.mean(), dr3.mean(), sig)
    m = (S1 * n1 >= 10) & (S3 * n1 >= 10)  # bins with ≥ 10 particles in both (Gaussian errors)
    stat = np.sum((S1 - S3)[m] ** 2 / (E1**2 + E3**2)[m])
    assert m.sum() >= 8
    assert stat < chi2.ppf(0.999, m.sum()), (stat, m.sum())


def test_isotropic_3d_sedov_run_reproduces_the_1d_spherical_engine():
    """⟨r² − r0²⟩ within 3σ and the shock spectrum (χ², 99.9 %) of the 1-D spherical engine, t = 1 → 1.3."""
    _check_sedov(2000, 1.3)


@pytest.mark.slow
def test_isotropic_3d_sedov_run_reproduces_the_1d_spherical_engine_slow():
    _check_sedov(20000, 2.0)


def test_first_step_from_an_oblique_shock_samples_the_compression():
    """Injection at an oblique planar shock (θ = 60°, κ⊥ = 0): particles start at X_s + √(2κ_nnΔt) ξ n̂
    with κ_nn = κ∥ cos²θ, so the first step's mean gain is (Δu Δt/3) E[sech²(s/w)/(2w)] over that
    Gaussian, not the kick Δu Δt/(6w) of a particle at the centre of the jump (docs/sde.md, injection)."""
    from scipy.integrate import quad

    th, kpar, w, dt, n = np.radians(60.0), 0.4, 0.004, 0.001, 100_000
    d = load_config({
        "engine": "sde", "units": "code", "grid": {"geometry": "cartesian3d"},
        "flow": {"kind": "planar_shock", "u1": 1.0, "compression": 4.0, "width": w},
        "field": {"kind": "uniform", "direction": [np.cos(th), np.sin(th), 0.0]},
        "diffusion": {"kappa": kpar}, "run": {"t_end": dt, "dt": dt, "seed": 4},
        "injection": {"n_particles": n, "p0": 1.0, "where": "shock"},
        "output": {"times": [dt], "initial": False, "particles": True, "p_min": 0.5, "p_max": 2.0}})
    res = simulate_chunk3(build_setup3(d), 0, n)
    dlnp = res.arrays["PX"][0, :, 3]
    mean, sd = float(dlnp.mean()), float(dlnp.std() / np.sqrt(n))
    ell = np.sqrt(2 * kpar * np.cos(th) ** 2 * dt)
    phi = lambda x: np.exp(-0.5 * (x / ell) ** 2) / (np.sqrt(2 * np.pi) * ell)  # noqa: E731
    expect = 0.75 * dt / 3 * quad(lambda x: 0.5 / w / np.cosh(x / w) ** 2 * phi(x), -40 * w, 40 * w, points=[0.0])[0]
    print(f"3-D first-step mean Δln p {mean:.4e} ± {sd:.1e}, expected {expect:.4e}, centre kick {0.75 * dt / (6 * w):.3e}")
    assert abs(mean - expect) < 3 * sd
