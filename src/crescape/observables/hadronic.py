"""Emission from protons: π⁰-decay γ rays (Kafexhiu et al. 2014 via naima) and neutrinos (Kelner et al. 2006).

* :func:`pion_kernel` — dσ/dE_γ of Kafexhiu, Aharonian, Taylor & Vila (2014, PRD 90, 123014)
  as naima's ``PionDecay`` evaluates it (its look-up table by default), on naima's own
  proton nodes: the contraction reproduces ``PionDecay.flux`` to round-off.
* :func:`kelner_F_gamma`, :func:`kelner_F_numu1`, :func:`kelner_F_nue` — the analytic
  spectra of Kelner, Aharonian & Bugayov (2006, PRD 74, 034018; KAB06): eqs. 58–61 (γ),
  eqs. 66–69 (ν_μ from π → μ ν_μ, "ν_μ^(1)"), eqs. 62–65 (the e± spectrum F_e; ν_e and
  ν_μ^(2) from μ decay equal it to a few per cent, KAB06 §IV.B), σ_inel of eq. 79. Valid for
  E_p ≥ 0.1 TeV: the neutrino kernel uses only those protons, so below E_ν ≈ 10 GeV it is a
  lower bound (KAB06 §IV.C continue γ rays to lower energies with a δ-functional pion
  spectrum; for γ rays crescape uses Kafexhiu et al. instead, which covers the threshold).
* Nuclear enhancement: ``True`` = naima's energy-dependent ε(T_p) (Kafexhiu et al. 2014
  eq. 24 with local ISM abundances), ``False`` = pure pp, or a number = constant factor
  (e.g. 1.8, Mori 2009) — applied to γ rays and neutrinos alike.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..core import constants as C
from .kernels import Kernel

TeV = C.TeV
_MB = 1e-27  # mb → cm²
E_P_MIN_KELNER = 0.1 * TeV  # KAB06: parametrisations valid above 0.1 TeV


def sigma_inel_kelner(E_p):
    """σ_inel(E_p) [cm²], KAB06 eq. 79: (34.3 + 1.88 L + 0.25 L²)(1 − (E_th/E_p)^4)² mb, L = ln(E_p/1 TeV)."""
    E_p = np.asarray(E_p, dtype=float)
    L = np.log(E_p / TeV)
    E_th = C.m_p_c2 + 2 * 0.1349768 * C.GeV + (0.1349768 * C.GeV) ** 2 / (2 * C.m_p_c2)
    thr = np.clip(1.0 - (E_th / E_p) ** 4, 0.0, None) ** 2
    return (34.3 + 1.88 * L + 0.25 * L * L) * thr * _MB


def _bracket(x, B, beta, k):
    """Common form of KAB06 eqs. 58 and 62: B (ln x/x) [(1−x^β)/(1+k x^β(1−x^β))]^4 × [...]."""
    lx = np.log(x)
    xb = x**beta
    d = 1.0 + k * xb * (1.0 - xb)
    return B * lx / x * ((1.0 - xb) / d) ** 4 * (
        1.0 / lx - 4.0 * beta * xb / (1.0 - xb) - 4.0 * k * beta * xb * (1.0 - 2.0 * xb) / d)


def kelner_F_gamma(x, E_p):
    """F_γ(x, E_p), x = E_γ/E_p: KAB06 eq. 58 with B_γ, β_γ, k_γ of eqs. 59–61."""
    x, L = np.asarray(x, float), np.log(np.asarray(E_p, float) / TeV)
    B = 1.30 + 0.14 * L + 0.011 * L * L
    beta = 1.0 / (1.79 + 0.11 * L + 0.008 * L * L)
    k = 1.0 / (0.801 + 0.049 * L + 0.014 * L * L)
    ok = (x > 1e-30) & (x < 1.0)
    xs = np.where(ok, x, 0.5)
    return np.where(ok, _bracket(xs, B, beta, k), 0.0)


def kelner_F_numu1(x, E_p):
    """F_νμ^(1)(x, E_p): ν_μ from π → μ ν_μ, KAB06 eq. 66 with y = x/0.427 (0 for x > 0.427), B′, β′, k′ of eqs. 67–69."""
    x, L = np.asarray(x, float), np.log(np.asarray(E_p, float) / TeV)
    y = x / 0.427
    B = 1.75 + 0.204 * L + 0.010 * L * L
    beta = 1.0 / (1.67 + 0.111 * L + 0.0038 * L * L)
    k = 1.07 - 0.086 * L + 0.002 * L * L
    ok = (y > 1e-30) & (y < 1.0)
    ys = np.where(ok, y, 0.5)
    return np.where(ok, _bracket(ys, B, beta, k), 0.0)


def kelner_F_nue(x, E_p):
    """F_νe(x, E_p) ≈ F_νμ^(2) ≈ F_e: KAB06 eq. 62, B_e (1 + k_e ln²x)³ / (x (1 + 0.3/x^β_e)) (−ln x)^5, eqs. 63–65."""
    x, L = np.asarray(x, float), np.log(np.asarray(E_p, float) / TeV)
    B = 1.0 / (69.5 + 2.65 * L + 0.3 * L * L)
    beta = 1.0 / (0.201 + 0.062 * L + 0.00042 * L * L) ** 0.25
    k = (0.279 + 0.141 * L + 0.0172 * L * L) / (0.3 + (2.3 + L) ** 2)
    ok = (x > 1e-30) & (x < 1.0)
    xs = np.where(ok, x, 0.5)
    lx = np.log(xs)
    return np.where(ok, B * (1.0 + k * lx * lx) ** 3 / (xs * (1.0 + 0.3 / xs**beta)) * (-lx) ** 5, 0.0)


def _pion_model(E_max, nEpd, nuclear_enhancement, hiEmodel):
    import astropy.units as u
    from naima.models import PionDecay, PowerLaw

    pl = PowerLaw(1.0 / u.eV, 1.0 * u.TeV, 2.0)  # placeholder: only the nodes and dσ/dE_γ are used
    pd = PionDecay(pl, nh=1.0 * u.cm**-3, nuclear_enhancement=bool(nuclear_enhancement is True),
                   Epmax=E_max * u.erg, nEpd=nEpd, hiEmodel=hiEmodel)
    with warnings.catch_warnings():  # naima's dσ/dE_γ: its look-up table if shipped, else the function
        warnings.simplefilter("ignore")
        if pd.useLUT:
            pd._loadLUT("PionDecayKafexhiu14_LUT_" + ("NucEnh_" if pd.nuclear_enhancement else "")
                        + f"{pd.hiEmodel}.npz")
        else:
            pd.diffsigma = pd._diffsigma
    return pd


def _enhancement(E_tot, nuclear_enhancement):
    if nuclear_enhancement is True or nuclear_enhancement is False:
        return np.ones_like(E_tot)
    f = float(nuclear_enhancement)
    if not f > 0:
        raise ValueError(f"nuclear_enhancement: expected True, False or a positive factor, got {nuclear_enhancement!r}")
    return np.full_like(E_tot, f)


def pion_kernel(E_gamma, E_p_max, nuclear_enhancement=True, nEpd=100, hiEmodel="Pythia8"):
    """π⁰-decay kernel per unit target density: q_γ = n_H ∫ K N dE [photons cm^-3 s^-1 erg^-1].

    K = c dσ/dE_γ(E_p, E_γ) (Kafexhiu et al. 2014, naima's implementation), on naima's
    proton nodes from its threshold to E_p_max [erg, total energy], nEpd per decade.
    """
    E_gamma = np.atleast_1d(np.asarray(E_gamma, dtype=float))
    pd = _pion_model(E_p_max, nEpd, nuclear_enhancement, hiEmodel)
    Ep_GeV = np.asarray(pd._Ep, dtype=float)
    K = np.empty((E_gamma.size, Ep_GeV.size))
    for g, Eg in enumerate(E_gamma / C.GeV):  # loop over photon energies only
        K[g] = pd.diffsigma(Ep_GeV, Eg)  # cm² GeV^-1
    E_tot = Ep_GeV * C.GeV
    K *= 2.99792458e10 / C.GeV * _enhancement(E_tot, nuclear_enhancement)[None, :]
    return Kernel("pion", E_gamma, E_tot, np.nan_to_num(K, nan=0.0, posinf=0.0), C.m_p_c2, per_density=True)


def neutrino_kernel(E_nu, E_p_max, flavour="all", nuclear_enhancement=1.0, nEpd=100):
    """ν (+ ν̄) kernel per unit target density, KAB06 eq. 71: Φ = c n_H ∫ σ_inel J F(E/E_p, E_p) dE_p/E_p.

    flavour: "numu" (ν_μ^(1) + ν_μ^(2)), "nue", or "all" (sum; at the source, before oscillations).
    Only protons with E_p ≥ 0.1 TeV contribute (KAB06 range of validity). A number for
    ``nuclear_enhancement`` multiplies; True uses Kafexhiu's ε(T_p) as for the γ rays.
    """
    E_nu = np.atleast_1d(np.asarray(E_nu, dtype=float))
    if flavour not in ("all", "numu", "nue"):
        raise ValueError(f"neutrino flavour must be 'all', 'numu' or 'nue', got {flavour!r}")
    pd = _pion_model(max(E_p_max, 2 * E_P_MIN_KELNER), nEpd, False, "Pythia8")
    E_tot = np.asarray(pd._Ep, dtype=float) * C.GeV
    E_tot = E_tot[E_tot >= E_P_MIN_KELNER]
    x = E_nu[:, None] / E_tot[None, :]
    Ep = np.broadcast_to(E_tot[None, :], x.shape)
    F = {"numu": lambda: kelner_F_numu1(x, Ep) + kelner_F_nue(x, Ep), "nue": lambda: kelner_F_nue(x, Ep),
         "all": lambda: kelner_F_numu1(x, Ep) + 2.0 * kelner_F_nue(x, Ep)}[flavour]()
    if nuclear_enhancement is True:
        from naima.models import PionDecay  # noqa: F401  (same ε(T_p) as the γ rays)
        eps = _pion_model(E_tot[-1], nEpd, True, "Pythia8")._nuclear_factor(E_tot / C.GeV - C.m_p_c2 / C.GeV)
    else:
        eps = _enhancement(E_tot, nuclear_enhancement)
    K = 2.99792458e10 * sigma_inel_kelner(E_tot)[None, :] * F / E_tot[None, :] * eps[None, :]
    return Kernel(f"neutrino_{flavour}", E_nu, E_tot, K, C.m_p_c2, per_density=True)


def kelner_gamma_kernel(E_gamma, E_p_max, nEpd=100):
    """γ-ray kernel of KAB06 eq. 58 + 71 (E_p ≥ 0.1 TeV), for ν/γ comparisons within one parametrisation."""
    E_gamma = np.atleast_1d(np.asarray(E_gamma, dtype=float))
    pd = _pion_model(max(E_p_max, 2 * E_P_MIN_KELNER), nEpd, False, "Pythia8")
    E_tot = np.asarray(pd._Ep, dtype=float) * C.GeV
    E_tot = E_tot[E_tot >= E_P_MIN_KELNER]
    x = E_gamma[:, None] / E_tot[None, :]
    F = kelner_F_gamma(x, np.broadcast_to(E_tot[None, :], x.shape))
    K = 2.99792458e10 * sigma_inel_kelner(E_tot)[None, :] * F / E_tot[None, :]
    return Kernel("kelner_gamma", E_gamma, E_tot, K, C.m_p_c2, per_density=True)
