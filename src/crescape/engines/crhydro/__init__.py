"""CR-hydrodynamics engine (seed 000): 1D radiative hydrodynamics (+ CR source modules).

``run(deck, out, resume, progress)`` builds a :class:`~.solver.CRHydroSolver` and drives it
with :func:`crescape.engines.driver.run_time_loop`.
"""
from __future__ import annotations

from pathlib import Path

from ...io import prepare_rundir
from ..driver import run_time_loop


def run(deck, out: Path, resume: bool = False, progress: bool = True) -> Path:
    from .solver import CRHydroSolver

    out = prepare_rundir(out, deck, resume=resume)
    solver = CRHydroSolver(deck)
    return run_time_loop(solver, deck, out, resume=resume, progress=progress,
                         history_every=deck.hydro.history_every)


__all__ = ["run"]
