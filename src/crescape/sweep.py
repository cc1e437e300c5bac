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
import os
import re
import signal
import sys
import time
import traceback
import uuid
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .config import DeckError, format_validation_error, load_config, read_toml, resolved_dict
from .io import RUN_NAME, RunFileError, prepare_rundir, sha256_file, write_text_atomic
from .sweep_index import build_index, read_index, write_index  # noqa: F401  (public API)
from .sweep_summaries import SUMMARIES, compute_summaries, run_summary_units

THREAD_ENV = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1"}
STATUS_NAME = "status.json"
DONE_NAME = "DONE"
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


# ----------------------------------------------------------------------------- one run (on a worker)
def limit_threads():
    """One numba/BLAS thread per worker process (workers must not oversubscribe cores)."""
    for k, v in THREAD_ENV.items():
        os.environ[k] = v
    try:
        import numba

        numba.set_num_threads(1)
    except Exception:  # numba missing or threading layer not started: env vars suffice
        pass
    return os.getpid()


def _same_deck(run_dir: Path, deck: dict) -> bool:
    try:
        return fingerprint(resolved_dict(load_config(run_dir / "config.toml"))) == fingerprint(deck)
    except DeckError:
        return False


def run_point(point: dict, run_dir: str, summaries: list[str] | None) -> dict:
    """Run one sweep point; never raises: failures come back (and are saved) as data."""
    from .io import CHECKPOINT_NAME, open_run
    from .runner import run

    limit_threads()
    rd = Path(run_dir)
    status = {"name": point["name"], "index": point["index"], "overrides": point["overrides"],
              "fingerprint": point["fingerprint"], "host": os.uname().nodename, "pid": os.getpid()}
    t0 = time.perf_counter()
    try:
        for f in (DONE_NAME, STATUS_NAME):
            (rd / f).unlink(missing_ok=True)
        resume = (rd / CHECKPOINT_NAME).exists() and _same_deck(rd, point["deck"]) and _intact(rd)
        out = run(point["deck"], rd, resume=resume, progress=False)
        status["resumed"] = bool(resume)
        r = open_run(out)
        status["summaries"] = {k: (v if math.isfinite(v) else None)
                               for k, v in compute_summaries(r, summaries).items()}
        status["summary_units"] = run_summary_units(r, list(status["summaries"]))
        status["sha256"] = sha256_file(Path(out) / RUN_NAME)
        status["status"] = "done"
    except Exception as exc:  # recorded, never propagated: one bad run must not stop the sweep
        status["status"] = "failed"
        status["error"] = f"{type(exc).__name__}: {exc}"
        status["traceback"] = "".join(traceback.format_exception(exc)[-3:])[-2000:]
    status["wall_s"] = time.perf_counter() - t0
    if rd.is_dir():
        write_text_atomic(rd / STATUS_NAME, json.dumps(status, indent=1, default=_json_default))
        if status["status"] == "done":
            write_text_atomic(rd / DONE_NAME, status["sha256"] + "\n")
    return json.loads(json.dumps(status, default=_json_default))


def _intact(rd: Path) -> bool:
    """run.h5 absent or matching its checksum (a damaged one means: start the run afresh)."""
    h5, side = rd / RUN_NAME, rd / (RUN_NAME + ".sha256")
    if not h5.exists():
        return True
    try:
        return sha256_file(h5) == side.read_text().strip()
    except OSError:
        return False


