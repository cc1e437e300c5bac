"""CR-hydrodynamics engine (seed 000): 1D radiative hydrodynamics (+ CR source modules).

``run(deck, out, resume, progress)`` builds a :class:`~.solver.CRHydroSolver` and drives it
with :func:`crescape.engines.driver.run_time_loop`.
"""
from __future__ import annotations

from pathlib import Path

from ...io import prepare_rundir
from ..driver import run_time_loop
from ..registry import Engine
from . import checks
from .deck import CRHydroDeck
from .solver import CRHydroSolver


def run(deck, out: Path, resume: bool = False, progress: bool = True) -> Path:
    out = prepare_rundir(out, deck, resume=resume)
    solver = CRHydroSolver(deck)
    return run_time_loop(solver, deck, out, resume=resume, progress=progress,
                         history_every=deck.hydro.history_every)


ENGINE = Engine(
    name="crhydro",
    description="1D spherical radiative hydrodynamics + momentum-resolved CRs (Shimoda, Asano & Inutsuka 2025)",
    deck=CRHydroDeck,
    run=run,
    figures="crescape.engines.crhydro.figures",
    analysis="crescape.engines.crhydro.analysis",
    summaries="crescape.engines.crhydro.summaries",
    check=checks.check,
    estimate=checks.estimate,
)

__all__ = ["ENGINE", "run"]
