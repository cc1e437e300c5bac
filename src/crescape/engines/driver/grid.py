"""Grid engines (crhydro, cloud) under the one driver: :class:`GridStepper` wraps a solver.

The solver (the *engine stepper*) provides

- ``t`` (float) and ``nstep`` (int): current time and step count;
- ``step(dt_max) -> float``: advance by one step of at most ``dt_max``;
- ``coords() -> {name: (dims, array, units)}``: static coordinates (r, p, …);
- ``snapshot() -> {group: {var: (dims, array, units)}}``: output at the current time
  (dims exclude ``t``; the snapshot tracker stacks records along ``t``);
- ``history() -> {var: (value, units)}``: scalars recorded every few steps;
- ``state() -> (arrays, meta)`` and ``restore(arrays, meta)`` for checkpoints
  (``meta`` must hold everything the next step depends on, so that a resumed
  run is bit-identical to an uninterrupted one);
- ``check()``: raise :class:`SimulationError` (with time, cell and values) on
  NaN/Inf or negative density/pressure;
- optionally ``run_grid() -> Grid``: the spatial grid (stored as the run file's ``grid`` group).

Steps are shortened to land exactly on the deck's output times.
"""
from __future__ import annotations

import time as _time
from pathlib import Path

from ...errors import SimulationError
from ...io.gridstore import grid_dataset
from .loop import Event, drive
from .trackers import CheckpointTracker, HistoryTracker, ProgressTracker, RunFileTracker, SignalGuard, SnapshotTracker

MYR = 3.15576e13


class GridStepper:
    """Driver stepper for a time-stepping solver: one step per ``advance``."""

    needs_run_file = True
    restart_safe = ("run.t_end",)  # may be extended on resume (crescape.io.restart)

    def __init__(self, solver, deck, extra_groups=None):
        self.s = solver
        self.t_end = deck.run.t_end
        self.max_steps = deck.run.max_steps
        self.times = deck.output.snapshot_times(0.0, self.t_end)
        self.next_snap = 0
        self.extra_groups = extra_groups
        self._grid = None
        self.t_start, self.n_start, self.wall0 = solver.t, solver.nstep, _time.monotonic()

    @property
    def t(self):
        return self.s.t

    @property
    def nstep(self):
        return self.s.nstep

    def snapshot(self):
        return self.s.snapshot()

    def history(self):
        return self.s.history()

    def done(self) -> bool:
        return self.s.t >= self.t_end * (1 - 1e-14)

    def position(self) -> str:
        return f"t = {self.s.t:.6e} s ({self.s.t / MYR:.4g} Myr), step {self.s.nstep}"

    def progress(self):
        frac = (self.s.t - self.t_start) / max(self.t_end - self.t_start, 1e-300)
        rate = (self.s.nstep - self.n_start) / max(_time.monotonic() - self.wall0, 1e-9)
        return frac, f"t={self.s.t:.4g} s ({self.s.t / MYR:.4g} Myr), step {self.s.nstep}, {rate:.0f} steps/s"

    def start_event(self):
        if self.next_snap < len(self.times) and self.times[self.next_snap] <= self.s.t * (1 + 1e-14):
            self.next_snap += 1
            return Event(snapshot=True, initial=True)
        return None

    def advance(self) -> Event:
        s = self.s
        if s.nstep >= self.max_steps:
            raise SimulationError(f"run.max_steps = {self.max_steps} reached at t = {s.t:.6e} s")
        target = self.times[self.next_snap] if self.next_snap < len(self.times) else self.t_end
        s.step(target - s.t)
        if abs(s.t - target) <= 1e-12 * max(abs(target), 1e-300):
            s.t = float(target)
        s.check()
        if self.next_snap < len(self.times) and s.t >= self.times[self.next_snap]:
            self.next_snap += 1
            return Event(snapshot=True)
        return Event()

    def state(self):
        arrays, meta = self.s.state()
        return arrays, {"solver": meta, "next_snap": self.next_snap}

    def restore(self, arrays, meta):
        self.s.restore(arrays, meta["solver"])
        self.next_snap = int(meta["next_snap"])
        self.t_start, self.n_start, self.wall0 = self.s.t, self.s.nstep, _time.monotonic()

    def groups(self):
        g = {} if self.extra_groups is None else dict(self.extra_groups(self.s))
        if hasattr(self.s, "run_grid"):
            if self._grid is None:  # static: built once
                self._grid = grid_dataset(self.s.run_grid())
            g["grid"] = self._grid
        return g


def grid_trackers(solver, deck, progress: bool, history_every: int):
    return [HistoryTracker(history_every), ProgressTracker(progress, "t"), SnapshotTracker(solver.coords()),
            RunFileTracker(), CheckpointTracker(deck.run.checkpoint_every, deck.run.checkpoint_wall), SignalGuard()]


def run_time_loop(solver, deck, out: Path, resume: bool = False, progress: bool = True,
                  history_every: int = 10, extra_groups=None) -> Path:
    """Advance ``solver`` to ``deck.run.t_end`` writing snapshots, history and checkpoints."""
    stepper = GridStepper(solver, deck, extra_groups)
    return drive(stepper, grid_trackers(solver, deck, progress, history_every), deck, out, resume_run=resume)
