"""Dispatch a validated deck to its engine: ``crescape.run(deck, out)``."""
from __future__ import annotations

from pathlib import Path

from .config import load_config
from .config.estimate import check_resources
from .engines.registry import get_engine
from .errors import DeckError
from .io.restart import record_restart, resume_deck
from .io.rundir import CONFIG_NAME, claim_rundir


def run(deck, out: str | Path | None = None, *, resume: bool = False, overrides=None, progress: bool | None = None,
        max_memory=None, max_work=None, overwrite: bool | None = None) -> Path:
    """Run a deck (path, dict or validated model) and return the run directory.

    With ``resume=True``, ``out`` is an existing run directory: the run continues
    from its last checkpoint using the deck saved there; ``overrides`` may then only
    change the keys in :data:`crescape.io.restart.RESTART_SAFE_KEYS` (``run.t_end``).
    Before anything is created the deck's resource estimate is checked against
    ``max_memory`` (bytes or ``"64GB"``) and ``max_work`` (:mod:`crescape.config.estimate`).
    """
    if resume:
        if out is None:
            raise DeckError("resume needs the run directory")
        out = Path(out)
        deck = resume_deck(out, overrides)
        source = CONFIG_NAME
    else:
        source = Path(deck).name if isinstance(deck, (str, Path)) else "deck"
        deck = deck_from(deck, overrides)
    check_resources(deck, max_memory, max_work, source=source)
    if out is None:
        out = Path(f"crescape-run-{deck.engine}")
    if overwrite is not None and not resume:
        claim_rundir(out, overwrite=overwrite)
    if resume:
        record_restart(Path(out), deck, overrides)
    engine = get_engine(deck.engine)
    show = deck.run.progress if progress is None else progress
    return engine.run(deck, Path(out), resume=resume, progress=show)


def deck_from(deck, overrides=None):
    """A validated deck from a path, a dict or a model (with ``--set`` overrides applied)."""
    if not hasattr(deck, "model_dump"):
        return load_config(deck, overrides)
    if overrides:
        return load_config(deck.model_dump(mode="json", exclude_none=True), overrides)
    return deck
