"""Deck model of the SDE (pseudo-particle) engine (seed 003: Aerdker et al. 2025).

``units = "code"``: every number is used as given (DSA test problems, u1 = κ = 1);
``units = "cgs"``: bare numbers are CGS and strings such as ``"10 kpc"`` are
converted at load time. Momenta are always in units of m_p c, for electrons too.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ...config.base import (
    Density,
    Diffusivity,
    Energy,
    Length,
    MagField,
    OutputSection,
    Pressure,
    Section,
    Time,
    Velocity,
    qfield,
)
from .deck3d import (  # 3-D transport
    FieldSection,
    MomentumDiffusionSection,
    Output3DSection,
    Transport3DSection,
    check_3d,
)


class SDERunSection(Section):
    t_end: Time = qfield(1.0, "s | code", "end time of the simulation", gt=0)
    dt: Time = qfield(1e-3, "s | code", "time step (the maximum step when adaptive)", gt=0)
    seed: int = qfield(12345, "", "random seed; results are identical for any thread count", ge=0)
    scheme: Literal["euler", "predictor_corrector"] = qfield(
        "euler", "", "Euler–Maruyama, or Heun predictor–corrector on the drift and ∇·u")
    adaptive: bool = qfield(False, "", "adaptive step: u·Δt <= adv_frac·w and √(2κΔt) <= diff_step_max")
    adv_frac: float = qfield(0.5, "", "advective step as a fraction of the shock width (adaptive)", gt=0, le=10)
    diff_step_max: Length = qfield(0.0, "cm | code", "upper bound of the diffusive step √(2κΔt) (0: none)", ge=0)
    dlnp_step_max: float = qfield(
        0.1, "", "adaptive, momentum diffusion: upper bound of the ln p step √(2 D̃ Δt), D̃ = D_pp/p² (0: none)", ge=0)
    width_scaling: Literal["none", "sqrt_energy"] = qfield(
        "none", "", "shock width seen by a particle: fixed, or w·(p/p_width)^(1/2) (seed 003 §3.5)")
    p_width: float = qfield(1.0, "m_p c", "reference momentum of the width scaling", gt=0)
    block_size: int = qfield(64, "", "particles per statistics block (batch-means errors)", ge=1)
    n_lanes: int = qfield(32, "", "independent work queues of the particle loop (≥ threads)", ge=1, le=4096)
    chunk_particles: int = qfield(
        0, "", "particles per chunk; a checkpoint is written after each chunk (0: about 1/16 of the ensemble)", ge=0)
    max_splits_stack: int = qfield(64, "", "pending clones per particle before splitting is refused", ge=1)
    progress: bool = qfield(True, "", "show a progress bar over chunks")


class GridSection(Section):
    geometry: Literal["planar", "spherical", "cartesian3d"] = qfield(
        "planar", "", "planar x, spherical radius r, or 3-D field-aligned transport (docs/sde3d.md)")
    x_min: Length = qfield(-1e300, "cm | code", "absorbing lower boundary (planar; particles escape)")
    x_max: Length = qfield(1e300, "cm | code", "absorbing upper boundary (escape)")


class NoFlow(Section):
    kind: Literal["none"] = "none"


class UniformDivergenceFlow(Section):
    kind: Literal["uniform_divergence"] = "uniform_divergence"
    div: float = qfield(1.0, "s-1 | code", "constant ∇·u (u = div·x planar, div·r/3 spherical)")


class PlanarShockFlow(Section):
    kind: Literal["planar_shock"] = "planar_shock"
    u1: Velocity = qfield(1.0, "cm s-1 | code", "upstream speed in the shock frame", gt=0)
    compression: float = qfield(4.0, "", "compression ratio r = u1/u2", gt=1)
    width: Length = qfield(0.02, "cm | code", "tanh width of the shock", gt=0)
    frame: Literal["shock", "lab"] = qfield("shock", "", "shock at rest, or upstream gas at rest")
    x0: Length = qfield(0.0, "cm | code", "shock position at t = 0")
    direction: Literal[1, -1] = qfield(1, "", "+1: shock runs towards +x (upstream at larger x); -1: CRPropa's layout")


class SedovFlow(Section):
    kind: Literal["sedov"] = "sedov"
    E: Energy = qfield(1.0, "erg | code", "explosion energy", gt=0)
    rho: Density = qfield(1.0, "g cm-3 | code", "ambient density", gt=0)
    gamma: float = qfield(5.0 / 3.0, "", "adiabatic index", gt=1)
    width: Length = qfield(0.01, "cm | code", "tanh width of the shock", gt=0)
    t0: Time = qfield(0.0, "s | code", "explosion time")
    n_profile: float = qfield(5.0, "", "shape index n of the interior profile u = V x (a + b x^n)", gt=0)


class IsenbergFlow(Section):
    kind: Literal["isenberg"] = "isenberg"
    E: Energy = qfield(1.0, "erg | code", "explosion energy", gt=0)
    rho_ref: float = qfield(1.0, "g cm-3 | code", "ambient density at r_ref (ρ ∝ r^-ω, ω = (7-γ)/(γ+1))", gt=0)
    r_ref: Length = qfield(1.0, "cm | code", "reference radius of the density law", gt=0)
    gamma: float = qfield(5.0 / 3.0, "", "adiabatic index", gt=1)
    width: Length = qfield(0.01, "cm | code", "tanh width of the shock", gt=0)
    t0: Time = qfield(0.0, "s | code", "explosion time")


class CollidingShocksFlow(Section):
    kind: Literal["colliding_shocks"] = "colliding_shocks"
    V1: Velocity = qfield(1.0, "cm s-1 | code", "lab speed of the first shock (into gas at rest)", gt=0)
    V2: Velocity = qfield(2.0, "cm s-1 | code", "lab speed of the second shock (into the first's downstream)", gt=0)
    t2: Time = qfield(1.0, "s | code", "launch time of the second shock", ge=0)
    x1: Length = qfield(0.0, "cm | code", "launch position of the first shock")
    x2: Length = qfield(0.0, "cm | code", "launch position of the second shock")
    rho0: Density = qfield(1.0, "g cm-3 | code", "density of the undisturbed gas", gt=0)
    p0: Pressure = qfield(1e-4, "erg cm-3 | code", "pressure of the undisturbed gas", gt=0)
    gamma: float = qfield(5.0 / 3.0, "", "adiabatic index", gt=1)
    width: Length = qfield(0.01, "cm | code", "tanh width of the shocks", gt=0)


class HydroRunFlow(Section):
    kind: Literal["hydro_run"] = "hydro_run"
    path: str = qfield("", "", "run directory of a crescape CR-hydro run (snapshots v(t, r))", min_length=1)
    n_r: int = qfield(0, "", "points of the uniform resampling grid (0: as many as cells)", ge=0)


Flow = Annotated[
    NoFlow | UniformDivergenceFlow | PlanarShockFlow | SedovFlow | IsenbergFlow | CollidingShocksFlow | HydroRunFlow,
    Field(discriminator="kind"),
]


class DiffusionSection(Section):
    kind: Literal["constant", "power_law", "bohm"] = qfield("constant", "", "κ model")
    kappa: Diffusivity = qfield(1.0, "cm2 s-1 | code", "κ0: constant κ, κ at p_ref (power law), or code-unit Bohm factor", gt=0)
    delta: float = qfield(0.5, "", "power-law index: κ = κ0 (p/p_ref)^δ", ge=-2, le=2)
    p_ref: float = qfield(1.0, "m_p c", "reference momentum of the power law", gt=0)
    B0: MagField = qfield(0.0, "G", "Bohm: field at r0 (κ = r_g v/3 for protons; 0 in code units: κ = κ0 p β)", ge=0)
    b_index: float = qfield(0.0, "", "B ∝ (r/r0)^-b_index, so κ ∝ r^b_index (Bohm or power law)", ge=-3, le=3)
    r0: Length = qfield(1.0, "cm | code", "reference radius of the B(r) profile", gt=0)


class InjectionSection(Section):
    species: Literal["proton", "electron"] = qfield(
        "proton", "", "particle species; electrons (ultra-relativistic) lose energy by [losses]")
    n_particles: int = qfield(10_000, "", "number of pseudo-particles", ge=1, le=2_000_000_000)
    spectrum: Literal["mono", "power_law"] = qfield("mono", "", "injected momentum distribution")
    p0: float = qfield(1.0, "m_p c", "momentum of mono-energetic injection", gt=0)
    p_min: float = qfield(1.0, "m_p c", "power law: lowest momentum", gt=0)
    p_max: float = qfield(100.0, "m_p c", "power law: highest momentum", gt=0)
    index: float = qfield(2.0, "", "power law: dN/dp ∝ p^-index (sampled; re-weighting is post-processing)")
    where: Literal["shock", "point", "volume"] = qfield("shock", "", "at the shock, at x0, or uniform in [x_lo, x_hi]")
    x0: Length = qfield(0.0, "cm | code", "injection point (where = point)")
    x_lo: Length = qfield(0.0, "cm | code", "volume injection: lower edge")
    x_hi: Length = qfield(1.0, "cm | code", "volume injection: upper edge")
    t0: Time = qfield(0.0, "s | code", "injection start time", ge=0)
    t1: Time = qfield(0.0, "s | code", "injection end time: continuous injection uniform in [t0, t1] (t1 <= t0: instantaneous)", ge=0)

    @model_validator(mode="after")
    def _check(self):
        if self.spectrum == "power_law" and self.p_max <= self.p_min:
            raise ValueError(f"injection.p_max ({self.p_max:g}) must be larger than injection.p_min ({self.p_min:g})")
        if self.where == "volume" and self.x_hi <= self.x_lo:
            raise ValueError("injection.x_hi must be larger than injection.x_lo")
        return self


class LossesSection(Section):
    """Synchrotron + inverse-Compton losses of electrons (injection.species = "electron")."""

    B: MagField = qfield(3e-6, "G", "field for synchrotron losses at r0 (cgs decks)", ge=0)
    B_index: float = qfield(0.0, "", "B = B (r/r0)^-B_index (|x| in planar geometry)", ge=-3, le=3)
    r0: Length = qfield(1.0, "cm | code", "reference radius of the B(r) law", gt=0)
    u_rad: Pressure = qfield(0.26 * 1.602176634e-12, "erg cm-3", "photon energy density (default: CMB 0.26 eV cm^-3)", ge=0)
    T_rad: float = qfield(2.725, "K", "photon temperature (Planck field) of the Klein–Nishina factor", gt=0)
    klein_nishina: bool = qfield(True, "", "Klein–Nishina factor (1 + 4γε0)^-3/2 on the IC part (Moderski et al. 2005)")
    b_code: float = qfield(0.0, "code", "units = 'code' only: dp/dt = -b_code p² (× (r/r0)^(-2 B_index))", ge=0)


class SplittingSection(Section):
    enabled: bool = qfield(False, "", "clone particles with half weight at momentum thresholds")
    expected_slope: float = qfield(2.0, "", "expected dN/dp ∝ p^-s; thresholds p_k = p_first·2^(k/(s-1))", gt=1)
    p_first: float = qfield(0.0, "m_p c", "first threshold (0: 2× the injection momentum)", ge=0)
    n_levels: int = qfield(10, "", "number of thresholds", ge=1, le=60)


_NAME_RX = re.compile(r"^[A-Za-z0-9_=-][A-Za-z0-9._=-]*$")


class ObserverSpec(Section):
    name: str = qfield("obs", "", "observer name (letters, digits, '._=-'; it becomes part of figure file names)",
                       min_length=1, max_length=64)
    kind: Literal["shock", "fixed"] = qfield("shock", "", "window moving with a shock, or fixed in space")
    lo: Length = qfield(0.0, "cm | code", "window lower edge (relative to the shock for kind = shock)")
    hi: Length = qfield(1.0, "cm | code", "window upper edge")
    shock: int = qfield(0, "", "which shock (index into the flow's shock list, e.g. 0 or 1)", ge=0)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, name):
        if not _NAME_RX.match(name):
            raise ValueError("only letters, digits and '._=-' (no path separators, no leading '.'): the name "
                             "becomes part of figure file names")
        return name

    @model_validator(mode="after")
    def _order(self):
        if self.hi <= self.lo:
            raise ValueError(f"observer {self.name!r}: hi must be larger than lo")
        return self


class SDEOutputSection(OutputSection):
    particles: bool = qfield(False, "", "store particle snapshots x, p, w, alive (root particles; not with splitting)")
    n_p: int = qfield(80, "", "momentum bins of the spectra", ge=2, le=100_000)
    p_min: float = qfield(0.1, "m_p c", "lowest momentum bin edge", gt=0)
    p_max: float = qfield(1e6, "m_p c", "highest momentum bin edge", gt=0)
    n_x: int = qfield(100, "", "x bins of the (x, p) histogram", ge=2, le=100_000)
    x_lo: Length = qfield(-10.0, "cm | code", "x range of the (x, p) histogram: lower edge")
    x_hi: Length = qfield(10.0, "cm | code", "x range of the (x, p) histogram: upper edge")
    observers: list[ObserverSpec] = qfield(
        [], "", "snapshot observers (default: one at the shock, [-2, 2] × width-independent code lengths)")
    integrate: list[ObserverSpec] = qfield(
        [], "", "time-integrating fixed windows Σ w dt (continuous injection of a stationary flow)")

    @model_validator(mode="after")
    def _p_range(self):
        if self.p_max <= self.p_min:
            raise ValueError("output.p_max must be larger than output.p_min")
        if self.x_hi <= self.x_lo:
            raise ValueError("output.x_hi must be larger than output.x_lo")
        for o in self.integrate:
            if o.kind != "fixed":
                raise ValueError(f"output.integrate[{o.name!r}]: time-integrating observers must be kind = 'fixed'")
        return self


class SDEDeck(Section):
    """Pseudo-particle (SDE) transport and diffusive shock acceleration in time-dependent flows (seed 003)."""

    engine: Literal["sde"] = "sde"
    units: Literal["code", "cgs"] = qfield("code", "", "code units (numbers as given) or CGS")
    run: SDERunSection = Field(default_factory=SDERunSection)
    grid: GridSection = Field(default_factory=GridSection)
    flow: Flow = Field(default_factory=NoFlow)
    diffusion: DiffusionSection = Field(default_factory=DiffusionSection)
    injection: InjectionSection = Field(default_factory=InjectionSection)
    splitting: SplittingSection = Field(default_factory=SplittingSection)
    losses: LossesSection = Field(default_factory=LossesSection)
    output: SDEOutputSection = Field(default_factory=SDEOutputSection)
    # --- 3-D field-aligned transport (grid.geometry = "cartesian3d"; config/sde3d.py) ---
    field: FieldSection = Field(default_factory=FieldSection)
    transport3d: Transport3DSection = Field(default_factory=Transport3DSection)
    momentum_diffusion: MomentumDiffusionSection = Field(default_factory=MomentumDiffusionSection)  # 1-D too
    output3d: Output3DSection = Field(default_factory=Output3DSection)
    # --- end 3-D ---

    @model_validator(mode="after")
    def _consistent(self):
        _check_losses(self)
        if self.grid.geometry == "cartesian3d":
            check_3d(self)
        spherical_flows = ("sedov", "isenberg")
        if self.flow.kind in spherical_flows and self.grid.geometry not in ("spherical", "cartesian3d"):
            raise ValueError(f"flow.kind = {self.flow.kind!r} needs grid.geometry = 'spherical'")
        if self.flow.kind in ("planar_shock", "colliding_shocks") and self.grid.geometry not in ("planar", "cartesian3d"):
            raise ValueError(f"flow.kind = {self.flow.kind!r} needs grid.geometry = 'planar'")
        if self.output.particles and self.splitting.enabled:
            raise ValueError("output.particles cannot be combined with splitting.enabled (clones have no fixed slot)")
        if self.injection.where == "shock" and self.flow.kind in ("none", "uniform_divergence", "hydro_run"):
            raise ValueError(f"injection.where = 'shock' needs a flow with a shock (flow.kind = {self.flow.kind!r})")
        if self.diffusion.kind == "bohm" and self.units == "cgs" and self.diffusion.B0 <= 0 and self.grid.geometry != "cartesian3d":
            raise ValueError("diffusion.B0 must be > 0 for Bohm diffusion in CGS units")
        if self.run.dt > self.run.t_end:
            raise ValueError(f"run.dt ({self.run.dt:g}) is larger than run.t_end ({self.run.t_end:g})")
        return self


def _check_losses(deck):
    """[losses] applies to electrons only; code decks take b_code, cgs decks B and u_rad.

    Keys are compared with their defaults (not "given or not"): the resolved deck written to a
    run directory spells out every default and must load again.
    """
    L = deck.losses
    given = {k for k, f in type(L).model_fields.items() if getattr(L, k) != f.default}
    if deck.injection.species != "electron":
        if given:
            raise ValueError(f"losses.{sorted(given)[0]} is set but injection.species = 'proton' "
                             "(radiative losses are for electrons; set injection.species = 'electron')")
        return
    if deck.grid.geometry == "cartesian3d":
        raise ValueError("injection.species = 'electron' is implemented for 1-D geometries only")
    phys = given & {"B", "u_rad", "T_rad", "klein_nishina"}
    if deck.units == "code" and phys:
        raise ValueError(f"losses.{sorted(phys)[0]} needs units = 'cgs'; code-unit decks give losses.b_code")
    if deck.units == "cgs" and "b_code" in given:
        raise ValueError("losses.b_code is for units = 'code'; cgs decks give losses.B and losses.u_rad")
