"""Deck sections of the 3-D SDE transport (``grid.geometry = "cartesian3d"``).

κ = κ∥ b̂b̂ + κ⊥ (I − b̂b̂) with b̂ = B/|B| from a magnetic-field model (``[field]``),
κ∥ from ``[diffusion]`` times (|B|/B0)^(−B_index), κ⊥ = perp_ratio·κ∥·(p/p_ref)^perp_delta
(``[transport3d]``); optional momentum diffusion (``[momentum_diffusion]``);
crossing detectors and box windows (``[output3d]``). See docs/sde3d.md.
"""
from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from ...config.base import Length, MagField, Section, Time, Velocity, qfield

Vec3 = tuple[float, float, float]
LVec3 = tuple[Length, Length, Length]  # each component may carry a unit ("1 kpc")


class FieldSection(Section):
    kind: Literal["uniform", "radial", "parker_spiral", "halo", "table"] = qfield(
        "uniform", "", "magnetic-field model (uniform, radial, Parker spiral, toroidal+poloidal halo, HDF5 table)")
    B0: MagField = qfield(1.0, "G | code", "field strength: uniform |B|, |B_r| at r0 (radial/spiral), toroidal peak (halo)", gt=0)
    direction: Vec3 = qfield((1.0, 0.0, 0.0), "", "uniform: direction of B (normalised on use)")
    r0: Length = qfield(1.0, "cm | code", "radial/spiral: reference radius of B_r = B0 (r0/r)²", gt=0)
    r_spiral: Length = qfield(1.0, "cm | code", "spiral: u_wind/Ω, the cylindrical radius of a 45° spiral angle", gt=0)
    B_poloidal: MagField = qfield(0.0, "G | code", "halo: central strength of the vertical (poloidal) component", ge=0)
    rho_halo: Length = qfield(1.0, "cm | code", "halo: cylindrical radius of the toroidal peak", gt=0)
    z_halo: Length = qfield(1.0, "cm | code", "halo: vertical scale height of the toroidal field (1/cosh(z/z_h))", gt=0)
    rho_poloidal: Length = qfield(1.0, "cm | code", "halo: Gaussian radius of the poloidal component", gt=0)
    path: str = qfield("", "", "table: HDF5 file, datasets x, y, z (uniform axes), Bx, By, Bz (nx, ny, nz), deck units")

    @model_validator(mode="after")
    def _check(self):
        if self.kind == "uniform" and sum(c * c for c in self.direction) <= 0:
            raise ValueError("field.direction must be a non-zero vector")
        if self.kind == "table" and not self.path:
            raise ValueError("field.path is required for field.kind = 'table'")
        return self


class Transport3DSection(Section):
    perp_ratio: float = qfield(0.0, "", "κ⊥/κ∥ at p_ref (0: transport along field lines only)", ge=0)
    perp_delta: float = qfield(0.0, "", "extra momentum index of κ⊥: κ⊥ = perp_ratio κ∥ (p/p_ref)^perp_delta", ge=-2, le=2)
    B_index: float | None = qfield(
        None, "", "κ∥ ∝ (|B|/B0)^(−B_index) (default: 1 for Bohm, 0 otherwise)", ge=-3, le=3)
    escape_time: Time = qfield(0.0, "s | code", "leaky-box escape time τ: weights decay as exp(−t/τ) (0: off)", ge=0)
    axis: Vec3 = qfield((1.0, 0.0, 0.0), "", "normal n̂ of planar flows embedded in 3-D (u = u(n̂·x) n̂)")
    x0: LVec3 = qfield((0.0, 0.0, 0.0), "cm | code", "injection point (injection.where = point); origin of planar injection")
    embedding: Literal["auto", "planar", "spherical"] = qfield(
        "auto", "", "1-D flow embedding: along n̂ or radial (auto: radial for sedov/isenberg/hydro_run)")

    @model_validator(mode="after")
    def _check(self):
        if sum(c * c for c in self.axis) <= 0:
            raise ValueError("transport3d.axis must be a non-zero vector")
        return self


