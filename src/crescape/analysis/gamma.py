"""Gamma-ray halos: pion-decay emissivity, point-source diffusion solutions, projected profiles, χ–δ fits.

* :func:`pion_emissivity` — π0-decay photon emissivity q_γ(E_γ) [photons cm^-3 s^-1 erg^-1]
  of any proton distribution of crescape (cloud, CR-hydro, analytic), via naima's
  ``PionDecay`` (Kafexhiu et al. 2014 parametrisation). naima pitfalls handled here:
  a *new* ``PionDecay`` object is built for every call (naima memoizes on parameter
  names, so reusing one with a changed ``TableModel`` would return stale results);
  zeros in the table are dropped (log 0 = NaN inside naima's log-log interpolation);
  the table is given in *total* proton energy (naima's convention), converted from
  crescape's kinetic energies.
* :func:`burst_solution`, :func:`continuous_solution` — CR density around a point
  source with diffusion κ_s(E) = χ κ0(E) (seed 001 §1: burst-like or continuous
  injection; continuous gives N ∝ Q/(4π κ r) erfc(r/√(4κt)), the 1/r profile).
* :func:`projected_profile` — line-of-sight integral of a spherical emissivity at
  distance d: surface brightness vs angle.
* :func:`fit_chi_delta` — fit of the reduction factor χ = κ_s/κ0 and index δ of
  κ_s ∝ E^δ to profiles at several energies (the analysis reviewed in seed 001 §1).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares
from scipy.special import erfc

from ..core import constants as C
from ..physics.waves import momentum_c, speed


def pion_emissivity(E_gamma, E_p, N_p, n_H=1.0, nuclear_enhancement=True):
    """π0-decay emissivity [photons cm^-3 s^-1 erg^-1] at photon energies E_gamma [erg].

    E_p: proton *kinetic* energies [erg] (increasing); N_p: proton number density per unit
    energy [cm^-3 erg^-1] at E_p; n_H: target density [cm^-3]. Protons outside the table
    contribute nothing (naima's TableModel returns 0 there): cover ~1 GeV to the highest
    energy that matters for E_gamma (E_p ≳ 10 E_gamma).
    """
    import astropy.units as u
    from naima.models import PionDecay, TableModel

    E_p = np.asarray(E_p, dtype=float)
    N_p = np.asarray(N_p, dtype=float)
    if E_p.shape != N_p.shape or E_p.ndim != 1:
        raise ValueError("pion_emissivity: E_p and N_p must be 1-D arrays of the same length")
    if np.any(N_p < 0) or not np.all(np.isfinite(N_p)):
        raise ValueError("pion_emissivity: N_p must be finite and non-negative")
    keep = N_p > 0
    if keep.sum() < 4:
        return np.zeros_like(np.asarray(E_gamma, dtype=float))
    E_tot = (E_p[keep] + C.m_p_c2) * u.erg  # naima: total proton energy
    table = TableModel(E_tot, N_p[keep] * u.Unit("1/erg"))
    pd = PionDecay(table, nh=n_H * u.cm**-3, nuclear_enhancement=nuclear_enhancement)  # fresh: no stale memo
    q = pd.flux(np.atleast_1d(np.asarray(E_gamma, dtype=float)) * u.erg, distance=0)
    return q.to_value("1/(erg s)")


def density_from_pressure(E, P):
    """Proton number density per unit kinetic energy [cm^-3 erg^-1] from P per ln E (P = p v E N / 3)."""
    pv = momentum_c(E) * speed(E) / C.c
    return 3.0 * np.asarray(P) / (pv * np.asarray(E))


def burst_solution(r, t, kappa, Q=1.0):
    """N(r, t) = Q exp(−r²/4κt) / (4πκt)^{3/2}: burst of Q particles at r = 0, t = 0 (3-D diffusion)."""
    r = np.asarray(r, dtype=float)
    return Q * np.exp(-(r**2) / (4.0 * kappa * t)) / (4.0 * np.pi * kappa * t) ** 1.5


def continuous_solution(r, t, kappa, Qdot=1.0):
    """N(r, t) = Q̇ / (4π κ r) erfc(r / √(4κt)): constant injection rate Q̇ since t = 0 (seed 001 §1)."""
    r = np.asarray(r, dtype=float)
    return Qdot / (4.0 * np.pi * kappa * r) * erfc(r / np.sqrt(4.0 * kappa * t))


def projected_profile(theta, distance, emissivity, r_max=None, n_los=400):
    """Surface brightness S(θ) = ∫ q(√(b² + l²)) dl over the line of sight, b = d tan θ.

    ``emissivity`` is a vectorised function of r [cm]; θ in radians. The integral runs
    over |l| < r_max (default 20 × the largest impact parameter) on a log grid in l, with
    the innermost part resolved down to 1e-4 b. Units: [q] × cm (per steradian factor
    1/4π left to the caller).
    """
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    b = distance * np.tan(theta)
    if np.any(b <= 0):
        raise ValueError("projected_profile: angles must be positive")
    r_max = 20.0 * b.max() if r_max is None else r_max
    out = np.empty_like(b)
    for i, bi in enumerate(b):
        l = np.concatenate([[0.0], np.geomspace(1e-4 * bi, r_max, n_los)])
        q = emissivity(np.sqrt(bi * bi + l * l))
        out[i] = 2.0 * np.trapezoid(q, l)
    return out


def _profile_model(kind, r, t, kappa):
    if kind == "burst":
        return burst_solution(r, t, kappa)
    if kind == "continuous":
        return continuous_solution(r, t, kappa)
    raise ValueError(f"unknown injection kind {kind!r} (burst | continuous)")


def model_profiles(theta, distance, energies, t_age, chi, delta, kind="continuous",
                   kappa_10=3e28, E_ref=10.0 * C.GeV):
    """Projected CR-density profiles for κ_s = χ κ_10 (E/E_ref)^δ.

    They give the shape of the gamma-ray profile at E_γ ≈ E/10 (δ-function approximation).
    """
    out = []
    for E in np.atleast_1d(energies):
        kap = chi * kappa_10 * (E / E_ref) ** delta
        out.append(projected_profile(theta, distance, lambda r, k=kap: _profile_model(kind, r, t_age, k)))
    return np.asarray(out)


def fit_chi_delta(theta, distance, energies, profiles, t_age, kind="continuous", kappa_10=3e28,
                  E_ref=10.0 * C.GeV, chi0=0.1, delta0=0.5, sigma=None):
    """Fit χ and δ of κ_s = χ κ_10 (E/E_ref)^δ to surface-brightness profiles at several energies.

    Profiles (n_E, n_θ) are compared in log space with one free normalisation per energy
    (the injection spectrum and the pion physics set the normalisation, the diffusion sets
    the shape), profiled out analytically. Returns dict(chi, delta, cost, success).
    """
    prof = np.asarray(profiles, dtype=float)
    if np.any(prof <= 0):
        raise ValueError("fit_chi_delta: profiles must be positive")
    logp = np.log(prof)
    w = 1.0 / np.asarray(sigma) if sigma is not None else np.ones_like(prof)

    def resid(x):
        m = np.log(model_profiles(theta, distance, energies, t_age, np.exp(x[0]), x[1], kind, kappa_10, E_ref))
        off = np.sum(w**2 * (logp - m), axis=1, keepdims=True) / np.sum(w**2, axis=1, keepdims=True)
        return (w * (logp - m - off)).ravel()

    sol = least_squares(resid, [np.log(chi0), delta0], x_scale=[1.0, 0.3], xtol=1e-10, ftol=1e-12)
    return {"chi": float(np.exp(sol.x[0])), "delta": float(sol.x[1]), "cost": float(sol.cost),
            "success": bool(sol.success)}
