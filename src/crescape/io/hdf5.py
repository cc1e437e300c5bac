"""HDF5 run files (the data contract, see README "Run files").

A run file holds named groups (``snapshots``, ``history``, ``escaped``,
``spectra``, …); each group is one xarray Dataset. Every HDF5 dataset stores
its dimension names in the attribute ``dims`` and its unit in ``units``; the
file carries ``crescape_version``, ``engine`` and the resolved deck (TOML text)
as root attributes. Nothing is pickled or evaluated when reading.

Each write replaces the whole file atomically and records its SHA-256 in a
sidecar ``<name>.sha256`` so that :func:`read_run_file` can tell a truncated or
corrupted file from a good one.
"""
from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import xarray as xr

from ..errors import RunFileError
from .atomic import atomic_path, sha256_file, write_text_atomic


def _write_dataset(group: h5py.Group, ds: xr.Dataset):
    written = set()
    for name, var in list(ds.coords.items()) + list(ds.data_vars.items()):
        if name in written:
            continue
        written.add(name)
        data = np.asarray(var.values)
        if data.dtype.kind in "UO":
            data = data.astype("S")
        h = group.create_dataset(str(name), data=data)
        h.attrs["dims"] = ",".join(str(d) for d in var.dims)
        h.attrs["is_coord"] = name in ds.coords
        for k, v in var.attrs.items():
            h.attrs[k] = v
    for k, v in ds.attrs.items():
        group.attrs[k] = v


def write_run_file(path: str | Path, groups: dict[str, xr.Dataset], attrs: dict | None = None):
    """Write ``groups`` to ``path`` atomically and refresh the checksum sidecar."""
    path = Path(path)
    side = path.with_name(path.name + ".sha256")
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            for k, v in (attrs or {}).items():
                f.attrs[k] = v
            for gname, ds in groups.items():
                _write_dataset(f.create_group(gname), ds)
        new = sha256_file(tmp)
        # accept the old and the new file while the rename is under way (a kill in between
        # must not make a good run file look corrupted)
        old = side.read_text().split()[-2:] if side.exists() else []
        write_text_atomic(side, "\n".join(old + [new]) + "\n")
    write_text_atomic(side, new + "\n")


def _read_group(g: h5py.Group) -> xr.Dataset:
    coords: dict[str, xr.Variable] = {}
    data_vars: dict[str, xr.Variable] = {}
    for name, h in g.items():
        dims_attr = h.attrs.get("dims", "")
        dims = tuple(d for d in str(dims_attr).split(",") if d) if h.ndim else ()
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in h.attrs.items() if k not in ("dims", "is_coord")}
        arr = h[()]
        if isinstance(arr, np.ndarray) and arr.dtype.kind == "S":
            arr = arr.astype(str)
        var = xr.Variable(dims, arr, attrs=attrs)
        (coords if bool(h.attrs.get("is_coord", False)) else data_vars)[name] = var
    gattrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in g.attrs.items()}
    return xr.Dataset(data_vars, coords=coords, attrs=gattrs)


def read_run_file(path: str | Path, verify: bool = True) -> tuple[dict[str, xr.Dataset], dict]:
    """Read every group of a run file into memory. Raises RunFileError if damaged."""
    path = Path(path)
    if not path.exists():
        raise RunFileError(f"run file not found: {path}")
    side = path.with_name(path.name + ".sha256")
    if verify and side.exists():
        want = side.read_text().split()
        got = sha256_file(path)
        if got not in want:
            raise RunFileError(
                f"{path} does not match its checksum ({side.name}): the file is truncated or corrupted"
            )
    try:
        with h5py.File(path, "r") as f:
            attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
            groups = {name: _read_group(g) for name, g in f.items() if isinstance(g, h5py.Group)}
    except OSError as exc:
        raise RunFileError(f"{path} cannot be read as HDF5 (truncated or corrupted?): {exc}") from None
    return groups, attrs


def verify_run_file(path: str | Path) -> bool:
    """Check ``path`` against its sidecar checksum: True if it matches, False if the sidecar is
    missing (the file cannot be checked); RunFileError if the file is missing or damaged."""
    path = Path(path)
    if not path.is_file():
        raise RunFileError(f"run file not found: {path}")
    side = path.with_name(path.name + ".sha256")
    if not side.exists():
        return False
    if sha256_file(path) not in side.read_text().split():
        raise RunFileError(f"{path} does not match its checksum ({side.name}): the file is truncated or corrupted")
    return True
