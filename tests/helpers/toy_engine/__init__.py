"""A toy engine: N(t) = N0 exp(-t/τ) (exact decay), a deck, a run and a figure — nothing else.

It proves that an engine is its own folder plus one registry line (``ENGINE_MODULES["toy"]``).
"""
from typing import Literal

import numpy as np
import xarray as xr

from crescape.config.base import RunSection, Section, qfield
from crescape.engines.registry import Engine
from crescape.io import RUN_NAME, file_attrs, prepare_rundir, write_run_file


class ToyDeck(Section):
    """Exponential decay dN/dt = -N/τ."""

    engine: Literal["toy"] = "toy"
    run: RunSection = RunSection()
    N0: float = qfield(1.0, "", "initial number", gt=0)
    tau: float = qfield(1.0, "s", "decay time", gt=0)


def run(deck, out, resume=False, progress=False):
    out = prepare_rundir(out, deck, resume)
    t = np.linspace(0.0, deck.run.t_end, 11)
    snaps = xr.Dataset({"N": ("t", deck.N0 * np.exp(-t / deck.tau), {"units": ""})}, coords={"t": ("t", t, {"units": "s"})})
    write_run_file(out / RUN_NAME, {"snapshots": snaps}, file_attrs(deck))
    return out


ENGINE = Engine(name="toy", description="exponential decay (registry test)", deck=ToyDeck, run=run,
                figures="helpers.toy_engine.figures")
