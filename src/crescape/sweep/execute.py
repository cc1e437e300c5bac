"""Running a sweep: every point on a dask worker (:func:`run_point`), finished runs skipped,
the index rebuilt as runs finish (:func:`run_sweep`, ``crescape sweep``: :func:`cli_sweep`)."""
from __future__ import annotations

import json
import math
import os
import signal
import sys
import time
import traceback
import uuid
from pathlib import Path

import numpy as np
import tomli_w
from tqdm import tqdm

from ..api import run
from ..config import load_config, resolved_dict
from ..config.estimate import check_resources
from ..errors import DeckError
from ..io import CHECKPOINT_NAME, RUN_NAME, open_run, prepare_rundir, sha256_file, write_text_atomic
from .cluster import limit_threads, make_client
from .ensemble import run_sde_distributed
from .index import SweepIndexError, read_index, try_write_index
from .spec import expand_points, fingerprint, load_sweep, sanitize
from .summaries import compute_summaries, engine_summaries, run_summary_units

STATUS_NAME = "status.json"
DONE_NAME = "DONE"


def _same_deck(run_dir: Path, deck: dict) -> bool:
    try:
        return fingerprint(resolved_dict(load_config(run_dir / "config.toml"))) == fingerprint(deck)
    except DeckError:
        return False


def run_point(point: dict, run_dir: str, summaries: list[str] | None) -> dict:
    """Run one sweep point; never raises: failures come back (and are saved) as data."""
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


def run_sweep(path: str | Path, out: str | Path | None = None, scheduler: str | None = None,
              workers: int | None = None, progress: bool = True, client=None) -> dict:
    """Run (or resume) a sweep; return counts {'done', 'failed', 'skipped', 'total'}."""
    spec, base, source = load_sweep(path)
    if spec.ensemble is not None:
        return _run_ensemble(spec, base, path, out, scheduler, workers, client)
    points = expand_points(spec, base, source)
    engine = points[0].deck["engine"]
    summaries = spec.summaries if spec.summaries is not None else list(engine_summaries(engine))
    out = Path(out) if out else Path(f"crescape-sweep-{sanitize(Path(path).stem)}")
    prepare_rundir(out, None, resume=True)  # writable, enough space — before any run starts
    runs = (out / "runs").resolve()
    runs.mkdir(exist_ok=True)
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
    try_write_index(out, points, results, engine, summaries, spec.mode)
    try:
        if todo:
            _execute(todo, results, points, out, engine, summaries, spec.mode, scheduler, workers, progress, client)
    finally:  # also on Ctrl-C: the index shows what finished
        err = try_write_index(out, points, results, engine, summaries, spec.mode)
    if err is not None:  # every finished run is on disk with its status: the sweep resumes from them
        raise SweepIndexError(f"{out}: the sweep index could not be written ({err}); every finished run is kept "
                              f"under {out}/runs — resume with `crescape sweep --resume {out}`")
    failed = [n for n, r in results.items() if r.get("status") != "done"]
    return {"total": len(points), "done": len(points) - len(failed), "failed": len(failed),
            "skipped": skipped, "failed_runs": failed, "out": str(out)}


def _run_ensemble(spec, base, path, out, scheduler, workers, client) -> dict:
    out = Path(out) if out else Path(f"crescape-ensemble-{sanitize(Path(path).stem)}")
    deck = load_config(base)
    check_resources(deck, source=Path(path).name)  # before any directory or worker is touched
    run_dir = run_sde_distributed(deck, out, client=client, n_chunks=spec.ensemble.n_chunks or None,
                                  scheduler=scheduler, workers=workers)
    return {"total": 1, "done": 1, "failed": 0, "skipped": 0, "failed_runs": [], "out": str(run_dir),
            "ensemble": True, "chunks": spec.ensemble.n_chunks or "4 per worker"}


def _axis_values(points, key):
    seen = []
    for p in points:
        if p.overrides[key] not in seen:
            seen.append(p.overrides[key])
    return seen


def _execute(todo, results, points, out, engine, summaries, mode, scheduler, workers, progress, client):
    from distributed import as_completed  # heavy: only when a sweep executes

    own = client is None
    cluster = None
    if own:
        client, cluster = make_client(scheduler, workers, len(todo))
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
                try_write_index(out, points, results, engine, summaries, mode)
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
