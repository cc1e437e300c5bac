"""Figures of docs/observations.md from two run directories.

    crescape run examples/shimoda2025_D27.toml --out D27
    crescape run examples/cloud_pulsar_pairs.toml --out pairs
    python docs/observations/make_figures.py D27 pairs     # → docs/img/obs_*.png, prints the numbers quoted
"""
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np

IMG = Path(__file__).resolve().parents[1] / "img"


def d27(run_dir):
    from crescape.core import constants as C
    from crescape.io import open_run
    from crescape.observables import make_cube
    from crescape.observables.figures import (
        plot_maps,
        plot_neutrinos,
        plot_profiles,
        plot_sed,
    )
    from crescape.observables.sources import emitters

    t0 = time.perf_counter()
    cube = make_cube(run_dir, "1 kpc", np.geomspace(0.1, 1000, 13) * C.GeV, t=1e6 * C.yr, out=IMG / "obs_d27_cube.fits")
    print(f"D27 → cube at 1 Myr: {time.perf_counter() - t0:.1f} s; Σ IΩ / F − 1 = "
          f"{np.max(np.abs(cube.map_flux / cube.flux - 1)):.2e}; F(1 GeV) = {cube.flux[4]:.4g} cm^-2 s^-1 MeV^-1")
    (IMG / "obs_d27_cube.fits").unlink()  # the cube is not shipped; the figures are
    em = emitters(open_run(run_dir))
    for f in (plot_sed(em, IMG), plot_profiles(em, IMG, t=1e6 * C.yr), plot_maps(em, IMG, cube=cube),
              plot_neutrinos(em, IMG, t=1e5 * C.yr)):
        f.rename(IMG / f.name.replace("obs_", "obs_d27_"))


def pairs(run_dir):
    import matplotlib.pyplot as plt

    from crescape.core import constants as C
    from crescape.io import open_run
    from crescape.observables.profiles import tube_profile
    from crescape.observables.sources import emitters

    em = emitters(open_run(run_dir))
    d = 250 * C.pc
    th = np.deg2rad(np.linspace(0.02, 13, 400))  # beyond the plotted 10°: the PSF sees the profile outside
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for t_kyr in (30, 100, 300):
        I = tube_profile(em, [20 * C.TeV], d, th, t=t_kyr * C.kyr, processes=("ic",), psf=np.deg2rad(0.3))[0]
        ax.semilogy(np.rad2deg(th), I * C.TeV / C.MeV, label=f"t = {em.t[em.time_index(t_kyr * C.kyr)] / C.kyr:.0f} kyr")
        print(f"pairs t={t_kyr} kyr: I(20 TeV) at 1°, 3°, 6° = "
              + ", ".join(f"{np.interp(np.deg2rad(a), th, I) * C.TeV / C.MeV:.3g}" for a in (1, 3, 6)) + " TeV^-1 cm^-2 s^-1 sr^-1"
              + f"; dN/dE(20 TeV) within 10° = {np.trapezoid((I * 2 * np.pi * th)[th <= np.deg2rad(10)], th[th <= np.deg2rad(10)]) * C.TeV / C.MeV:.3g} TeV^-1 cm^-2 s^-1")
    ax.set(xlabel="angular distance θ [deg]", ylabel=r"I(20 TeV) [TeV$^{-1}$ cm$^{-2}$ s$^{-1}$ sr$^{-1}$]",
           title="pulsar pairs, IC (CMB+FIR+NIR), d = 250 pc, PSF σ = 0.3°")
    ax.set_xlim(0, 10)
    ax.legend()
    fig.savefig(IMG / "obs_pairs_profile.png", dpi=120, bbox_inches="tight")


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    warnings.simplefilter("ignore")
    d27(sys.argv[1])
    pairs(sys.argv[2])
