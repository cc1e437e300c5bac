"""Figures. ``plot_path`` dispatches on the engine of a run (or on a sweep directory)."""
from __future__ import annotations

from pathlib import Path

from ..engines.registry import get_engine
from ..errors import FigureNameError, OutputDirError
from ..io import open_run
from ..io.atomic import check_inside
from ..observables.figures import plot_observables
from .local_spectrum import plot_fit_dir
from .sweep import plot_sweep

OBSERVABLE_FIGURES = ("sed", "profiles", "maps", "neutrinos")


def plot_run(path, figure=None, fmt="png", outdir=None) -> list[Path]:
    run = open_run(path)
    mod = get_engine(run.attrs["engine"]).load("figures")
    if mod is None:
        raise FileNotFoundError(f"engine {run.attrs['engine']!r} has no figures")
    outdir = Path(outdir) if outdir else Path(run.path) / "figures"
    outdir.mkdir(parents=True, exist_ok=True)
    _refuse_symlinks(outdir)
    files = mod.plot(run, outdir, figure=figure, fmt=fmt)
    for f in files:  # names built from run contents (observers) must stay in the figure folder
        check_inside(f, outdir, "figure")
    return files


def _refuse_symlinks(outdir: Path):
    """Figures are saved by matplotlib, which follows symlinks: refuse a figure folder holding any."""
    if outdir.is_symlink():
        raise OutputDirError(f"refusing to write figures into {outdir}: it is a symbolic link")
    links = [p.name for p in outdir.iterdir() if p.is_symlink()]
    if links:
        raise OutputDirError(f"refusing to write figures into {outdir}: it holds symbolic links ({', '.join(links[:3])})")


def plot_path(path, figure=None, fmt="png", outdir=None) -> list[Path]:
    path = Path(path)
    if (path / "result.json").exists() and not (path / "run.h5").exists():
        return plot_fit_dir(path, fmt=fmt, outdir=outdir)
    if (path / "sweep.toml").exists() or (path / "index.csv").exists():
        return plot_sweep(path, figure=figure, fmt=fmt, outdir=outdir)
    if figure in OBSERVABLE_FIGURES:  # what telescopes see (crescape.observables)
        return plot_observables(path, figure=figure, fmt=fmt, outdir=outdir)
    try:
        return plot_run(path, figure=figure, fmt=fmt, outdir=outdir)
    except FigureNameError as exc:
        raise FigureNameError(f"{exc}; or what a telescope sees: {', '.join(OBSERVABLE_FIGURES)}") from None
