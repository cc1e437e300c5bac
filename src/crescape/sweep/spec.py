"""Parameter sweeps on dask.distributed: ``crescape sweep SWEEP.toml``.

A sweep file is data (TOML), validated by :class:`SweepSpec`::

    base = "crhydro_small.toml"        # deck path relative to the sweep file, or an inline [base] table
    mode = "product"                   # "product" (Cartesian) or "zip" (axes advance together)
    summaries = ["f_escaped", "E_cr_final", "history.E_th.max"]   # default: the engine's registry

    [axes]
    "cr.D0" = { log = ["1e26 cm2/s", "1e28 cm2/s"], num = 3 }
    "cr.B" = ["1 uG", "3 uG"]
    "problem.E_cr" = { linear = [0.5e50, 1.5e50], num = 3 }

Every point is validated before anything runs. Each point is one run directory
``OUT/runs/NNNN_key=value_…`` (name sanitised, always inside OUT). A run is
*finished* when ``status.json`` says ``done`` for the same resolved deck, the
``DONE`` marker exists and ``run.h5`` matches its checksum; finished runs are
skipped on a re-run of the sweep, interrupted ones restart from their
checkpoint. A failing run is recorded with its error and does not stop the
others. The index (``index.csv`` and ``index.h5``: one xarray Dataset over
``run``) is rebuilt as runs finish.

Runs execute on a dask LocalCluster bound to 127.0.0.1 with the dashboard off
(one single-threaded worker process per core), or on an existing scheduler
(``--scheduler tcp://HOST:PORT``). Workers are limited to one numba/BLAS thread.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..config import format_validation_error, load_config, read_toml, resolved_dict
from ..errors import DeckError

_KEY_RX = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


# ----------------------------------------------------------------------------- sweep file model
class AxisRange(BaseModel):
    """One axis: explicit ``values``, or ``linear``/``log`` = [start, stop] with ``num`` points."""

    model_config = ConfigDict(extra="forbid")
    values: list[Any] | None = Field(None, description="explicit values (numbers or unit strings)")
    linear: list[float | str] | None = Field(None, description="[start, stop], linearly spaced")
    log: list[float | str] | None = Field(None, description="[start, stop], logarithmically spaced")
    num: int = Field(2, ge=1, le=100_000, description="number of points of a linear/log range")

    @model_validator(mode="after")
    def _one_kind(self):
        given = [k for k in ("values", "linear", "log") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'values', 'linear' or 'log'")
        for k in ("linear", "log"):
            v = getattr(self, k)
            if v is not None and len(v) != 2:
                raise ValueError(f"'{k}' must be [start, stop]")
        if self.values is not None and not self.values:
            raise ValueError("'values' is empty")
        return self

    def expand(self) -> list:
        if self.values is not None:
            return list(self.values)
        kind = "linear" if self.linear is not None else "log"
        return _spaced(*(getattr(self, kind)), self.num, kind)


def _spaced(a, b, num: int, kind: str) -> list:
    """Linearly/logarithmically spaced values; unit strings stay unit strings (converted later)."""
    unit = None
    if isinstance(a, str) or isinstance(b, str):
        import astropy.units as u

        try:
            qa, qb = u.Quantity(a), u.Quantity(b)
            unit = qa.unit
            a, b = float(qa.value), float(qb.to_value(unit))
        except Exception as exc:  # astropy raises several kinds
            raise ValueError(f"cannot read range [{a!r}, {b!r}] ({exc})") from None
    a, b = float(a), float(b)
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ValueError("range ends must be finite")
    if kind == "log":
        if a <= 0 or b <= 0:
            raise ValueError(f"log range needs positive ends, got [{a:g}, {b:g}]")
        vals = np.geomspace(a, b, num)
    else:
        vals = np.linspace(a, b, num)
    vals = [float(f"{v:.12g}") for v in vals]  # no 9.999999e26 from round-off
    if unit is None:
        return vals
    return [f"{v!r} {unit.to_string()}" for v in vals]


class EnsembleSpec(BaseModel):
    """``[ensemble]``: spread one SDE run's particles over the cluster instead of sweeping."""

    model_config = ConfigDict(extra="forbid")
    n_chunks: int = Field(0, ge=0, le=1_000_000, description="particle chunks (0: four per worker)")


