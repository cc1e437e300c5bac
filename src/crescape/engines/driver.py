"""Generic time loop shared by the grid engines (crhydro, cloud).

An engine supplies a *stepper* object with

- ``t`` (float) and ``nstep`` (int): current time and step count;
- ``step(dt_max) -> float``: advance by one step of at most ``dt_max``;
- ``coords() -> {name: (dims, array, units)}``: static coordinates (r, p, …);
- ``snapshot() -> {group: {var: (dims, array, units)}}``: output at the current time
  (dims exclude ``t``; the driver stacks records along ``t``);
- ``history() -> {var: (value, units)}``: scalars recorded every few steps;
- ``state() -> (arrays, meta)`` and ``restore(arrays, meta)`` for checkpoints
  (``meta`` must hold everything the next step depends on, so that a resumed
  run is bit-identical to an uninterrupted one);
- ``check()``: raise :class:`SimulationError` (with time, cell and values) on
  NaN/Inf or negative density/pressure.

The driver writes snapshots at the deck's output times (steps are shortened
to land on them exactly), rewrites ``run.h5`` atomically after each snapshot,
checkpoints atomically, handles SIGINT/SIGTERM by checkpointing and stopping
cleanly, and on an error keeps the last good checkpoint.
"""
from __future__ import annotations

import signal
import time as _time
from pathlib import Path

import numpy as np
import xarray as xr

from ..core.progress import SimProgress
from ..errors import Interrupted, SimulationError
from ..io import CHECKPOINT_NAME, RUN_NAME, file_attrs, load_checkpoint, read_run_file, save_checkpoint, write_run_file


class _Recorder:
    """Accumulates snapshot records and history rows; turns them into Datasets."""

    def __init__(self, coords):
        self.coords = coords
        self.snaps: dict[str, list] = {}
        self.snap_t: dict[str, list] = {}
        self.hist_rows: list[dict] = []
        self.hist_t: list[float] = []
        self.hist_units: dict[str, str] = {}

    def add_snapshot(self, t, record):
        for g, vars_ in record.items():
            self.snaps.setdefault(g, []).append(vars_)
            self.snap_t.setdefault(g, []).append(t)

    def add_history(self, t, row):
        if self.hist_t and t <= self.hist_t[-1]:
            return
        self.hist_t.append(t)
        self.hist_rows.append({k: float(v[0]) for k, v in row.items()})
        self.hist_units.update({k: v[1] for k, v in row.items()})

    def datasets(self) -> dict[str, xr.Dataset]:
        out = {}
        for g, recs in self.snaps.items():
            t = np.asarray(self.snap_t[g])
            data_vars = {}
            for name, (dims, _arr, units) in recs[0].items():
                stack = np.stack([np.asarray(r[name][1]) for r in recs])
                data_vars[name] = xr.Variable(("t", *dims), stack, attrs={"units": units})
            used = {d for v in data_vars.values() for d in v.dims}
            coords = {"t": xr.Variable(("t",), t, attrs={"units": "s"})}
            for cname, (cdims, carr, cunits) in self.coords.items():
                if set(cdims) <= used:
                    coords[cname] = xr.Variable(cdims, np.asarray(carr), attrs={"units": cunits})
            out[g] = xr.Dataset(data_vars, coords=coords)
        if self.hist_t:
            t = np.asarray(self.hist_t)
            hv = {
                k: xr.Variable(("t",), np.array([r.get(k, np.nan) for r in self.hist_rows]), attrs={"units": u})
                for k, u in self.hist_units.items()
            }
            out["history"] = xr.Dataset(hv, coords={"t": xr.Variable(("t",), t, attrs={"units": "s"})})
        return out

    def load(self, groups: dict[str, xr.Dataset], t_max: float):
        """Re-fill from a run file, keeping records with t <= t_max (used on resume)."""
        for g, ds in groups.items():
            if g == "history" or "t" not in ds.dims:
                continue
            keep = np.nonzero(ds["t"].values <= t_max * (1 + 1e-14))[0]
            for i in keep:
                rec = {}
                for name, var in ds.data_vars.items():
                    rec[name] = (tuple(d for d in var.dims if d != "t"), var.values[i], var.attrs.get("units", ""))
                self.snaps.setdefault(g, []).append(rec)
                self.snap_t.setdefault(g, []).append(float(ds["t"].values[i]))

    def history_arrays(self):
        keys = sorted(self.hist_units)
        arr = np.array([[r.get(k, np.nan) for k in keys] for r in self.hist_rows]) if self.hist_rows else np.zeros((0, len(keys)))
        return keys, np.asarray(self.hist_t), arr


