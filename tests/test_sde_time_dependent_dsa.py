"""Time-dependent DSA at a planar shock: SDE spectra vs the exact acceleration-time distribution.

Exact solution (Toptygin 1980; Drury 1983, Rep. Prog. Phys. 46, 973, §3.5; Forman & Drury 1983).
Parker's equation, shock frame, upstream x < 0 with speed u1, downstream u2 = u1/r, constant κ1, κ2,
a burst of N0 particles of momentum p0 at the shock at t = 0. Laplace transform in t (variable s):
upstream f̃ ∝ e^{λ1 x}, λ1 = (u1 + √(u1² + 4sκ1))/(2κ1); downstream f̃ ∝ e^{−λ2 x},
λ2 = (√(u2² + 4sκ2) − u2)/(2κ2); the jump condition at the shock gives, for p > p0,

    g̃(0, p, s) = 4π p³ f̃ = 3 N0/(u1 − u2) · (p/p0)^{3 − q(s)},
    q(s) = 3/(u1 − u2) [ (u1 + √(u1² + 4sκ1))/2 + (√(u2² + 4sκ2) − u2)/2 ],    q(0) = 3r/(r − 1).

So g(0, p, t) = g_∞(p) φ(t), φ the pdf of the acceleration time from p0 to p: the convolution of two
inverse-Gaussian laws with μ_i = L κ_i/u_i, λ_i = L² κ_i/2, L = 3 ln(p/p0)/(u1 − u2); mean
t_acc = 3 ln(p/p0)/(u1 − u2) (κ1/u1 + κ2/u2) and variance 6 ln(p/p0)/(u1 − u2) (κ1²/u1³ + κ2²/u2³)
(Drury 1983 eqs. 3.40-3.41). A window [0, b] downstream multiplies g̃ by (1 − e^{−λ2 b})/λ2 and a
continuous injection at rate N0 (the time integral of the burst) divides by s. The transforms are
inverted numerically by the fixed Talbot method (Abate & Valkó 2004), itself checked against the
closed-form inverse-Gaussian pdf. The comparison covers the cut-off position AND shape: χ² over all
momentum bins of the continuous-injection spectrum and of burst snapshots, and the momentum at which
p^q g falls to half of its plateau.
"""
import numpy as np
import pytest
from scipy.stats import chi2 as chi2_dist

from crescape.config import load_config
from crescape.core.laplace import talbot_invert
from crescape.engines.sde.solver import build_setup, simulate_chunk

U1, R, KAPPA, P0 = 1.0, 4.0, 1.0, 1.0
U2 = U1 / R
Q = 3 * R / (R - 1)


def laplace_window(s, lnp, b, continuous, u1=U1, u2=U2, k1=KAPPA, k2=KAPPA):
    """Laplace transform of dN/d ln p in the downstream window [0, b] per injected particle (see module)."""
    r1 = np.sqrt(u1 * u1 + 4 * s * k1)
    r2 = np.sqrt(u2 * u2 + 4 * s * k2)
    q = 3.0 / (u1 - u2) * (0.5 * (u1 + r1) + 0.5 * (r2 - u2))
    lam2 = (r2 - u2) / (2 * k2)
    win = np.where(np.abs(lam2 * b) < 1e-8, b + 0 * lam2, (1 - np.exp(-lam2 * b)) / np.where(lam2 == 0, 1, lam2))
    g = 3.0 / (u1 - u2) * np.exp((3.0 - q) * lnp) * win
    return g / s if continuous else g


def exact_window(p_edges, t, b, continuous):
    """Bin averages (3-point Gauss in ln p) of the exact dN/d ln p in [0, b] at time t."""
    lo, hi = np.log(p_edges[:-1] / P0), np.log(p_edges[1:] / P0)
    mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
    out = 0.0
    for xg, wg in zip((-np.sqrt(0.6), 0.0, np.sqrt(0.6)), (5 / 18, 8 / 18, 5 / 18)):
        lnp = np.maximum(mid + xg * half, 1e-9)
        out = out + wg * talbot_invert(lambda s: laplace_window(s, lnp[None, :], b, continuous), t)
    return np.where(hi > 0, out, np.nan)  # bins below p0 are empty (no losses)


