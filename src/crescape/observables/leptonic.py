"""Emission from e±: inverse Compton, synchrotron, relativistic bremsstrahlung (naima's physics).

Kernels on naima's electron nodes γ m_e c² (``BaseElectron._gam``), contracted with its
log-log trapezoid, so that every cell reproduces naima called directly:

* :func:`ic_kernel` — isotropic IC on grey-body fields u_i, T_i (Khangulyan, Aharonian &
  Kelner 2014, ApJ 783, 100, eq. 14: naima ``InverseCompton._iso_ic_on_planck``), field
  dilution u/(a T⁴); the default field is the CMB + dust (FIR, 30 K, 0.5 eV cm⁻³) +
  starlight (NIR, 3000 K, 1 eV cm⁻³) of naima (:data:`DEFAULT_FIELDS`).
* :func:`synchrotron_kernel` — random-field synchrotron of Aharonian, Kelner & Prosekin
  (2010, PRD 82, 043002) eq. D7 (the form naima's ``Synchrotron`` integrates):
  dN/dE dt = √3 e³ B /(2π m_e c² ħ E) G̃(E/E_c), E_c = 3 e ħ B γ² / (2 m_e c).
* :func:`bremsstrahlung_kernel` — e–e and e–p relativistic bremsstrahlung of Baring et al.
  (1999, ApJ 513, 311, eqs. A1–A7) in naima ``Bremsstrahlung``, per unit target density,
  fully ionised H + He (naima's weights).
"""
from __future__ import annotations

import warnings

import numpy as np

from ..core import constants as C
from .kernels import Kernel, KernelSum, electron_nodes

# (name, T [K], u [erg cm^-3]): naima's CMB, FIR and NIR fields
_A_RAD = 7.565733250280007e-15  # radiation constant a = 4σ_SB/c [erg cm^-3 K^-4] (CODATA 2018)
DEFAULT_FIELDS = (("CMB", 2.72548, _A_RAD * 2.72548**4), ("FIR", 30.0, 0.5 * C.eV), ("NIR", 3000.0, 1.0 * C.eV))
_HBAR = C.h_planck / (2 * np.pi)


def photon_fields(spec=None):
    """Normalise a photon-field spec: None → :data:`DEFAULT_FIELDS`; "CMB" → CMB only; or [(name, T, u), …].

    T in K, u in erg cm^-3 (or astropy quantities). A grey body has the Planck shape at T,
    energy density u.
    """
    if spec is None:
        return DEFAULT_FIELDS
    if isinstance(spec, str):
        names = spec.split("-")
        known = {f[0]: f for f in DEFAULT_FIELDS}
        bad = [n for n in names if n not in known]
        if bad:
            raise ValueError(f"photon field {bad[0]!r}: choose CMB, FIR, NIR or give (name, T, u) tuples")
        return tuple(known[n] for n in names)
    out = []
    for f in spec:
        name, T, u = f
        T = float(T.to_value("K")) if hasattr(T, "to_value") else float(T)
        u = float(u.to_value("erg cm-3")) if hasattr(u, "to_value") else float(u)
        if not (T > 0 and u >= 0):
            raise ValueError(f"photon field {name!r}: T must be > 0 K and u ≥ 0 erg cm^-3 (got T={T}, u={u})")
        out.append((str(name), T, u))
    return tuple(out)


def ic_kernel(E_gamma, E_kin_min, E_kin_max, fields=None, nEed=100):
    """IC kernels (one per grey-body field, contracted separately as naima does): q = Σ_f ∫ K_f N dE."""
    from naima.models import InverseCompton

    E_gamma = np.atleast_1d(np.asarray(E_gamma, dtype=float))
    E = electron_nodes(E_kin_min, E_kin_max, nEed)
    gam = E / C.m_e_c2
    eps = E_gamma / C.m_e_c2
    parts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, T, u in photon_fields(fields):
            K = u / (_A_RAD * T**4) * InverseCompton._iso_ic_on_planck(gam, T, eps.copy()) / C.m_e_c2
            parts.append(Kernel(f"ic_{name}", E_gamma, E, np.nan_to_num(K, nan=0.0, posinf=0.0), C.m_e_c2))
    return KernelSum("ic", tuple(parts))


def _gtilde(x):
    """G̃(x) of Aharonian, Kelner & Prosekin (2010) eq. D7."""
    cb = np.cbrt(x)
    return 1.808 * cb / np.sqrt(1 + 3.4 * cb**2) * (1 + 2.210 * cb**2 + 0.347 * cb**4) / (
        1 + 1.353 * cb**2 + 0.217 * cb**4) * np.exp(-x)


def synchrotron_kernel(E_gamma, E_kin_min, E_kin_max, B, nEed=100):
    """Synchrotron kernel in a random field B [G] (AKP10 eq. D7); q = ∫ K N dE [cm^-3 s^-1 erg^-1]."""
    E_gamma = np.atleast_1d(np.asarray(E_gamma, dtype=float))
    if not B > 0:
        raise ValueError(f"synchrotron: B must be > 0 G, got {B}")
    E = electron_nodes(E_kin_min, E_kin_max, nEed)
    gam = E / C.m_e_c2
    Ec = 3 * C.e_charge * _HBAR * B * gam**2 / (2 * C.m_e * C.c)
    cs1 = np.sqrt(3) * C.e_charge**3 * B / (2 * np.pi * C.m_e_c2 * _HBAR * E_gamma)
    K = cs1[:, None] * _gtilde(E_gamma[:, None] / Ec[None, :])
    return Kernel("synchrotron", E_gamma, E, K, C.m_e_c2)


def bremsstrahlung_kernel(E_gamma, E_kin_min, E_kin_max, nEed=300):
    """Bremsstrahlung kernel per unit target density n0 [cm^-3] (naima's cross-sections, ionised H+He)."""
    import astropy.units as u
    from naima.models import Bremsstrahlung, PowerLaw

    E_gamma = np.atleast_1d(np.asarray(E_gamma, dtype=float))
    E = electron_nodes(E_kin_min, E_kin_max, nEed)
    gam = (E / C.m_e_c2)[:, None]
    br = Bremsstrahlung(PowerLaw(1 / u.eV, 1 * u.TeV, 2.0), n0=1 / u.cm**3)
    Eph = E_gamma * u.erg
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s_ee = br._sigma_ee(gam, Eph).to_value("cm2 erg-1")
        s_ep = br._sigma_ep(gam, Eph.to_value("erg") / C.m_e_c2).to_value("cm2 erg-1")
    K = 2.99792458e10 * (br.weight_ee * s_ee + br.weight_ep * s_ep)  # (n_E, n_gamma)
    return Kernel("bremsstrahlung", E_gamma, E, np.nan_to_num(K.T, nan=0.0, posinf=0.0), C.m_e_c2,
                  per_density=True)
