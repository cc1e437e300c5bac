"""The engine registry: the one table that maps an engine name to its code.

Each engine lives in its own folder ``engines/<name>/`` and exports one :class:`Engine`
descriptor as ``ENGINE`` from its ``__init__``. The deck loader (:func:`crescape.config.load_config`),
the runner (:func:`crescape.run`), ``crescape plot``, ``crescape info`` and the sweeps all
look engines up here, so adding an engine is its folder plus one line in :data:`ENGINE_MODULES`
(or a :func:`register` call from Python).

This module imports no engine at import time: an engine package is imported on first
lookup, and its figure, analysis and summary modules only when they are asked for, so a
run never imports matplotlib.
"""
from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from ..errors import DeckError

# engine name -> package exporting ``ENGINE``: one line per engine.
ENGINE_MODULES: dict[str, str] = {
    "crhydro": "crescape.engines.crhydro",
    "sde": "crescape.engines.sde",
    "cloud": "crescape.engines.cloud",
}
LAZY_FIELDS = ("figures", "analysis", "summaries")  # Engine fields holding module paths, imported on demand


@dataclass(frozen=True)
class Engine:
    """What the rest of crescape needs to know about one engine.

    ``deck``: its pydantic deck model; ``run(deck, out, resume, progress) -> Path`` writes a run
    directory; ``figures``: module path of a module with ``plot(run, outdir, figure, fmt) -> [Path]``;
    ``analysis``: module path of its run-level post-processing (optional); ``summaries``: module
    path of a module with ``SUMMARIES = {name: (f(run) -> float, units, description)}`` (optional);
    ``check(deck, source)``: the set-up checks run by ``load_config`` before anything is created
    (optional); ``estimate(deck)``: its memory/work estimate for ``crescape run`` (optional).
    Module paths are imported lazily by :meth:`load`.
    """

    name: str
    description: str
    deck: type
    run: Callable
    figures: str | None = None
    analysis: str | None = None
    summaries: str | None = None
    check: Callable | None = None  # check(deck, source): set-up checks, raise DeckError naming the key
    estimate: Callable | None = None  # estimate(deck) -> crescape.config.estimate.Estimate (memory, work)

    def load(self, what: str) -> ModuleType | None:
        """Import the module named by field ``what`` ("figures", "analysis", "summaries").

        The module paths are fields of a descriptor built in Python by the engine package,
        never read from a deck."""
        if what not in LAZY_FIELDS:
            raise ValueError(f"Engine.load: {what!r} is not one of {LAZY_FIELDS}")
        path = getattr(self, what)
        return importlib.import_module(path) if path else None

    def summary_table(self) -> dict[str, tuple]:
        mod = self.load("summaries")
        return dict(getattr(mod, "SUMMARIES", {})) if mod is not None else {}


_ENGINES: dict[str, Engine] = {}


def register(engine: Engine) -> Engine:
    """Add (or replace) an engine defined in Python; returns it."""
    _ENGINES[engine.name] = engine
    return engine


def unregister(name: str) -> None:
    _ENGINES.pop(name, None)


def engine_names() -> list[str]:
    """Every known engine name (built-in and registered), without importing any engine."""
    return list(dict.fromkeys([*ENGINE_MODULES, *_ENGINES]))


def get_engine(name: str) -> Engine:
    """The :class:`Engine` called ``name``; an unknown name is a :class:`DeckError` at 'engine'."""
    if name in _ENGINES:
        return _ENGINES[name]
    if name not in ENGINE_MODULES:
        names = engine_names()
        hint = difflib.get_close_matches(str(name), names, n=1)
        extra = f" — did you mean {hint[0]!r}?" if hint else ""
        raise DeckError(f"deck error at 'engine': unknown engine {name!r}{extra} (choose from {sorted(names)})")
    return importlib.import_module(ENGINE_MODULES[name]).ENGINE


def engines() -> dict[str, Engine]:
    """name -> :class:`Engine` for every known engine (imports them)."""
    return {n: get_engine(n) for n in engine_names()}


__all__ = ["ENGINE_MODULES", "Engine", "register", "unregister", "engine_names", "get_engine", "engines"]


def summary_table() -> tuple[dict[str, tuple], Callable]:
    """A new ``SUMMARIES`` table and its ``@summary(name, units, description)`` decorator.

    An engine's summaries module writes ``SUMMARIES, summary = summary_table()`` and decorates
    each ``f(run) -> float``; :meth:`Engine.summaries` reads the table.
    """
    table: dict[str, tuple] = {}

    def summary(name: str, units: str, description: str):
        """Register ``f(run) -> float`` as summary ``name``."""
        def deco(func):
            table[name] = (func, units, description)
            return func

        return deco

    return table, summary
