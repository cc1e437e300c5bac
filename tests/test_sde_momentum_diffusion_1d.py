"""Momentum diffusion (stochastic re-acceleration) in the 1-D SDE engine, planar and spherical.

Exact references: the log-normal Green's function of D_pp = D0 p² (docs/sde3d.md), the moments
of D_pp = D0 p^a that the Fokker–Planck operator maps to constants, and the time-integrated
spectrum of a burst in a slab with free-escape boundaries (eigenmode series, docs/sde.md).
"""
import numpy as np
import pytest
from scipy.stats import chi2, norm
from scipy.stats import f as f_dist

from crescape.config import load_config
from crescape.engines.sde import kernels as K
from crescape.engines.sde.batches import fit_slope, total_error
from crescape.engines.sde.solver import build_setup, simulate_chunk
from crescape.errors import DeckError


def deck1(geometry="planar", **sections):
    d = {"engine": "sde", "units": "code", "grid": {"geometry": geometry}, "injection": {"where": "point"}}
    for k, v in sections.items():
        d[k] = {**d.get(k, {}), **v}
    return load_config(d)


def final_lnp(d):
    r = simulate_chunk(d, 0, d.injection.n_particles)
    return r.particles["lnp"][-1], r


D0, T_LN, N_LN, P0 = 0.4, 1.0, 100_000, 2.0


@pytest.fixture(scope="module")
def lognormal_runs():
    """D_pp = D0 p², no flow, κ = 0.1: the same particles in planar and spherical geometry."""
    out = {}
    for g in ("planar", "spherical"):
        d = deck1(g, diffusion={"kappa": 0.1}, momentum_diffusion={"kind": "power_law", "D0": D0, "a": 2.0},
                  run={"t_end": T_LN, "dt": 0.05, "seed": 4}, injection={"n_particles": N_LN, "p0": P0, "x0": 1.0},
                  output={"particles": True, "times": [T_LN], "initial": False})
        out[g] = final_lnp(d)[0] - np.log(P0)
    return out


@pytest.mark.parametrize("geometry", ["planar", "spherical"])
def test_Dpp_propto_p2_gives_the_log_normal_greens_function(lognormal_runs, geometry):
    """d ln p = 3D0 dt + sqrt(2D0) dW: ln p ~ N(ln p0 + 3D0 t, 2D0 t) in any geometry (D̃ does not
    depend on x). Mean and variance within 3σ, histogram χ² at the 0.1 % level."""
    y = lognormal_runs[geometry]
    mu, var, N = 3 * D0 * T_LN, 2 * D0 * T_LN, N_LN
    assert abs(y.mean() - mu) < 3 * np.sqrt(var / N), y.mean()
    assert abs(y.var() - var) < 3 * var * np.sqrt(2.0 / N), y.var()
    edges = mu + np.sqrt(var) * np.linspace(-3, 3, 25)
    expect = N * np.diff(norm.cdf((edges - mu) / np.sqrt(var)))
    stat = np.sum((np.histogram(y, edges)[0] - expect) ** 2 / expect)
    assert stat < chi2.ppf(0.999, len(expect) - 1), stat


def test_momentum_noise_is_its_own_stream(lognormal_runs):
    """The ln p deviates come from their own counter stream: the spherical step's extra transverse
    deviate does not shift them, so with x-independent D̃ ln p(t) is the same in both geometries."""
    assert np.array_equal(lognormal_runs["planar"], lognormal_runs["spherical"])


def moment_case(kind):
    """(deck sections, D0, a) with D_pp = D0 p^a: power law a = 1, or Alfvénic D_pp = p² V_A²/(9κ)
    with κ = κ0 p^δ, i.e. D0 = V_A²/(9κ0), a = 2 − δ (exercises ∂ln κ/∂ln p of the 1-D kinds)."""
    if kind == "alfven":
        V_A, k0, delta = 0.9, 0.9, 0.5
        return ({"momentum_diffusion": {"kind": "alfven", "V_A": V_A},
                 "diffusion": {"kind": "power_law", "kappa": k0, "delta": delta, "p_ref": 1.0}},
                V_A**2 / (9 * k0), 2.0 - delta)
    return {"momentum_diffusion": {"kind": "power_law", "D0": 0.1, "a": 1.0}}, 0.1, 1.0