def dsa_deck(n, t_end, times, b, dt=0.005, width=0.02, p_max=60.0, n_p=24):
    return load_config({
        "engine": "sde", "units": "code",
        "run": {"t_end": t_end, "dt": dt, "seed": 11, "block_size": 64, "progress": False},
        "grid": {"geometry": "planar"},
        "flow": {"kind": "planar_shock", "u1": U1, "compression": R, "width": width, "frame": "shock",
                 "direction": -1},
        "diffusion": {"kind": "constant", "kappa": KAPPA},
        "injection": {"n_particles": n, "p0": P0, "where": "shock"},
        "splitting": {"enabled": True, "expected_slope": Q - 2, "n_levels": 14},
        "output": {"times": times, "initial": False, "p_min": 0.999 * P0, "p_max": p_max, "n_p": n_p,
                   "x_lo": -5.0, "x_hi": 5.0, "n_x": 2,
                   "observers": [{"name": "down", "kind": "fixed", "lo": 0.0, "hi": b}],
                   "integrate": [{"name": "down", "kind": "fixed", "lo": 0.0, "hi": b}]}})


def batch_means(deck, n_batches):
    """Spectra of n_batches independent particle subsets: (continuous (B, p), burst (B, t, p)) per ln p."""
    st = build_setup(deck)
    n = deck.injection.n_particles // n_batches
    dlnp = np.log(st.p_edges[1] / st.p_edges[0])
    cont, burst = [], []
    for k in range(n_batches):
        r = simulate_chunk(st, k * n, n)
        cont.append(r.I1[0] / dlnp * n_batches)  # weights are 1/N_total: rescale each subset to 1/n
        burst.append(r.S1[:, 0, :] / dlnp * n_batches)
    return st, np.array(cont), np.array(burst)


def compare(st, samples, exact, min_rel=0.02):
    """χ² of the batch mean against the exact values over bins holding > min_rel of the peak.

    The bin holding p0 is left out: there the spectrum is set by the first shock crossings, i.e. by
    the shock structure on the scale of w and √(2κΔt), which the sharp-shock solution does not
    describe (measured: the SDE is 10 % below it there at Δt = 0.005, w = 0.02).
    """
    m, e = samples.mean(0), samples.std(0, ddof=1) / np.sqrt(len(samples))
    ok = np.isfinite(exact) & (exact > min_rel * np.nanmax(exact)) & (e > 0) & (st.p_edges[:-1] > 1.05 * P0)
    c2 = float(np.sum(((m[ok] - exact[ok]) / e[ok]) ** 2))
    return c2, int(ok.sum()), chi2_dist.sf(c2, int(ok.sum())), m, e, ok


def half_plateau_momentum(p_c, y, plateau_range=(1.3, 2.0)):
    """Momentum where p^q-compensated spectrum y falls to half its plateau (log-interpolated)."""
    plateau = np.mean(y[(p_c > plateau_range[0]) & (p_c < plateau_range[1])])
    below = np.nonzero((y < 0.5 * plateau) & (p_c > plateau_range[1]))[0]
    j = below[0]
    x0, x1, y0, y1 = np.log(p_c[j - 1]), np.log(p_c[j]), y[j - 1] / plateau, y[j] / plateau
    return float(np.exp(x0 + (0.5 - y0) * (x1 - x0) / (y1 - y0)))


def jackknife_sigma(stat, batches):
    """Jackknife standard error of ``stat(batches)`` over its first axis (delete-one batches)."""
    B = len(batches)
    jk = np.array([stat(np.delete(batches, i, 0)) for i in range(B)])
    return float(np.sqrt((B - 1) / B * np.sum((jk - jk.mean()) ** 2)))


def test_talbot_inversion_reproduces_the_inverse_gaussian_pdf():
    """IG(μ, λ): F(s) = exp((λ/μ)(1 − √(1 + 2μ²s/λ))), pdf √(λ/2πt³) exp(−λ(t − μ)²/(2μ²t))."""
    mu, lam = 2.0, 3.0
    for t in (0.5, 2.0, 6.0):
        num = talbot_invert(lambda s: np.exp((lam / mu) * (1 - np.sqrt(1 + 2 * mu * mu * s / lam))), t)
        exact = np.sqrt(lam / (2 * np.pi * t**3)) * np.exp(-lam * (t - mu) ** 2 / (2 * mu * mu * t))
        assert num[0] == pytest.approx(exact, rel=1e-6)


