"""Run directories: ``config.toml`` (resolved deck) + ``run.h5`` (+ ``checkpoint.h5``)."""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tomllib
import warnings
from pathlib import Path

from .._version import __version__
from ..config import dump_toml, load_config
from ..core.grid import Grid
from ..errors import OutputDirError
from .atomic import create_nofollow, write_text_atomic
from .gridstore import read_grid
from .hdf5 import RunFileError, read_run_file
from .restart import restarts_attr

CONFIG_NAME = "config.toml"
RUN_NAME = "run.h5"
MIN_FREE_BYTES = 20 * 1024**2


def prepare_rundir(out: str | Path, deck, resume: bool = False, min_free: int = MIN_FREE_BYTES) -> Path:
    """Create/check the run directory before any computation and save the resolved deck.

    Fails early (``OutputDirError``) if the directory cannot be written or the
    disk has less than ``min_free`` bytes free.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputDirError(f"output path {out} exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputDirError(f"cannot create output directory {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputDirError(f"output directory {out} is not writable")
    probe = out / ".crescape-write-probe"
    try:
        create_nofollow(probe, b"x")  # a symlink planted here is replaced, its target never written
        probe.unlink()
    except OSError as exc:
        raise OutputDirError(f"output directory {out} is not writable: {exc.strerror or exc}") from None
    free = shutil.disk_usage(out).free
    if free < min_free:
        raise OutputDirError(
            f"only {free / 1024**2:.1f} MiB free under {out}; at least {min_free / 1024**2:.0f} MiB needed"
        )
    removed = clean_stale_temporaries(out)
    if removed:
        print(f"crescape: removed {len(removed)} stale temporary file(s) left by a killed run in {out}: "
              + ", ".join(removed), file=sys.stderr)
    if not resume:
        write_text_atomic(out / CONFIG_NAME, dump_toml(deck))
    return out


STATE_FILES = ("run.h5", "run.h5.sha256", "checkpoint.h5", "config.toml")


def clean_stale_temporaries(out: Path) -> list[str]:
    """Delete the ``.<name>.*.tmp`` files an atomic write leaves when the process is killed
    (SIGKILL) between creating and renaming them; returns their names."""
    removed = []
    for name in STATE_FILES:
        for p in out.glob(f".{name}.*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
                removed.append(p.name)
    return sorted(removed)


RUN_FILES = ("config.toml", "run.h5", "run.h5.sha256", "checkpoint.h5", "checkpoint.h5.sha256")


def claim_rundir(out: str | Path, overwrite: bool = False) -> Path:
    """Refuse to write a new run into an existing, non-empty directory unless ``overwrite``.

    With ``overwrite`` only crescape's own files (``RUN_FILES`` and ``figures/``) of a previous
    run are removed; a non-empty directory that is not a run directory is never touched.
    """
    out = Path(out)
    if not out.is_dir() or not any(out.iterdir()):
        return out
    is_run = any((out / f).exists() for f in RUN_FILES[:2])
    if not overwrite:
        what = "a run directory" if is_run else "a non-empty directory"
        raise OutputDirError(
            f"output directory {out} already exists and is {what}; choose another --out, "
            f"add --overwrite to replace the run in it, or continue it with --resume {out}"
        )
    if not is_run:
        raise OutputDirError(f"output directory {out} is not empty and holds no crescape run; --overwrite refuses to touch it")
    for f in RUN_FILES:
        (out / f).unlink(missing_ok=True)
    if (out / "figures").is_dir():
        shutil.rmtree(out / "figures")
    return out


def file_attrs(deck, out: str | Path | None = None) -> dict:
    """Root attributes of run.h5: version, engine, the deck (and ``restarts`` when resumed with changes)."""
    attrs = {"crescape_version": __version__, "engine": deck.engine, "config": dump_toml(deck)}
    restarts = restarts_attr(None if out is None else Path(out))
    if restarts:
        attrs["restarts"] = restarts
    return attrs


class Run:
    """A finished (or partial) run read back from disk: ``open_run(DIR)``.

    Attributes: ``config`` (validated deck), ``snapshots``, ``history``,
    ``escaped`` and every other group of ``run.h5`` as xarray Datasets
    (``groups``), ``attrs`` (file attributes), ``path``.
    """

    def __init__(self, path: Path, config, groups: dict, attrs: dict):
        self.path = path
        self.config = config
        self.groups = groups
        self.attrs = attrs

    def __getattr__(self, name):
        groups = self.__dict__.get("groups", {})
        if name in groups:
            return groups[name]
        if name in ("snapshots", "history", "escaped", "spectra"):
            return None
        raise AttributeError(name)

    @property
    def grid(self) -> Grid:
        """The spatial grid (centres, faces, widths, volumes, areas, geometry, other axes) the
        solver used, read from the ``grid`` group. Runs written before the group existed: rebuilt
        from the saved ``[grid]`` deck section (with a warning) where that section defines it."""
        if "grid" in self.groups:
            return read_grid(self.groups["grid"])
        g = getattr(self.config, "grid", None)
        version = self.attrs.get("crescape_version", "?")
        if getattr(g, "geometry", None) == "cartesian3d":
            raise RunFileError(f"{self.path}: a 3-D SDE run has no 1-D cell grid; its output is in the "
                               "detector and window groups (docs/sde3d.md)")
        if g is not None and all(hasattr(g, k) for k in ("r_min", "r_max", "n_cells", "spacing")):
            warnings.warn(f"{self.path}: run file written by crescape {version} has no grid group; "
                          "the grid is rebuilt from its saved [grid] section", stacklevel=2)
            return Grid.from_section(g)
        raise RunFileError(f"{self.path}: run file written by crescape {version} has no grid group and its "
                           f"deck does not define one; re-run it with crescape {__version__}")

    def __repr__(self):
        return f"Run({str(self.path)!r}, engine={self.attrs.get('engine')!r}, groups={sorted(self.groups)})"


def open_run(path: str | Path) -> Run:
    """Open a run directory (or a ``run.h5`` file) written by ``crescape run``."""
    path = Path(path)
    h5 = path if path.suffix == ".h5" else path / RUN_NAME
    rdir = h5.parent
    groups, attrs = read_run_file(h5)
    text = attrs.get("config")
    if text is None and (rdir / CONFIG_NAME).exists():
        text = (rdir / CONFIG_NAME).read_text()
    config = load_config(tomllib.loads(text), check_setup=False) if text else None
    return Run(rdir, config, groups, attrs)


__all__ = ["prepare_rundir", "claim_rundir", "open_run", "Run", "RunFileError", "OutputDirError", "file_attrs"]
