"""Diagnostics of CR clouds (seed 001 §2.2–2.4, §3) as documented pure functions.

half-life (Nava et al. 2016), suppression χ = κ/κ0, the Malkov et al. (2013)
parameter Π (seed 001 eq. 5) and the Nava et al. (2016) estimate of it, the
non-resonant (Bell) instability criterion (eq. 9), the CR trapping condition
(eq. 8), the pressure-anisotropy growth rate (§3.3) and read-outs of a run
(κ at a given energy and distance versus time: the quantity of seed 001 Fig. 10).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import erf

from ...config import load_config
from ...core import constants as C
from ...physics import waves as W
from . import make_stepper
from .problems import build, build_phases, tm99_age


def half_life(t, fraction):
    """t_1/2: first time the CR energy left in the source region |z| < a falls to half its initial value.

    Definition of Nava et al. (2016, MNRAS 461, 3552, §3): the cloud half-life is the
    time after which half of the CRs (at a given energy) initially in the cloud have left
    it. ``fraction`` (..., n_t) is the remaining fraction at times ``t``; linear
    interpolation between the bracketing samples; NaN if it never halves.
    """
    t = np.asarray(t, dtype=float)
    f = np.atleast_2d(np.asarray(fraction, dtype=float))
    out = np.full(f.shape[0], np.nan)
    for i, row in enumerate(f):
        idx = np.nonzero(row <= 0.5)[0]
        if idx.size == 0 or idx[0] == 0:
            continue
        j = idx[0]
        w = (row[j - 1] - 0.5) / (row[j - 1] - row[j])
        out[i] = t[j - 1] + w * (t[j] - t[j - 1])
    return out


def suppression(kappa, kappa0):
    """χ = κ / κ0 (diffusion reduction factor, seed 001 §1)."""
    return np.asarray(kappa) / np.asarray(kappa0)


def malkov_pi(V_st, kappa_B, Phi, B):
    """Π(E) = V_st Φ_CR / (κ_B W0) (seed 001 eq. 5; Malkov et al. 2013), Φ_CR = ∫_0^∞ P_CR(z, 0) dz.

    Pressures normalised by W0 = P_B = B²/8π, the convention of the wave level I used
    in this engine (Nava et al. 2016). Π ≫ 1: self-generated waves control the escape.
    """
    return np.asarray(V_st) * np.asarray(Phi) / (np.asarray(kappa_B) * np.asarray(B) ** 2 / (8.0 * np.pi))


def nava_pi_estimate(E_CR, R, E, alpha, n_i):
    """Π ≈ 3e4 (E_CR/1e50 erg) R_1^-2 E_1^(1−α) n_{i,−1}^(-1/2) (Nava et al. 2016, quoted in seed 001 §2.2.2).

    R_1 = R/10 pc, E_1 = E/10 GeV, n_{i,−1} = n_i / 0.1 cm^-3.
    """
    return 3e4 * (E_CR / 1e50) * (R / (10 * C.pc)) ** -2 * (np.asarray(E) / (10 * C.GeV)) ** (1 - alpha) * (
        n_i / 0.1) ** -0.5


def bell_criterion(U_cr, B, V_D):
    """Non-resonant (Bell 2004) instability criterion, seed 001 eq. 9: U_CR/U_B > c/V_D.

    Returns the ratio (U_CR/U_B)/(c/V_D); > 1 means the non-resonant branch is unstable
    (equivalently k_max r_L > 1). U_B = B²/8π.
    """
    U_B = np.asarray(B) ** 2 / (8.0 * np.pi)
    return (np.asarray(U_cr) / U_B) / (C.c / np.asarray(V_D))


def bell_kmax(B, j_cr):
    """k_max = 4π j_CR / (c B0) [cm^-1], wavenumber of the fastest non-resonant mode (Bell 2004)."""
    return 4.0 * np.pi * np.asarray(j_cr) / (C.c * np.asarray(B))


def larson_sigma(L, sigma_1pc=1.0e5, q=1.0 / 3.0):
    """Turbulent velocity dispersion σ(L) = σ(1 pc) (L / 1 pc)^q [cm/s] (Larson 1981; seed 001 §3.1)."""
    return sigma_1pc * (np.asarray(L) / C.pc) ** q


def trapping_condition(kappa, L, sigma_1pc=1.0e5, q=1.0 / 3.0):
    """CR trapping in the gas, seed 001 eq. 8: κ ≤ σ(L) L (diffusion slower than the turbulent turnover).

    Returns κ / (σ(L) L); ≤ 1 means the CRs are trapped (Commerçon et al. 2019).
    """
    return np.asarray(kappa) / (larson_sigma(L, sigma_1pc, q) * np.asarray(L))


def anisotropy_growth_rate(a, n_cr_above, n_g, B, V_A, zeta, m=C.m_p):
    """Pressure-anisotropy instability growth rate, seed 001 §3.3 (Zweibel 2020):

    Γ = (π/8) (a−2)/(a−3) Ω_cp (n_CR(>p1)/n_g) [ 3a(a−2)/(a²−1) (c/V_A) ζ − 1 ],
    F0 ∝ p^-a, ζ = (5/12) ΔP/P, p1 = m_p Ω_cp / k. Negative values mean stability.
    """
    omega = C.e_charge * np.asarray(B) / (m * C.c)
    drive = 3.0 * a * (a - 2.0) / (a * a - 1.0) * (C.c / np.asarray(V_A)) * np.asarray(zeta) - 1.0
    return np.pi / 8.0 * (a - 2.0) / (a - 3.0) * omega * (np.asarray(n_cr_above) / n_g) * drive


def kappa_at(run, E, z):
    """κ(t) at kinetic energy E [erg] and distance z [cm] from a cloud run (log-interpolated in E)."""
    kap = run.snapshots["kappa"]
    lnE = np.log(kap["E"].values)
    out = []
    for it in range(kap.sizes["t"]):
        row = kap.isel(t=it).interp(z=z).values
        out.append(np.exp(np.interp(np.log(E), lnE, np.log(row))))
    return kap["t"].values, np.asarray(out)


def run_half_life(deck, t_max=None):
    """Advance a cloud deck (no I/O) until every energy bin has halved; return (t_half [s], stepper)."""
    s = make_stepper(deck)
    t_end = deck.run.t_end if t_max is None else t_max
    while s.t < t_end * (1 - 1e-12) and np.any(np.isnan(s.t_half)):
        s.step(t_end - s.t)
        s.check()
    return s.t_half.copy(), s


def escape_radius(make_deck, a_lo, a_hi, E_SN=1e51, M_ej=1.4 * C.M_sun, rho0=None, rtol=1e-3):
    """Self-consistent release radius of Nava et al. (2016, their Fig. 3 / seed 001 Fig. 3).

    CRs of one energy leave when the SNR age equals the cloud half-life: solve
    t_1/2(a) = t_SNR(a), with t_SNR the Truelove & McKee (1999) age at which R_sh = a.
    ``make_deck(a)`` returns a single-energy cloud deck with cloud radius a [cm];
    rho0 defaults to the density of the deck's (first) phase. Returns (a, t_1/2).
    """

    cache = {}

    def f(lna):
        a = float(np.exp(lna))
        deck = make_deck(a)
        rho = rho0 if rho0 is not None else build_phases(deck, np.array([0.0]))[0][0].rho
        t_snr = tm99_age(a, E_SN, M_ej, rho)
        th, _ = run_half_life(deck, t_max=50.0 * t_snr)
        cache[lna] = th[0]
        return np.log(th[0] / t_snr) if np.isfinite(th[0]) else 10.0

    lna = brentq(f, np.log(a_lo), np.log(a_hi), rtol=rtol)
    if lna not in cache:
        f(lna)
    return float(np.exp(lna)), float(cache[lna])


# --- half-life scans: release radius per energy (Nava et al. 2016) and the evanescent band ----------
# Half-life scans t_1/2(E) of a cloud deck, with the release radius solved per energy (default).
#
# Nava et al. (2016, MNRAS 461, 3552, §3-4; seed 001 Fig. 3) release CRs of energy E when the SNR age
# equals their cloud half-life, so the release radius a(E) solves t_1/2(a, E) = t_SNR(a) (Truelove &
# McKee 1999 age). One radius for all energies (`source.release = "fixed"`, the deck's `a`) is the
# radius that fits one energy only: in the HISM the 55 pc that fits 100 GeV gives t_1/2(1 TeV) = 0.48x
# Nava et al. (2019), the radius solved at 1 TeV 0.74x (docs/cloud.md).
#
# Each energy is an independent single-bin run of the deck (energies are independent unless losses or
# a phase sequence couple them; those decks are refused). Energies whose resonant waves are
# evanescent in the phase at z = 0 are flagged: there the waves are held at I0 (no growth, V_st = 0),
# κ = κ0 and the half-life is the free-diffusion time of the top hat, :func:`free_escape_time`.
X_HALF = 1.0397314  # root of erf(x) − (1 − e^{−x²})/(x√π) = 1/2 (see free_escape_time); checked in the tests


def tophat_fraction_left(x):
    """Fraction of a 1-D top hat |z| < a still inside |z| < a after free diffusion, x = 2a/√(4κt) = a/√(κt).

    P = ½[erf((a−z)/L) + erf((a+z)/L)], L = √(4κt) (Crank 1975 eq. 2.15); (1/2a)∫_{−a}^{a} P dz =
    erf(x) − (1 − e^{−x²})/(x√π).
    """
    x = np.asarray(x, dtype=float)
    return erf(x) - (1.0 - np.exp(-x * x)) / (x * math.sqrt(math.pi))


def free_escape_time(a, kappa0):
    """t_1/2 of a top hat of half-length a diffusing freely with κ0: a²/(κ0 X²), X = X_HALF [s]."""
    return np.asarray(a, float) ** 2 / (np.asarray(kappa0, float) * X_HALF**2)


def _single_energy_deck(deck, E, a):
    d = deck.model_dump(mode="python")
    d["cr"]["energies"] = [float(E)]
    d["source"]["a"] = float(a)
    d["source"]["a_mode"] = "fixed"
    d["output"] = {}
    return load_config(d)


def evanescent_energies(deck, E):
    """True where the wave resonant with protons of kinetic energy E [erg] is evanescent at z = 0."""
    ph = build_phases(deck, np.array([0.0]))[0][0]
    k = W.resonant_wavenumber(np.asarray(E, float), ph.B)
    reg = W.ion_neutral_damping(k, ph.V_Ai, ph.V_Atot, ph.nu_in, ph.nu_ni, ph.rho_i, ph.rho_n)[2]
    return np.asarray(reg == W.EVANESCENT)


def half_life_scan(deck, energies=None, release=None, a_bracket=None, rtol=1e-4, t_max=None):
    """t_1/2(E) [s] and the release radius a(E) [cm] for the deck's energies (or ``energies`` [erg]).

    release: "per_energy" (solve t_1/2(a) = t_SNR(a) at every E, :func:`diagnostics.escape_radius`)
    or "fixed" (the deck's a); default: ``deck.source.release``. Returns a dict of arrays: E, a,
    t_half, t_snr (TM99 age at a), t_free (free escape with κ0, :func:`free_escape_time`),
    kappa0, evanescent (bool), ``release`` and no_root (bool: t_1/2(a) < t_SNR(a), or >, for every a
    in ``a_bracket``, so no release radius exists there; a = t_half = NaN). rtol is brentq's on ln a
    (1e-4: 0.5 % in a at a ~ 10 pc). Inside the evanescent band t_1/2 = a²/(κ0 X²) grows as a² but
    t_SNR faster (a^{5/2} in the Sedov phase, ∝ a before): CRs of those energies are never held
    as long as the remnant's age, i.e. they escape as soon as they are accelerated.
    """
    ls = deck.losses
    if ls.sync_ic or ls.pp or ls.coulomb_ionisation:
        raise ValueError("half_life_scan: losses couple the energies; scan a deck without [losses]")
    if deck.phase.sequence:
        raise ValueError("half_life_scan: a phase sequence couples the energies; scan a single phase")
    su = build(deck)
    E = su.E if energies is None else np.atleast_1d(np.asarray(energies, float))
    release = release or deck.source.release
    rho0 = build_phases(deck, np.array([0.0]))[0][0].rho
    lo, hi = a_bracket or (0.3 * C.pc, min(300 * C.pc, deck.grid.z_max / 4))
    a, th, k0 = np.full(E.size, np.nan), np.full(E.size, np.nan), np.empty(E.size)
    no_root = np.zeros(E.size, bool)
    for i, e in enumerate(E):
        if release == "per_energy":
            try:
                a[i], th[i] = escape_radius(lambda x, e=e: _single_energy_deck(deck, e, x), lo, hi,
                                            deck.source.E_SN, deck.source.M_ej * C.M_sun, rho0, rtol)
            except ValueError:  # t_1/2(a) − t_SNR(a) keeps its sign on [lo, hi]: no release radius there
                no_root[i] = True
        else:
            a[i] = deck.source.a
            th[i] = run_half_life(_single_energy_deck(deck, e, a[i]), t_max=t_max)[0][0]
        k0[i] = build(_single_energy_deck(deck, e, deck.source.a)).kappa0[0, 0]
    t_snr = np.array([tm99_age(x, deck.source.E_SN, deck.source.M_ej * C.M_sun, rho0) if np.isfinite(x)
                      else np.nan for x in a])
    return {"E": E, "a": a, "t_half": th, "t_snr": t_snr, "t_free": free_escape_time(a, k0), "kappa0": k0,
            "evanescent": evanescent_energies(deck, E), "band": evanescent_band_energies(deck), "release": release,
            "no_root": no_root, "a_bracket": (lo, hi)}


def evanescent_band_energies(deck, E_lo=1e-1 * C.GeV, E_hi=1e6 * C.GeV, n=2000):
    """(E_min, E_max) [erg] of the proton energies resonant with evanescent waves at z = 0, or None."""
    Eg = np.geomspace(E_lo, E_hi, n)
    ev = evanescent_energies(deck, Eg)
    return (float(Eg[ev].min()), float(Eg[ev].max())) if ev.any() else None


