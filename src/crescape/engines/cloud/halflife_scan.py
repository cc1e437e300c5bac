"""Half-life scans t_1/2(E) of a cloud deck, with the release radius solved per energy (default).

Nava et al. (2016, MNRAS 461, 3552, §3-4; seed 001 Fig. 3) release CRs of energy E when the SNR age
equals their cloud half-life, so the release radius a(E) solves t_1/2(a, E) = t_SNR(a) (Truelove &
McKee 1999 age). One radius for all energies (`source.release = "fixed"`, the deck's `a`) is the
radius that fits one energy only: in the HISM the 55 pc that fits 100 GeV gives t_1/2(1 TeV) = 0.48x
Nava et al. (2019), the radius solved at 1 TeV 0.74x (docs/cloud.md).

Each energy is an independent single-bin run of the deck (energies are independent unless losses or
a phase sequence couple them; those decks are refused). Energies whose resonant waves are
evanescent in the phase at z = 0 are flagged: there the waves are held at I0 (no growth, V_st = 0),
κ = κ0 and the half-life is the free-diffusion time of the top hat, :func:`free_escape_time`.
"""
from __future__ import annotations

import math

import numpy as np

from ... import constants as C

X_HALF = 1.0397314  # root of erf(x) − (1 − e^{−x²})/(x√π) = 1/2 (see free_escape_time); checked in the tests


def tophat_fraction_left(x):
    """Fraction of a 1-D top hat |z| < a still inside |z| < a after free diffusion, x = 2a/√(4κt) = a/√(κt).

    P = ½[erf((a−z)/L) + erf((a+z)/L)], L = √(4κt) (Crank 1975 eq. 2.15); (1/2a)∫_{−a}^{a} P dz =
    erf(x) − (1 − e^{−x²})/(x√π).
    """
    from scipy.special import erf

    x = np.asarray(x, dtype=float)
    return erf(x) - (1.0 - np.exp(-x * x)) / (x * math.sqrt(math.pi))


def free_escape_time(a, kappa0):
    """t_1/2 of a top hat of half-length a diffusing freely with κ0: a²/(κ0 X²), X = X_HALF [s]."""
    return np.asarray(a, float) ** 2 / (np.asarray(kappa0, float) * X_HALF**2)


def _single_energy_deck(deck, E, a):
    from ...config import load_config

    d = deck.model_dump(mode="python")
    d["cr"]["energies"] = [float(E)]
    d["source"]["a"] = float(a)
    d["source"]["a_mode"] = "fixed"
    d["output"] = {}
    return load_config(d)


def evanescent_energies(deck, E):
    """True where the wave resonant with protons of kinetic energy E [erg] is evanescent at z = 0."""
    from ...physics import waves as W
    from .setup import build_phases

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
    from .diagnostics import escape_radius, run_half_life
    from .setup import build, build_phases, tm99_age

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


def cli_halflife(deck_path, out=None, release=None, n_cells=None) -> int:
    """``crescape halflife DECK``: t_1/2(E) with the release radius per energy (default) or fixed;
    a table on stdout, ``halflife_scan.json`` and ``halflife_scan.png`` in ``out``."""
    import json
    from pathlib import Path

    from ...config import load_config

    deck = load_config(deck_path)
    if n_cells:
        d = deck.model_dump(mode="python")
        d["grid"]["n_cells"] = int(n_cells)
        deck = load_config(d)
    r = half_life_scan(deck, release=release)
    out = Path(out or Path(deck_path).stem + "_halflife")
    out.mkdir(parents=True, exist_ok=True)
    print(f"release radius: {r['release']}" + (" (t_1/2(a) = t_SNR(a) at every energy, Nava et al. 2016)"
                                                if r["release"] == "per_energy" else f" ({deck.source.a / C.pc:g} pc)"))
    print("| E [GeV] | a [pc] | t_1/2 [kyr] | t_SNR(a) [kyr] | free escape [kyr] | note |\n|---|---|---|---|---|---|")
    for i, e in enumerate(r["E"]):
        note = "evanescent waves: no self-confinement, t_1/2 = free escape" if r["evanescent"][i] else ""
        if r["no_root"][i]:
            note += ("; " if note else "") + "no release radius in the bracket: t_1/2 < t_SNR at every a (escape at once)"
        print(f"| {e / C.GeV:.4g} | {r['a'][i] / C.pc:.3g} | {r['t_half'][i] / C.kyr:.4g} | "
              f"{r['t_snr'][i] / C.kyr:.4g} | {r['t_free'][i] / C.kyr:.3g} | {note} |")
    if r["band"]:
        print(f"note: waves resonant with {r['band'][0] / C.GeV:.3g}-{r['band'][1] / C.GeV:.3g} GeV protons are "
              "evanescent in this phase (ion-neutral band): there κ = κ0 and the half-life is the free-diffusion "
              "time of the top hat (docs/cloud.md, 'Half-lives in the evanescent band')")
    js = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in r.items()}
    js["units"] = {"E": "erg", "a": "cm", "t_half": "s", "t_snr": "s", "t_free": "s", "kappa0": "cm2 s-1", "band": "erg"}
    (out / "halflife_scan.json").write_text(json.dumps(js, indent=1))
    from ...plotting.cloud import plot_halflife_scan

    plot_halflife_scan([(str(deck.phase.preset or "deck"), r)], out / "halflife_scan.png")
    print(f"figure {out / 'halflife_scan.png'}")
    return 0
