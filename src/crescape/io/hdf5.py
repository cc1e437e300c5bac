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

import os
from pathlib import Path

import h5py
import numpy as np
import xarray as xr

from ..errors import RunFileError
from .atomic import atomic_path, sha256_file, write_text_atomic

MAX_READ_BYTES = 8 * 1024**3  # declared size of all datasets read from one file (override: CRESCAPE_MAX_READ)
UTF8 = h5py.string_dtype("utf-8")


def _as_h5_strings(data: np.ndarray) -> np.ndarray:
    """Unicode/object arrays as variable-length UTF-8 strings (any character: Λ, —, …)."""
    return np.asarray([str(v) for v in data.ravel()], dtype=object).reshape(data.shape).astype(UTF8)


def _attr(v):
    """Attribute values: str stays str (h5py stores it as UTF-8); bytes are decoded as UTF-8."""
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


def _max_read() -> int:
    try:
        return int(float(os.environ.get("CRESCAPE_MAX_READ", MAX_READ_BYTES)))
    except ValueError:
        return MAX_READ_BYTES


def check_declared_sizes(f: h5py.File, path, limit: int | None = None):
    """Refuse a file whose datasets declare more bytes than ``limit`` — before reading any.

    A small compressed file can declare huge shapes (an "HDF5 bomb": 564 kB on disk,
    30 GiB in memory); the declared shape × item size is known without reading data.
    """
    limit = _max_read() if limit is None else limit
    total = 0
    items = []
    f.visititems(lambda name, obj: items.append(obj) if isinstance(obj, h5py.Dataset) else None)
    for d in items:
        itemsize = d.dtype.itemsize if d.dtype.kind != "O" else 64
        total += int(np.prod(d.shape, dtype=float)) * itemsize if d.shape else itemsize
        if total > limit:
            raise RunFileError(f"{path}: its datasets declare more than {limit / 1024**3:.3g} GiB "
                               f"(dataset {d.name!r} of shape {d.shape}): refused before reading "
                               "(set CRESCAPE_MAX_READ to read larger files)")


def _write_dataset(group: h5py.Group, ds: xr.Dataset):
    written = set()
    for name, var in list(ds.coords.items()) + list(ds.data_vars.items()):
        if name in written:
            continue
        written.add(name)
        data = np.asarray(var.values)
        if data.dtype.kind in "UOS":
            data = _as_h5_strings(data if data.dtype.kind != "S" else np.char.decode(data, "utf-8", "replace"))
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
        attrs = {k: _attr(v) for k, v in h.attrs.items() if k not in ("dims", "is_coord")}
        if h.dtype.kind in "OS":  # strings: UTF-8 (older files: ASCII bytes)
            arr = h.asstr("utf-8", "replace")[()]
            arr = np.asarray(arr, dtype=object).astype(str) if isinstance(arr, np.ndarray) else str(arr)
        else:
            arr = h[()]
        var = xr.Variable(dims, arr, attrs=attrs)
        (coords if bool(h.attrs.get("is_coord", False)) else data_vars)[name] = var
    gattrs = {k: _attr(v) for k, v in g.attrs.items()}
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
            check_declared_sizes(f, path)
            attrs = {k: _attr(v) for k, v in f.attrs.items()}
            groups = {name: _read_group(g) for name, g in f.items() if isinstance(g, h5py.Group)}
    except RunFileError:
        raise
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