def _json_default(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    return str(o)


def finished_status(run_dir: Path, fp: str) -> dict | None:
    """The saved status of a finished run with this deck fingerprint, else None."""
    try:
        st = json.loads((run_dir / STATUS_NAME).read_text())
        done = (run_dir / DONE_NAME).read_text().strip()
        side = (run_dir / (RUN_NAME + ".sha256")).read_text().strip()
    except (OSError, ValueError):
        return None
    if st.get("status") != "done" or st.get("fingerprint") != fp or not (done == side == st.get("sha256")):
        return None
    try:
        if sha256_file(run_dir / RUN_NAME) != side:
            return None
    except OSError:
        return None
    return st


# ----------------------------------------------------------------------------- the sweep
def _client(scheduler: str | None, workers: int | None, n_runs: int):
    """(client, cluster) — a loopback LocalCluster unless a scheduler address is given."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise DeckError(f"--scheduler {scheduler}: cannot connect to a dask scheduler ({exc})") from None
        client.run(limit_threads)
        return client, None
    n = workers or max(1, min(os.cpu_count() or 1, n_runs))
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, env=dict(THREAD_ENV), silence_logs=40)
    return Client(cluster), cluster


def run_sweep(path: str | Path, out: str | Path | None = None, scheduler: str | None = None,
              workers: int | None = None, progress: bool = True, client=None) -> dict:
    """Run (or resume) a sweep; return counts {'done', 'failed', 'skipped', 'total'}."""
    spec, base, source = load_sweep(path)
    if spec.ensemble is not None:
        return _run_ensemble(spec, base, path, out, scheduler, workers, client)
    points = expand_points(spec, base, source)
    engine = points[0].deck["engine"]
    summaries = spec.summaries if spec.summaries is not None else list(SUMMARIES.get(engine, {}))
    out = Path(out) if out else Path(f"crescape-sweep-{sanitize(Path(path).stem)}")
    prepare_rundir(out, None, resume=True)  # writable, enough space — before any run starts
    runs = (out / "runs").resolve()
    runs.mkdir(exist_ok=True)
    import tomli_w

    write_text_atomic(out / "sweep.toml", tomli_w.dumps({
        "base": json.loads(json.dumps(base, default=str)), "mode": spec.mode,
        "axes": {k: [p.overrides[k] for p in points] if spec.mode == "zip" else _axis_values(points, k)
                 for k in points[0].overrides},
        "summaries": summaries}))
    results, todo = {}, []
    for p in points:
        rd = (runs / p.name).resolve()
        if not rd.is_relative_to(runs):  # sanitize() makes this impossible; belt and braces
            raise DeckError(f"run name {p.name!r} would leave the sweep directory")
        st = finished_status(rd, p.fingerprint)
        if st is not None:
            results[p.name] = st
        else:
            todo.append((p, rd))
    skipped = len(results)
    _try_write_index(out, points, results, engine, summaries, spec.mode)
    try:
        if todo:
            _execute(todo, results, points, out, engine, summaries, spec.mode, scheduler, workers, progress, client)
    finally:  # also on Ctrl-C: the index shows what finished
        err = _try_write_index(out, points, results, engine, summaries, spec.mode)
    if err is not None:  # every finished run is on disk with its status: the sweep resumes from them
        raise SweepIndexError(f"{out}: the sweep index could not be written ({err}); every finished run is kept "
                              f"under {out}/runs — resume with `crescape sweep --resume {out}`")
    failed = [n for n, r in results.items() if r.get("status") != "done"]
    return {"total": len(points), "done": len(points) - len(failed), "failed": len(failed),
            "skipped": skipped, "failed_runs": failed, "out": str(out)}


def _run_ensemble(spec, base, path, out, scheduler, workers, client) -> dict:
    from .sweep_ensemble import run_sde_distributed

    from .config.estimate import check_resources

    out = Path(out) if out else Path(f"crescape-ensemble-{sanitize(Path(path).stem)}")
    deck = load_config(base)
    check_resources(deck, source=Path(path).name)  # before any directory or worker is touched
    run_dir = run_sde_distributed(deck, out, client=client, n_chunks=spec.ensemble.n_chunks or None,
                                  scheduler=scheduler, workers=workers)
    return {"total": 1, "done": 1, "failed": 0, "skipped": 0, "failed_runs": [], "out": str(run_dir),
            "ensemble": True, "chunks": spec.ensemble.n_chunks or "4 per worker"}


class SweepIndexError(RunFileError):
    """The index of a sweep could not be written (the runs themselves are kept)."""


def _try_write_index(out, points, results, engine, summaries, mode) -> str | None:
    """Write index.h5/index.csv; a failure is returned as text, never raised (runs must go on)."""
    try:
        write_index(out, build_index(points, results, engine, summaries, mode))
    except Exception as exc:  # disk full, encoding, a damaged value: the sweep itself must survive
        msg = f"{type(exc).__name__}: {exc}"
        print(f"crescape: warning: sweep index not written: {msg[:300]}", file=sys.stderr)
        return msg[:300]
    return None


def _axis_values(points, key):
    seen = []
    for p in points:
        if p.overrides[key] not in seen:
            seen.append(p.overrides[key])
    return seen


def _execute(todo, results, points, out, engine, summaries, mode, scheduler, workers, progress, client):
    from distributed import as_completed
    from tqdm import tqdm

    own = client is None
    cluster = None
    if own:
        client, cluster = _client(scheduler, workers, len(todo))
    else:
        client.run(limit_threads)
    futures = {}
    bar = tqdm(total=len(points), initial=len(points) - len(todo), desc="runs", unit="run",
               disable=not progress, leave=True, file=sys.stderr)
    last = time.monotonic()
    try:
        for p, rd in todo:
            rd.mkdir(parents=True, exist_ok=True)
            fut = client.submit(run_point, p.model_dump(mode="json"), str(rd), summaries,
                                key=f"crescape-{p.name}-{uuid.uuid4().hex[:8]}", pure=False)
            futures[fut] = p
        for fut in as_completed(futures):
            p = futures[fut]
            try:
                results[p.name] = fut.result()
            except Exception as exc:  # the worker itself died (killed, out of memory, …)
                results[p.name] = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
            bar.update(1)
            bar.set_postfix_str(f"failed {sum(r.get('status') != 'done' for r in results.values())}")
            if time.monotonic() - last > 2.0:
                _try_write_index(out, points, results, engine, summaries, mode)
                last = time.monotonic()
    finally:
        bar.close()
        for fut in futures:
            if not fut.done():
                fut.cancel()
        if own:
            client.close()
            if cluster is not None:
                cluster.close()


def cli_sweep(path, out=None, scheduler=None, workers=None) -> int:
    """``crescape sweep``: 0 when every run finished, 1 when some failed, 130 when interrupted."""
    def _term(signum, _frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, _term)
    try:
        res = run_sweep(path, out=out, scheduler=scheduler, workers=workers, progress=True)
    except KeyboardInterrupt:
        print("crescape: sweep interrupted; run the same command again to resume "
              "(finished runs are skipped)", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, old)
    if res.get("ensemble"):
        print(f"run written to {res['out']} (SDE ensemble in {res['chunks']} chunks)")
        return 0
    print(f"sweep {res['out']}: {res['done']}/{res['total']} runs done "
          f"({res['skipped']} already finished, {res['failed']} failed); index: {res['out']}/index.csv")
    if res["failed"]:
        idx = read_index(res["out"])
        for name in res["failed_runs"]:
            err = str(idx["error"].sel(run=name).values) if name in idx["run"].values else ""
            print(f"  failed: {name}: {err.splitlines()[0] if err else ''}", file=sys.stderr)
        return 1
    return 0