class MomentumDiffusionSection(Section):
    kind: Literal["none", "alfven", "power_law"] = qfield(
        "none", "", "D_pp model: none, p² V_A²/(9 κ∥) (Skilling 1975), or D0 p^a")
    V_A: Velocity = qfield(0.0, "cm s-1 | code", "alfven: Alfvén speed V_A", ge=0)
    D0: float = qfield(0.0, "(m_p c)^(2-a) s-1 | code", "power_law: D_pp = D0 p^a (p in m_p c)", ge=0)
    a: float = qfield(2.0, "", "power_law: index a of D_pp = D0 p^a", ge=-2, le=4)

    @model_validator(mode="after")
    def _check(self):
        if self.kind == "alfven" and self.V_A <= 0:
            raise ValueError("momentum_diffusion.V_A must be > 0 for kind = 'alfven'")
        if self.kind == "power_law" and self.D0 <= 0:
            raise ValueError("momentum_diffusion.D0 must be > 0 for kind = 'power_law'")
        return self


class DetectorSpec(Section):
    name: str = qfield("det", "", "detector name", min_length=1)
    kind: Literal["sphere", "plane", "box"] = qfield(
        "sphere", "", "first crossing of a sphere |x| = radius, a plane n̂·x = offset, or leaving a box")
    radius: Length = qfield(1.0, "cm | code", "sphere radius", gt=0)
    normal: Vec3 = qfield((0.0, 0.0, 1.0), "", "plane normal (e.g. the Galactic disk z = 0: (0, 0, 1))")
    offset: Length = qfield(0.0, "cm | code", "plane position n̂·x = offset")
    lo: LVec3 = qfield((-1.0, -1.0, -1.0), "cm | code", "box lower corner")
    hi: LVec3 = qfield((1.0, 1.0, 1.0), "cm | code", "box upper corner")
    absorb: bool = qfield(False, "", "stop the particle at its first crossing (an escape boundary)")

    @model_validator(mode="after")
    def _check(self):
        if self.kind == "plane" and sum(c * c for c in self.normal) <= 0:
            raise ValueError(f"detector {self.name!r}: normal must be a non-zero vector")
        if self.kind == "box" and any(h <= lo for lo, h in zip(self.lo, self.hi)):
            raise ValueError(f"detector {self.name!r}: hi must be larger than lo in every coordinate")
        return self


class BoxWindow(Section):
    name: str = qfield("box", "", "window name", min_length=1)
    lo: LVec3 = qfield((-1.0, -1.0, -1.0), "cm | code", "lower corner")
    hi: LVec3 = qfield((1.0, 1.0, 1.0), "cm | code", "upper corner")

    @model_validator(mode="after")
    def _check(self):
        if any(h <= lo for lo, h in zip(self.lo, self.hi)):
            raise ValueError(f"box {self.name!r}: hi must be larger than lo in every coordinate")
        return self


class Output3DSection(Section):
    detectors: list[DetectorSpec] = qfield([], "", "crossing detectors: arrival time, momentum, position per particle")
    boxes: list[BoxWindow] = qfield([], "", "box windows for the snapshot spectra (besides output.observers)")


def check_3d(deck) -> None:
    """Cross-section checks of a cartesian3d deck (raises ValueError naming the key)."""
    if deck.diffusion.b_index != 0.0:
        raise ValueError("diffusion.b_index is a 1-D key; in 3-D |B(x)| comes from [field] (use transport3d.B_index)")
    if deck.splitting.enabled:
        raise ValueError("splitting.enabled is not supported with grid.geometry = 'cartesian3d'")
    if deck.run.adaptive or deck.run.scheme != "euler" or deck.run.width_scaling != "none":
        raise ValueError("grid.geometry = 'cartesian3d' supports run.adaptive = false, run.scheme = 'euler' and "
                         "run.width_scaling = 'none' only")
    if deck.flow.kind == "colliding_shocks" and deck.transport3d.embedding == "spherical":
        raise ValueError("flow.kind = 'colliding_shocks' is planar: transport3d.embedding must be 'planar' or 'auto'")
