"""Figures of SDE runs: spectra at the observers (shock, boundary), time-integrated spectra,
(x, p) histograms. ``plot(run, outdir, figure, fmt)`` returns the written files."""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ...errors import FigureNameError
from .analysis import boundary_spectra, kappa_function, summed_spectrum


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, outdir, filename: str) -> Path:
    """Lay out, write and close ``fig`` as ``outdir/filename``; returns the path."""
    path = Path(outdir) / filename
    fig.tight_layout()
    fig.savefig(path)
    _plt().close(fig)
    return path


def _spectra(run, outdir, fmt):
    plt = _plt()
    sp = run.spectra
    files = []
    p = sp["p"].values
    for j, name in enumerate(sp["observer"].values):
        fig, ax = plt.subplots(figsize=(6, 4.2))
        y = sp["dN_dlnp"].values[j]
        e = sp["dN_dlnp_err"].values[j]
        ts = sp["t"].values
        idx = np.unique(np.linspace(0, len(ts) - 1, min(len(ts), 6)).astype(int))
        for k in idx:
            m = y[k] > 0
            if m.any():
                ax.errorbar(p[m], (y[k] * p)[m], yerr=(e[k] * p)[m], fmt=".-", ms=3, lw=0.8, label=f"t = {ts[k]:.3g}")
        ax.set(xscale="log", yscale="log", xlabel="p / (m_p c)", ylabel="p dN/dlnp  (∝ p² dN/dp)",
               title=f"observer '{name}'")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, "no particles in this window", transform=ax.transAxes, ha="center")
        f = _save(fig, outdir, f"spectra_{re.sub(r'[^A-Za-z0-9._=-]', '_', str(name)).lstrip('.')}.{fmt}")
        files.append(f)
    return files


def _summed(run, outdir, fmt):
    """Spectrum of each observer summed over all snapshots, batch-means errors of the sum."""
    sp = run.spectra
    if "dN_dlnp_batch" not in sp:
        return []
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for name in sp["observer"].values:
        s = summed_spectrum(sp, str(name))
        p, y, e = s["p"].values, s["dN_dlnp"].values, s["dN_dlnp_err"].values
        m = y > 0
        if m.any():
            ax.errorbar(p[m], (y * p)[m], yerr=(e * p)[m], fmt=".-", ms=3, lw=0.8, label=str(name))
    ax.set(xscale="log", yscale="log", xlabel="p / (m_p c)", ylabel="p Σ_t dN/dlnp",
           title=f"summed over {sp.sizes['t']} snapshots (errors: batch means of the sum)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    f = _save(fig, outdir, f"summed.{fmt}")
    return [f]


def _integrated(run, outdir, fmt):
    g = run.groups.get("integrated")
    if g is None:
        return []
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4.2))
    p = g["p"].values
    for j, name in enumerate(g["integrator"].values):
        y, e = g["f"].values[j], g["f_err"].values[j]
        m = y > 0
        ax.errorbar(p[m], (y * p**4)[m], yerr=(e * p**4)[m], fmt=".-", ms=3, label=str(name))
    ax.set(xscale="log", yscale="log", xlabel="p / (m_p c)", ylabel="p⁴ f (continuous injection) [arbitrary units]")
    ax.legend(fontsize=8)
    f = _save(fig, outdir, f"integrated.{fmt}")
    return [f]


def _xp(run, outdir, fmt):
    g = run.groups.get("xp_hist")
    if g is None:
        return []
    plt = _plt()
    H = g["dN_dlnp_dx"].values
    ts = g["t"].values
    idx = [k for k in np.unique(np.linspace(0, len(ts) - 1, min(len(ts), 2)).astype(int)) if H[k].sum() > 0]
    if not idx:
        return []
    fig, axes = plt.subplots(1, len(idx), figsize=(5.5 * len(idx), 4.2), squeeze=False)
    x, p = g["x"].values, g["p"].values
    for ax, k in zip(axes[0], idx):
        Z = np.where(H[k] > 0, H[k], np.nan)
        im = ax.pcolormesh(x, p, np.log10(Z).T, shading="nearest")
        xu = g["x"].attrs.get("units", "")
        code = not xu
        ax.set(yscale="log", xlabel="x [code length]" if code else f"x [{xu}]", ylabel="p / (m_p c)",
               title=f"t = {ts[k]:.3g}" + (" (code time)" if code else " s"))
        fig.colorbar(im, ax=ax, label="log10 dN/(dlnp dx)")
    f = _save(fig, outdir, f"xp_hist.{fmt}")
    return [f]


