"""Deck model of the CR-hydrodynamics engine (seed 000: Shimoda, Asano & Inutsuka 2025)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ...config.base import (
    Density,
    Diffusivity,
    Energy,
    GridSection,
    Length,
    MagField,
    NumberDensity,
    OutputSection,
    Pressure,
    RunSection,
    Section,
    Temperature,
    Velocity,
    qfield,
)


class GasSection(Section):
    gamma: float = qfield(5.0 / 3.0, "", "adiabatic index of the gas (seed 000 eq. 5)", gt=1.0, le=3.0)
    mu: float = qfield(1.0, "m_p", "mean mass per particle in proton masses (seed 000: m̄ = m_p)", gt=0)
    rho_floor: Density = qfield(1e-40, "g cm-3", "density below which the run stops with a diagnostic", gt=0)


class ThermalSection(Section):
    cooling: bool = qfield(True, "", "radiative cooling n² Λ(T)")
    heating: bool = qfield(True, "", "constant photo-electric heating n Γ")
    conduction: bool = qfield(True, "", "Parker (1953) thermal conduction")
    Gamma: float = qfield(2e-26, "erg s-1", "heating rate per particle Γ (Koyama & Inutsuka 2002)", ge=0)
    cooling_table: Literal["schure2009", "sutherland_dopita1993", "gnat_sternberg2007"] = qfield(
        "schure2009", "", "CIE cooling curve used above 10^4.238 K"
    )
    T_switch_cooling: float = qfield(
        10**4.238, "K", "temperature where the KI2002 fit hands over to the CIE table", gt=0
    )
    T_switch_conduction: float = qfield(
        44721.359549995796,
        "K",
        "Parker conductivity switch: 2.5e3 T^0.5 below, 1.25e-6 T^2.5 above (default: the continuous junction √(2e9) = 4.472e4 K; seed 000 writes 4.74e4 K, a 12 % jump)",
        gt=0,
    )
    saturation: bool = qfield(True, "", "limit the conductive flux to the saturated flux (Cowie & McKee 1977)")
    phi_sat: float = qfield(1.0, "", "efficiency factor φ_s of the saturated flux 5 φ_s ρ c_s³", gt=0)
    T_floor: Temperature = qfield(10.0, "K", "cooling is switched off below this temperature", gt=0)
    cooling_blend_dex: float = qfield(
        0.1, "dex", "width above T_switch_cooling over which log Λ blends from KI2002 to the CIE table", ge=0, le=1
    )
    cooling_eps: float = qfield(
        0.005, "", "max relative temperature change per cooling sub-step (ROS2 sub-cycling; 0.005 keeps isochoric cooling within 0.3 % of the exact ODE)", gt=0, le=0.25
    )
    cooling_max_substeps: int = qfield(
        100_000, "", "cooling sub-steps per cell and step before the run stops with a diagnostic", ge=1
    )
    conduction_theta: float = qfield(
        1.0, "", "implicitness of conduction: 1 backward Euler, 0.5 Crank–Nicolson", ge=0.5, le=1.0
    )
    picard_iterations: int = qfield(2, "", "Picard iterations for the non-linear K(T) per step", ge=1, le=50)


class CRSection(Section):
    enabled: bool = qfield(False, "", "evolve the momentum-resolved CR distribution N_cr(t, r, p)")
    p_min: float = qfield(10**-1.5, "m_p c", "lower edge of the momentum grid", gt=0)
    p_max: float = qfield(10**3.5, "m_p c", "upper edge of the momentum grid", gt=0)
    bins_per_decade: int = qfield(10, "", "momentum bins per decade", ge=10, le=200)
    D0: Diffusivity = qfield(1e27, "cm2 s-1", "diffusion coefficient at p = m_p c (seed 000 eq. 11)", gt=0)
    delta: float = qfield(1.0 / 3.0, "", "D ∝ (p/m_p c)^delta (seed 000: a = 1/3)")
    B: MagField = qfield(1e-6, "G", "field strength for the Alfvén speed V_A = B/√(4πρ)", ge=0)
    ionisation_fraction: float = qfield(
        0.1, "", "x_e = n_e/n_H entering the Coulomb (ionised) and ionisation (neutral) losses", ge=0, le=1.2
    )
    coulomb: bool = qfield(True, "", "Coulomb + ionisation momentum losses and gas heating")
    streaming: bool = qfield(True, "", "streaming loss −|V_A ∂r N| of the CRs")
    alfven_heating: bool = qfield(True, "", "gas heating |V_A ∂r ε_cr| by dissipated Alfvén waves")
    pressure_coupling: bool = qfield(True, "", "CR pressure force and work on the gas")
    outer_bc: Literal["absorbing", "zero_gradient"] = qfield(
        "absorbing", "", "CR boundary at r_max: N = 0 outside (absorbing) or ∂r N = 0"
    )
    diffusion_model: str = qfield(
        "power_law",
        "",
        "'power_law' (D0, delta) or the name of a D(p, r) registered from Python with crescape.physics.diffusion.register_diffusion",
        min_length=1,
        max_length=100,
    )
    init_E: Energy = qfield(
        0.0, "erg", "CR energy of an initial top-hat N ∝ p^-init_slope for r ≤ init_r0 (problems other than shimoda2025)", ge=0
    )
    init_r0: Length = qfield(0.0, "cm", "radius of that initial CR top-hat", ge=0)
    init_slope: float = qfield(2.3, "", "momentum slope of that initial CR top-hat")
    time_scheme: Literal["tr_bdf2", "backward_euler"] = qfield(
        "tr_bdf2", "", "diffusion + streaming integrator: TR-BDF2 (2nd order, L-stable) or backward Euler (1st order)"
    )
    dt_tolerance: float = qfield(
        1e-3, "", "TR-BDF2 relative local error per sub-step (vs each bin's peak); the CR diffusion step is "
        "sub-cycled inside a hydro step to meet it; 0: one step per hydro step", ge=0, lt=1
    )

    @model_validator(mode="after")
    def _check_p(self):
        if self.p_max <= self.p_min:
            raise ValueError(f"cr.p_max ({self.p_max:g}) must be larger than cr.p_min ({self.p_min:g})")
        return self


class State(Section):
    rho: Density = qfield(1.0, "g cm-3", "density", gt=0)
    v: Velocity = qfield(0.0, "cm s-1", "velocity")
    P: Pressure = qfield(1.0, "erg cm-3", "pressure", gt=0)


class RiemannProblem(Section):
    kind: Literal["riemann"] = "riemann"
    left: State = Field(default_factory=State, description="state for r < x0")
    right: State = Field(default_factory=lambda: State(rho=0.125, P=0.1), description="state for r > x0")
    x0: Length = qfield(0.5, "cm", "position of the initial discontinuity")


class SedovProblem(Section):
    kind: Literal["sedov"] = "sedov"
    E: Energy = qfield(1.0, "erg", "explosion energy", gt=0)
    rho: Density = qfield(1.0, "g cm-3", "ambient density", gt=0)
    P_ambient: Pressure = qfield(1e-5, "erg cm-3", "ambient pressure", gt=0)
    r_inject: Length = qfield(0.0, "cm", "radius of the energy deposit (0: the first 3 cells)", ge=0)


class UniformProblem(Section):
    kind: Literal["uniform"] = "uniform"
    n: NumberDensity | None = qfield(None, "cm-3", "number density (or give rho)", gt=0)
    rho: Density | None = qfield(None, "g cm-3", "mass density (or give n)", gt=0)
    T: Temperature | None = qfield(
        None, "K", "temperature (omit n, rho with thermal equilibrium below to get n = Γ/Λ(T))", gt=0
    )
    v: Velocity = qfield(0.0, "cm s-1", "uniform velocity")
    equilibrium: bool = qfield(False, "", "set n = Γ/Λ(T) (thermal equilibrium) instead of n/rho")

    @model_validator(mode="after")
    def _one_density(self):
        if self.T is None:
            raise ValueError("problem.T is required for kind = 'uniform'")
        given = (self.n is not None) + (self.rho is not None) + bool(self.equilibrium)
        if given != 1:
            raise ValueError("give exactly one of problem.n, problem.rho or problem.equilibrium = true")
        return self


class Shimoda2025Problem(Section):
    kind: Literal["shimoda2025"] = "shimoda2025"
    T: Temperature = qfield(7000.0, "K", "initial uniform temperature; n = Γ/Λ(T) is computed", gt=0)
    E_cr: Energy = qfield(1e50, "erg", "total CR energy injected (seed 000 §3)", gt=0)
    r0: Length = qfield(5 * 3.0856775814913673e18, "cm", "radius of the initial CR top-hat", gt=0)
    slope: float = qfield(2.3, "", "N_cr ∝ p^-slope inside r0 (seed 000 eq. 10)")


Problem = Annotated[
    RiemannProblem | SedovProblem | UniformProblem | Shimoda2025Problem, Field(discriminator="kind")
]


class BoundarySection(Section):
    inner: Literal["reflecting"] = qfield("reflecting", "", "inner boundary of the gas (origin or wall)")
    outer: Literal["outflow", "fixed", "reflecting"] = qfield(
        "outflow", "", "outer boundary of the gas: zero-gradient outflow, fixed initial state, or wall"
    )


class HydroSection(Section):
    limiter: Literal["mc", "minmod", "vanleer"] = qfield(
        "mc", "", "slope limiter of the PLM reconstruction (monotonised central, minmod, van Leer)"
    )
    integrator: Literal["vl2"] = qfield("vl2", "", "time integrator (van Leer predictor–corrector, Stone & Gardiner 2009)")
    history_every: int = qfield(10, "", "record the history (budgets) every this many steps", ge=1)


class CRHydroDeck(Section):
    """1D radiative CR-hydrodynamics with a momentum-resolved CR spectrum (seed 000)."""

    engine: Literal["crhydro"] = "crhydro"
    run: RunSection = Field(default_factory=RunSection)
    grid: GridSection = Field(default_factory=GridSection)
    gas: GasSection = Field(default_factory=GasSection)
    thermal: ThermalSection = Field(default_factory=ThermalSection)
    cr: CRSection = Field(default_factory=CRSection)
    boundary: BoundarySection = Field(default_factory=BoundarySection)
    hydro: HydroSection = Field(default_factory=HydroSection)
    problem: Problem = Field(default_factory=RiemannProblem)
    output: OutputSection = Field(default_factory=OutputSection)

    @model_validator(mode="after")
    def _consistent(self):
        if self.problem.kind == "riemann" and not (self.grid.r_min < self.problem.x0 < self.grid.r_max):
            raise ValueError("problem.x0 must lie inside the grid (grid.r_min < x0 < grid.r_max)")
        if self.problem.kind == "shimoda2025" and self.grid.geometry != "spherical":
            raise ValueError("problem.kind = 'shimoda2025' needs grid.geometry = 'spherical'")
        return self
