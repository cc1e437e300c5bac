"""Figures. ``plot_path`` dispatches on the engine of a run (or on a sweep directory)."""
from __future__ import annotations

import importlib
from pathlib import Path

from ..io.atomic import check_inside

PLOTTERS = {
    "crhydro": "crescape.plotting.crhydro",
    "sde": "crescape.plotting.sde",
    "cloud": "crescape.plotting.cloud",
}


def plot_run(path, figure=None, fmt="png", outdir=None) -> list[Path]:
    from ..io import open_run

    run = open_run(path)
    mod = importlib.import_module(PLOTTERS[run.attrs["engine"]])
    outdir = Path(outdir) if outdir else Path(run.path) / "figures"
    outdir.mkdir(parents=True, exist_ok=True)
    _refuse_symlinks(outdir)
    files = mod.plot(run, outdir, figure=figure, fmt=fmt)
    for f in files:  # names built from run contents (observers) must stay in the figure folder
        check_inside(f, outdir, "figure")
    return files


def _refuse_symlinks(outdir: Path):
    """Figures are saved by matplotlib, which follows symlinks: refuse a figure folder holding any."""
    from ..io.atomic import OutputDirError

    if outdir.is_symlink():
        raise OutputDirError(f"refusing to write figures into {outdir}: it is a symbolic link")
    links = [p.name for p in outdir.iterdir() if p.is_symlink()]
    if links:
        raise OutputDirError(f"refusing to write figures into {outdir}: it holds symbolic links ({', '.join(links[:3])})")


def plot_path(path, figure=None, fmt="png", outdir=None) -> list[Path]:
    path = Path(path)
    if (path / "result.json").exists() and not (path / "run.h5").exists():
        from .local_spectrum import plot_fit_dir  # a `crescape fit local-spectrum` output directory

        return plot_fit_dir(path, fmt=fmt, outdir=outdir)
    if (path / "sweep.toml").exists() or (path / "index.csv").exists():
        from .sweep import plot_sweep

        return plot_sweep(path, figure=figure, fmt=fmt, outdir=outdir)
    return plot_run(path, figure=figure, fmt=fmt, outdir=outdir)
