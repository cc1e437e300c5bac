"""crescape: cosmic-ray escape from sources.

Public API: :func:`load_config`, :func:`run`, :func:`open_run`, ``__version__``.
"""
__version__ = "0.1.0"

from .config import DeckError, load_config  # noqa: E402
from .io.rundir import open_run  # noqa: E402
from .runner import run  # noqa: E402

__all__ = ["__version__", "load_config", "open_run", "run", "DeckError"]