@pytest.mark.parametrize("kind,run", [
    ("power_law", {"dt": 0.01}),
    ("power_law", {"dt": 0.01, "scheme": "predictor_corrector"}),
    ("power_law", {"dt": 1.0, "adaptive": True, "dlnp_step_max": 0.05}),
    ("alfven", {"dt": 0.01}),
])
def test_moments_of_power_law_Dpp_follow_the_fokker_planck_equation(kind, run):
    """For D_pp = D0 p^a the generator of (1/p²)∂p(p² D_pp ∂p f) maps p^m to D0 m (m + a + 1) p^(m+a−2):
    with m = 2 − a, ⟨p^m⟩ = p0^m + 3 D0 m t and ⟨p^2m⟩ = p0^2m + 2 D0 m (2m + a + 1) (p0^m t + 3 D0 m t²/2).
    Both within 3σ; the drift D̃ (3 + ∂ln D̃/∂ln p) of d ln p enters both (D̃ varies along the path)."""
    sec, d0, a = moment_case(kind)
    T, N = 2.0, 50_000
    d = deck1("planar", **sec, run={"t_end": T, "seed": 11, **run}, injection={"n_particles": N, "p0": 1.0},
              output={"particles": True, "times": [T], "initial": False})
    lnp, _ = final_lnp(d)
    m = 2.0 - a
    for k, want in ((m, 1.0 + 3 * d0 * m * T), (2 * m, 1.0 + 2 * d0 * m * (2 * m + a + 1) * (T + 1.5 * d0 * m * T**2))):
        v = np.exp(k * lnp)
        assert abs(v.mean() - want) < 3 * v.std() / np.sqrt(N), (k, v.mean(), want, v.std() / np.sqrt(N))


BETA_BGK = 0.5825971579390106  # −ζ(1/2)/sqrt(2π) (Broadie, Glasserman & Kou 1997, Math. Finance 7, 325)


def slab_spectrum(edges_y, y0, D0, kappa, L, n_modes=400):
    """Σ w dt per ln p bin of a burst at x = 0, p0 = e^y0 in |x| < L with free escape, constant κ and
    D_pp = D0 p², per injected particle. x and y = ln p are independent: survival
    S(t) = Σ_n c_n e^(−t/τ_n), c_n = 4(−1)^n/((2n+1)π), τ_n = 4L²/((2n+1)²π²κ) (Carslaw & Jaeger 1959,
    §3.3), and ∫ e^(−t/τ) G(y, t) dt = e^(λ±(y−y0))/(D0 (λ+ − λ−)), λ± = 3/2 ± sqrt(9/4 + 1/(D0τ))
    (the leaky-box solution, docs/sde3d.md)."""
    n = np.arange(n_modes)[:, None]
    c = 4 * (-1.0) ** n / ((2 * n + 1) * np.pi)
    tau = 4 * L**2 / ((2 * n + 1) ** 2 * np.pi**2 * kappa)
    r = np.sqrt(2.25 + 1.0 / (D0 * tau))
    lp, lm, A = 1.5 + r, 1.5 - r, 1.0 / (2 * D0 * r)
    lo, hi = edges_y[:-1] - y0, edges_y[1:] - y0
    above = A * (np.exp(lm * np.maximum(hi, 0)) - np.exp(lm * np.maximum(lo, 0))) / lm
    below = A * (np.exp(lp * np.minimum(hi, 0)) - np.exp(lp * np.minimum(lo, 0))) / lp
    return (c * (above + below)).sum(0), lm[0, 0]


def hotelling_pvalue(Q, mu):
    """p-value of the batch totals Q (batch, bin) of equal-size batches against the expected total mu:
    Hotelling's T² with the covariance estimated from the batches, (B−k) T²/(k(B−1)) ~ F(k, B−k)
    (Hotelling 1931, Ann. Math. Stat. 2, 360); it carries the bin-to-bin correlations of the
    trajectories, which a diagonal χ² would not."""
    B, k = Q.shape
    dev = Q.mean(0) - mu / B
    T2 = B * dev @ np.linalg.solve(np.cov(Q, rowvar=False), dev)
    return f_dist.sf((B - k) * T2 / (k * (B - 1)), k, B - k)


