"""Figures. ``plot_path`` dispatches on the engine of a run (or on a sweep directory)."""
from __future__ import annotations

from pathlib import Path

from ..engines.registry import get_engine
from ..io import open_run
from ..observables.figures import plot_observables
from .local_spectrum import plot_fit_dir
from .sweep import plot_sweep


def plot_run(path, figure=None, fmt="png", outdir=None) -> list[Path]:
    run = open_run(path)
    mod = get_engine(run.attrs["engine"]).load("figures")
    if mod is None:
        raise FileNotFoundError(f"engine {run.attrs['engine']!r} has no figures")
    outdir = Path(outdir) if outdir else Path(run.path) / "figures"
    outdir.mkdir(parents=True, exist_ok=True)
    return mod.plot(run, outdir, figure=figure, fmt=fmt)


def plot_path(path, figure=None, fmt="png", outdir=None) -> list[Path]:
    path = Path(path)
    if (path / "result.json").exists() and not (path / "run.h5").exists():
        return plot_fit_dir(path, fmt=fmt, outdir=outdir)
    if (path / "sweep.toml").exists() or (path / "index.csv").exists():
        return plot_sweep(path, figure=figure, fmt=fmt, outdir=outdir)
    if figure in ("sed", "profiles", "maps", "neutrinos"):  # what telescopes see (crescape.observables)
        return plot_observables(path, figure=figure, fmt=fmt, outdir=outdir)
    return plot_run(path, figure=figure, fmt=fmt, outdir=outdir)