class SweepSpec(BaseModel):
    """A sweep file: base deck, parameter axes, combination mode and summaries."""

    model_config = ConfigDict(extra="forbid")
    base: str | dict = Field(..., description="deck path (relative to the sweep file) or inline deck table")
    mode: Literal["product", "zip"] = Field("product", description="Cartesian product or zipped axes")
    axes: dict[str, list[Any] | AxisRange] = Field({}, description="deck key 'section.key' -> values")
    ensemble: EnsembleSpec | None = Field(None, description="distributed SDE ensemble (no axes)")
    summaries: list[str] | None = Field(None, description="scalar summaries per run (default: engine registry)")
    max_runs: int = Field(100_000, ge=1, description="refuse sweeps larger than this")

    @model_validator(mode="after")
    def _axes_or_ensemble(self):
        if self.ensemble is None and not self.axes:
            raise ValueError("axes: at least one axis is needed (or an [ensemble] section)")
        if self.ensemble is not None and self.axes:
            raise ValueError("give either [axes] (a sweep) or [ensemble] (one distributed SDE run), not both")
        return self

    @field_validator("axes")
    @classmethod
    def _axes_ok(cls, axes):
        for key, vals in axes.items():
            if not _KEY_RX.match(key):
                raise ValueError(f"axis {key!r} must be a deck key like 'section.key'")
            if isinstance(vals, list) and not vals:
                raise ValueError(f"axis {key!r} has no values")
        return axes


class Point(BaseModel):
    """One run of a sweep (plain data; what the workers receive)."""

    index: int
    name: str
    overrides: dict[str, Any]
    deck: dict
    fingerprint: str
    values: dict[str, Any]  # CGS value of each axis key after validation


# ----------------------------------------------------------------------------- expansion
def load_sweep(path: str | Path) -> tuple[SweepSpec, dict, str]:
    """Read a sweep file; return (spec, raw base deck dict, source name). Raises DeckError."""
    path = Path(path)
    data = read_toml(path, "sweep file")
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise DeckError(format_validation_error(exc, SweepSpec, path.name)) from None
    if isinstance(spec.base, str):
        bpath = (path.parent / spec.base)
        base = read_toml(bpath, "deck file", prefix=f"{path.name} error at 'base': ")
    else:
        base = spec.base
    return spec, base, path.name


def _set_key(d: dict, key: str, value):
    parts = key.split(".")
    node = d
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise DeckError(f"sweep axis '{key}': '{p}' is a value, not a section")
    node[parts[-1]] = value


def _get_key(d: dict, key: str):
    node = d
    for p in key.split("."):
        if not isinstance(node, dict) or p not in node:
            return None
        node = node[p]
    return node


def _fmt(v) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        s = f"{v:.4g}".replace("e+", "e")
        return re.sub(r"e(-?)0+(\d)", r"e\1\2", s)
    return str(v)


def sanitize(name: str, maxlen: int = 100) -> str:
    """A file name that cannot leave its directory: [A-Za-z0-9._=-] only, no leading dot."""
    s = re.sub(r"[^A-Za-z0-9._=-]+", "_", name).strip("._-")
    return (s or "run")[:maxlen]


def fingerprint(deck_dict: dict) -> str:
    return hashlib.sha256(json.dumps(deck_dict, sort_keys=True).encode()).hexdigest()


def expand_points(spec: SweepSpec, base: dict, source: str = "sweep") -> list[Point]:
    """All points of the sweep, each validated (DeckError names the point and the key)."""
    axes = {}
    for key, vals in spec.axes.items():
        try:
            axes[key] = vals.expand() if isinstance(vals, AxisRange) else list(vals)
        except ValueError as exc:
            raise DeckError(f"{source} error at 'axes.{key}': {exc}") from None
    keys = list(axes)
    if spec.mode == "zip":
        lens = {k: len(v) for k, v in axes.items()}
        if len(set(lens.values())) != 1:
            raise DeckError(f"{source} error at 'mode': zip needs axes of equal length, got {lens}")
        combos = list(zip(*axes.values()))
    else:
        n = math.prod(len(v) for v in axes.values())
        if n > spec.max_runs:
            raise DeckError(f"{source} error at 'max_runs': the sweep has {n} runs (> max_runs = {spec.max_runs})")
        combos = list(itertools.product(*axes.values()))
    width = max(4, len(str(len(combos) - 1)))
    points = []
    for i, combo in enumerate(combos):
        over = dict(zip(keys, combo))
        raw = json.loads(json.dumps(base, default=str))  # TOML dates become strings: the deck rejects them
        for k, v in over.items():
            _set_key(raw, k, v)
        try:
            deck = load_config(raw)
        except DeckError as exc:
            where = ", ".join(f"{k} = {v!r}" for k, v in over.items())
            raise DeckError(f"{source}: point {i} ({where}) is not a valid deck:\n{exc}") from None
        resolved = resolved_dict(deck)
        values = {k: _get_key(deck.model_dump(), k) for k in keys}
        for k in keys:
            if values[k] is None and _get_key(raw, k) is not None:
                raise DeckError(f"{source} error at 'axes.{k}': not a key of the deck")
        label = "_".join(f"{k.split('.')[-1]}={_fmt(values[k])}" for k in keys)
        points.append(Point(index=i, name=sanitize(f"{i:0{width}d}_{label}"), overrides=over, deck=resolved,
                            fingerprint=fingerprint(resolved), values=values))
    return points
