"""The one driver: a stepper advances, trackers do everything else; one resume path.

A *driver stepper* (grid engines: :class:`~.grid.GridStepper`; SDE: the particle-chunk
stepper in ``engines/sde/stepper.py``) provides

- ``t``, ``nstep``; ``done() -> bool``; ``start_event() -> Event | None`` (initial output);
- ``advance() -> Event``: one step (grid engines) or one particle chunk (SDE);
- ``position() -> str`` ("t = … s (step …)"), ``progress() -> (fraction, text)``;
- ``state() -> (arrays, meta)`` / ``restore(arrays, meta)`` (bit-identical restart);
- ``groups() -> {name: Dataset}`` (its own run.h5 groups, e.g. the SDE spectra, the
  ``grid`` group); ``needs_run_file``: whether a resume needs the earlier run.h5
  (grid engines keep earlier snapshots only there; the SDE engine rebuilds it).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ...errors import RunFileError, SimulationError
from ...io import CHECKPOINT_NAME, RUN_NAME, file_attrs, load_checkpoint, read_run_file, save_checkpoint, write_run_file
from ...io.checkpoint import deck_hash
from ...io.hdf5 import verify_run_file


@dataclass(frozen=True)
class Event:
    """What a step did: landed on a snapshot time; is the initial (t = t0) output."""
    snapshot: bool = False
    initial: bool = False


def say(msg: str):
    """One-line notices of the driver (resume, completion, warnings) on stderr."""
    print(f"crescape: {msg}", file=sys.stderr, flush=True)


class RunContext:
    """The state shared by the driver and its trackers."""

    def __init__(self, stepper, trackers, deck, out: Path):
        self.stepper, self.trackers, self.deck, self.out = stepper, trackers, deck, Path(out)
        self.attrs = file_attrs(deck, out)
        self.deck_sha256 = deck_hash(deck, getattr(stepper, "restart_safe", ()))
        self.previous_groups: dict = {}

    def groups(self) -> dict:
        g = {}
        for tr in self.trackers:
            g.update(tr.groups())
        g.update(self.stepper.groups())
        return g

    def write_run_file(self):
        groups = self.groups()
        if any(k != "grid" for k in groups):
            write_run_file(self.out / RUN_NAME, groups, self.attrs)

    def checkpoint(self, complete: bool = False):
        arrays, smeta = self.stepper.state()
        payload = {f"stepper/{k}": v for k, v in arrays.items()}
        tmeta = {}
        for tr in self.trackers:
            st = tr.state()
            if st is not None:
                payload.update({f"{tr.name}/{k}": v for k, v in st[0].items()})
                tmeta[tr.name] = st[1]
        meta = {"stepper": smeta, "trackers": tmeta, "complete": complete, "position": self.stepper.position()}
        save_checkpoint(self.out / CHECKPOINT_NAME, payload, meta, engine=self.deck.engine,
                        deck_sha256=self.deck_sha256)

    def restore(self, arrays, meta):
        def part(prefix):
            n = len(prefix) + 1
            return {k[n:]: v for k, v in arrays.items() if k.startswith(prefix + "/")}

        self.stepper.restore(part("stepper"), meta["stepper"])
        for tr in self.trackers:
            if tr.name in meta["trackers"] or tr.state() is None:
                tr.restore(self, part(tr.name), meta["trackers"].get(tr.name, {}))


def _check_run_file(run: RunContext) -> bool:
    """Validate run.h5 for a resume; returns whether it can be used (False: SDE rebuilds it)."""
    h5 = run.out / RUN_NAME
    try:
        if not h5.exists():
            raise RunFileError(f"{h5} is missing: the snapshots written before the checkpoint are lost")
        if not verify_run_file(h5):
            say(f"warning: {h5.name}.sha256 is missing, so {h5.name} cannot be checked; resuming on trust")
        run.previous_groups, _ = read_run_file(h5, verify=False)
        return True
    except RunFileError as exc:
        if run.stepper.needs_run_file:
            raise RunFileError(f"cannot resume: {exc}; re-run without --resume") from None
        say(f"{exc}; {h5.name} is rebuilt from the checkpoint")
        return False


def resume(run: RunContext) -> bool:
    """Restore the run from its checkpoint. Returns True if there is nothing left to do."""
    ckpt = run.out / CHECKPOINT_NAME
    if not ckpt.exists():
        say(f"no checkpoint in {run.out}: starting from the beginning")
        return False
    arrays, meta = load_checkpoint(ckpt, engine=run.deck.engine, deck_sha256=run.deck_sha256)
    ok = _check_run_file(run)
    run.restore(arrays, meta)
    if meta.get("complete") and not run.stepper.done():  # run.t_end extended on restart
        say(f"resuming from {run.stepper.position()} to the extended run.t_end")
        return False
    if meta.get("complete"):
        if not ok:
            run.write_run_file()
            say(f"run already complete ({run.stepper.position()}); {RUN_NAME} rebuilt")
        else:
            say(f"run already complete ({run.stepper.position()}); nothing to do")
        return True
    say(f"resuming from {run.stepper.position()}")
    return False


def drive(stepper, trackers, deck, out: Path, resume_run: bool = False) -> Path:
    """Advance ``stepper`` to its end, calling the trackers around every step."""
    run = RunContext(stepper, trackers, deck, out)
    if resume_run and resume(run):
        return run.out
    try:
        for tr in trackers:
            tr.initialize(run)
        ev = stepper.start_event()
        if ev is not None:
            for tr in trackers:
                tr.handle(run, ev)
        handlers = [tr.handle for tr in trackers]  # bound once: the loop runs per step
        done, advance = stepper.done, stepper.advance
        while not done():
            ev = advance()
            for handle in handlers:
                handle(run, ev)
        for tr in trackers:
            tr.finalize(run)
    except SimulationError:
        run.write_run_file()  # keep the last good checkpoint; save what was recorded for diagnosis
        raise
    finally:
        for tr in trackers:
            tr.close(run)
    return run.out


__all__ = ["Event", "RunContext", "drive", "resume", "say"]
