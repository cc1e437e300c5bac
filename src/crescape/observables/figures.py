"""Figures of what telescopes see: SED per time, profiles per band, a map per band, ν vs γ.

matplotlib is imported inside the functions (running and analysing never need it).
Reachable as ``crescape plot RUN --figure sed|profiles|maps|neutrinos`` and
``crescape observe … --plot``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core import constants as C
from ..core.labels import time_label, time_labels
from ..io import open_run
from .cube import cube_from_emitters
from .emission import default_processes
from .profiles import band_integral, sed, sphere_profile, tube_profile
from .sources import emitters

FIGURES = ("sed", "profiles", "maps", "neutrinos")
DEFAULT_DISTANCE = C.kpc


def default_energies(em, n=25):
    """Photon energies [erg]: 0.1 GeV … E_max/5 for protons, 1 GeV … E_max for pairs (IC), n nodes."""
    if em.species == "proton":
        return np.geomspace(0.1 * C.GeV, max(em.E_kin[-1] / 5.0, 1.0 * C.GeV), n)
    return np.geomspace(1.0 * C.GeV, max(em.E_kin[-1], 10.0 * C.GeV), n)


def default_bands(E):
    """Three bands (decades where possible) spanning the energy nodes [erg]."""
    edges = np.geomspace(E[0], E[-1], 4)
    return [(edges[i], edges[i + 1]) for i in range(3)]


def _times(em, n=6):
    idx = np.unique(np.round(np.geomspace(1, em.t.size - 1, n)).astype(int)) if em.t.size > 1 else np.array([0])
    return idx[em.t[idx] > 0] if np.any(em.t[idx] > 0) else idx


def _save(fig, outdir, name, fmt):
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / f"{name}.{fmt}"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return path


def plot_sed(em, outdir, fmt="png", distance=DEFAULT_DISTANCE, processes=None):
    import matplotlib.pyplot as plt


    E = default_energies(em)
    processes = tuple(processes or default_processes(em.species))
    fig, ax = plt.subplots(figsize=(6, 4.2))
    idx = _times(em)
    s = sed(em, E, distance, processes=processes, t_index=idx)
    for k, lab in enumerate(time_labels(em.t[list(idx)])):
        ax.loglog(E / C.GeV, np.where(s[k] > 0, s[k], np.nan), label=f"t = {lab}")
    ax.set(xlabel="E [GeV]", ylabel=r"$\nu F_\nu$ [erg cm$^{-2}$ s$^{-1}$]",
           title=f"{'+'.join(processes)} at d = {distance / C.kpc:.3g} kpc")
    ax.legend(fontsize=8)
    return _save(fig, outdir, "obs_sed", fmt)


def plot_profiles(em, outdir, fmt="png", distance=DEFAULT_DISTANCE, processes=None, t=None):
    import matplotlib.pyplot as plt


    E = default_energies(em, 31)
    if em.geometry == "sphere":
        th = np.linspace(0, 1.2 * em.edges[-1] / distance, 200)
        I = sphere_profile(em, E, distance, th, t=t, processes=processes)
    else:
        th = np.geomspace(0.2 * em.a / distance, min(em.edges[-1] / distance, np.deg2rad(20)), 200)
        I = tube_profile(em, E, distance, th, t=t, processes=processes)
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for lo, hi in default_bands(E):
        prof = band_integral(E, I, lo, hi)
        ax.semilogy(np.rad2deg(th), np.where(prof > 0, prof, np.nan), label=f"{lo / C.GeV:.3g}–{hi / C.GeV:.3g} GeV")
    ax.set(xlabel="θ [deg]", ylabel=r"I [cm$^{-2}$ s$^{-1}$ sr$^{-1}$]",
           title=f"t = {time_label(em.t[em.time_index(t)])}, d = {distance / C.kpc:.3g} kpc")
    ax.legend(fontsize=8)
    return _save(fig, outdir, "obs_profiles", fmt)


def plot_maps(em, outdir, fmt="png", distance=DEFAULT_DISTANCE, processes=None, t=None, cube=None):
    import matplotlib.pyplot as plt


    if cube is None:
        cube = cube_from_emitters(em, distance, default_energies(em, 13), t=t, processes=processes, npix=81)
    bands = default_bands(cube.energies)
    fig, axs = plt.subplots(1, len(bands), figsize=(5 * len(bands), 3.8), layout="constrained")
    half = cube.cdelt * cube.solid_angle.shape[0] / 2
    for ax, (lo, hi) in zip(np.atleast_1d(axs), bands):
        m = band_integral(cube.energies, cube.intensity, lo, hi)
        lg = np.log10(np.where(m > 0, m, np.nan))
        top = np.nanmax(lg) if np.any(np.isfinite(lg)) else 0.0
        im = ax.imshow(lg, origin="lower", extent=[half, -half, -half, half], vmin=top - 3, vmax=top)
        ax.set(title=f"{lo / C.GeV:.3g}–{hi / C.GeV:.3g} GeV", xlabel="Δl [deg]", ylabel="Δb [deg]")
        fig.colorbar(im, ax=ax, label=r"log$_{10}$ I [cm$^{-2}$ s$^{-1}$ sr$^{-1}$]", shrink=0.85)
    return _save(fig, outdir, "obs_maps", fmt)


def plot_neutrinos(em, outdir, fmt="png", distance=DEFAULT_DISTANCE, t=None):
    import matplotlib.pyplot as plt


    if em.species != "proton":
        raise ValueError("figure 'neutrinos' needs a proton run")
    E = np.geomspace(0.1 * C.TeV, max(em.E_kin[-1] / 3, 0.2 * C.TeV), 25)
    it = [em.time_index(t)]
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for proc, lab in (("pion", r"$\gamma$ (π⁰, Kafexhiu+14)"), ("neutrino", r"$\nu$ all flavours (KAB06)"),
                      ("neutrino_numu", r"$\nu_\mu+\bar\nu_\mu$ (source)")):
        s = sed(em, E, distance, processes=(proc,), t_index=it)[0]
        ax.loglog(E / C.TeV, np.where(s > 0, s, np.nan), label=lab)
    ax.set(xlabel="E [TeV]", ylabel=r"$E^2\,dN/dE$ [erg cm$^{-2}$ s$^{-1}$]",
           title=f"t = {time_label(em.t[it[0]])}, d = {distance / C.kpc:.3g} kpc")
    ax.legend(fontsize=8)
    return _save(fig, outdir, "obs_neutrinos", fmt)


def plot_observables(path, figure=None, fmt="png", outdir=None, distance=DEFAULT_DISTANCE, **source_kw):
    """Draw one (or every applicable) observables figure of a run directory; returns the paths."""
    import matplotlib

    matplotlib.use("Agg")

    run = open_run(path)
    em = emitters(run, **source_kw)
    outdir = Path(outdir) if outdir else Path(path) / "figures"
    names = [figure] if figure else [f for f in FIGURES if not (f == "neutrinos" and em.species != "proton")]
    fn = {"sed": plot_sed, "profiles": plot_profiles, "maps": plot_maps, "neutrinos": plot_neutrinos}
    bad = [n for n in names if n not in fn]
    if bad:
        raise ValueError(f"unknown observables figure {bad[0]!r}; choose from {FIGURES}")
    return [fn[n](em, outdir, fmt=fmt, distance=distance) for n in names]
