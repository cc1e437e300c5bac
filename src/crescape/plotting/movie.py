"""``crescape movie RUN``: profile and spectrum evolution of a run as a movie.

Works for every engine from the run file alone: each panel is one snapshot
variable — radial/height profiles (dims ``t, x``), spectra averaged over space
(dims ``t, x, p``), observer spectra (``spectra``: ``observer, t, p``) or a
momentum histogram of pseudo-particles (``t, particle``). MP4 when ffmpeg is on
PATH, otherwise an animated GIF written with Pillow.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np

from ..core.labels import time_label
from ..core.progress import Progress
from ..io import open_run

PREFERRED = ["n", "v", "T", "P_g", "P_cr", "N_cr", "W", "kappa", "rho", "e_cr", "x", "p"]
MAX_FRAMES = 120
MAX_PANELS = 6


PC, KYR = 3.0856775814913673e18, 3.15576e10


def _display(values: np.ndarray, units: str):
    """Values and unit label as the figures show them: pc for lengths, km s-1 for speeds."""
    v = np.asarray(values, float)
    big = np.nanmax(np.abs(v)) if v.size and np.isfinite(v).any() else 0.0
    if units == "cm" and big > 0.1 * PC:
        return v / PC, "pc"
    if units == "cm s-1" and big > 1e4:
        return v / 1e5, "km s$^{-1}$"
    return v, _tex_unit(units)


def _tex_unit(units: str) -> str:
    """'erg cm-3 s-1' -> 'erg cm$^{-3}$ s$^{-1}$' (FITS spelling to matplotlib mathtext)."""
    return re.sub(r"([A-Za-z]+)(-?\d+)", lambda m: f"{m.group(1)}$^{{{m.group(2)}}}$", units)


def _panels(run) -> list[dict]:
    """Choose up to four panels: dict(name, x, y(t, x), xlabel, ylabel)."""
    panels = []
    snaps = run.snapshots
    if snaps is not None and "t" in snaps.dims:
        names = sorted(snaps.data_vars, key=lambda n: PREFERRED.index(n) if n in PREFERRED else 99)
        for name in names:
            var = snaps[name]
            units = var.attrs.get("units", "")
            if var.dims[0] != "t" or var.ndim not in (2, 3):
                continue
            if var.ndim == 2 and var.dims[1] == "particle":
                if name == "p":
                    panels.append(_particle_histogram(snaps))
                continue
            dim = var.dims[-1]
            x = np.asarray(snaps[dim].values, float) if dim in snaps.coords else np.arange(var.shape[-1], dtype=float)
            y = np.asarray(var.values, float)
            if var.ndim == 3:  # (t, space, momentum/energy/k): average over space -> spectrum
                y = np.nanmean(y, axis=1)
            y, yu = _display(y, units)
            label = f"{name} (mean over {var.dims[1]})" if var.ndim == 3 else name
            label += f" [{yu}]" if yu else ""
            xunits = snaps[dim].attrs.get("units", "") if dim in snaps.coords else ""
            x, xu = _display(x, xunits)
            xlabel = {"p": "p / (m_p c)"}.get(dim, f"{dim} [{xu}]" if xu else dim)
            panels.append(dict(name=name, x=x, y=y, xlabel=xlabel, ylabel=label))
            if len(panels) >= MAX_PANELS:
                break
    spec = run.groups.get("spectra")
    if len(panels) < MAX_PANELS and spec is not None:
        for name, var in spec.data_vars.items():
            if var.dims[-2:] == ("t", "p") and "err" not in name.lower():
                y = np.asarray(var.values, float).reshape(-1, var.shape[-2], var.shape[-1])[0]
                panels.append(dict(name=name, x=np.asarray(spec["p"].values, float), y=y,
                                   xlabel="p / (m_p c)", ylabel=f"{name} [{_tex_unit(var.attrs.get('units', ''))}]"
                                   if var.attrs.get("units") else name,
                                   times=np.asarray(spec["t"].values, float)))
                break
    if not panels:
        raise FileNotFoundError(f"run {run.path} has no snapshot profiles or spectra to animate")
    return panels


def _particle_histogram(snaps) -> dict:
    p = np.asarray(snaps["p"].values, float)
    w = np.asarray(snaps["w"].values, float) if "w" in snaps else np.ones_like(p)
    alive = np.asarray(snaps["alive"].values, bool) if "alive" in snaps else np.ones(p.shape, bool)
    good = alive & (p > 0) & np.isfinite(p)
    lo, hi = np.log10(p[good].min()), np.log10(p[good].max()) + 1e-9
    edges = np.logspace(lo, hi if hi > lo else lo + 1, 41)
    h = np.array([np.histogram(p[i][good[i]], bins=edges, weights=w[i][good[i]])[0] for i in range(p.shape[0])])
    centres = np.sqrt(edges[1:] * edges[:-1])
    return dict(name="p", x=centres, y=h / np.diff(edges) * centres, xlabel="p / (m_p c)",
                ylabel="p dN/dp (weights)")


def _limits(v: np.ndarray):
    f = v[np.isfinite(v)]
    if not f.size:
        return (0.0, 1.0), False
    pos = f[f > 0]
    if f.min() > 0 and f.max() / f.min() > 100.0:
        return (pos.min() / 1.5, pos.max() * 1.5), True
    if pos.size and f.min() >= 0 and pos.max() / pos.min() > 1e3:  # spectra with empty bins
        return (max(pos.min(), pos.max() * 1e-8) / 1.5, pos.max() * 1.5), True
    pad = 0.05 * (f.max() - f.min() or abs(f.max()) or 1.0)
    return (f.min() - pad, f.max() + pad), False


def _save_with_progress(anim, out: Path, writer, progress: bool):
    """Encode the frames with a progress bar per frame (the encoding is most of the time)."""
    bar = Progress("movie", enabled=progress)
    try:
        anim.save(out, writer=writer, dpi=90,
                  progress_callback=lambda i, n: bar.update((i + 1) / n, f"frame {i + 1}/{n}", force=True))
    finally:
        bar.close()


def make_movie(run_dir, out=None, fps: int = 8, progress: bool = True) -> Path:
    """Render the run's evolution; return the movie path (.mp4 with ffmpeg, else .gif)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import animation


    run = open_run(run_dir)
    panels = _panels(run)
    times = np.asarray(run.snapshots["t"].values, float) if run.snapshots is not None and "t" in run.snapshots.dims \
        else panels[0]["times"]
    frames = np.unique(np.linspace(0, len(times) - 1, min(len(times), MAX_FRAMES)).round().astype(int))
    have_ffmpeg = shutil.which("ffmpeg") is not None
    out = Path(out) if out else Path(run.path) / ("movie.mp4" if have_ffmpeg else "movie.gif")
    if out.suffix.lower() == ".mp4" and not have_ffmpeg:
        out = out.with_suffix(".gif")
    out.parent.mkdir(parents=True, exist_ok=True)

    n = len(panels)
    ncol = 1 if n == 1 else (2 if n <= 4 else 3)
    nrow = (n + ncol - 1) // ncol
    fig, axs = plt.subplots(nrow, ncol, figsize=(4.4 * ncol, 3.2 * nrow), constrained_layout=True, squeeze=False)
    lines = []
    for ax, pan in zip(axs.flat, panels):
        (ylo, yhi), ylog = _limits(pan["y"])
        x = pan["x"]
        dx = np.diff(x)
        geometric = x.size > 2 and x.min() > 0 and dx[-1] > 10 * dx[0] > 0  # log-spaced coordinate
        ax.set_xscale("log" if geometric else "linear")
        ax.set_yscale("log" if ylog else "linear")
        ax.set_ylim(ylo, yhi)
        ax.set_xlim(x.min(), x.max())
        ax.set_xlabel(pan["xlabel"])
        ax.set_ylabel(pan["ylabel"])
        ax.plot(x, pan["y"][0], color="0.7", lw=0.8, label="initial")
        lines.append(ax.plot(x, pan["y"][0], color="C0", lw=1.4)[0])
        ax.grid(alpha=0.3, lw=0.4)
    for ax in list(axs.flat)[n:]:
        ax.set_visible(False)
    title = fig.suptitle("")

    def draw(k):
        i = frames[k]
        for line, pan in zip(lines, panels):
            line.set_ydata(pan["y"][min(i, len(pan["y"]) - 1)])
        astro = run.attrs.get("engine") != "sde" or getattr(run.config, "units", "cgs") == "cgs"
        title.set_text(f"{Path(run.path).name}   " + ("t = " + time_label(times[i]) if astro else f"t = {times[i]:.4g} (code time)"))
        return lines

    anim = animation.FuncAnimation(fig, draw, frames=len(frames), blit=False)
    writer = animation.FFMpegWriter(fps=fps) if out.suffix.lower() == ".mp4" else animation.PillowWriter(fps=fps)
    _save_with_progress(anim, out, writer, progress)
    plt.close(fig)
    return out
