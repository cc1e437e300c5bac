"""Momentum diffusion in the 3-D SDE engine: log-normal Green's function, re-acceleration steady state."""
import numpy as np
import pytest

from crescape.config import load_config
from crescape.engines.sde.observers import fit_slope
from crescape.engines.sde.solver3d import simulate3


def deck3(**sections):
    d = {"engine": "sde", "units": "code", "grid": {"geometry": "cartesian3d"}, "injection": {"where": "point"}}
    for k, v in sections.items():
        d[k] = {**d.get(k, {}), **v}
    return load_config(d)


@pytest.mark.parametrize("md", [{"kind": "power_law", "D0": 0.4, "a": 2.0},
                                {"kind": "alfven", "V_A": 0.6}])  # V_A²/(9κ∥) = 0.4 for κ∥ = 0.1
def test_momentum_diffusion_Dpp_propto_p2_gives_the_log_normal_greens_function(md):
    """D_pp = D0 p², no flow: the Fokker–Planck Green's function is Gaussian in ln p with mean
    ln p0 + 3 D0 t and variance 2 D0 t (docs/sde3d.md). Mean, variance (3σ) and the histogram (χ²)."""
    D0, T, N, p0 = 0.4, 1.0, 100_000, 2.0
    d = deck3(diffusion={"kappa": 0.1}, momentum_diffusion=md, run={"t_end": T, "dt": 0.05, "seed": 4},
              injection={"n_particles": N, "p0": p0}, output={"particles": True, "times": [T], "initial": False})
    _, res, _ = simulate3(d)
    y = res.arrays["PX"][-1, :, 3] - np.log(p0)
    mu, var = 3 * D0 * T, 2 * D0 * T
    assert abs(y.mean() - mu) < 3 * np.sqrt(var / N)
    assert abs(y.var() - var) < 3 * var * np.sqrt(2.0 / N)
    edges = mu + np.sqrt(var) * np.linspace(-3, 3, 25)
    from scipy.stats import chi2, norm

    cdf = norm.cdf((edges - mu) / np.sqrt(var))
    expect = N * np.diff(cdf)
    got = np.histogram(y, edges)[0]
    stat = np.sum((got - expect) ** 2 / expect)
    assert stat < chi2.ppf(0.999, len(expect) - 1), stat


def reacceleration_slope(D0, tau):
    """Slope of N(p) = dN/dln p above the injection momentum for D_pp = D0 p² and escape time τ:
    steady state of ∂N/∂t = −3D0 ∂_y N + D0 ∂_y² N − N/τ + Q δ(y − y0), y = ln p ⇒ N ∝ p^λ,
    λ = 3/2 − sqrt(9/4 + 1/(D0 τ)) (f = N/p³ ∝ p^(λ−3); e.g. Becker, Le & Dermer 2006, ApJ 647, 539)."""
    return 1.5 - np.sqrt(2.25 + 1.0 / (D0 * tau))


def test_stochastic_reacceleration_with_escape_reaches_the_steady_state_power_law():
    D0, tau, N = 1.0, 1.0, 20_000
    d = deck3(diffusion={"kappa": 1e-3}, momentum_diffusion={"kind": "power_law", "D0": D0, "a": 2.0},
              transport3d={"escape_time": tau}, run={"t_end": 15 * tau, "dt": 0.01, "seed": 9, "block_size": 100},
              injection={"n_particles": N, "p0": 1.0},
              output={"times": [15 * tau], "initial": False, "p_min": 0.01, "p_max": 1e4, "n_p": 60,
                      "integrate": [{"name": "all", "kind": "fixed", "lo": -1e9, "hi": 1e9}]})
    s, res, _ = simulate3(d)
    from crescape.engines.sde.observers import batch_error

    a = res.arrays
    H, E = a["I1"][0], batch_error(a["I1"], a["Ib2"], res.n_blocks)[0]
    pc = np.sqrt(s.p_edges[1:] * s.p_edges[:-1])
    q, dq = fit_slope(pc, H, E, p_lo=np.exp(0.5), p_hi=np.exp(5.0))
    want = reacceleration_slope(D0, tau)
    assert abs(q - want) < 3 * dq, (q, dq, want)
    q_lo, dq_lo = fit_slope(pc, H, E, p_lo=np.exp(-2.5), p_hi=np.exp(-0.5))
    want_lo = 1.5 + np.sqrt(2.25 + 1.0 / (D0 * tau))
    assert abs(q_lo - want_lo) < 3 * dq_lo, (q_lo, dq_lo, want_lo)
    # normalisation: ∫ N dy = Qτ with N = A e^{λ±(y−y0)} ⇒ A = τ/(1/|λ−| + 1/λ+); weight above p_max is missing.
    # Each particle contributes ∫ e^{−t/τ} dt ≤ τ, so the Monte-Carlo error of the total is below τ/√N.
    lam_m, lam_p = want, want_lo
    A = tau / (1 / abs(lam_m) + 1 / lam_p)
    inside = tau - A * np.exp(lam_m * np.log(s.p_edges[-1])) / abs(lam_m) - A * np.exp(lam_p * np.log(s.p_edges[0])) / lam_p
    assert abs(H.sum() - inside) < 3 * tau / np.sqrt(N), (H.sum(), inside)
