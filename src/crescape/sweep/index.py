"""The sweep index: one row per run (axes in CGS, scalar summaries, status, error).

Saved as ``index.h5`` (crescape run-file format: HDF5 + checksum, group ``index``)
and ``index.csv``; both written atomically and rebuilt as runs finish.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import xarray as xr

from .. import __version__
from ..config import deck_model, iter_parameters
from ..errors import RunFileError
from ..io import read_run_file, write_run_file, write_text_atomic
from .summaries import summary_units


def _axis_units(engine: str, keys: list[str]) -> dict[str, str]:
    table = {}
    for key, _d, unit, _desc in iter_parameters(deck_model(engine)):
        table.setdefault(re.sub(r"\[kind=[^\]]*\]", "", key), unit)
    return {k: table.get(k, "") for k in keys}


def build_index(points: list, results: dict[str, dict], engine: str, summaries: list[str], mode: str):
    """The sweep index as an xarray Dataset over ``run`` (axes in CGS, summaries, status, error)."""
    keys = list(points[0].overrides) if points else []
    names = [p.name for p in points]
    units = _axis_units(engine, keys)
    data = {}
    for k in keys:
        vals = [p.values[k] for p in points]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            arr = np.asarray(vals, dtype=float)
        else:
            arr = np.asarray([str(v) for v in vals])
        data[k] = xr.Variable(("run",), arr, attrs={"units": units[k], "axis": 1})
    sunits = summary_units(engine, summaries)
    for r in results.values():
        for k, u in (r.get("summary_units") or {}).items():
            sunits.setdefault(k, u)
    for s in summaries:
        col = [results.get(n, {}).get("summaries", {}).get(s) for n in names]
        data[s] = xr.Variable(("run",), np.asarray([np.nan if v is None else v for v in col], dtype=float),
                              attrs={"units": sunits.get(s, ""), "summary": 1})
    get = lambda f, d: [str(results.get(n, {}).get(f, d)) for n in names]  # noqa: E731
    data["status"] = xr.Variable(("run",), np.asarray(get("status", "pending")), attrs={"units": ""})
    data["error"] = xr.Variable(("run",), np.asarray(get("error", "")), attrs={"units": ""})
    data["wall_s"] = xr.Variable(("run",), np.asarray([float(results.get(n, {}).get("wall_s", np.nan))
                                                       for n in names]), attrs={"units": "s"})
    coords = {"run": xr.Variable(("run",), np.asarray(names), attrs={"units": ""})}
    attrs = {"engine": engine, "mode": mode, "axes": json.dumps(keys), "summaries": json.dumps(summaries)}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def write_index(out: Path, ds) -> None:
    """index.h5 (crescape run-file format, checksummed) and index.csv, both atomic."""
    write_run_file(out / "index.h5", {"index": ds}, {"crescape_version": __version__, "kind": "sweep-index"})
    df = ds.to_dataframe()
    write_text_atomic(out / "index.csv", df.to_csv())


def read_index(path: str | Path):
    """The index Dataset of a sweep directory."""
    groups, _ = read_run_file(Path(path) / "index.h5")
    return groups["index"]


class SweepIndexError(RunFileError):
    """The index of a sweep could not be written (the runs themselves are kept)."""


def try_write_index(out, points, results, engine, summaries, mode) -> str | None:
    """Write index.h5/index.csv; a failure is returned as text, never raised (the runs must go on)."""
    try:
        write_index(out, build_index(points, results, engine, summaries, mode))
    except Exception as exc:  # noqa: BLE001 — disk full, encoding, a damaged value: the sweep must survive
        msg = f"{type(exc).__name__}: {exc}"
        print(f"crescape: warning: sweep index not written: {msg[:300]}", file=sys.stderr)
        return msg[:300]
    return None
