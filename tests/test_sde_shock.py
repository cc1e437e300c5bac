"""Diffusive shock acceleration with the SDE engine: slopes, frames, splitting, maximum energy.

Set-up (code units): u1 = 1, κ = 0.1, shock width w = 0.004, Δt = 0.001, so that
u1Δt/w = 0.25 and √(2κΔt)/w = 3.5 (Kruells & Achterberg 1994 constraints; seed 003 eq. 5).
"""
import numpy as np
import pytest

from crescape.config import load_config
from crescape.engines.sde import simulate
from crescape.engines.sde.observers import batch_error, fit_slope
from crescape.physics.shocks import dsa_slope, p_max_bohm_planar


def shock_deck(r=4.0, frame="shock", n=600, T=24.0, split=True, levels=14, seed=1, integrate=True, times=None,
               width=0.004, dt=0.001):
    d = {"engine": "sde",
         "flow": {"kind": "planar_shock", "u1": 1.0, "compression": r, "width": width, "frame": frame, "direction": -1},
         "diffusion": {"kappa": 0.1}, "run": {"t_end": T, "dt": dt, "seed": seed},
         "injection": {"n_particles": n, "p0": 1.0},
         "splitting": {"enabled": split, "expected_slope": dsa_slope(r) - 2.0, "n_levels": levels},
         "output": {"p_min": 1.0, "p_max": 1e6, "n_p": 60, "initial": False,
                    "times": times or [T],
                    "observers": [{"name": "downstream", "kind": "shock", "lo": 0.0, "hi": 0.5}]}}
    if integrate:
        d["output"]["integrate"] = [{"name": "shock", "kind": "fixed", "lo": 0.0, "hi": 0.05}]
    return load_config(d)


def integrated_f(setup, res):
    pe = setup.p_edges
    pc = np.sqrt(pe[1:] * pe[:-1])
    return pc, res.I1[0] / pc**3, batch_error(res.I1, res.Ib2, res.n_blocks)[0] / pc**3


@pytest.mark.parametrize("r,tol", [(4.0, 0.05), (2.5, 0.08)])
def test_stationary_planar_shock_slope_q_equals_3r_over_r_minus_1(r, tol):
    """Continuous injection at a stationary shock = burst summed over 240 snapshots (ΔT = 0.1,
    as CRPropa's ObserverTimeSnapshot) in the window 0 < x < 0.05 behind the shock:
    f ∝ p^-q with q = 3r/(r-1) (4 for r = 4, 5 for r = 2.5) over two decades, 2 < p < 200.

    The tanh shock of width w steepens the spectrum by ∝ u1 w/κ: with w = 0.004 (u1w/κ = 0.04) the
    mean over seeds 1–3 (2400 particles) was q = 4.045 and 5.04, with w = 0.002 (Δt = 5e-4, the same
    u1Δt/w and a larger √(2κΔt)/w = 5) 4.025 and 5.027. Measured here (w = 0.002, seed 1): 4.037 ±
    0.007 and 5.037 ± 0.010; seeds 2–3 4.019, 4.019 and 4.995, 5.048 (the seed-to-seed spread is
    ≈ 2× the quoted fit error, which ignores the correlations between snapshots)."""
    T = 24.0
    d = shock_deck(r=r, n=2400, T=T, integrate=False, times=list(np.arange(1, 241) * 0.1), width=0.002, dt=0.0005)
    d.output.observers[0].hi = 0.05
    s, res, diag = simulate(d)
    assert diag["advective_violation_fraction"] == 0 and diag["diffusive_violation_fraction"] == 0
    pc = np.sqrt(s.p_edges[1:] * s.p_edges[:-1])
    f = res.S1[:, 0].sum(0) / pc**3
    # quadrature of the per-snapshot errors (ignores correlations between snapshots): fit weights only
    fe = np.sqrt((batch_error(res.S1, res.Sb2, res.n_blocks)[:, 0] ** 2).sum(0)) / pc**3
    q, se = fit_slope(pc, f, fe, 2.0, 200.0)
    assert abs(-q - dsa_slope(r)) < tol, (q, se)