def _escaped(run, outdir, fmt):
    g = run.groups.get("escaped")
    if g is None or not np.any(g["dN_dlnp"].values > 0):
        return []
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4.2))
    p = g["p"].values
    cum = np.cumsum(g["dN_dlnp"].values, axis=1)
    for s, side in enumerate(g["side"].values):
        if cum[s, -1].sum() > 0:
            ax.plot(p, cum[s, -1] * p, label=f"escaped through {side} boundary (total)")
    ax.set(xscale="log", yscale="log", xlabel="p / (m_p c)", ylabel="p dN/dlnp")
    ax.legend(fontsize=8)
    f = _save(fig, outdir, f"escaped.{fmt}")
    return [f]


def _propagation_title(run) -> str:
    """What the Green's-function propagation assumes: the flow is switched off after t_end."""
    kind = getattr(getattr(run.config, "flow", None), "kind", "")
    what = {"isenberg": "after the wind ceased", "planar_shock": "planar shock switched off at t_end"}
    return f"diffusion back to x = 0, {what.get(kind, 'flow switched off at t_end')}"


def _propagation(run, outdir, fmt):
    """Spectra at x = 0 after the wind has ceased (Green's-function convolution, seed 003 §4.7)."""
    g = run.groups.get("xp_hist")
    if g is None or run.config is None or run.config.grid.geometry != "planar":
        return []
    H = g["dN_dlnp_dx"].values[-1]
    if H.sum() <= 0:
        return []
    x, p = g["x"].values, g["p"].values
    prof = H.sum(axis=1)
    L = max(float(np.sqrt(np.sum(prof * x**2) / np.sum(prof))), float(x[1] - x[0]))
    k_mid = float(kappa_function(run.config)(np.array([np.sqrt(p[0] * p[-1])]))[0])
    taus = (L * L / k_mid) * np.array([0.03, 0.1, 0.3, 1.0, 3.0])
    S = boundary_spectra(run, taus)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for tau, y in zip(taus, S):
        m = y > 0
        if m.any():
            ax.plot(p[m], (y * p)[m], label=f"τ = {tau:.3g} after t_end")
    ax.set(xscale="log", yscale="log", xlabel="p / (m_p c)", ylabel="p dN/dlnp at x = 0 (per unit length)",
           title=_propagation_title(run))
    pos = (S * p)[S > 0]
    top = float(pos.max()) if pos.size else 1.0
    ax.set_ylim(max(top * 1e-8, float(pos.min()) / 2 if pos.size else top * 1e-8), top * 3)  # the data, ≤ 8 decades
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    f = _save(fig, outdir, f"propagation.{fmt}")
    return [f]


MAKERS = {"spectra": _spectra, "summed": _summed, "integrated": _integrated, "xp_hist": _xp, "escaped": _escaped,
          "propagation": _propagation}


def figure_names(run) -> list[str]:
    """Names ``crescape plot --figure`` accepts: the file names of the figures, without extension
    (one ``spectra_OBSERVER`` per observer of the run)."""
    spec = run.groups.get("spectra")
    observers = [str(o) for o in spec["observer"].values] if spec is not None else []
    return [f"spectra_{o}" for o in observers] + [n for n in MAKERS if n != "spectra"]


def plot(run, outdir: Path, figure: str | None = None, fmt: str = "png") -> list[Path]:
    if figure is None:
        return [f for make in MAKERS.values() for f in make(run, outdir, fmt)]
    names = figure_names(run)
    if figure not in names:
        raise FigureNameError(f"unknown figure {figure!r} for an SDE run; choose from: {', '.join(names)}")
    if figure.startswith("spectra_"):  # one observer: drawn with the others in a scratch folder
        with tempfile.TemporaryDirectory(dir=outdir) as tmp:
            f = next(f for f in _spectra(run, tmp, fmt) if f.stem == figure)
            return [Path(shutil.move(f, Path(outdir) / f.name))]
    return MAKERS[figure](run, outdir, fmt)
