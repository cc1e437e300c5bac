"""crescape: cosmic-ray escape from sources.

Public API: :func:`load_config`, :func:`run`, :func:`open_run`, ``__version__``.
"""
from . import _jitcache  # noqa: F401  (first: numba's cache must see every later kernel's full source)
from ._version import __version__
from .api import run
from .config import load_config
from .errors import DeckError, Interrupted, OutputDirError, RunFileError, SimulationError
from .io.rundir import open_run

__all__ = [
    "__version__", "load_config", "open_run", "run",
    "DeckError", "RunFileError", "OutputDirError", "SimulationError", "Interrupted",
]
