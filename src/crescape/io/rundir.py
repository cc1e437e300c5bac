"""Run directories: ``config.toml`` (resolved deck) + ``run.h5`` (+ ``checkpoint.h5``)."""
from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

from .._version import __version__
from ..config import dump_toml, load_config
from ..errors import OutputDirError
from .atomic import create_nofollow, write_text_atomic
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
    if not resume:
        write_text_atomic(out / CONFIG_NAME, dump_toml(deck))
    return out


def file_attrs(deck, out: str | Path | None = None) -> dict:
    """Root attributes of run.h5: version, engine, the deck (and ``restarts`` when resumed with changes)."""
    attrs = {"crescape_version": __version__, "engine": deck.engine, "config": dump_toml(deck)}
    restarts = restarts_attr(out)
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


__all__ = ["prepare_rundir", "open_run", "Run", "RunFileError", "OutputDirError", "file_attrs"]
