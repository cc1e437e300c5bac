"""Stochastic (pseudo-particle) transport and diffusive shock acceleration (seed 003).

``run(deck, out, resume, progress)`` is the engine entry point used by
``crescape run``; ``simulate_chunk`` / ``merge`` (see :mod:`.solver`) are the
building blocks for chunked or distributed ensembles.
"""
from __future__ import annotations

from pathlib import Path

from ...io import prepare_rundir
from ..driver import drive
from ..registry import Engine
from . import checks
from .deck import SDEDeck
from .solver import ChunkResult, Setup, build_flow, build_setup, check_constraints, merge, simulate_chunk  # noqa: F401
from .stepper import SDEStepper, chunk_size, sde_trackers  # noqa: F401
from .stepper3d import SDE3Stepper, run3  # noqa: F401


def simulate(deck, setup: Setup | None = None, warn: bool = True):
    """Run the whole ensemble in memory; returns (setup, ChunkResult, diagnostics)."""
    setup = setup or build_setup(deck)
    res = simulate_chunk(setup, 0, deck.injection.n_particles)
    return setup, res, check_constraints(res, setup, warn)


def run(deck, out: Path, resume: bool = False, progress: bool = True) -> Path:
    """Run an SDE deck into the run directory ``out`` through the one driver (a checkpoint after
    every particle chunk; run.h5 written from the merged sums at the end)."""
    if deck.grid.geometry == "cartesian3d":  # 3-D field-aligned transport (solver3d.py, docs/sde3d.md)
        return run3(deck, out, resume, progress)
    out = prepare_rundir(out, deck, resume)
    return drive(SDEStepper(build_setup(deck), deck), sde_trackers(progress), deck, out, resume_run=resume)


ENGINE = Engine(
    name="sde",
    description="Parker equation by pseudo-particle SDEs in time-dependent flows (diffusive shock acceleration)",
    deck=SDEDeck,
    run=run,
    figures="crescape.engines.sde.figures",
    analysis="crescape.engines.sde.analysis",
    summaries="crescape.engines.sde.summaries",
    check=checks.check,
    estimate=checks.estimate,
)
