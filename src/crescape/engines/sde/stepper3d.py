"""The 3-D SDE transport (``grid.geometry = "cartesian3d"``) under the one driver.

Same chunk stepper as the 1-D engine (:class:`.stepper.SDEStepper`: progress, position,
checkpoint after every chunk, run.h5 rebuilt from the merged sums), with the 3-D chunk
simulation (:func:`.solver3d.simulate_chunk3`) and run-file groups (:func:`.observers3d.to_groups3`).
"""
from __future__ import annotations

from pathlib import Path

from ...io import prepare_rundir
from ..driver import Event, drive
from .observers3d import to_groups3
from .solver3d import ChunkResult3, build_setup3, diagnostics3, merge3, simulate_chunk3
from .stepper import SDEStepper, sde_trackers

PER_PARTICLE = ("DX", "PX", "p0")


class SDE3Stepper(SDEStepper):
    def advance(self) -> Event:
        m = min(self.chunk, self.n - self.pid)
        self.res = merge3(self.res, simulate_chunk3(self.setup, self.pid, m))
        self.pid += m
        return Event()

    def state(self):
        res = self.res
        return dict(res.arrays), {"next_pid": self.pid, "n_blocks": res.n_blocks, "n_particles": res.n_particles}

    def restore(self, arrays, meta):
        self.res = ChunkResult3(dict(arrays), meta["n_blocks"], meta["n_particles"], PER_PARTICLE)
        self.pid = self.pid0 = int(meta["next_pid"])

    def groups(self):
        if not self.done():
            return {}
        if self.diag is None:
            self.diag = diagnostics3(self.res)
        return to_groups3(self.setup, self.res, self.diag)


def run3(deck, out, resume: bool = False, progress: bool = True) -> Path:
    """Run a cartesian3d deck into ``out`` through the one driver (a checkpoint after each chunk)."""
    out = prepare_rundir(out, deck, resume)
    return drive(SDE3Stepper(build_setup3(deck), deck), sde_trackers(progress), deck, out, resume_run=resume)
