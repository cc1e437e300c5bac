"""Dispatch a validated deck to its engine: ``crescape.run(deck, out)``."""
from __future__ import annotations

import importlib
from pathlib import Path

from .config import DeckError, load_config

# engine name -> module exposing ``run(deck, out: Path, resume: bool, progress: bool) -> Path``
ENGINE_MODULES = {
    "crhydro": "crescape.engines.crhydro",
    "sde": "crescape.engines.sde",
    "cloud": "crescape.engines.cloud",
}


def run(deck, out: str | Path | None = None, *, resume: bool = False, overrides=None, progress: bool | None = None,
        max_memory=None, max_work=None) -> Path:
    """Run a deck (path, dict or validated model) and return the run directory.

    With ``resume=True``, ``out`` is an existing run directory: the run continues
    from its last checkpoint using the deck saved there; ``overrides`` may then only
    change the keys in :data:`crescape.resume.RESTART_SAFE_KEYS` (``run.t_end``).
    Before anything is created the deck's resource estimate is checked against
    ``max_memory`` (bytes or ``"64GB"``) and ``max_work`` (:mod:`crescape.config.estimate`).
    """
    from .config.estimate import check_resources
    from .io.rundir import CONFIG_NAME

    if resume:
        from .resume import resume_deck

        if out is None:
            raise DeckError("resume needs the run directory")
        out = Path(out)
        deck = resume_deck(out, overrides)
    else:
        source = Path(deck).name if isinstance(deck, (str, Path)) else "deck"
        deck = deck_from(deck, overrides)
    check_resources(deck, max_memory, max_work, source=CONFIG_NAME if resume else source)
    if out is None:
        out = Path(f"crescape-run-{deck.engine}")
    if resume:
        from .resume import record_restart

        record_restart(out, deck, overrides)
    mod = importlib.import_module(ENGINE_MODULES[deck.engine])
    show = deck.run.progress if progress is None else progress
    return mod.run(deck, Path(out), resume=resume, progress=show)


def deck_from(deck, overrides=None):
    """A validated deck from a path, a dict or a model (with ``--set`` overrides applied)."""
    if not hasattr(deck, "model_dump"):
        return load_config(deck, overrides)
    if overrides:
        return load_config(deck.model_dump(mode="json", exclude_none=True), overrides)
    return deck
