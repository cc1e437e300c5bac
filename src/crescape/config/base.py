"""Building blocks shared by every deck model.

Every parameter is declared once, with its default, CGS unit and a one-line
meaning (``crescape info`` prints them). Bare numbers are CGS; strings with a
unit (``"300 pc"``) are converted by :func:`crescape.core.units.to_cgs` at load time.
"""
from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..core.units import to_cgs


class Section(BaseModel):
    """A deck section: unknown keys are errors, assignment is re-validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


def _cgs(unit: str):
    def conv(v):
        return to_cgs(v, unit)

    return Annotated[float, BeforeValidator(conv)]


Length = _cgs("cm")
Time = _cgs("s")
Mass = _cgs("g")
Density = _cgs("g cm-3")
NumberDensity = _cgs("cm-3")
Temperature = _cgs("K")
Energy = _cgs("erg")
Velocity = _cgs("cm s-1")
Pressure = _cgs("erg cm-3")
MagField = _cgs("G")
Diffusivity = _cgs("cm2 s-1")
Power = _cgs("erg s-1")


def qfield(default, unit: str, description: str, **constraints):
    """A pydantic Field that records its unit (shown by ``crescape info``)."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **constraints)


class RunSection(Section):
    t_end: Time = qfield(1.0, "s", "end time of the simulation", gt=0)
    cfl: float = qfield(0.4, "", "Courant number of the explicit (hydro) step", gt=0, lt=1)
    seed: int = qfield(12345, "", "random seed (SDE engine; recorded for every engine)", ge=0)
    max_steps: int = qfield(10_000_000, "", "hard limit on the number of steps", gt=0)
    checkpoint_every: int = qfield(
        0, "", "write a checkpoint every this many steps (0: at every snapshot only)", ge=0
    )
    checkpoint_wall: float = qfield(
        600.0, "s (wall clock)", "also write a checkpoint when this much wall time has passed", gt=0
    )
    progress: bool = qfield(True, "", "show a progress bar (simulated time, step rate, ETA)")


class OutputSection(Section):
    times: list[Time] = qfield(
        [], "s", "explicit snapshot times (merged with the generated ones below)"
    )
    n_snapshots: int = qfield(0, "", "number of generated snapshot times up to t_end", ge=0)
    spacing: Literal["linear", "log"] = qfield("linear", "", "spacing of generated snapshot times")
    t_first: Time = qfield(
        0.0, "s", "first generated snapshot time for log spacing (default t_end/1000)", ge=0
    )
    every: Time = qfield(0.0, "s", "also write a snapshot every this long from `every_from` (0: off)", ge=0)
    every_from: Time = qfield(0.0, "s", "start of the regular cadence set by `every`", ge=0)
    initial: bool = qfield(True, "", "also write the initial state as a snapshot")

    @model_validator(mode="after")
    def _times_sorted_positive(self):
        if any(t < 0 for t in self.times):
            raise ValueError("output.times must be non-negative")
        return self

    def snapshot_times(self, t_start: float, t_end: float) -> np.ndarray:
        """Sorted, unique snapshot times in (t_start, t_end] (plus t_start if ``initial``)."""
        ts = [t for t in self.times if t_start < t <= t_end * (1 + 1e-12)]
        if self.n_snapshots > 0:
            if self.spacing == "linear":
                ts += list(np.linspace(t_start, t_end, self.n_snapshots + 1)[1:])
            else:
                t0 = self.t_first if self.t_first > 0 else t_end / 1000.0
                ts += list(np.geomspace(t0, t_end, self.n_snapshots))
        if self.every > 0:
            n_every = int(np.floor((t_end - self.every_from) / self.every + 1e-9))
            if n_every > 100_000:
                raise ValueError(f"output.every = {self.every:g} s gives {n_every} snapshots (more than 100000)")
            ts += list(self.every_from + self.every * np.arange(0, n_every + 1))
        if not ts:
            ts = [t_end]
        ts = np.unique(np.asarray(ts, dtype=float))
        ts = ts[(ts > t_start) & (ts <= t_end * (1 + 1e-12))]
        if self.initial:
            ts = np.concatenate([[t_start], ts])
        return ts


class GridSection(Section):
    geometry: Literal["planar", "cylindrical", "spherical"] = qfield(
        "spherical", "", "coordinate geometry of the 1D grid"
    )
    r_min: Length = qfield(0.0, "cm", "inner edge of the grid (0 = origin)", ge=0)
    r_max: Length = qfield(1.0, "cm", "outer edge of the grid", gt=0)
    n_cells: int = qfield(200, "", "number of cells", ge=4, le=10_000_000)
    spacing: Literal["uniform", "log", "stretched"] = qfield(
        "uniform",
        "",
        "uniform; log (log-spaced faces, needs r_min > 0); stretched (cell widths grow by `stretch`)",
    )
    stretch: float = qfield(1.0, "", "ratio of successive cell widths for spacing='stretched'", gt=0.5, lt=2.0)

    @model_validator(mode="after")
    def _check_grid(self):
        if self.r_max <= self.r_min:
            raise ValueError(
                f"grid.r_max ({self.r_max:g} cm) must be larger than grid.r_min ({self.r_min:g} cm)"
            )
        if self.spacing == "log" and self.r_min <= 0:
            raise ValueError("grid.spacing = 'log' needs grid.r_min > 0 (use 'stretched' to reach the origin)")
        return self
