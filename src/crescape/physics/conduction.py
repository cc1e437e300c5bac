"""Thermal conduction coefficients (pure functions).

Parker (1953, ApJ 117, 431), as used by seed 000 §2:

    K(T) = 2.5e3 T^½        (T ≤ T_sw)     [erg s⁻¹ cm⁻¹ K⁻¹]
    K(T) = 1.25e-6 T^(5/2)  (T > T_sw)

The two branches meet continuously at T_sw = √(2.5e3/1.25e-6) = 4.472e4 K, the
default. Seed 000 writes 4.74e4 K; there the upper branch is 12.4 % above the lower
one (a jump). ``T_sw`` stays a parameter (deck ``thermal.T_switch_conduction``).

Saturation (Cowie & McKee 1977, ApJ 211, 135): the classical flux q = −K ∇T is
limited by the saturated flux q_sat = 0.4 (2kT/πm_e)^½ n_e kT ≈ 5 φ_s ρ c_s³
(c_s = √(P/ρ) the isothermal sound speed, φ_s ≈ 1) through the harmonic
interpolation q = q_class/(1 + |q_class|/q_sat) (e.g. Slavin & Cox 1992), i.e. an
effective conductivity K_eff = K/(1 + K|∇T|/q_sat).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

K_LOW = 2.5e3  # erg s^-1 cm^-1 K^-3/2
K_HIGH = 1.25e-6  # erg s^-1 cm^-1 K^-7/2
T_CONTINUOUS = math.sqrt(K_LOW / K_HIGH)  # 44721.36 K


@njit(cache=True)
def parker_conductivity(T, T_sw):
    """K(T) of Parker (1953) [erg s⁻¹ cm⁻¹ K⁻¹]: 2.5e3 T^½ for T ≤ T_sw, 1.25e-6 T^{5/2} above."""
    if T_sw >= T:
        return K_LOW * math.sqrt(max(T, 0.0))
    return K_HIGH * T * T * math.sqrt(T)


def conductivity(T, T_sw: float = T_CONTINUOUS):
    """Vectorised :func:`parker_conductivity`."""
    T = np.asarray(T, dtype=float)
    return np.where(T_sw >= T, K_LOW * np.sqrt(np.maximum(T, 0.0)), K_HIGH * T**2.5)


def saturated_flux(rho, P, phi: float = 1.0):
    """q_sat = 5 φ_s ρ c_s³ [erg cm⁻² s⁻¹] with c_s = √(P/ρ) (Cowie & McKee 1977)."""
    rho = np.asarray(rho, dtype=float)
    cs = np.sqrt(np.asarray(P, dtype=float) / rho)
    return 5.0 * phi * rho * cs**3


def saturated_conductivity(K, gradT, q_sat):
    """K_eff = K/(1 + K|∇T|/q_sat): flux → q_sat as |∇T| → ∞, → −K∇T when unsaturated."""
    return K / (1.0 + K * np.abs(gradT) / q_sat)
