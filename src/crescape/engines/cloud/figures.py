"""Figures of cloud runs: ``crescape plot RUN [--figure profiles|halflife|kappa_t|gamma]``.

* ``profiles`` — P_CR, ∂z P_CR, W and κ/κ0 versus z at t = 0, t_1/2/4, t_1/2, 4 t_1/2
  (nearest snapshots) for up to three energies, as in seed 001 Fig. 6 (Brahimi et al. 2020);
* ``halflife`` — t_1/2 versus E (several runs, e.g. one per phase: :func:`plot_halflife_runs`);
* ``kappa_t`` — κ(t)/κ0 at the middle energy at 5 and 10 pc (seed 001 Fig. 10 for pair runs);
* ``gamma`` — π0-decay emissivity along the tube at the last snapshot (naima).
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ...analysis.gamma import density_from_pressure, pion_emissivity
from ...core import constants as C  # noqa: E402
from ...physics.waves import kappa_background
from .analysis import build_phases, kappa_at

FIGURES = ("profiles", "halflife", "kappa_t", "gamma")


def _pick_energies(E, n=3):
    targets = np.array([10.0, 100.0, 1000.0]) * C.GeV
    idx = sorted({int(np.argmin(np.abs(np.log(E / t)))) for t in targets})
    return idx[:n] if len(idx) > 1 else list(range(min(n, E.size)))


def plot_profiles(run, path):
    snap = run.snapshots
    hl = run.halflife
    t = snap["t"].values
    z = snap["z"].values / C.pc
    E = snap["E"].values
    idx = _pick_energies(E)
    fig, axes = plt.subplots(4, len(idx), figsize=(4.2 * len(idx), 11), squeeze=False, sharex=True)
    labels = ["t = 0", "t1/2 / 4", "t1/2", "4 t1/2"]
    colors = ["k", "tab:blue", "tab:green", "tab:red"]
    for col, e in enumerate(idx):
        th = float(hl["t_half"].values[e])
        want = [0.0] + ([th / 4, th, 4 * th] if np.isfinite(th) else list(np.quantile(t[1:], [0.1, 0.5, 1.0])))
        for lab, c, tw in zip(labels, colors, want):
            it = int(np.argmin(np.abs(t - tw)))
            s = snap.isel(t=it)
            lbl = f"{lab} ({t[it] / C.kyr:.3g} kyr)"
            axes[0, col].loglog(z, np.maximum(s["P_cr"].values[:, e], 1e-300), c=c, label=lbl)
            axes[1, col].loglog(z, np.maximum(np.abs(s["dPdz"].values[:, e]), 1e-300), c=c)
            axes[2, col].loglog(z, s["W"].values[:, e], c=c)
            axes[3, col].loglog(z, s["chi"].values[:, e], c=c)
        axes[0, col].set_title(f"E = {E[e] / C.GeV:.3g} GeV, t1/2 = {th / C.kyr:.3g} kyr")
        axes[0, col].legend(fontsize=7)
        axes[3, col].set_xlabel("z [pc]")
    for r, lab in enumerate(["P_CR [erg cm^-3]", "|dP_CR/dz| [erg cm^-4]", "W = (dB/B)^2 per ln k", "kappa/kappa0"]):
        axes[r, 0].set_ylabel(lab)
    for ax in list(axes[0]) + list(axes[1]):
        top = max(line.get_ydata().max() for line in ax.get_lines())
        ax.set_ylim(top * 1e-6, top * 3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_halflife_runs(runs, path, labels=None):
    """t_1/2 versus E for several cloud runs (e.g. one per ISM phase)."""
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for i, run in enumerate(runs):
        hl = run.halflife
        lab = labels[i] if labels else str(getattr(run.config.phase, "preset", "run"))
        ax.loglog(hl["E"].values / C.GeV, hl["t_half"].values / C.kyr, "o-", label=lab)
    ax.set_xlabel("E [GeV]")
    ax.set_ylabel("t_1/2 [kyr]")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_kappa_t(run, path, E=10 * C.TeV, distances=(5 * C.pc, 10 * C.pc)):
    wv = run.config.waves
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for d, c in zip(distances, ("tab:red", "k")):
        t, k = kappa_at(run, E, d)
        ax.loglog(t[1:] / C.yr, k[1:], c=c, label=f"{d / C.pc:g} pc")
    ax.axhline(float(kappa_background(E, wv.kappa_10, wv.delta)), ls="--", c="grey", label="kappa0")
    ax.set_xlabel("t [yr]")
    ax.set_ylabel(f"kappa at {E / C.TeV:g} TeV [cm^2/s]")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_gamma(run, path, E_gamma=(100 * C.GeV, 1 * C.TeV), n_z=24):
    snap = run.snapshots.isel(t=-1)
    z = snap["z"].values
    E = snap["E"].values
    phases, pidx = build_phases(run.config, z)
    sel = np.unique(np.geomspace(1, z.size, n_z).astype(int) - 1)
    Eg = np.asarray(E_gamma)
    q = np.zeros((sel.size, Eg.size))
    for j, i in enumerate(sel):
        N = density_from_pressure(E, snap["P_cr"].values[i])
        q[j] = pion_emissivity(Eg, E, N, n_H=phases[pidx[i]].n_tot)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for k, eg in enumerate(Eg):
        ax.loglog(z[sel] / C.pc, np.maximum(q[:, k] * eg**2, 1e-300), "o-", label=f"E_gamma = {eg / C.GeV:g} GeV")
    ax.set_xlabel("z [pc]")
    ax.set_ylabel("E^2 q_gamma [erg cm^-3 s^-1]")
    ax.set_title(f"pi0 emissivity at t = {float(snap['t']) / C.kyr:.3g} kyr")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot(run, outdir: Path, figure: str | None = None, fmt: str = "png") -> list[Path]:
    outdir = Path(outdir)
    figs = [figure] if figure else ["profiles", "halflife", "kappa_t"]
    out = []
    for f in figs:
        if f not in FIGURES:
            raise ValueError(f"unknown cloud figure {f!r}; choose from {FIGURES}")
        p = outdir / f"cloud_{f}.{fmt}"
        if f == "profiles":
            plot_profiles(run, p)
        elif f == "halflife":
            plot_halflife_runs([run], p)
        elif f == "kappa_t":
            plot_kappa_t(run, p)
        else:
            plot_gamma(run, p)
        out.append(p)
    return out