def run_time_loop(stepper, deck, out: Path, resume: bool = False, progress: bool = True,
                  history_every: int = 10, extra_groups=None) -> Path:
    """Advance ``stepper`` to ``deck.run.t_end`` writing snapshots, history and checkpoints."""
    out = Path(out)
    t_end = deck.run.t_end
    attrs = file_attrs(deck, out)
    rec = _Recorder(stepper.coords())
    ckpt = out / CHECKPOINT_NAME
    if resume and ckpt.exists():
        arrays, meta = load_checkpoint(ckpt)
        stepper.restore({k[len("state/"):]: v for k, v in arrays.items() if k.startswith("state/")}, meta["stepper"])
        keys = meta["history_keys"]
        units = meta["history_units"]
        rec.hist_t = list(arrays["history/t"])
        rec.hist_rows = [dict(zip(keys, row)) for row in arrays["history/values"]]
        rec.hist_units = dict(zip(keys, units))
        if (out / RUN_NAME).exists():
            groups, _ = read_run_file(out / RUN_NAME)
            rec.load(groups, stepper.t)
        next_snap = meta["next_snap"]
    else:
        next_snap = 0
    times = deck.output.snapshot_times(0.0, t_end)

    def write_outputs():
        groups = rec.datasets()
        if extra_groups is not None:
            groups.update(extra_groups(stepper))
        write_run_file(out / RUN_NAME, groups, attrs)

    def checkpoint():
        arrays, meta = stepper.state()
        keys, ht, hv = rec.history_arrays()
        payload = {f"state/{k}": v for k, v in arrays.items()}
        payload["history/t"] = ht
        payload["history/values"] = hv
        save_checkpoint(ckpt, payload, {
            "stepper": meta, "next_snap": next_snap, "history_keys": keys,
            "history_units": [rec.hist_units[k] for k in keys],
        })

    stop = {"sig": None}

    def handler(signum, _frame):
        stop["sig"] = signum

    old = {}
    for s in (signal.SIGINT, signal.SIGTERM):
        try:
            old[s] = signal.signal(s, handler)
        except ValueError:  # not the main thread (e.g. a dask worker): no signal handling
            pass
    bar = SimProgress(t_end, stepper.t, enabled=progress)
    wall0 = _time.monotonic()
    try:
        if next_snap < len(times) and times[next_snap] <= stepper.t * (1 + 1e-14):
            rec.add_snapshot(stepper.t, stepper.snapshot())
            rec.add_history(stepper.t, stepper.history())
            next_snap += 1
            write_outputs()
        while stepper.t < t_end * (1 - 1e-14):
            if stepper.nstep >= deck.run.max_steps:
                raise SimulationError(f"run.max_steps = {deck.run.max_steps} reached at t = {stepper.t:.6e} s")
            target = times[next_snap] if next_snap < len(times) else t_end
            stepper.step(target - stepper.t)
            if abs(stepper.t - target) <= 1e-12 * max(abs(target), 1e-300):
                stepper.t = float(target)
            stepper.check()
            if stepper.nstep % history_every == 0:
                rec.add_history(stepper.t, stepper.history())
            bar.update(stepper.t, stepper.nstep)
            if next_snap < len(times) and stepper.t >= times[next_snap]:
                rec.add_snapshot(stepper.t, stepper.snapshot())
                rec.add_history(stepper.t, stepper.history())
                next_snap += 1
                write_outputs()
                checkpoint()
                wall0 = _time.monotonic()
            elif (deck.run.checkpoint_every and stepper.nstep % deck.run.checkpoint_every == 0) or (
                _time.monotonic() - wall0 > deck.run.checkpoint_wall
            ):
                checkpoint()
                wall0 = _time.monotonic()
            if stop["sig"] is not None:
                checkpoint()
                write_outputs()
                raise Interrupted(
                    f"stopped by signal {stop['sig']} at t = {stepper.t:.6e} s (step {stepper.nstep}); "
                    f"checkpoint written, continue with: crescape run --resume {out}"
                )
        rec.add_history(stepper.t, stepper.history())
        write_outputs()
        checkpoint()
    except SimulationError:
        # keep the last good checkpoint; save what was recorded so far for diagnosis
        write_outputs()
        raise
    finally:
        bar.close()
        for s, h in old.items():
            signal.signal(s, h)
    return out
