"""Trackers: what happens around the steps (snapshots, history, run file, checkpoints,
signals, progress). The driver calls ``initialize(run)`` once, ``handle(run, event)``
after every step (or chunk) and ``finalize(run)`` at the end; ``close(run)`` always runs.

A tracker that must survive a restart returns ``(arrays, meta)`` from ``state()`` and
takes them back in ``restore``; one that contributes to ``run.h5`` returns groups from
``groups()``.
"""
from __future__ import annotations

import signal
import time as _time

import numpy as np
import xarray as xr

from ...core.progress import Progress
from ...errors import Interrupted


class Tracker:
    name = "tracker"

    def initialize(self, run):
        pass

    def handle(self, run, ev):
        pass

    def finalize(self, run):
        pass

    def close(self, run):
        pass

    def state(self):
        return None

    def restore(self, run, arrays, meta):
        pass

    def groups(self) -> dict[str, xr.Dataset]:
        return {}


class HistoryTracker(Tracker):
    """Scalars ``stepper.history()`` every ``every`` steps, at every snapshot and at the end."""
    name = "history"

    def __init__(self, every: int):
        self.every = max(int(every), 1)
        self.t: list[float] = []
        self.rows: list[dict] = []
        self.units: dict[str, str] = {}

    def add(self, stepper):
        t = stepper.t
        if self.t and t <= self.t[-1]:
            return
        row = stepper.history()
        self.t.append(t)
        self.rows.append({k: float(v[0]) for k, v in row.items()})
        self.units.update({k: v[1] for k, v in row.items()})

    def handle(self, run, ev):
        if (not ev.initial and run.stepper.nstep % self.every == 0) or ev.snapshot:
            self.add(run.stepper)

    def finalize(self, run):
        self.add(run.stepper)

    def state(self):
        keys = sorted(self.units)
        vals = np.array([[r.get(k, np.nan) for k in keys] for r in self.rows]) if self.rows \
            else np.zeros((0, len(keys)))
        return {"t": np.asarray(self.t, dtype=float), "values": vals}, \
            {"keys": keys, "units": [self.units[k] for k in keys]}

    def restore(self, run, arrays, meta):
        keys = meta["keys"]
        self.t = [float(x) for x in arrays["t"]]
        self.rows = [dict(zip(keys, row, strict=True)) for row in arrays["values"]]
        self.units = dict(zip(keys, meta["units"], strict=True))

    def groups(self):
        if not self.t:
            return {}
        hv = {k: xr.Variable(("t",), np.array([r.get(k, np.nan) for r in self.rows]), attrs={"units": u})
              for k, u in self.units.items()}
        return {"history": xr.Dataset(hv, coords={"t": xr.Variable(("t",), np.asarray(self.t), attrs={"units": "s"})})}


class SnapshotTracker(Tracker):
    """Records ``stepper.snapshot()`` at each snapshot event; refilled from run.h5 on resume."""
    name = "snapshots"

    def __init__(self, coords: dict):
        self.coords = coords
        self.recs: dict[str, list] = {}
        self.ts: dict[str, list] = {}

    def handle(self, run, ev):
        if ev.snapshot:
            for g, vars_ in run.stepper.snapshot().items():
                self.recs.setdefault(g, []).append(vars_)
                self.ts.setdefault(g, []).append(run.stepper.t)

    def restore(self, run, arrays, meta):
        t_max = run.stepper.t
        for g, ds in run.previous_groups.items():
            if g in ("history", "grid") or "t" not in ds.dims:
                continue
            for i in np.nonzero(ds["t"].values <= t_max * (1 + 1e-14))[0]:
                rec = {name: (tuple(d for d in var.dims if d != "t"), var.values[i], var.attrs.get("units", ""))
                       for name, var in ds.data_vars.items()}
                self.recs.setdefault(g, []).append(rec)
                self.ts.setdefault(g, []).append(float(ds["t"].values[i]))

    def groups(self):
        out = {}
        for g, recs in self.recs.items():
            data_vars = {name: xr.Variable(("t", *dims), np.stack([np.asarray(r[name][1]) for r in recs]),
                                           attrs={"units": units})
                         for name, (dims, _a, units) in recs[0].items()}
            used = {d for v in data_vars.values() for d in v.dims}
            coords = {"t": xr.Variable(("t",), np.asarray(self.ts[g]), attrs={"units": "s"})}
            for cname, (cdims, carr, cunits) in self.coords.items():
                if set(cdims) <= used:
                    coords[cname] = xr.Variable(cdims, np.asarray(carr), attrs={"units": cunits})
            out[g] = xr.Dataset(data_vars, coords=coords)
        return out


class RunFileTracker(Tracker):
    """Rewrites run.h5 (atomically) after each snapshot and at the end."""
    name = "runfile"

    def handle(self, run, ev):
        if ev.snapshot:
            run.write_run_file()

    def finalize(self, run):
        run.write_run_file()


class CheckpointTracker(Tracker):
    """Checkpoint after each snapshot, every ``every`` steps, every ``wall`` seconds, after every
    chunk (``always``) and at the end (marked complete)."""
    name = "checkpoint"

    def __init__(self, every: int = 0, wall: float = float("inf"), always: bool = False):
        self.every, self.wall, self.always = every, wall, always
        self.wall0 = _time.monotonic()

    def initialize(self, run):
        self.wall0 = _time.monotonic()

    def handle(self, run, ev):
        if ev.initial:
            return
        if ev.snapshot or self.always or (self.every and run.stepper.nstep % self.every == 0) \
                or _time.monotonic() - self.wall0 > self.wall:
            run.checkpoint()
            self.wall0 = _time.monotonic()

    def finalize(self, run):
        run.checkpoint(complete=True)


class SignalGuard(Tracker):
    """SIGINT/SIGTERM set a flag; after the current step: checkpoint, run file, clean stop."""
    name = "signals"

    def __init__(self):
        self.sig = None
        self.old = {}

    def initialize(self, run):
        def handler(signum, _frame):
            self.sig = signum

        for s in (signal.SIGINT, signal.SIGTERM):
            try:
                self.old[s] = signal.signal(s, handler)
            except ValueError:  # not the main thread (e.g. a dask worker): no signal handling
                pass

    def handle(self, run, ev):
        if self.sig is None:
            return
        run.checkpoint()
        run.write_run_file()
        raise Interrupted(f"stopped by signal {self.sig} at {run.stepper.position()}; "
                          f"checkpoint written, continue with: crescape run --resume {run.out}")

    def close(self, run):
        for s, h in self.old.items():
            signal.signal(s, h)
        self.old = {}


class ProgressTracker(Tracker):
    """A progress bar from ``stepper.progress() -> (fraction done, postfix text)``."""
    name = "progress"

    def __init__(self, enabled: bool, desc: str, every_event: bool = False):
        self.enabled, self.desc, self.every_event = enabled, desc, every_event
        self.bar = None

    def initialize(self, run):
        if self.enabled:
            self.bar = Progress(self.desc, run.stepper.progress()[0], enabled=True)
        self._last = 0.0

    def handle(self, run, ev):
        if self.bar is None or ev.initial:
            return
        now = _time.monotonic()
        if self.every_event or now - self._last >= 0.2:  # the text is built only when shown
            self._last = now
            self.bar.update(*run.stepper.progress(), force=True)

    def close(self, run):
        if self.bar is not None:
            self.bar.close()
