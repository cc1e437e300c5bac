"""Config model of ``crescape fit local-spectrum CONFIG`` (seed 000 §5.2, Figs. 11-12).

A fit parameter is written either as a bare value (fixed) or as a table
``{value = "41.2 pc", free = true, min = "1 pc", max = "290 pc"}``. Bare numbers are CGS
(cm, s), strings carry a unit; potentials are in GV ("564 MV" is accepted). Unknown keys and
unphysical values raise errors that name the key (see :func:`load_fit_config`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from ..config import DeckError, format_validation_error, read_toml
from ..config.base import Length, Section, Time, _cgs, qfield
from .crdata import LOADERS

Potential = _cgs("GV")
Rigidity = _cgs("GV")


class _Param(Section):
    """A model parameter: its value, whether the fit varies it, and optional bounds."""

    value: float
    free: bool = qfield(False, "", "vary this parameter in the fit")
    min: float | None = qfield(None, "", "lower bound (default: a physical limit)")
    max: float | None = qfield(None, "", "upper bound (default: a physical limit)")

    @model_validator(mode="before")
    @classmethod
    def _scalar(cls, v):
        return v if isinstance(v, dict) else {"value": v}

    @model_validator(mode="after")
    def _bounds(self):
        lo = -float("inf") if self.min is None else self.min
        hi = float("inf") if self.max is None else self.max
        if lo >= hi:
            raise ValueError(f"min ({self.min:g}) must be smaller than max ({self.max:g})")
        if not lo <= self.value <= hi:
            raise ValueError(f"value {self.value:g} lies outside [min, max] = [{lo:g}, {hi:g}]")
        return self


class LengthParam(_Param):
    value: Length = qfield(..., "cm", "value", gt=0)
    min: Length | None = qfield(None, "cm", "lower bound", ge=0)
    max: Length | None = qfield(None, "cm", "upper bound", gt=0)


class TimeParam(_Param):
    value: Time = qfield(..., "s", "value", gt=0)
    min: Time | None = qfield(None, "s", "lower bound", ge=0)
    max: Time | None = qfield(None, "s", "upper bound", gt=0)


class PotentialParam(_Param):
    value: Potential = qfield(..., "GV", "value", ge=0)
    min: Potential | None = qfield(None, "GV", "lower bound", ge=0)
    max: Potential | None = qfield(None, "GV", "upper bound", gt=0)


class PositiveParam(_Param):
    value: float = qfield(..., "", "value", ge=0)
    min: float | None = qfield(None, "", "lower bound", ge=0)
    max: float | None = qfield(None, "", "upper bound", gt=0)


class IndexParam(_Param):
    value: float = qfield(..., "", "spectral index (negative: rising with rigidity)", ge=-3, le=6)
    min: float | None = qfield(None, "", "lower bound", ge=-3)
    max: float | None = qfield(None, "", "upper bound", le=6)


class SourceSection(Section):
    label: str = qfield("", "", "legend label (default: the age)")
    t_age: TimeParam = qfield(..., "s", "age of the source = run time of the snapshot (seed 000: t_age)")
    d: LengthParam = qfield(..., "cm", "distance of the source centre from the Earth (run radius r)")
    norm: PositiveParam = Field(
        default_factory=lambda: PositiveParam(value=1.0),
        description="multiplier of the run's spectrum (1: the run's E_cr, e.g. 1e50 erg)",
    )
    run: str = qfield(
        "", "", "run directory of this source (default: the top-level `run`), e.g. a run with another "
        "D0, E_cr or ISM; relative paths as for `run`", max_length=4096)


class DistantSection(Section):
    """Distant (Galactic) component: a power law in rigidity dJ/dR = K (R/R0)^-γ, or smoothly broken."""

    kind: Literal["none", "power_law", "broken_power_law"] = qfield(
        "none", "", "none | power_law | broken_power_law (smoothly broken, in rigidity)"
    )
    K: PositiveParam = Field(
        default_factory=lambda: PositiveParam(value=1.0),
        description="dJ/dR at R0 [(m^2 s sr GV)^-1]",
    )
    R0: Rigidity = qfield(10.0, "GV", "reference rigidity of K", gt=0)
    gamma: IndexParam = Field(default_factory=lambda: IndexParam(value=2.8), description="index below R_break")
    gamma2: IndexParam = Field(default_factory=lambda: IndexParam(value=2.6), description="index above R_break")
    R_break: PositiveParam = Field(
        default_factory=lambda: PositiveParam(value=500.0), description="break rigidity [GV]"
    )
    smooth: float = qfield(0.1, "", "smoothness s of the break: dJ/dR = K (R/R0)^-γ (1 + (R/R_b)^(1/s))^(-s(γ2-γ))", gt=0, le=5)


class DataSection(Section):
    name: Literal["ams02_2015", "ams02_2021", "calet_2022", "voyager1_2013"] = qfield(
        ..., "", f"data set ({', '.join(sorted(LOADERS))})"
    )
    phi: PotentialParam | None = qfield(
        None, "GV", "force-field potential (default: CRDB value or 0.55 GV; 0 for Voyager 1)"
    )
    E_min: float = qfield(0.0, "GeV/n", "use points with kinetic energy per nucleon >= E_min", ge=0)
    E_max: float = qfield(1e30, "GeV/n", "use points with E <= E_max", gt=0)
    errors: Literal["nuisance", "stat+syst", "stat"] = qfield(
        "nuisance", "", "nuisance: stat errors in χ² + fitted normalisation and energy/rigidity-scale shifts with "
        "Gaussian priors (correlated systematics); stat+syst: quadrature sum (treats systematics as independent); "
        "stat: statistical only")
    norm_sigma: float | None = qfield(
        None, "", "1σ prior of the normalisation shift (fraction; default: the experiment's, see docs)", ge=0, le=1)
    scale_sigma: float | None = qfield(
        None, "", "1σ prior of the scale shift: fraction of E (CALET) or 1/R offset in GV^-1 (AMS-02); "
        "default: the experiment's", ge=0, le=1)

    @model_validator(mode="after")
    def _voyager_unmodulated(self):
        if self.name == "voyager1_2013" and self.phi is not None and (self.phi.value != 0 or self.phi.free):
            raise ValueError("data.phi: Voyager 1 is beyond the heliopause, its phi must be 0 and fixed")
        if self.E_max <= self.E_min:
            raise ValueError(f"E_max ({self.E_max:g}) must be larger than E_min ({self.E_min:g})")
        return self


class FitSection(Section):
    n_starts: int = qfield(8, "", "least-squares starts (the config values + random starts in the bounds)", ge=1, le=1000)
    seed: int = qfield(1, "", "random seed of the starts and of the MCMC", ge=0)
    max_nfev: int = qfield(2000, "", "maximum model evaluations per least-squares start", ge=10)


class MCMCSection(Section):
    enabled: bool = qfield(True, "", "sample the posterior with emcee after the least-squares fit")
    n_walkers: int = qfield(32, "", "emcee walkers (at least 2 x number of free parameters)", ge=4)
    n_steps: int = qfield(2000, "", "steps per walker", ge=10)
    burn: int = qfield(500, "", "steps discarded as burn-in", ge=0)
    thin: int = qfield(5, "", "keep every thin-th step", ge=1)
    n_tau: float = qfield(50.0, "", "required chain length in autocorrelation times (emcee's rule of thumb)", gt=0)
    max_steps: int = qfield(
        0, "", "extend the chain by n_steps at a time until it is >= n_tau τ long, up to this many steps "
        "(0: 4 × n_steps)", ge=0)

    @model_validator(mode="after")
    def _burn(self):
        if self.burn >= self.n_steps:
            raise ValueError(f"mcmc.burn ({self.burn}) must be smaller than mcmc.n_steps ({self.n_steps})")
        return self


class PlotSection(Section):
    weight: float = qfield(2.7, "", "plot E^weight × J", ge=0, le=4)
    E_min: float = qfield(1e-3, "GeV", "lower energy of the plots", gt=0)
    E_max: float = qfield(1e5, "GeV", "upper energy of the plots", gt=0)


class LocalSpectrumConfig(Section):
    """Local proton spectrum from nearby sources (seed 000 §5.2)."""

    run: str = qfield(..., "", "CR-hydro run directory (relative paths: to the config file's directory, then the cwd)")
    title: str = qfield("", "", "title of the figures and tables")
    sources: list[SourceSection] = qfield(..., "", "nearby sources [[sources]]", min_length=1)
    distant: DistantSection = Field(default_factory=DistantSection)
    data: list[DataSection] = qfield(..., "", "data sets [[data]]", min_length=1)
    fit: FitSection = Field(default_factory=FitSection)
    mcmc: MCMCSection = Field(default_factory=MCMCSection)
    plot: PlotSection = Field(default_factory=PlotSection)

    @model_validator(mode="after")
    def _unique_data(self):
        names = [d.name for d in self.data]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"data: data set(s) {sorted(dup)} listed twice")
        return self


def load_fit_config(source: str | Path | dict) -> tuple[LocalSpectrumConfig, Path | None]:
    """Read and validate a fit config; returns (config, directory of the file or None)."""
    if isinstance(source, dict):
        data, name, base = source, "fit config", None
    else:
        path = Path(source)
        name, base = path.name, path.resolve().parent
        data = read_toml(path, "fit config")
    try:
        return LocalSpectrumConfig.model_validate(data), base
    except ValidationError as exc:
        raise DeckError(format_validation_error(exc, LocalSpectrumConfig, name)) from None
    except (ValueError, TypeError) as exc:
        raise DeckError(f"{name}: {exc}") from None


def resolve_run_path(cfg: LocalSpectrumConfig, base: Path | None, run: str | None = None, key: str = "run") -> Path:
    """The run directory named in the config (relative to the config file, then the cwd).

    ``run``/``key``: another run entry (a source's own ``run``) and its key for the error message.
    """
    name = cfg.run if run is None else run
    p = Path(name).expanduser()
    if not p.is_absolute() and base is not None and (base / p).exists():
        return base / p
    if not p.exists():
        raise DeckError(f"fit config error at {key!r}: run directory {name!r} not found")
    return p
