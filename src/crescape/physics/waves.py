"""Resonant Alfvén waves and cosmic rays: growth, damping and diffusion (CGS, vectorised).

Conventions (Nava et al. 2016, MNRAS 461, 3552 — hereafter N16; Brahimi et al.
2020, A&A 633, A72 — B20):

* ``I(k)`` is the resonant wave energy per logarithmic band of k normalised to
  the background magnetic pressure, I = P_w / P_B with P_B = B0²/8π, so that
  (δB/B0)² per ln k = I. Seed 001 writes W = W/W0 for the same quantity.
* A CR of kinetic energy E resonates with k = 1/r_L(E) (seed 001 §2.3.2, k r_L = 1).
* Parallel diffusion (N16 eq. 3; seed 001 eq. 3):  κ = κ_B / I,
  κ_B = (4/3π) r_L v (the Bohm-type coefficient of seed 001 with c → v).
  The Bohm limit is respected: κ ≥ κ_B (I is capped at 1 *only* inside κ).
* Resonant streaming growth (N16; seed 001 eq. 4): Γ_g = V_st |∂z P_CR| / (2 W),
  W = I W_n the wave energy density; the wave equation is
  ∂t I = 2 Γ_g I − 2 Γ_d (I − I0)  (amplitude rates, factor 2 for energy), so the
  CR work V_st |∂z P_CR| per unit volume goes into W. Energy conservation between
  CRs and Alfvén waves (magnetic + kinetic, W = δB²/4π) gives W_n = B0²/4π (the
  engine default, ``waves.wave_energy = "total"``); N16 write the wave *pressure*
  P_w = δB²/8π, W_n = B0²/8π (``"magnetic"``), i.e. twice the growth.
* The background level I0 is fixed by the background diffusion: κ0 = κ_B / I0.

Damping (seed 001 §2.3.2): ion–neutral (Kulsrud & Pearce 1969; Xu, Yan &
Lazarian 2016) in both regimes with the evanescent band between them,
non-linear Landau (Wiener et al. 2013 form quoted in seed 001) and turbulent
(Farmer & Goldreich 2004; Lazarian 2016).
"""
from __future__ import annotations

import numpy as np

from ..core import constants as C

# regime codes returned by the ion–neutral functions
IONISED, DECOUPLED, COUPLED, EVANESCENT = 0, 1, 2, 3


# --- particles -------------------------------------------------------------
def momentum_c(E, m=C.m_p):
    """p c [erg] for kinetic energy E [erg] of a particle of mass m: pc = sqrt(E (E + 2 m c²))."""
    E = np.asarray(E, dtype=float)
    return np.sqrt(E * (E + 2.0 * m * C.c**2))


def speed(E, m=C.m_p):
    """Particle speed v = p c² / E_tot [cm/s]."""
    E = np.asarray(E, dtype=float)
    return momentum_c(E, m) * C.c / (E + m * C.c**2)


def larmor_radius(E, B, m=C.m_p, Z=1):
    """Gyro-radius r_L = p c / (Z e B) [cm] (pitch angle 90°) for kinetic energy E [erg], field B [G]."""
    return momentum_c(E, m) / (Z * C.e_charge * np.asarray(B, dtype=float))


def resonant_wavenumber(E, B, m=C.m_p, Z=1):
    """k_res = 1 / r_L(E) [cm^-1] (resonance condition k r_L = 1, seed 001 §2.3.2)."""
    return 1.0 / larmor_radius(E, B, m, Z)


def bohm_coefficient(E, B, m=C.m_p, Z=1):
    """κ_B = (4/3π) r_L v [cm²/s] (seed 001 eq. 3: κ_B = 4 E c / (3π q B0) for v = c)."""
    return 4.0 / (3.0 * np.pi) * larmor_radius(E, B, m, Z) * speed(E, m)


def diffusion_from_waves(I, kappa_B):
    """κ∥ = κ_B / I (N16 eq. 3), Bohm limit κ ≥ κ_B respected (I ≤ 1 inside the formula)."""
    I = np.asarray(I, dtype=float)
    return np.asarray(kappa_B) / np.minimum(I, 1.0)


