"""Figures. ``plot_path`` dispatches on the engine of a run (or on a sweep directory)."""
from __future__ import annotations

import importlib
from pathlib import Path

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
    return mod.plot(run, outdir, figure=figure, fmt=fmt)


def plot_path(path, figure=None, fmt="png", outdir=None) -> list[Path]:
    path = Path(path)
    if (path / "result.json").exists() and not (path / "run.h5").exists():
        from .local_spectrum import plot_fit_dir  # a `crescape fit local-spectrum` output directory

        return plot_fit_dir(path, fmt=fmt, outdir=outdir)
    if (path / "sweep.toml").exists() or (path / "index.csv").exists():
        from .sweep import plot_sweep

        return plot_sweep(path, figure=figure, fmt=fmt, outdir=outdir)
    if figure in ("sed", "profiles", "maps", "neutrinos"):  # what telescopes see (crescape.observables)
        from ..observables.figures import plot_observables

        return plot_observables(path, figure=figure, fmt=fmt, outdir=outdir)
    return plot_run(path, figure=figure, fmt=fmt, outdir=outdir)
