"""The CR-cloud engine (seed 001 §2.2–2.4): CRs and self-generated waves in a flux tube.

``run(deck, out, resume, progress)`` builds the set-up (:mod:`.setup`), the stepper
(:mod:`.solver`) and hands them to :func:`crescape.engines.driver.run_time_loop`.
Run files: ``snapshots`` with ``P_cr`` (t, z, E), ``W`` (t, z, k), ``kappa`` (t, z, E),
``chi`` = κ/κ0, ``dPdz``; ``history`` with the CR energy per bin in the source
region / tube / escaped; ``halflife`` with t_1/2(E) (Nava et al. 2016 definition).
"""
from __future__ import annotations

from pathlib import Path

from ...errors import DeckError
from ...io import prepare_rundir
from ..driver import run_time_loop
from ..registry import Engine
from . import checks
from .deck import CloudDeck
from .problems import build
from .solver import CloudStepper


def make_stepper(deck) -> CloudStepper:
    """Set-up and stepper for a validated deck (no I/O): useful for tests and scripts.

    Set-up problems that need more than one section to detect (e.g. a background
    diffusion below the Bohm limit) raise :class:`crescape.config.DeckError`.
    """
    try:
        su = build(deck)
    except ValueError as exc:
        raise DeckError(f"cloud deck: {exc}") from None
    return CloudStepper(deck, su)


def run(deck, out: Path, resume: bool = False, progress: bool = True) -> Path:
    out = prepare_rundir(out, deck, resume=resume)
    stepper = make_stepper(deck)
    return run_time_loop(stepper, deck, out, resume=resume, progress=progress,
                         extra_groups=lambda s: s.extra_groups())


ENGINE = Engine(
    name="cloud",
    description="CRs and self-generated Alfvén waves along a flux tube (Nava et al. 2016 set-up)",
    deck=CloudDeck,
    run=run,
    figures="crescape.engines.cloud.figures",
    analysis="crescape.engines.cloud.analysis",
    summaries="crescape.engines.cloud.summaries",
    check=checks.check,
    estimate=checks.estimate,
)

__all__ = ["ENGINE", "run", "make_stepper", "CloudStepper"]