def _chi2(a, ea, b, eb):
    m = (a > 0) & (b > 0) & (ea > 0) & (eb > 0)
    return float(np.sum((a[m] - b[m]) ** 2 / (ea[m] ** 2 + eb[m] ** 2))), int(m.sum())


def test_lab_frame_moving_shock_reproduces_shock_frame_spectrum():
    """Burst injection at the shock; spectrum in the downstream window [0, 0.5] behind the
    shock at t = 6 in both frames agrees within Monte-Carlo errors (χ²/dof < 2)."""
    out = []
    for frame, seed in (("shock", 11), ("lab", 12)):
        s, res, _ = simulate(shock_deck(frame=frame, n=3000, T=6.0, split=False, seed=seed, integrate=False))
        out.append((res.S1[-1, 0], batch_error(res.S1, res.Sb2, res.n_blocks)[-1, 0]))
    chi2, n = _chi2(out[0][0], out[0][1], out[1][0], out[1][1])
    assert n >= 10 and chi2 / n < 2.0, (chi2, n)
    # and the mean ln p agrees within 3 combined errors (block-based error of the mean)
    pc = np.log(np.sqrt(s.p_edges[1:] * s.p_edges[:-1]))
    m = [np.sum(a * pc) / np.sum(a) for a, _ in out]
    assert abs(m[0] - m[1]) < 0.05 * max(abs(m[0]), 0.1) + 0.02


def test_splitting_on_and_off_agree_within_errors():
    """CandidateSplitting-like cloning leaves the time-integrated spectrum unbiased."""
    res = []
    for split, n in ((False, 1500), (True, 400)):
        s, r_, diag = simulate(shock_deck(n=n, T=10.0, split=split, levels=10, seed=21 + split))
        res.append(integrated_f(s, r_))
        if split:
            assert diag["splits"] > 100
    (pc, fa, ea), (_, fb, eb) = res
    keep = (pc > 1.2) & (pc < 100)
    chi2, n = _chi2(fa[keep], ea[keep], fb[keep], eb[keep])
    assert n >= 10 and chi2 / n < 2.0, (chi2, n)


def test_maximum_momentum_growth_with_bohm_diffusion_matches_lagage_cesarsky_within_factor_2():
    """κ = κ0 p (Bohm): LC gives p_max = p0 + (u1-u2) t/(3κ0(1/u1+1/u2)) (seed 003 eq. 19).
    Measured: momentum where the time-integrated shock spectrum (compensated by p^q) has
    fallen to half its plateau, i.e. where half the acceleration-time distribution is below t."""
    d = load_config({"engine": "sde", "flow": {"kind": "planar_shock", "u1": 1.0, "compression": 4.0, "width": 0.004},
                     "diffusion": {"kind": "bohm", "kappa": 0.005}, "run": {"t_end": 6.0, "dt": 0.001, "seed": 5},
                     "injection": {"n_particles": 2000, "p0": 10.0},
                     "splitting": {"enabled": True, "expected_slope": 2.0, "n_levels": 12},
                     "output": {"n_snapshots": 120, "initial": False, "p_min": 5, "p_max": 1e3, "n_p": 40,
                                "observers": [{"name": "sh", "kind": "shock", "lo": -0.01, "hi": 0.01}]}})
    s, res, _ = simulate(d)
    pc = np.sqrt(s.p_edges[1:] * s.p_edges[:-1])
    cum = np.cumsum(res.S1[:, 0, :], axis=0) * pc  # ∫ dN/dlnp dt × p^(q-3), q = 4
    for k in (39, 79, 119):  # t = 2, 4, 6
        t = s.times[k]
        y = cum[k] / cum[k][(pc > 10.5) & (pc < 14)].mean()
        p_half = pc[np.nonzero((pc > 14) & (y < 0.5))[0][0]]
        ratio = p_half / p_max_bohm_planar(t, 10.0, 1.0, 4.0, 0.005)
        assert 0.5 < ratio < 2.0, (t, p_half, ratio)
