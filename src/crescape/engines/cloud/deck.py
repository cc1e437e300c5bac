"""Deck model of the CR-cloud engine (seed 001 §2.2–2.4; ``engine = "cloud"``).

A flux tube along the background field, z ≥ 0 (symmetric at z = 0), holding the CR
pressure per ln E and the resonant wave energy per ln k. Every parameter has a
default, a CGS unit and a one-line meaning; ``crescape info cloud`` prints them.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ...config.base import (
    Diffusivity,
    Energy,
    Length,
    MagField,
    NumberDensity,
    OutputSection,
    Power,
    Pressure,
    RunSection,
    Section,
    Temperature,
    Time,
    qfield,
)
from ...physics.ism import Phase, get_phase

_PRESETS = ("HISM", "WIM", "WNM", "CNM", "DIM", "DC")


class CloudRun(RunSection):
    t_end: Time = qfield(3.15576e12, "s", "end time of the simulation (default 100 kyr)", gt=0)
    dt_factor: float = qfield(0.02, "", "time step as a fraction of the current time, dt = dt_factor (t + dt_min)",
                              gt=0, le=1)
    dt_min: Time = qfield(3.15576e8, "s", "smallest (first) time step", gt=0)
    dt_max: Time = qfield(3.15576e11, "s", "largest time step", gt=0)

    @model_validator(mode="after")
    def _dt(self):
        if self.dt_min > self.dt_max:
            raise ValueError(f"run.dt_min ({self.dt_min:g} s) must not exceed run.dt_max ({self.dt_max:g} s)")
        return self


class CloudGrid(Section):
    z_max: Length = qfield(3.0857e21, "cm", "length of the flux tube (half-tube, z in [0, z_max])", gt=0)
    n_cells: int = qfield(1000, "", "number of cells along z", ge=8, le=1_000_000)
    spacing: Literal["uniform", "stretched"] = qfield(
        "uniform", "", "uniform cells, or cells growing geometrically by `stretch` from z = 0")
    stretch: float = qfield(1.002, "", "ratio of successive cell widths for spacing = 'stretched'", gt=1.0, lt=1.2)
    outer: Literal["background", "reflecting"] = qfield(
        "background", "", "outer boundary: held at the background CR level (escape) or reflecting (closed tube)")


class PhaseSpec(Section):
    preset: Literal[_PRESETS] | None = qfield(  # type: ignore[valid-type]
        "WNM", "", "ISM phase of seed 001 Table 2 (HISM, WIM, WNM, CNM, DIM, DC); null: give every field")
    T: Temperature | None = qfield(None, "K", "gas temperature (overrides the preset)", gt=0)
    B: MagField | None = qfield(None, "G", "background magnetic field (overrides the preset)", gt=0)
    x_i: float | None = qfield(None, "", "ionisation fraction n_i/(n_i + n_n) (overrides the preset)", gt=0, le=1)
    n_tot: NumberDensity | None = qfield(None, "cm-3", "total ion + neutral density (overrides the preset)", gt=0)
    mu_i: float | None = qfield(None, "m_H", "mean ion mass (overrides the preset)", gt=0)
    mu_n: float | None = qfield(None, "m_H", "mean neutral mass (overrides the preset)", gt=0)
    molecular: bool | None = qfield(None, "", "molecular ion–neutral collision rate (overrides the preset)")
    L_inj: Length | None = qfield(None, "cm", "turbulence injection scale (default 50 pc)", gt=0)
    M_A: float | None = qfield(None, "", "Alfvénic Mach number of the background turbulence (<= 1)", gt=0, le=1)
    z_end: Length | None = qfield(None, "cm", "upper end of this phase in a sequence (last phase: none)", gt=0)

    @model_validator(mode="after")
    def _complete(self):
        if self.preset is None:
            missing = [k for k in ("T", "B", "x_i", "n_tot") if getattr(self, k) is None]
            if missing:
                raise ValueError(f"phase without preset needs {', '.join(missing)}")
        return self

    def build(self):
        kw = {k: getattr(self, k) for k in ("T", "B", "x_i", "n_tot", "mu_i", "mu_n", "molecular", "L_inj", "M_A")}
        if self.preset is not None:
            return get_phase(self.preset, **kw)
        kw = {k: v for k, v in kw.items() if v is not None}
        return Phase(name="custom", **kw)


class PhaseSection(PhaseSpec):
    sequence: list[PhaseSpec] = qfield(
        [], "", "phases along the tube, each with z_end (e.g. WNM | CNM | DIM); replaces the single phase")

    @model_validator(mode="after")
    def _seq(self):
        if self.sequence:
            ends = [p.z_end for p in self.sequence[:-1]]
            if any(e is None for e in ends):
                raise ValueError("phase.sequence: every phase but the last needs z_end")
            if any(b <= a for a, b in zip(ends, ends[1:])):
                raise ValueError("phase.sequence: z_end values must increase along the tube")
        return self


class SourceSection(Section):
    kind: Literal["tophat", "pulsar"] = qfield(
        "tophat", "", "tophat: burst of CRs filling |z| < a at t = 0; pulsar: continuous injection (seed 001 §2.4)")
    E_total: Energy = qfield(1e50, "erg", "CR energy in the cloud (tophat) between cr.E_min and cr.E_max", gt=0)
    alpha: float = qfield(2.2, "", "injection spectrum dN/dE ∝ E^-alpha", gt=1.0, lt=5.0)
    a: Length = qfield(3.0857e19, "cm", "cloud half-length / tube radius a (fixed)", gt=0)
    a_mode: Literal["fixed", "tm99"] = qfield(
        "fixed", "", "a fixed, or a = a_frac R_sh(t_escape) from Truelove & McKee (1999)")
    t_escape: Time = qfield(3.15576e11, "s", "release time for a_mode = 'tm99'", gt=0)
    a_frac: float = qfield(1.0, "", "a / R_sh for a_mode = 'tm99' and for radius = 'snr'", gt=0, le=1)
    radius: Literal["fixed", "snr"] = qfield(
        "fixed", "", "tube radius and source half-length during the run: fixed at a, or growing as "
        "a(t) = a_frac R_sh(t_rel + t) (Truelove & McKee 1999; total CR energy kept, tophat only)")
    release: Literal["per_energy", "fixed"] = qfield(
        "per_energy", "", "release radius of half-life scans (`crescape halflife DECK`): solved per energy from "
        "t_1/2(a) = t_SNR(a) (Nava et al. 2016, TM99 age), or the deck's `a` for every energy")
    E_SN: Energy = qfield(1e51, "erg", "explosion energy (TM99 radius)", gt=0)
    M_ej: float = qfield(1.4, "M_sun", "ejecta mass in solar masses (TM99 radius)", gt=0)
    L0: Power = qfield(1e36, "erg s-1", "pulsar: initial spin-down luminosity", gt=0)
    tau0: Time = qfield(3.15576e11, "s", "pulsar: spin-down time scale, L(t) = L0 / (1 + t/tau0)^2", gt=0)
    eta: float = qfield(1.0, "", "pulsar: fraction of the spin-down power given to pairs", gt=0, le=1)


class CRSection(Section):
    species: Literal["proton", "electron"] = qfield("proton", "", "CR species (electron: e± pairs)")
    E_min: Energy = qfield(1.602176634e-2, "erg", "lowest kinetic energy of the grid (default 10 GeV)", gt=0)
    E_max: Energy = qfield(1.602176634e1, "erg", "highest kinetic energy of the grid (default 10 TeV)", gt=0)
    bins: int = qfield(16, "", "number of log-spaced energy bins (ignored if `energies` given)", ge=1, le=2000)
    energies: list[Energy] = qfield([], "erg", "explicit energies instead of a log grid (e.g. [10 GeV, 1 TeV])")
    E_norm_min: Energy = qfield(1.602176634e-3, "erg", "lower bound of the spectrum holding E_total (1 GeV)", gt=0)
    E_norm_max: Energy = qfield(1.602176634e3, "erg", "upper bound of the spectrum holding E_total (1 PeV)", gt=0)
    background: Literal["none", "galactic"] = qfield(
        "none", "", "CR sea in the tube: none, or galactic protons 1.8e4 (E/GeV)^-2.7 m^-2 s^-1 sr^-1 GeV^-1")

    @model_validator(mode="after")
    def _range(self):
        if self.E_max <= self.E_min:
            raise ValueError(f"cr.E_max ({self.E_max:g} erg) must exceed cr.E_min ({self.E_min:g} erg)")
        if self.E_norm_max <= self.E_norm_min:
            raise ValueError("cr.E_norm_max must exceed cr.E_norm_min")
        if any(e <= 0 for e in self.energies):
            raise ValueError("cr.energies must be positive")
        return self


class WavesSection(Section):
    growth: bool = qfield(True, "", "resonant streaming instability on (off: linear, test-particle problem)")
    growth_form: Literal["gradient", "drift"] = qfield(
        "gradient", "", "growth: gradient form (seed 001 eq. 4) or drift form with threshold V_d > V_A (Evoli+ 2018)")
    wave_energy: Literal["magnetic", "total"] = qfield(
        "total", "", "CR work V_st|∂zP| feeds the wave energy δB²/4π (energy-conserving) or δB²/8π only")
    ion_neutral: bool = qfield(True, "", "ion–neutral damping (seed 001 eqs. 6–7)")
    ion_neutral_model: Literal["asymptotic", "exact"] = qfield(
        "asymptotic", "", "eqs. 6–7 with the evanescent band, or the exact two-fluid dispersion relation")
    nlld: bool = qfield(True, "", "non-linear Landau damping (Wiener et al. 2013)")
    turbulent: bool = qfield(True, "", "turbulent damping (Farmer & Goldreich 2004 / Lazarian 2016)")
    kappa_10: Diffusivity = qfield(3e28, "cm2 s-1", "background diffusion κ0 at 10 GeV (fixes W0)", gt=0)
    delta: float = qfield(0.5, "", "κ0 ∝ E^delta", ge=0, le=1.5)
    streaming: bool = qfield(True, "", "CR advection at the streaming speed (Alfvén speed of the regime)")
    advect_waves: bool = qfield(True, "", "advect the waves at the streaming speed")
    adiabatic: bool = qfield(True, "", "adiabatic terms when V_A varies along z (phase sequences)")


class LossesSection(Section):
    sync_ic: bool = qfield(False, "", "synchrotron + inverse-Compton (Thomson) losses (pairs)")
    U_rad: Pressure = qfield(1.602176634e-12, "erg cm-3", "radiation energy density for inverse Compton (1 eV/cm3)",
                             ge=0)
    pp: bool = qfield(False, "", "pp energy losses of protons, dE/dt = -0.5 n σ_pp c E (σ_pp = 40 mb)")
    coulomb_ionisation: bool = qfield(
        False, "", "Coulomb (n_e = n_i) + ionisation (n_n) losses of protons (Mannheim & Schlickeiser 1994)")


class CloudDeck(Section):
    """CR cloud around a source: CRs and self-generated waves along a flux tube (seed 001)."""

    engine: Literal["cloud"] = "cloud"
    run: CloudRun = Field(default_factory=CloudRun)
    grid: CloudGrid = Field(default_factory=CloudGrid)
    phase: PhaseSection = Field(default_factory=PhaseSection)
    source: SourceSection = Field(default_factory=SourceSection)
    cr: CRSection = Field(default_factory=CRSection)
    waves: WavesSection = Field(default_factory=WavesSection)
    losses: LossesSection = Field(default_factory=LossesSection)
    output: OutputSection = Field(default_factory=OutputSection)

    @model_validator(mode="after")
    def _consistent(self):
        if self.source.kind == "tophat" and self.source.a >= self.grid.z_max:
            raise ValueError(
                f"source.a ({self.source.a:g} cm) must be smaller than grid.z_max ({self.grid.z_max:g} cm)")
        if self.phase.sequence and self.phase.sequence[-2 if len(self.phase.sequence) > 1 else 0].z_end is not None:
            if len(self.phase.sequence) > 1 and self.phase.sequence[-2].z_end >= self.grid.z_max:
                raise ValueError("phase.sequence: the last z_end must lie inside the grid (grid.z_max)")
        if self.source.radius == "snr" and self.source.kind != "tophat":
            raise ValueError("source.radius = 'snr' needs source.kind = 'tophat' (a growing pulsar region is not "
                             "implemented)")
        if self.cr.species == "electron" and (self.losses.pp or self.losses.coulomb_ionisation):
            raise ValueError("losses.pp and losses.coulomb_ionisation apply to protons only (cr.species = 'electron')")
        return self
