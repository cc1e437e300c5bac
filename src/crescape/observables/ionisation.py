"""CR ionisation rate of H2 by protons (Padovani, Galli & Glassgold 2009, A&A 501, 619).

* :func:`sigma_ion_p_H2` — ionisation cross-section of H2 by proton impact in the
  Rudd et al. (1992, Rev. Mod. Phys. 64, 441) form used by Padovani et al. (2009, eq. 5):
  σ = [1/σ_l + 1/σ_h]^-1, σ_l = 4π a0² C x^D, σ_h = 4π a0² [A ln(1 + x) + B] / x,
  x = (m_e/m_p) E / I(H2), I(H2) = 15.603 eV, A = 0.71, B = 1.63, C = 0.51, D = 1.24.
* :func:`ionisation_rate` — ζ = 4π ∫ j(E) σ(E) (1 + φ) dE (Padovani et al. 2009 eq. 1 for an
  isotropic intensity j = v N(E)/4π, primary ionisations; φ, the ionisations by secondary
  electrons per primary, is a parameter (0 by default; ≈ 0.67 is the value commonly adopted,
  see Ivlev et al. 2021). Electron capture (important below ~100 keV) is not included: the
  crescape proton grids start at ≈ 0.5 MeV.
"""
from __future__ import annotations

import numpy as np

from ..core import constants as C

A0 = 5.29177210903e-9  # Bohr radius [cm]
I_H2 = 15.603 * C.eV


def sigma_ion_p_H2(E):
    """σ_ion(E) [cm²] of H2 by protons of kinetic energy E [erg] (Rudd et al. 1992; Padovani et al. 2009 eq. 5)."""
    E = np.asarray(E, dtype=float)
    x = C.m_e / C.m_p * E / I_H2
    s0 = 4 * np.pi * A0**2
    with np.errstate(divide="ignore"):
        sl = s0 * 0.51 * x**1.24
        sh = s0 * (0.71 * np.log1p(x) + 1.63) / x
        return np.where(x > 0, 1.0 / (1.0 / sl + 1.0 / sh), 0.0)


def ionisation_rate(E, N, phi=0.0):
    """ζ_CR [s^-1 per H2] = ∫ v(E) N(E) σ_ion(E) (1 + φ) dE for spectra N (..., n_E) [cm^-3 erg^-1] at E [erg].

    4π j = v N for an isotropic distribution; the integral is the trapezoid in ln E on
    the given nodes (vectorised over all leading axes: cells, times).
    """
    E = np.asarray(E, dtype=float)
    N = np.asarray(N, dtype=float)
    gamma = 1.0 + E / C.m_p_c2
    v = C.c * np.sqrt(1.0 - 1.0 / gamma**2)
    y = v * sigma_ion_p_H2(E) * E * N
    return (1.0 + phi) * np.trapezoid(y, np.log(E), axis=-1)
