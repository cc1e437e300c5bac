"""One driver for every engine (:func:`drive`), with trackers for snapshots, history, the run
file, checkpoints, signals and progress, and one resume path (:func:`resume`).

Grid engines hand their solver to :func:`run_time_loop` (a :class:`GridStepper`); the SDE
engine hands its particle-chunk stepper to :func:`drive`. See ``docs/architecture.md``.
"""
from ...errors import Interrupted, SimulationError
from .grid import GridStepper, grid_trackers, run_time_loop
from .loop import Event, RunContext, drive, resume, say
from .trackers import (
    CheckpointTracker,
    HistoryTracker,
    ProgressTracker,
    RunFileTracker,
    SignalGuard,
    SnapshotTracker,
    Tracker,
)

__all__ = [
    "Interrupted", "SimulationError", "GridStepper", "grid_trackers", "run_time_loop", "Event", "RunContext",
    "drive", "resume", "say", "CheckpointTracker", "HistoryTracker", "ProgressTracker", "RunFileTracker",
    "SignalGuard", "SnapshotTracker", "Tracker",
]
