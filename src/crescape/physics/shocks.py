"""Diffusive shock acceleration: pure formulas (CGS or any consistent units).

References: Krymskii 1977; Bell 1978; Blandford & Ostriker 1978 (test-particle
slope); Lagage & Cesarsky 1983, A&A 125, 249 (acceleration time); Drury 1983,
Rep. Prog. Phys. 46, 973 (review; spherical shocks); Aerdker et al. 2025
(seed 003, eqs. 9, 10, 19).
"""
from __future__ import annotations

import numpy as np

from ..core import constants as C


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
