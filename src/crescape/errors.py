"""Every exception crescape raises on purpose, in one module that imports nothing.

Modules anywhere in the package import their error types from here, so sharing an
error never needs a function-local import to dodge an import cycle. The CLI turns
each of them into a one-line message and an exit status (see :func:`crescape.cli.main`).
"""
from __future__ import annotations


class DeckError(ValueError):
    """A deck could not be read or validated. The message is meant for people."""


class RunFileError(OSError):
    """A run file is missing, truncated or corrupted."""


class OutputDirError(OSError):
    """The output directory cannot be used (not writable, disk full, not a directory)."""


class FigureNameError(ValueError):
    """``crescape plot --figure NAME`` names no figure of this run (the message lists the names)."""


class SimulationError(RuntimeError):
    """The solution became unphysical (NaN, negative density/pressure, …)."""


class Interrupted(RuntimeError):
    """The run was stopped by a signal after writing a checkpoint."""


__all__ = ["DeckError", "RunFileError", "OutputDirError", "FigureNameError", "SimulationError", "Interrupted"]