def background_wave_level(kappa0, kappa_B):
    """I0 = κ_B / κ0: the background turbulence level that gives the background diffusion κ0."""
    return np.asarray(kappa_B) / np.asarray(kappa0)


def kappa_background(E, kappa_10GeV=3e28, delta=0.5, E_ref=10.0 * C.GeV):
    """κ0(E) = κ_10 (E / 10 GeV)^δ [cm²/s] (galactic diffusion; default 3e28 cm²/s, δ = 0.5)."""
    return kappa_10GeV * (np.asarray(E, dtype=float) / E_ref) ** delta


# --- growth ------------------------------------------------------------------
def streaming_growth_rate(V_st, dPdz, I, B, wave_energy="total"):
    """Resonant streaming-instability growth rate [s^-1] (N16; seed 001 eq. 4).

    Γ_g = V_st |∂z P_CR| / (2 I W_n), W_n = B²/4π ("total": the wave energy
    δB²/4π receives the CR work) or B²/8π ("magnetic", N16); P_CR is the CR
    pressure per ln E [erg cm^-3] and I = (δB/B)² per ln k.
    """
    Wn = np.asarray(B, dtype=float) ** 2 / (4.0 * np.pi if wave_energy == "total" else 8.0 * np.pi)
    return np.asarray(V_st) * np.abs(dPdz) / (2.0 * np.asarray(I) * Wn)


def drift_growth_rate(k, V_d, V_A, n_cr_above, n_gas, B, a, r_l0, m=C.m_p):
    """Growth rate written with the drift speed of the beam [s^-1] (Evoli et al. 2018; seed 001 §2.4).

    Γ_g ≃ (π/2) (a−3)/(a−2) (V_d/V_A − 1) (n_ee/n_g) Ω_cp (k r_l,0)^(a−4),
    for f(p) ∝ p^-a above p_0 (r_l,0 its gyro-radius), n_ee the pair density,
    Ω_cp = e B /(m_p c). The factor (V_d/V_A − 1) (instability threshold V_d > V_A,
    Evoli et al. 2018) reduces to the V_d/V_A of seed 001 for V_d ≫ V_A; it is
    never negative here (no growth below threshold).
    """
    omega_cp = C.e_charge * np.asarray(B) / (m * C.c)
    drive = np.maximum(np.asarray(V_d) / np.asarray(V_A) - 1.0, 0.0)
    return (np.pi / 2.0) * (a - 3.0) / (a - 2.0) * drive * (np.asarray(n_cr_above) / n_gas) * omega_cp * (
        np.asarray(k) * r_l0) ** (a - 4.0)


# --- damping -----------------------------------------------------------------
def nlld_rate(k, I, v_i):
    """Non-linear Landau damping [s^-1] (Wiener et al. 2013 form quoted in seed 001 §2.3.2).

    Γ_NLLD = ½ sqrt(π/2) k v_i (δB/B0)², with (δB/B0)² = I at the resonant scale.
    """
    return 0.5 * np.sqrt(np.pi / 2.0) * np.asarray(k) * np.asarray(v_i) * np.asarray(I)


def turbulent_damping_rate(k, V_A, L, M_A=1.0):
    """Turbulent damping by the large-scale cascade [s^-1].

    Γ_turb = V_A (k / L)^½ (Farmer & Goldreich 2004; seed 001 §2.3.2) for trans-Alfvénic
    turbulence injected at L; for sub-Alfvénic strong turbulence Lazarian (2016) gives the
    extra factor M_A^{3/2} (M_A = 1 recovers Farmer & Goldreich).
    """
    if np.any(np.asarray(M_A) > 1.0):
        raise ValueError("turbulent damping: only trans/sub-Alfvénic turbulence (M_A <= 1) is implemented")
    return np.asarray(M_A) ** 1.5 * np.asarray(V_A) * np.sqrt(np.asarray(k) / np.asarray(L))


