"""Diffusive shock acceleration: pure formulas (CGS or any consistent units).

References: Krymskii 1977; Bell 1978; Blandford & Ostriker 1978 (test-particle
slope); Lagage & Cesarsky 1983, A&A 125, 249 (acceleration time); Drury 1983,
Rep. Prog. Phys. 46, 973 (review; spherical shocks); Webb, Drury & Biermann
1984, A&A 137, 185 (synchrotron losses, constant κ); Aerdker et al. 2025
(seed 003, eqs. 9, 10, 19).
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import quad

from ..core import constants as C
from ..core.laplace import talbot_invert


def dsa_slope(r):
    """Phase-space slope q of f ∝ p^-q at a planar shock of compression r: q = 3r/(r-1).

    dN/dp ∝ p^(2-q); r = 4 gives q = 4 (dN/dp ∝ p^-2), r = 2.5 gives q = 5.
    """
    r = np.asarray(r, dtype=float)
    if np.any(r <= 1):
        raise ValueError("compression ratio must be > 1")
    return 3.0 * r / (r - 1.0)


def acceleration_rate(u1, u2, kappa1, kappa2):
    """d ln p/dt = (u1 - u2) / (3 (κ1/u1 + κ2/u2)) (Lagage & Cesarsky 1983; Drury 1983 eq. 3.37).

    u1, u2: up- and downstream speeds in the shock frame; κ at the particle's momentum.
    """
    return (u1 - u2) / (3.0 * (kappa1 / u1 + kappa2 / u2))


def acceleration_time(p0, p1, u1, u2, kappa1_of_p, kappa2_of_p=None, n=2001):
    """t_acc(p0 → p1) = 3/(u1-u2) ∫ (κ1/u1 + κ2/u2) dp/p (Lagage & Cesarsky 1983; seed 003 eq. 9).

    ``kappa*_of_p`` are callables κ(p) (vectorised) or constants.
    """
    k1 = kappa1_of_p if callable(kappa1_of_p) else (lambda p, k=kappa1_of_p: np.full_like(p, k))
    k2 = k1 if kappa2_of_p is None else (kappa2_of_p if callable(kappa2_of_p) else (lambda p, k=kappa2_of_p: np.full_like(p, k)))
    lnp = np.linspace(np.log(p0), np.log(p1), n)
    p = np.exp(lnp)
    integrand = k1(p) / u1 + k2(p) / u2
    return 3.0 / (u1 - u2) * np.trapezoid(integrand, lnp)


def p_max_bohm_planar(t, p0, u1, r, kappa0):
    """Maximum momentum at a planar shock with Bohm-like κ = κ0 p (same on both sides).

    Integrating d p/dt = (u1 - u2) p/(3 κ0 p (1/u1 + 1/u2)) gives linear growth
    (seed 003 eq. 19): p_max(t) = p0 + (u1 - u2) t / (3 κ0 (1/u1 + 1/u2)).
    """
    u2 = u1 / r
    return p0 + (u1 - u2) * t / (3.0 * kappa0 * (1.0 / u1 + 1.0 / u2))


def p_max_constant_kappa(t, p0, u1, r, kappa):
    """Maximum momentum for energy-independent κ: exponential growth p0 exp(t · rate)."""
    return p0 * np.exp(t * acceleration_rate(u1, u1 / r, kappa, kappa))


def bohm_kappa(p, B, Z=1.0, m=C.m_p):
    """Bohm diffusion κ = r_g v / 3 = p c² β/(3 Z e B) [cm² s^-1]; p in units of m c.

    r_g = p c/(Z e B) with p in CGS momentum; v = β c, β = p/sqrt(1 + p²).
    """
    p = np.asarray(p, dtype=float)
    beta = p / np.sqrt(1.0 + p * p)
    return p * m * C.c * C.c * beta / (3.0 * Z * C.e_charge * B)


def spherical_slope(r, V, R, kappa1, kappa2=None, div_down=None):
    """First-order slope at an expanding spherical shock (small κ/(R V)).

    Derived here (quasi-stationary, shock frame) in the spirit of Drury (1983, §4):
    the upstream precursor of a sphere leaks with the effective speed V + 2κ1/R,
    and downstream particles within κ2/u2 of the shock cool adiabatically at
    (∇·u_d)/3, so that

        q = 3 (V + 2κ1/R) / (u_2,lab - κ2 D/u2),   u2 = V/r, u_2,lab = V - u2,

    D = ∇·u just behind the shock (default 3 u_2,lab/R, a homologous interior).
    Planar limit (κ/(RV) → 0): q = 3r/(r-1). Time dependence of the shock
    (deceleration, injection history) is NOT included: Drury's (1983) injection
    term would add another O(κ/(RV)) contribution (seed 003 eq. 10).
    """
    kappa2 = kappa1 if kappa2 is None else kappa2
    u2 = V / r
    u2lab = V - u2
    D = 3.0 * u2lab / R if div_down is None else div_down
    return 3.0 * (V + 2.0 * kappa1 / R) / (u2lab - kappa2 * D / u2)


def shock_constraints(u, dt, width, kappa):
    """(advective step / width, diffusive step / width): want u·Δt/w ≪ 1 ≪ √(2κΔt)/w.

    Kruells & Achterberg (1994); Achterberg & Schure (2011); seed 003 eq. 5.
    """
    return u * dt / width, np.sqrt(2.0 * kappa * dt) / width


def _ln_phi(s, u1, u2, kappa1, kappa2, b1, b2):
    """ln Φ(s) of :func:`loss_factor`, normalised so that Φ(s) s^α → 1 as s → 0 (α = 3u2/Δu).

    ln Φ = −α ln s − (3/Δu) Σ_i [(R_i − u_i) − u_i ln((R_i + u_i)/(2u_i))], R_i = √(u_i² + 4κ_i b_i s):
    the antiderivative of a(s)/s below, analytic off the negative real axis (principal branches).
    """
    du = u1 - u2
    out = -(3.0 * u2 / du) * np.log(s)
    for u, k, b in ((u1, kappa1, b1), (u2, kappa2, b2)):
        R = np.sqrt(u * u + 4.0 * k * b * s)
        out = out - 3.0 / du * ((R - u) - u * np.log((R + u) / (2.0 * u)))
    return out


def _j_y0_alpha(p0, alpha, args):
    """J y0^α of :func:`loss_factor`: ∫ e^{−τ} y0^α / Φ(τ/y0) d ln τ, τ = t y0 (∝ τ^α at small τ)."""
    u1, u2, kappa1, kappa2, b1, b2 = args
    y0 = 1.0 / p0
    # 1/Φ grows as exp(c√τ) at large τ: integrate until e^{−τ} has won.
    c = 3.0 / (u1 - u2) * (np.sqrt(4.0 * kappa1 * b1 * p0) + np.sqrt(4.0 * kappa2 * b2 * p0))
    lo, hi = np.log(1e-16) / alpha, np.log(60.0 + (c + 8.0) ** 2)
    return quad(lambda lt: np.exp(-np.exp(lt) - _ln_phi(np.exp(lt) / y0, *args).real + alpha * np.log(y0)),
                lo, hi, limit=400, points=[0.0])[0]


def loss_factor(p, p0, u1, u2, kappa1, kappa2, b1, b2=None, window=0.0, M=32):
    """Steady spectrum at a planar shock with losses dp/dt = −b p², relative to the test-particle one.

    Returns g(p) = f(p)/f_TP(p) for p > p0, where f_TP = 3Q/(4π(u1 − u2) p0³) (p/p0)^{−q},
    q = 3u1/(u1 − u2), is the loss-free spectrum of mono-energetic injection at p0 at rate Q per
    unit shock area; f is averaged over the downstream window 0 < x < ``window`` (0: at the
    shock). κ1, κ2 (up-/downstream) and the loss coefficients b1, b2 (synchrotron and Thomson
    inverse Compton: b ∝ B² + 8π u_rad) are constant in p and x — the problem of Webb, Drury &
    Biermann (1984, A&A 137, 185). Steady state, shock frame, upstream x < 0:

        u ∂x f = ∂x(κ ∂x f) + (1/3)(du/dx) p ∂p f + (1/p²) ∂p(b p⁴ f) + Q δ(x) δ(p − p0)/(4π p0²).

    Derivation (done here; a Laplace transform in y = 1/p). With h = p⁴ f the loss term is
    −b ∂y h, so in each half-space u ∂x h = κ ∂xx h − b ∂y h: y plays the part of time. Its
    transform H(x, s) = ∫ e^{−sy} h dy (h → 0 at y = 0, p → ∞) decays away from the shock as
    e^{λ1 x} upstream and e^{−μ2 x} downstream, κ1λ1 = (u1 + R1)/2, κ2μ2 = (R2 − u2)/2,
    R_i = √(u_i² + 4κ_i b_i s). The jump condition at the shock, in y,
    κ2 ∂x h|₂ − κ1 ∂x h|₁ + (Δu/3)(y ∂y h0 + 4h0) + (Q/4π) p0² δ(y − y0) = 0, Δu = u1 − u2,
    becomes a first-order ODE in s, s H0' = a(s) H0 + (3Q/(4πΔu)) e^{−s y0},
    a = (3/(2Δu))(Δu − R1 − R2). Its solution finite at s = 0 (the shock's number density
    Q/(4π u2) per p0², as number conservation downstream demands) is

        H0(s) = (3Q/(4πΔu)) Φ(s) ∫_0^s e^{−t y0} dt / (t Φ(t)),   Φ = exp ∫ a(s)/s ds.

    Splitting ∫_0^s = ∫_0^∞ − ∫_s^∞ leaves, besides a term ∝ e^{−s y0} that lives at y > y0
    (p < p0), h0(y) = (3Q/(4πΔu)) J (L⁻¹Φ)(y) for y < y0, J = ∫_0^∞ e^{−t y0} dt/(t Φ(t)).
    The window multiplies Φ by (1 − e^{−μ2 X})/(μ2 X). Without losses Φ = s^{−α}, α = 3u2/Δu,
    and this is f_TP. L⁻¹ by the fixed Talbot method (:func:`crescape.core.laplace.talbot_invert`),
    J by quadrature in ln t.

    Limits: g → 1 for b → 0; a pile-up (g > 1 near the cut-off) needs u1 > 4u2 (Webb et al.
    1984); for r = 4 and equal κ, b, g exceeds 1 by ≈ 1 % well below the cut-off (cooled
    particles from higher p) and falls off around p ≈ Δu/(3b(κ1/u1 + κ2/u2)) — where the
    acceleration time equals the loss time — roughly as exp(−p/p_c) with p_c = (Δu/(6√(κb)))²
    for p ≫ u1²/(4κb) (the large-s limit Φ ∝ e^{−(3/Δu)(R1 + R2)}).
    ``p``: scalar or array (units of p0, any consistent units for u, κ, b, x).
    """
    b2 = b1 if b2 is None else b2
    if not (u1 > u2 > 0 and kappa1 > 0 and kappa2 > 0 and b1 >= 0 and b2 >= 0 and p0 > 0 and window >= 0):
        raise ValueError("loss_factor needs u1 > u2 > 0, κ > 0, b ≥ 0, p0 > 0, window ≥ 0")
    p = np.asarray(p, dtype=float)
    if np.any(p <= p0):
        raise ValueError("loss_factor is for p > p0 (below p0 the spectrum is the cooled tail)")
    alpha = 3.0 * u2 / (u1 - u2)
    args = (u1, u2, kappa1, kappa2, b1, b2)
    J = _j_y0_alpha(p0, alpha, args)

    def F(s):
        ph = np.exp(_ln_phi(s, *args))
        if window > 0:
            mu = (np.sqrt(u2 * u2 + 4.0 * kappa2 * b2 * s) - u2) / (2.0 * kappa2)
            small = np.abs(mu * window) < 1e-8
            ph = ph * np.where(small, 1.0 - 0.5 * mu * window, -np.expm1(-mu * window) / np.where(small, 1.0, mu * window))
        return ph

    y = (1.0 / p).ravel()
    out = np.array([talbot_invert(F, yi, M)[0] for yi in y])
    # f/f_TP = J (L⁻¹Φ)(y) / (y0^−α y^{α−1}); J here already carries the factor y0^α.
    return (J * y ** (1.0 - alpha) * out).reshape(p.shape)