def test_exact_solution_has_drurys_mean_acceleration_time_and_steady_slope():
    """Continuous injection, window → 0: the spectrum at late times is ∝ p^(3−q) and the time-derivative of
    the cut-off obeys ∫ t φ dt = 3 ln(p/p0)/(u1−u2)(κ1/u1 + κ2/u2) (mean acceleration time)."""
    lnp = np.array([[1.0]])
    ts = np.concatenate([np.linspace(0.02, 60.0, 1200), np.linspace(60.05, 400.0, 300)])
    phi = np.array([talbot_invert(lambda s: laplace_window(s, lnp, 1e-9, False) / 1e-9, t)[0] for t in ts])
    phi /= 3.0 / (U1 - U2) * np.exp((3 - Q) * 1.0)
    mean = np.trapezoid(ts * phi, ts)
    var = np.trapezoid((ts - mean) ** 2 * phi, ts)
    assert np.trapezoid(phi, ts) == pytest.approx(1.0, abs=2e-3)
    assert mean == pytest.approx(3.0 / (U1 - U2) * (KAPPA / U1 + KAPPA / U2), rel=3e-3)  # = 20
    assert var == pytest.approx(6.0 / (U1 - U2) * (KAPPA**2 / U1**3 + KAPPA**2 / U2**3), rel=1e-2)  # = 520


def run_case(n, T, n_batches, b=1.0, dt=0.005, width=0.02):
    deck = dsa_deck(n, T, [T / 2, T], b, dt=dt, width=width)
    st, cont, burst = batch_means(deck, n_batches)
    pe = st.p_edges
    pc = np.sqrt(pe[1:] * pe[:-1])
    ex_c = exact_window(pe, T, b, True)
    ex_b = [exact_window(pe, t, b, False) for t in (T / 2, T)]
    return st, pc, cont, burst, ex_c, ex_b


def test_sde_spectrum_at_the_shock_follows_the_acceleration_time_distribution():
    """4000 particles, T = 40 (2 mean acceleration times per e-fold), window [0, 1] downstream."""
    st, pc, cont, burst, ex_c, ex_b = run_case(4000, 40.0, 16)
    c2, nb, pv, m, _e, _ok = compare(st, cont, ex_c)
    print(f"continuous injection, T = 40: chi2 = {c2:.1f} for {nb} bins, p = {pv:.3f}")
    assert pv > 0.01
    pq = pc ** (Q - 3)
    p_half_sde, p_half_ex = half_plateau_momentum(pc, m * pq), half_plateau_momentum(pc, ex_c * pq)
    sig = jackknife_sigma(lambda c: half_plateau_momentum(pc, c.mean(0) * pq), cont)
    print(f"half-plateau momentum: SDE {p_half_sde:.3f} ± {sig:.3f} (jackknife), exact {p_half_ex:.3f}")
    # with 4000 particles the cut-off position is known to ≈ 5–7 % only (jackknife over the 16 batches;
    # seeds 11–16 give 4.8–8.0 %), so it is tested at 3σ; the 2 % test is the slow high-statistics one
    assert abs(p_half_sde - p_half_ex) < 3.0 * sig
    for k, t in enumerate((20.0, 40.0)):
        c2, nb, pv, *_ = compare(st, burst[:, k], ex_b[k])
        print(f"burst snapshot t = {t:g}: chi2 = {c2:.1f} for {nb} bins, p = {pv:.3f}")
        assert pv > 0.01