def evanescent_band(V_Ai, V_Atot, nu_in, nu_ni, rho_i, rho_n):
    """Wavenumber limits (k_c1, k_c2) of the evanescent band (Kulsrud & Pearce 1969; Xu et al. 2016).

    k_c1 = 2 ν_ni / (ξ_n V_A,tot) ends the coupled branch, k_c2 = ν_in / (2 V_A,i) starts the
    decoupled branch (ξ_n = ρ_n/ρ). Alfvén waves do not propagate for k_c1 < k < k_c2; when
    k_c1 ≥ k_c2 there is no band.
    """
    xi_n = rho_n / (rho_i + rho_n)
    k1 = 2.0 * nu_ni / (xi_n * V_Atot) if xi_n > 0 else np.inf
    k2 = nu_in / (2.0 * V_Ai)
    return k1, k2


def ion_neutral_damping(k, V_Ai, V_Atot, nu_in, nu_ni, rho_i, rho_n):
    """Ion–neutral damping in its two asymptotic regimes (seed 001 eqs. 6–7).

    Returns (Γ_in [s^-1], V_st [cm/s], regime code) per k:

    * decoupled, k > k_c2 (ω ≫ ν_in):  Γ = ν_in / 2                       (eq. 6), V_st = V_A,i
    * coupled,   k < k_c1 (ω ≪ ν_ni):  Γ = ξ_n k² V_A,tot² / (2 ν_ni)     (eq. 7), V_st = V_A,tot
    * evanescent band in between: no propagating wave (Γ = ν_in/2, V_st = 0, regime 3).

    Eq. 7 is written with ν_ni and ξ_n = ρ_n/ρ as in Kulsrud & Pearce (1969) and Xu, Yan &
    Lazarian (2016); seed 001 prints ν_in, which is smaller by ρ_i/ρ_n and contradicts the
    exact dispersion relation (:func:`ion_neutral_dispersion`, checked in the tests).
    When there is no band (k_c1 ≥ k_c2, e.g. WIM), the exact dispersion relation is used.
    """
    k = np.atleast_1d(np.asarray(k, dtype=float))
    if rho_n <= 0 or nu_in <= 0:
        return np.zeros_like(k), np.full_like(k, V_Ai), np.full(k.shape, IONISED)
    k1, k2 = evanescent_band(V_Ai, V_Atot, nu_in, nu_ni, rho_i, rho_n)
    if k1 >= k2:  # no band: exact roots are continuous across the transition
        omr, gam = ion_neutral_dispersion(k, V_Ai, nu_in, nu_ni)
        reg = np.where(k * V_Atot < nu_ni, COUPLED, DECOUPLED)
        return gam, omr / k, reg
    xi_n = rho_n / (rho_i + rho_n)
    gam = np.where(k >= k2, 0.5 * nu_in, xi_n * k**2 * V_Atot**2 / (2.0 * nu_ni))
    vst = np.where(k >= k2, V_Ai, V_Atot)
    reg = np.where(k >= k2, DECOUPLED, COUPLED)
    band = (k > k1) & (k < k2)
    gam = np.where(band, 0.5 * nu_in, gam)
    vst = np.where(band, 0.0, vst)
    reg = np.where(band, EVANESCENT, reg)
    return gam, vst, reg


def ion_neutral_dispersion(k, V_Ai, nu_in, nu_ni):
    """Exact two-fluid dispersion relation of parallel Alfvén waves with ion–neutral friction.

    ω² (ν_ni + ν_in − iω) = k² V_A,i² (ν_ni − iω)   (Kulsrud & Pearce 1969),
    solved for the forward wave. Returns (ω_R, Γ) with Γ = −Im ω; ω_R = 0 in the
    evanescent band (no propagating root).
    """
    k = np.atleast_1d(np.asarray(k, dtype=float))
    omr = np.zeros_like(k)
    gam = np.zeros_like(k)
    for j, kk in enumerate(k):
        kv2 = (kk * V_Ai) ** 2
        roots = np.roots([-1j, nu_ni + nu_in, 1j * kv2, -kv2 * nu_ni])
        prop = roots[roots.real > 1e-9 * kk * V_Ai]
        if prop.size:
            r = prop[np.argmax(prop.imag)]
            omr[j], gam[j] = r.real, -r.imag
        else:
            r = roots[np.argmax(roots.imag)]
            omr[j], gam[j] = 0.0, -r.imag
    return omr, gam
