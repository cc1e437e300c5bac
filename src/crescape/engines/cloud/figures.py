"""Figures of cloud runs: ``crescape plot RUN [--figure cloud_profiles|cloud_halflife|cloud_kappa_t|cloud_gamma]``.

* ``profiles`` — P_CR, ∂z P_CR, W and κ/κ0 versus z at t = 0, t_1/2/4, t_1/2, 4 t_1/2
  (nearest snapshots) for up to three energies, as in seed 001 Fig. 6 (Brahimi et al. 2020);
* ``halflife`` — t_1/2 versus E (several runs, e.g. one per phase: :func:`plot_halflife_runs`);
* ``kappa_t`` — κ(t)/κ0 at the middle energy at 5 and 10 pc (seed 001 Fig. 10 for pair runs);
* ``gamma`` — π0-decay emissivity along the tube at the last snapshot (naima).
"""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ...analysis.gamma import density_from_pressure, pion_emissivity
from ...core import constants as C  # noqa: E402
from ...core.labels import time_label
from ...errors import FigureNameError
from ...physics.waves import kappa_background
from .analysis import build_phases, half_life_scan, kappa_at

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
            if tw > t[-1] * 1.001:  # after the end of the run: not drawn as if it were t_end
                continue
            it = int(np.argmin(np.abs(t - tw)))
            s = snap.isel(t=it)
            lbl = lab if tw == 0 else f"{lab} ({time_label(t[it])})"
            axes[0, col].loglog(z, np.maximum(s["P_cr"].values[:, e], 1e-300), c=c, label=lbl)
            axes[1, col].loglog(z, np.maximum(np.abs(s["dPdz"].values[:, e]), 1e-300), c=c)
            axes[2, col].loglog(z, s["W"].values[:, e], c=c)
            axes[3, col].loglog(z, s["chi"].values[:, e], c=c)
        axes[0, col].set_title(f"E = {E[e] / C.GeV:.3g} GeV, t$_{{1/2}}$ = {time_label(th)}")
        axes[0, col].legend(fontsize=7)
        axes[3, col].set_xlabel("z [pc]")
    for r, lab in enumerate([r"$P_{\rm CR}$ [erg cm$^{-3}$]", r"$|{\rm d}P_{\rm CR}/{\rm d}z|$ [erg cm$^{-4}$]",
                             r"$W = (\delta B/B)^2$ per ln k", r"$\chi = \kappa/\kappa_0$"]):
        for ax in axes[r]:
            ax.set_ylabel(lab)
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
    ax.set_ylabel("t$_{1/2}$ [kyr]")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_halflife_scan(scans, path, published=None):
    """t_1/2(E) of half-life scans [(label, scan dict of engines.cloud.halflife_scan.half_life_scan)].

    Solid: t_1/2; dotted: the free-escape time a²/(κ0 X²) at the same a; the energies whose resonant
    waves are evanescent (no self-generated confinement, κ = κ0) are shaded per phase and their points
    ringed. ``published``: optional [(E [GeV], t [kyr], label)] drawn as open squares.
    """
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, (lab, r) in enumerate(scans):
        E, col = r["E"] / C.GeV, f"C{i}"
        mode = "a(E) solved per energy" if r["release"] == "per_energy" else f"a = {r['a'][0] / C.pc:.3g} pc"
        ax.loglog(E, r["t_half"] / C.kyr, "o-", color=col, label=f"{lab}, {mode}")
        ax.loglog(E, r["t_free"] / C.kyr, ":", color=col, lw=1)
        ev = np.asarray(r["evanescent"], bool)
        if ev.any():
            ax.plot(E[ev], r["t_half"][ev] / C.kyr, "o", ms=11, mfc="none", color=col)
        if r.get("band"):
            lo, hi = (b / C.GeV for b in r["band"])
            ax.axvspan(lo, hi, color=col, alpha=0.1, label=f"{lab}: evanescent band {lo:.3g}-{hi:.3g} GeV "
                       "(κ = κ0, free escape)")
    for e, t, _lab in published or []:
        ax.plot([e], [t], "ks", mfc="none", ms=8)
    if published:
        ax.plot([], [], "ks", mfc="none", label="published")
    ax.plot([], [], "k:", lw=1, label="free escape a²/(κ0 X²), same a")
    ax.set_xlabel("E [GeV]")
    ax.set_ylabel("t_1/2 [kyr]")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_kappa_t(run, path, E=10 * C.TeV, distances=(5 * C.pc, 10 * C.pc)):
    wv = run.config.waves
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for d, c in zip(distances, ("tab:red", "k")):
        t, k = kappa_at(run, E, d)
        ax.loglog(t[1:] / C.yr, k[1:], c=c, label=f"{d / C.pc:g} pc")
    ax.axhline(float(kappa_background(E, wv.kappa_10, wv.delta)), ls="--", c="grey", label="κ$_0$ (no waves)")
    ax.set_xlabel("t [yr]")
    ax.set_ylabel(f"κ at {E / C.TeV:g} TeV [cm$^2$ s$^{{-1}}$]")
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
        ax.loglog(z[sel] / C.pc, np.maximum(q[:, k] * eg**2, 1e-300), "o-", label=f"E$_\\gamma$ = {eg / C.GeV:g} GeV")
    ax.set_xlabel("z [pc]")
    ax.set_ylabel(r"$E^2 q_\gamma$ [erg cm$^{-3}$ s$^{-1}$]")
    ax.set_title(f"π$^0$ emissivity at t = {time_label(float(snap['t']))}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def figure_names(run) -> list[str]:
    """Names ``crescape plot --figure`` accepts: the file names of the figures, without extension."""
    return [f"cloud_{f}" for f in FIGURES]


def plot(run, outdir: Path, figure: str | None = None, fmt: str = "png") -> list[Path]:
    outdir = Path(outdir)
    if figure is not None and figure not in figure_names(run):
        raise FigureNameError(f"unknown figure {figure!r} for a cloud run; choose from: {', '.join(figure_names(run))}")
    figs = [figure.removeprefix("cloud_")] if figure else ["profiles", "halflife", "kappa_t"]
    out = []
    for f in figs:
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


def cli_halflife(deck, out, release=None) -> int:
    """``crescape halflife DECK``: t_1/2(E) of a validated cloud deck with the release radius per energy
    (default) or fixed; a table on stdout, ``halflife_scan.json`` and ``halflife_scan.png`` in ``out``."""
    r = half_life_scan(deck, release=release)
    out = Path(out)
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
    plot_halflife_scan([(str(deck.phase.preset or "deck"), r)], out / "halflife_scan.png")
    print(f"figure {out / 'halflife_scan.png'}")
    return 0