def test_first_step_from_the_shock_samples_the_compression():
    """Injection at a smoothed shock: the first Euler step must not take ∇·u at the layer centre.

    A particle placed at X_s exactly would gain Δ ln p = ∇·u(X_s) Δt/3 = Δu Δt/(6w) in its first step
    (2.5 % for r = 4, u1Δt/w = 0.2), a kick that raises the whole shock spectrum by that factor and
    does not vanish when w and Δt are refined together. Injected at X_s + √(2κΔt) ξ, the first step's
    mean gain is Δt/3 E[∇·u(X_s + ℓξ)] = (Δu Δt/3) ∫ sech²(x/w)/(2w) φ_ℓ(x) dx ≈ Δu Δt/(3√(2π) ℓ),
    which → 0 as Δt → 0 (the continuum value for a particle starting at X_s is Δu√Δt/(3√(πκ)))."""
    from scipy.integrate import quad

    dt, w, n = 0.0005, 0.0025, 200000
    deck = load_config({
        "engine": "sde", "units": "code", "run": {"t_end": dt, "dt": dt, "seed": 5, "progress": False},
        "flow": {"kind": "planar_shock", "u1": U1, "compression": R, "width": w, "frame": "shock", "direction": -1},
        "diffusion": {"kind": "constant", "kappa": KAPPA}, "injection": {"n_particles": n, "p0": P0, "where": "shock"},
        "output": {"times": [dt], "initial": False, "particles": True, "p_min": 0.5, "p_max": 2.0}})
    r = simulate_chunk(build_setup(deck), 0, n)
    assert r.count("steps") == n
    dlnp = r.particles["lnp"][0] - np.log(P0)
    mean, sd = float(dlnp.mean()), float(dlnp.std() / np.sqrt(n))
    ell = np.sqrt(2 * KAPPA * dt)
    du = U1 - U2
    phi = lambda x: np.exp(-0.5 * (x / ell) ** 2) / (np.sqrt(2 * np.pi) * ell)  # noqa: E731
    expect = du * dt / 3 * quad(lambda x: 0.5 / w / np.cosh(x / w) ** 2 * phi(x), -40 * w, 40 * w, points=[0.0])[0]
    kick = du * dt / (6 * w)
    print(f"first-step mean Δln p {mean:.4e} ± {sd:.1e}, expected {expect:.4e}, centre kick {kick:.3e}")
    assert abs(mean - expect) < 3 * sd
    assert mean < 0.3 * kick


@pytest.mark.slow
def test_sde_time_dependent_dsa_high_statistics():
    """128000 particles, the shock resolved by 5 advective steps per width and √(2κΔt)/w = 12.6
    (Δt = 5e-4, w = 2.5e-3): ≈ 4 min on 2 cores.

    Measured (seed 11): χ² of the shape with the normalisation free 15.3/22; normalisation −0.84 ±
    0.12 % (with particles injected exactly at the layer centre it was +2.3 %, the first-step kick of
    :func:`test_first_step_from_the_shock_samples_the_compression`); half-plateau momentum +1.4 ± 1.0 %.
    The convergence in (Δt, w) at 32000 particles: p_half −8.5 % at (5e-3, 2e-2), −1.9 % at (2e-3, 1e-2),
    +2.4 ± 2.5 % here — so the residual −0.8 % normalisation is what is left at this resolution."""
    st, pc, cont, _burst, ex_c, _ex_b = run_case(128000, 40.0, 32, dt=0.0005, width=0.0025)
    c2, nb, pv, m, e, ok = compare(st, cont, ex_c, min_rel=1e-3)
    wt = (ex_c[ok] / e[ok]) ** 2
    norm = float(np.sum((m[ok] / ex_c[ok]) * wt) / wt.sum())  # best-fit normalisation
    c2n = float(np.sum(((m[ok] - norm * ex_c[ok]) / e[ok]) ** 2))
    pq = pc ** (Q - 3)
    p_half_sde, p_half_ex = half_plateau_momentum(pc, m * pq), half_plateau_momentum(pc, ex_c * pq)
    print(f"continuous injection, T = 40, 128000 particles: chi2 = {c2:.1f} for {nb} bins; normalisation "
          f"{norm - 1:+.4f}, shape chi2 {c2n:.1f}/{nb - 1}; half-plateau momentum SDE {p_half_sde:.3f}, exact {p_half_ex:.3f}")
    assert chi2_dist.sf(c2n, nb - 1) > 0.01
    assert abs(norm - 1.0) < 0.01
    assert p_half_sde == pytest.approx(p_half_ex, rel=0.02)
