"""Dispatch a validated deck to its engine: ``crescape.run(deck, out)``."""
from __future__ import annotations

from pathlib import Path

from .config import load_config
from .engines.registry import get_engine
from .errors import DeckError
from .io.rundir import CONFIG_NAME


def run(deck, out: str | Path | None = None, *, resume: bool = False, overrides=None, progress: bool | None = None) -> Path:
    """Run a deck (path, dict or validated model) and return the run directory.

    With ``resume=True``, ``out`` is an existing run directory: the run continues
    from its last checkpoint using the deck saved there.
    """
    if resume:
        if out is None:
            raise DeckError("resume needs the run directory")
        out = Path(out)
        if not (out / CONFIG_NAME).exists():
            raise DeckError(f"{out} is not a crescape run directory (no {CONFIG_NAME})")
        deck = load_config(out / CONFIG_NAME, overrides)
    elif not hasattr(deck, "model_dump"):
        deck = load_config(deck, overrides)
    elif overrides:
        deck = load_config(deck.model_dump(mode="json", exclude_none=True), overrides)
    if out is None:
        out = Path(f"crescape-run-{deck.engine}")
    engine = get_engine(deck.engine)
    show = deck.run.progress if progress is None else progress
    return engine.run(deck, Path(out), resume=resume, progress=show)