def test_reacceleration_in_a_slab_with_free_escape_matches_the_eigenmode_series():
    """Burst at x = 0, p0 = 1 in |x| < L = 1 (absorbing), κ = 1, D_pp = D0 p² with D0 τ0 = 1: the
    time-integrated spectrum (= steady state of continuous injection) is the eigenmode series of
    :func:`slab_spectrum`, above p0 ∝ p^λ0 (λ0 = 3/2 − sqrt(13/4)) up to modes of relative weight
    < 2e−3 beyond ln p = 2. Euler–Maruyama monitors the boundary only at step ends; the standard
    correction shifts it outwards by β sqrt(2κΔt) (β = 0.5826: Broadie, Glasserman & Kou 1997;
    Gobet 2000, ESAIM P&S 4, 167), here +1.65 % in L, so the series is taken at L_eff (at L itself
    the total is 5–8σ off and the slope 1.7–3σ)."""
    kappa, L, dt, N = 1.0, 1.0, 4e-4, 19_200  # 192 blocks: 3 per batch
    D0s = np.pi**2 / 4.0  # D0 τ0 = 1
    d = deck1("planar", diffusion={"kappa": kappa}, momentum_diffusion={"kind": "power_law", "D0": D0s, "a": 2.0},
              grid={"x_min": -L, "x_max": L}, run={"t_end": 8.0, "dt": dt, "seed": 21, "block_size": 100},
              injection={"n_particles": N, "p0": 1.0},
              output={"times": [8.0], "initial": False, "p_min": np.exp(-3.0), "p_max": np.exp(30.0), "n_p": 66,
                      "integrate": [{"name": "slab", "kind": "fixed", "lo": -2 * L, "hi": 2 * L}]})
    st = build_setup(d)
    res = simulate_chunk(st, 0, N)
    assert res.count("escaped") == N  # t_end = 20 τ0: every particle has left
    Q = res.IB[:, 0]  # (batch, p) Σ w dt
    L_eff = L + BETA_BGK * np.sqrt(2 * kappa * dt)
    y = np.log(st.p_edges)
    want, lam0 = slab_spectrum(y, 0.0, D0s, kappa, L_eff)
    # all p: the mean exit time L_eff²/(2κ); [p_min, p_max] holds all but 1e-4 of it
    assert abs(Q.sum() - want.sum()) < 3 * total_error(Q.sum(1), res.NB), (Q.sum(), want.sum())
    groups = np.searchsorted(y, [-1.5, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 4.5, 6.0, 8.0, 11.0])  # coarse ln p bins
    coarse = lambda a: np.add.reduceat(a, groups[:-1], axis=-1)[..., :len(groups) - 1]  # noqa: E731
    assert hotelling_pvalue(coarse(Q), coarse(want)) > 1e-3
    pc = np.sqrt(st.p_edges[1:] * st.p_edges[:-1])
    q, dq = fit_slope(pc, Q, res.NB, p_lo=np.exp(2.0), p_hi=np.exp(12.0))
    assert abs(q - lam0) < 3 * dq, (q, dq, lam0)


def test_one_dimensional_decks_accept_momentum_diffusion_and_name_bad_keys():
    for g in ("planar", "spherical"):
        d = deck1(g, momentum_diffusion={"kind": "alfven", "V_A": 0.3})
        assert d.momentum_diffusion.kind == "alfven"
        assert build_setup(d).ip[K.IP_MD] == 1
    with pytest.raises(DeckError, match="V_A"):
        deck1(momentum_diffusion={"kind": "alfven"})
    with pytest.raises(DeckError, match="D0"):
        deck1(momentum_diffusion={"kind": "power_law", "D0": 0.0})
    with pytest.raises(DeckError, match="momentum_diffusion.a"):
        deck1(momentum_diffusion={"kind": "power_law", "D0": 1.0, "a": 5.0})
    with pytest.raises(DeckError, match="momentum_diffusion.kind"):
        deck1(momentum_diffusion={"kind": "fermi2"})
    with pytest.raises(DeckError, match="dlnp_step_max"):
        deck1(run={"dlnp_step_max": -0.1})


def test_dlnkappa_dlnp_of_every_diffusion_kind_is_the_derivative_of_kappa():
    """∂ln κ/∂ln p enters the Alfvénic drift D̃ (3 − ∂ln κ/∂ln p): constant 0, power law δ, Bohm
    κ ∝ p²/sqrt(1+p²) (central difference, h = 1e-5), and a κ(x, ln p) table of e^(0.7 ln p) at its
    nodes, where the bilinear interpolant's one-cell difference gives 0.7 exactly."""
    from crescape.engines.sde.kappa import kappa_eval
    from crescape.engines.sde.momentum import dlnkappa_dlnp

    dpar = np.array([2.0, 0.4, np.log(3.0), 0.0, 1.0])
    ktab = np.zeros((2, 2))
    h = 1e-5
    for dk in (0, 1, 2):
        for lnp in (-3.0, 0.0, 0.4, 5.0):
            num = (np.log(kappa_eval(dk, dpar, ktab, 0.3, lnp + h)[0])
                   - np.log(kappa_eval(dk, dpar, ktab, 0.3, lnp - h)[0])) / (2 * h)
            assert abs(dlnkappa_dlnp(dk, dpar, ktab, 0.3, lnp) - num) < 1e-8, (dk, lnp)
    lnp_nodes = np.linspace(-2.0, 4.0, 13)
    tab = np.exp(0.7 * lnp_nodes)[None, :].repeat(3, 0)
    tpar = np.array([0.0, 1.0, lnp_nodes[0], lnp_nodes[1] - lnp_nodes[0]])
    for lnp in lnp_nodes[1:-1]:
        assert abs(dlnkappa_dlnp(3, tpar, tab, 0.5, lnp) - 0.7) < 1e-12
