"""Scalar summaries of a run for sweep indices; each engine registers its own (``engines/<name>/summaries.py``).

A summary is a pure function ``f(run) -> float`` of a run read back with
:func:`crescape.open_run`. Summaries are tolerant: a variable the run does not
have gives NaN, never an exception. Besides the registered names a summary may
be written ``GROUP.VAR.REDUCER`` (e.g. ``history.E_th.max``) with GROUP one of
the run-file groups and REDUCER one of first, last, min, max, absmax, mean —
parsed by a regular expression, never evaluated.
"""
from __future__ import annotations

import math
import re

import numpy as np

from ..engines.registry import engine_names, get_engine

_GENERIC = re.compile(r"^(history|snapshots|escaped|spectra)\.(\w+)\.(first|last|min|max|absmax|mean)$")
_REDUCE = {"first": lambda a: a[0], "last": lambda a: a[-1], "min": np.nanmin, "max": np.nanmax,
           "absmax": lambda a: np.nanmax(np.abs(a)), "mean": np.nanmean}


def engine_summaries(engine: str) -> dict[str, tuple]:
    """name -> (f(run), units, description) registered by ``engine`` (empty for an unknown engine)."""
    if engine not in engine_names():
        return {}
    return get_engine(engine).summary_table()


def summary_units(engine: str, names: list[str]) -> dict[str, str]:
    reg = engine_summaries(engine)
    return {n: reg[n][1] for n in names if n in reg}


def run_summary_units(run, names: list[str]) -> dict[str, str]:
    """Units of the summaries of one run (registered ones, and generic ones from the file)."""
    out = summary_units(run.attrs.get("engine", ""), names)
    for n in names:
        m = _GENERIC.match(n)
        if m is not None and n not in out:
            try:
                out[n] = str(run.groups[m.group(1)][m.group(2)].attrs.get("units", ""))
            except KeyError:
                pass
    return out


def describe(engine: str, name: str) -> str:
    entry = engine_summaries(engine).get(name)
    return entry[2] if entry else name


def compute_summaries(run, names: list[str] | None) -> dict[str, float]:
    """Every requested summary as a float (NaN when the run lacks what it needs)."""
    engine = run.attrs.get("engine", "")
    reg = engine_summaries(engine)
    names = list(reg) if names is None else names
    out = {}
    for n in names:
        try:
            if n in reg:
                v = reg[n][0](run)
            elif (m := _GENERIC.match(n)) is not None:
                v = _generic(run, *m.groups())
            else:
                v = math.nan
            v = float(v)
        except (KeyError, AttributeError, IndexError, TypeError, ValueError, ZeroDivisionError):
            v = math.nan
        out[n] = v
    return out


def _generic(run, group, var, red):
    ds = run.groups.get(group)
    arr = np.asarray(ds[var].values, dtype=float)
    if red in ("first", "last"):
        arr = arr.reshape(arr.shape[0], -1)
        if arr.shape[1] != 1:
            return math.nan
        arr = arr[:, 0]
    return _REDUCE[red](arr.ravel() if red not in ("first", "last") else arr)
