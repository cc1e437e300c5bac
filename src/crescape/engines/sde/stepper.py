"""The SDE engine under the one driver: the particle-chunk loop as a driver stepper.

One ``advance`` simulates the next chunk of particles (whole statistics blocks) and adds its
sums to the result (:func:`.solver.merge`); the driver checkpoints after every chunk. The
run file is written once, from the merged sums, when all particles are done — so a resume
never needs the earlier ``run.h5``: it is rebuilt from the checkpoint.
"""
from __future__ import annotations

import time as _time

import numpy as np

from ...core.grid import Grid
from ...io.gridstore import grid_dataset
from ..driver import CheckpointTracker, Event, ProgressTracker, RunFileTracker, SignalGuard
from .output import to_groups
from .solver import ChunkResult, check_constraints, merge, simulate_chunk

FIELDS = ("S1", "Sb2", "W2", "I1", "Ib2", "XP", "ESC", "counters", "SB", "IB", "NB")
AUTO_CHUNKS = 16  # chunk_particles = 0: about this many chunks (progress, checkpoints)


def chunk_size(deck) -> int:
    """Particles per chunk: ``run.chunk_particles`` (0: about 1/16 of the ensemble, at least
    one block per lane), rounded up to whole statistics blocks."""
    n, bs = deck.injection.n_particles, deck.run.block_size
    chunk = deck.run.chunk_particles or max(-(-n // AUTO_CHUNKS), bs * deck.run.n_lanes)
    return min(max(bs, -(-chunk // bs) * bs), max(bs, -(-n // bs) * bs))


class SDEStepper:
    needs_run_file = False

    def __init__(self, setup, deck):
        self.setup = setup
        self.n = deck.injection.n_particles
        self.chunk = chunk_size(deck)
        self.n_chunks = -(-self.n // self.chunk)
        self.res: ChunkResult | None = None
        self.pid = 0
        self.pid0, self.wall0 = 0, _time.monotonic()
        self.t = deck.run.t_end
        self.diag = None

    @property
    def nstep(self) -> int:  # chunks done
        return -(-self.pid // self.chunk)

    def done(self) -> bool:
        return self.pid >= self.n

    def position(self) -> str:
        return f"particle {self.pid} of {self.n} (chunk {self.nstep} of {self.n_chunks})"

    def progress(self):
        rate = (self.pid - self.pid0) / max(_time.monotonic() - self.wall0, 1e-9)
        return self.pid / self.n, f"{self.pid}/{self.n} particles, chunk {self.nstep}/{self.n_chunks}, " \
                                  f"{rate:.3g} particles/s"

    def start_event(self):
        return None

    def advance(self) -> Event:
        m = min(self.chunk, self.n - self.pid)
        self.res = merge(self.res, simulate_chunk(self.setup, self.pid, m))
        self.pid += m
        return Event()

    def state(self):
        res = self.res
        arrays = {k: getattr(res, k) for k in FIELDS if getattr(res, k) is not None}
        arrays.update({f"particles/{k}": v for k, v in res.particles.items()})
        return arrays, {"next_pid": self.pid, "n_blocks": res.n_blocks, "n_particles": res.n_particles}

    def restore(self, arrays, meta):
        parts = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith("particles/")}
        self.res = ChunkResult(**{k: arrays.get(k) for k in FIELDS}, n_blocks=meta["n_blocks"],
                               n_particles=meta["n_particles"], particles=parts)
        self.pid = self.pid0 = int(meta["next_pid"])
        self.wall0 = _time.monotonic()

    def groups(self):
        if not self.done():
            return {}
        if self.diag is None:
            self.diag = check_constraints(self.res, self.setup)
        return run_groups(self.setup, self.res, self.diag)


def run_grid(setup) -> Grid:
    """The x histogram cells (deck geometry) with the momentum bin edges: the ``grid`` group."""
    return Grid.from_faces(np.asarray(setup.x_edges, float), setup.deck.grid.geometry, coord="x",
                           axes={"p_edge": (setup.p_edges, "")})


def run_groups(setup, res: ChunkResult, diag: dict) -> dict:
    """Every run.h5 group of a finished ensemble (spectra, histograms, particles, grid)."""
    g = to_groups(setup, res, diag)
    g["grid"] = grid_dataset(run_grid(setup))
    return g


def sde_trackers(progress: bool):
    return [ProgressTracker(progress, "sde", every_event=True), RunFileTracker(),
            CheckpointTracker(always=True), SignalGuard()]
