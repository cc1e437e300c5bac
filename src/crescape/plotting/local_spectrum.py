"""Figures of the local proton spectrum (seed 000 Figs. 11-12) and of its fit.

- ``spectrum``: E^2.7-weighted intensity vs kinetic energy; data with error bars (stat ⊕ syst),
  each source dashed, the sum (local interstellar spectrum) solid, the modulated model of each
  data set dotted; the distant component thin red.
- ``dominant_source``: fraction of the LIS contributed by each source vs energy and the
  energy-dependent "age" of the CRs at Earth (age of the dominant source, flux-weighted mean age).
- ``corner``: posterior of the free parameters (``corner``), if samples are given.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from ..analysis.local_spectrum import LocalSpectrumModel, SourceSpectra
from ..analysis.local_spectrum_config import load_fit_config, resolve_run_path
from ..analysis.local_spectrum_fit import fit_local_spectrum

_DATA_STYLE = {
    "ams02_2015": ("o", "tab:blue"), "ams02_2021": ("s", "tab:cyan"),
    "calet_2022": ("D", "tab:green"), "voyager1_2013": ("^", "tab:red"),
}
_SOURCE_COLORS = ["tab:purple", "tab:green", "tab:cyan", "tab:brown", "tab:pink", "tab:olive", "tab:gray"]


def _energy_grid(model, n=400):
    cfg = model.cfg.plot
    E_lo, E_hi = model.E_range
    return np.geomspace(max(cfg.E_min, E_lo), min(cfg.E_max, E_hi), n)


def plot_spectrum(model, th, path, title="", theta_config=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = model.cfg.plot.weight
    E = _energy_grid(model)
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    comps = model.components(th, E)
    for k, (lab, J) in enumerate(comps.items()):
        if lab == "distant":
            ax.plot(E, E**w * J, color="red", lw=0.8, label="distant (power law)")
        else:
            ax.plot(E, E**w * J, ls="--", color=_SOURCE_COLORS[k % len(_SOURCE_COLORS)], label=lab)
    total = model.lis(th, E)
    ax.plot(E, E**w * total, color="tab:orange", lw=2.2, label="sum (LIS)")
    if theta_config is not None and not np.allclose(theta_config, th):
        ax.plot(E, E**w * model.lis(theta_config, E), color="0.5", lw=1.2, label="configured (before fit)")
    for name, ds in model.datasets.items():
        mk, col = _DATA_STYLE.get(name, ("o", "k"))
        yerr = np.vstack([ds.error("stat+syst", "lo"), ds.error("stat+syst", "hi")]) * ds.E**w
        ax.errorbar(ds.E, ds.E**w * ds.J, yerr=yerr, fmt=mk, ms=3, color=col, label=ds.label, lw=0.8)
        phi = model.value(th, f"phi_{name}")
        if phi > 0:
            Em = np.geomspace(ds.E.min(), ds.E.max(), 120)
            ax.plot(Em, Em**w * model.predict(th, name, Em), ls=":", color=col, lw=1.2,
                    label=f"model at Earth, φ = {phi:.3g} GV")
    ymax = np.nanmax(E**w * total)
    ymin = ymax * 1e-4
    for ds in model.datasets.values():
        ymax = max(ymax, np.nanmax(ds.E**w * ds.J))
        ymin = min(ymin, 0.3 * np.nanmin(ds.E**w * ds.J))
    ax.set(xscale="log", yscale="log", xlabel="kinetic energy ε [GeV]",
           ylabel=rf"$\epsilon^{{{w:g}}} J$ [GeV$^{{{w - 1:g}}}$ m$^{{-2}}$ s$^{{-1}}$ sr$^{{-1}}$]",
           ylim=(ymin, ymax * 3), title=title or "local proton spectrum")
    ax.legend(fontsize=7, loc="lower right", ncol=1, framealpha=0.8)
    ax.grid(alpha=0.3, which="both", lw=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return Path(path)


def plot_dominant(model, th, path, title=""):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    E = _energy_grid(model)
    labels, frac, dom, dom_age, mean_age = model.dominant_source(th, E)
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    for k, lab in enumerate(labels):
        col = "red" if lab == "distant" else _SOURCE_COLORS[k % len(_SOURCE_COLORS)]
        a1.plot(E, frac[k], color=col, label=lab)
    a1.set(ylabel="fraction of the LIS", ylim=(0, 1.02), title=title or "which source dominates")
    a1.legend(fontsize=7)
    a2.plot(E, dom_age, drawstyle="steps-mid", color="k", label="age of the dominant source")
    a2.plot(E, mean_age, color="tab:orange", label="flux-weighted mean age of nearby-source CRs")
    a2.set(xscale="log", xlabel="kinetic energy ε [GeV]", ylabel=r"$t_{\rm age}$ [Myr]")
    a2.legend(fontsize=7)
    for a in (a1, a2):
        a.grid(alpha=0.3, lw=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return Path(path)


def plot_corner(model, samples, th, path):
    import corner
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [f"{n} [{u}]" if u else n for n, u, f in zip(model.names, model.units, model.free) if f]
    fig = corner.corner(samples, labels=names, truths=th[model.free], quantiles=[0.16, 0.5, 0.84],
                        show_titles=True, title_fmt=".3g", title_kwargs={"fontsize": 8})
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_fit(model, th, outdir, samples=None, title="", theta_config=None, fmt="png", figure=None):
    """Draw the fit's figures into ``outdir``; returns the files written."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    files = []
    if figure in (None, "spectrum"):
        files.append(plot_spectrum(model, th, outdir / f"spectrum.{fmt}", title, theta_config))
    if figure in (None, "dominant_source"):
        files.append(plot_dominant(model, th, outdir / f"dominant_source.{fmt}", title))
    if figure in (None, "corner") and samples is not None and len(samples) > model.n_free:
        files.append(plot_corner(model, samples, th, outdir / f"corner.{fmt}"))
    return files


def plot_fit_dir(path, figure=None, fmt="png", outdir=None):
    """Redraw the figures of a ``crescape fit local-spectrum`` output directory (``result.json``)."""
    path = Path(path)
    res = json.loads((path / "result.json").read_text())
    cfg, base = load_fit_config(res["config"])
    model = LocalSpectrumModel(cfg, SourceSpectra.from_run(resolve_run_path(cfg, base)))
    th = np.array(res.get("theta_best", res["theta_config"]))
    samples = None
    if (path / "chain.npz").exists():
        samples = np.load(path / "chain.npz")["samples"]
    return plot_fit(model, th, outdir or path, samples, cfg.title, np.array(res["theta_config"]), fmt, figure)


def cli_fit(config_path, outdir=None, mcmc: bool = True) -> int:
    """``crescape fit local-spectrum CONFIG``: the fit and its files
    (:func:`crescape.analysis.local_spectrum_fit.fit_local_spectrum`), then the figures (PNG) in ``outdir``."""
    f = fit_local_spectrum(config_path, outdir=outdir, mcmc=mcmc)
    logging.disable(logging.WARNING)  # corner's "too few points to create valid contours" is not a result
    try:
        figs = plot_fit(f.model, f.theta, f.out, samples=f.samples, title=f.title, theta_config=f.theta_config)
    finally:
        logging.disable(logging.NOTSET)
    for fig in figs:
        print(f"figure {fig}")
    return 0
