"""Collisional (Coulomb + ionisation) energy losses of cosmic-ray protons.

Pure formulas, CGS in and out except where stated. The fits are those of
Mannheim & Schlickeiser (1994, A&A 286, 983, eqs. 4.21–4.22 / appendix) as
collected in Schlickeiser (2002), *Cosmic Ray Astrophysics*, §5.3.4 and
eq. (5.3.58), which seed 000 (Shimoda, Asano & Inutsuka 2025, §2) uses for
(dp/dt)_C. Pion production is neglected, as in seed 000.

Coulomb scattering off free (thermal) electrons::

    −dE/dt = 3.08e-7 n_e β² / (β³ + x_m³) · H(β − x_m)   eV s^-1,
    x_m    = 0.0286 (T_e / 2e6 K)^{1/2},

ionisation and excitation of neutral hydrogen::

    −dE/dt = 1.82e-7 n_HI [1 + 0.0185 ln β · H(β − β0)] 2β² / (β0³ + 2β³)   eV s^-1,
    β0     = 0.01,

with densities in cm^-3 and β = v/c of the proton. The momentum loss rate is
(dp/dt)_C = (dE/dt)_C / v, because dE/dp = v.

The scalar cores are numba-compiled so that the CR transport kernels call the
very same code; the public functions accept numpy arrays.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..core.constants import c, eV, m_p, m_p_c2

COULOMB_COEFF = 3.08e-7  # eV s^-1 cm^3
IONISATION_COEFF = 1.82e-7  # eV s^-1 cm^3
X_M_COEFF = 0.0286
X_M_T = 2e6  # K
BETA0 = 0.01


@njit(cache=True)
def x_m_cubed(T_e):
    """x_m³ with x_m = 0.0286 (T_e / 2e6 K)^{1/2} (Schlickeiser 2002 eq. 5.3.58)."""
    xm = X_M_COEFF * np.sqrt(T_e / X_M_T)
    return xm * xm * xm


@njit(cache=True)
def coulomb_shape(beta, xm3):
    """β²/(β³ + x_m³) · H(β − x_m): the Coulomb loss per unit n_e in units of 3.08e-7 eV/s."""
    if beta * beta * beta <= xm3:
        return 0.0
    return beta * beta / (beta * beta * beta + xm3)


@njit(cache=True)
def ionisation_shape(beta):
    """[1 + 0.0185 ln β H(β − β0)] 2β²/(β0³ + 2β³): ionisation loss per unit n_HI in units of 1.82e-7 eV/s."""
    corr = 1.0 + 0.0185 * np.log(beta) if beta > BETA0 else 1.0
    return corr * 2.0 * beta * beta / (BETA0**3 + 2.0 * beta * beta * beta)


@njit(cache=True)
def collisional_edot_eV(beta, n_e, n_HI, xm3):
    """Total −dE/dt [eV s^-1] = Coulomb(n_e) + ionisation(n_HI) at velocity β (scalar core)."""
    return COULOMB_COEFF * n_e * coulomb_shape(beta, xm3) + IONISATION_COEFF * n_HI * ionisation_shape(beta)


def beta_of_p(p):
    """β = (p/m_p c) / sqrt(1 + (p/m_p c)²) for p in units of m_p c (seed 000 eq. 7 divided by c)."""
    p = np.asarray(p, dtype=float)
    return p / np.sqrt(1.0 + p * p)


def beta_of_Ek(E_k):
    """β of a proton of kinetic energy E_k [erg]: γ = 1 + E_k/(m_p c²), β = sqrt(1 − 1/γ²)."""
    g = 1.0 + np.asarray(E_k, dtype=float) / m_p_c2
    return np.sqrt(1.0 - 1.0 / (g * g))


def kinetic_energy(p):
    """ε(p) = sqrt((m_p c²)² + (pc)²) − m_p c² [erg] for p in units of m_p c (seed 000 eq. 8).

    Written as m_p c² p²/(sqrt(1+p²) + 1) to avoid cancellation at p ≪ 1.
    """
    p = np.asarray(p, dtype=float)
    return m_p_c2 * p * p / (np.sqrt(1.0 + p * p) + 1.0)


def velocity(p):
    """v(p) = p c² / sqrt((m_p c²)² + (pc)²) [cm s^-1] for p in units of m_p c (seed 000 eq. 7)."""
    return c * beta_of_p(p)


def coulomb_loss_rate(E_k, n_e, T_e):
    """−dE/dt [eV s^-1] by Coulomb collisions with free electrons (Mannheim & Schlickeiser 1994).

    −dE/dt = 3.08e-7 n_e β²/(β³ + x_m³) H(β − x_m) eV/s, x_m = 0.0286 (T_e/2e6 K)^{1/2};
    E_k kinetic energy [erg], n_e [cm^-3], T_e [K].
    """
    b = beta_of_Ek(E_k)
    xm3 = (X_M_COEFF * np.sqrt(np.asarray(T_e, dtype=float) / X_M_T)) ** 3
    shape = np.where(b**3 > xm3, b * b / (b**3 + xm3), 0.0)
    return COULOMB_COEFF * np.asarray(n_e, dtype=float) * shape


def ionisation_loss_rate(E_k, n_HI):
    """−dE/dt [eV s^-1] by ionisation of neutral hydrogen (Mannheim & Schlickeiser 1994).

    −dE/dt = 1.82e-7 n_HI [1 + 0.0185 ln β H(β − β0)] 2β²/(β0³ + 2β³) eV/s, β0 = 0.01.
    """
    b = beta_of_Ek(E_k)
    corr = np.where(b > BETA0, 1.0 + 0.0185 * np.log(b), 1.0)
    return IONISATION_COEFF * np.asarray(n_HI, dtype=float) * corr * 2.0 * b * b / (BETA0**3 + 2.0 * b**3)


def collisional_loss_rate(E_k, n, T_e, x_e):
    """−dE/dt [erg s^-1] for gas of hydrogen density n with ionisation fraction x_e.

    n_e = x_e n, n_HI = max(1 − x_e, 0) n; Coulomb + ionisation as above, converted to erg/s.
    """
    n = np.asarray(n, dtype=float)
    n_e = x_e * n
    n_HI = max(1.0 - x_e, 0.0) * n
    return eV * (coulomb_loss_rate(E_k, n_e, T_e) + ionisation_loss_rate(E_k, n_HI))


def momentum_loss_rate(p, n, T_e, x_e):
    """(dp/dt)_C [g cm s^-2] (negative) for p in m_p c: (dp/dt) = (dE/dt)/v (seed 000 §2)."""
    p = np.asarray(p, dtype=float)
    return -collisional_loss_rate(kinetic_energy(p), n, T_e, x_e) / velocity(p)


def loss_time(p, n, T_e, x_e):
    """Momentum loss time p/|dp/dt| [s] for p in m_p c."""
    p = np.asarray(p, dtype=float)
    return p * m_p * c / np.abs(momentum_loss_rate(p, n, T_e, x_e))
