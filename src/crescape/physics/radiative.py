"""Synchrotron and inverse-Compton losses of ultra-relativistic electrons.

Pure formulas, CGS. For an electron of Lorentz factor γ ≫ 1 (E ≈ pc) in a magnetic
field of energy density U_B = B²/8π (isotropic pitch angles) and an isotropic photon
field U_rad, the Thomson-regime loss rate is (Blumenthal & Gould 1970, Rev. Mod.
Phys. 42, 237, eqs. 2.39 and 4.8; Rybicki & Lightman 1979, eqs. 6.7b and 7.17)::

    dE/dt = −(4/3) σ_T c γ² (U_B + U_rad).

With E = pc and γ = p/(m_e c): dp/dt = −(4 σ_T / (3 m_e² c²)) (U_B + U_rad) p². The SDE
engine measures momenta in P = p/(m_p c), so

    dP/dt = −b P²,   b = 4 σ_T m_p (U_B + U_rad f_KN) / (3 m_e² c)   [s^-1].

Klein–Nishina suppression of the IC part for a thermal (Planck) photon field of
temperature T_rad (the approximation of Moderski et al. 2005, MNRAS 363, 954, for a Planck spectrum)::

    f_KN(γ) ≈ (1 + 4 γ ε0)^{-3/2},   ε0 = 2.7 k T_rad / (m_e c²).

For constant b the exact solution over a step is P(t + Δt) = P/(1 + b P Δt).
"""
from __future__ import annotations

import numpy as np

from ..core.constants import c, eV, k_B, m_e, m_e_c2, m_p, sigma_T

U_CMB = 0.26 * eV  # CMB energy density [erg cm^-3]
T_CMB = 2.725  # [K]
LOSS_PER_U = 4.0 * sigma_T * m_p / (3.0 * m_e**2 * c)  # b / U  [s^-1 per erg cm^-3]


def magnetic_energy_density(B):
    """U_B = B²/(8π) [erg cm^-3] for B in G."""
    return np.asarray(B, float) ** 2 / (8.0 * np.pi)


def loss_coefficient(U):
    """b [s^-1] of dP/dt = −b P² (P = p/(m_p c)) for a total energy density U [erg cm^-3]
    of field plus photons (Thomson regime; Blumenthal & Gould 1970 eq. 2.39 / 4.8)."""
    return LOSS_PER_U * np.asarray(U, float)


def kn_epsilon0(T_rad):
    """ε0 = 2.7 k T_rad/(m_e c²): mean photon energy of a Planck field in m_e c² (Moderski et al. 2005)."""
    return 2.7 * k_B * np.asarray(T_rad, float) / m_e_c2


def kn_factor(gamma, T_rad):
    """Klein–Nishina suppression f_KN ≈ (1 + 4γε0)^{-3/2} of the IC loss rate in a Planck field
    (Moderski et al. 2005, MNRAS 363, 954; f_KN → 1 in the Thomson limit)."""
    return (1.0 + 4.0 * np.asarray(gamma, float) * kn_epsilon0(T_rad)) ** -1.5


def momentum_loss_rate(P, B, U_rad, T_rad=T_CMB, klein_nishina=True):
    """dP/dt [s^-1] (P = p/(m_p c)) of synchrotron + IC losses of ultra-relativistic electrons."""
    P = np.asarray(P, float)
    f = kn_factor(P * m_p / m_e, T_rad) if klein_nishina else 1.0
    return -loss_coefficient(magnetic_energy_density(B) + U_rad * f) * P**2


def cooled_momentum(P0, b, t):
    """Exact P(t) = P0/(1 + b P0 t) of dP/dt = −b P² (constant b)."""
    return np.asarray(P0, float) / (1.0 + b * np.asarray(P0, float) * t)
