"""Radial grids (planar | cylindrical | spherical; uniform | log | stretched) and momentum grids.

A :class:`RadialGrid` holds, as float64 numpy arrays,

- ``rf`` (n+1) cell faces, ``rc`` (n) cell centres (midpoints of the faces),
  ``dr`` (n) cell widths;
- ``A`` (n+1) face areas: planar 1, cylindrical 2πr (per unit length), spherical 4πr²;
- ``V`` (n) exact cell volumes: planar Δr, cylindrical π(r₊² − r₋²), spherical 4π/3 (r₊³ − r₋³).

With these, a finite-volume update ``V_i ΔU_i = −Δt (A₊F₊ − A₋F₋)`` conserves the
volume integral ``Σ U_i V_i`` to round-off in every geometry, and ``A₊ − A₋`` is the
exact discrete ``dV/dr``-type factor used in the well-balanced pressure source.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

GEOMETRIES = ("planar", "cylindrical", "spherical")


def face_areas(rf: np.ndarray, geometry: str) -> np.ndarray:
    """Face area per face: 1 (planar), 2πr (cylindrical, per unit length), 4πr² (spherical)."""
    rf = np.asarray(rf, dtype=float)
    if geometry == "planar":
        return np.ones_like(rf)
    if geometry == "cylindrical":
        return 2.0 * np.pi * rf
    if geometry == "spherical":
        return 4.0 * np.pi * rf * rf
    raise ValueError(f"grid.geometry must be one of {GEOMETRIES}, got {geometry!r}")


def cell_volumes(rf: np.ndarray, geometry: str) -> np.ndarray:
    """Exact cell volumes between faces: Δr, π(r₊²−r₋²), (4π/3)(r₊³−r₋³)."""
    rf = np.asarray(rf, dtype=float)
    lo, hi = rf[:-1], rf[1:]
    if geometry == "planar":
        return hi - lo
    if geometry == "cylindrical":
        # (hi - lo)(hi + lo) avoids cancellation of hi² - lo² for thin cells far out
        return np.pi * (hi - lo) * (hi + lo)
    if geometry == "spherical":
        return (4.0 * np.pi / 3.0) * (hi - lo) * (hi * hi + hi * lo + lo * lo)
    raise ValueError(f"grid.geometry must be one of {GEOMETRIES}, got {geometry!r}")


def make_faces(r_min: float, r_max: float, n: int, spacing: str = "uniform", stretch: float = 1.0) -> np.ndarray:
    """Cell faces for ``n`` cells on [r_min, r_max].

    uniform: equal widths; log: log-spaced faces (needs r_min > 0); stretched: widths
    grow geometrically, Δr_i = Δr_0 s^i, Δr_0 = L (s − 1)/(s^n − 1), starting at r_min.
    """
    if not (r_max > r_min >= 0):
        raise ValueError(f"grid needs 0 <= r_min < r_max (got r_min={r_min!r}, r_max={r_max!r})")
    if n < 1:
        raise ValueError(f"grid.n_cells must be >= 1 (got {n})")
    if spacing == "uniform" or (spacing == "stretched" and stretch == 1.0):
        rf = r_min + (r_max - r_min) * np.arange(n + 1) / n
    elif spacing == "log":
        if r_min <= 0:
            raise ValueError("grid.spacing = 'log' needs grid.r_min > 0")
        rf = np.geomspace(r_min, r_max, n + 1)
    elif spacing == "stretched":
        if stretch <= 0:
            raise ValueError(f"grid.stretch must be > 0 (got {stretch})")
        L = r_max - r_min
        k = np.arange(n + 1)
        # cumulative sum of a geometric series, written to stay accurate for s -> 1
        rf = r_min + L * np.expm1(k * np.log(stretch)) / np.expm1(n * np.log(stretch))
    else:
        raise ValueError(f"grid.spacing must be uniform, log or stretched (got {spacing!r})")
    rf[0], rf[-1] = r_min, r_max
    if np.any(np.diff(rf) <= 0):
        raise ValueError("grid faces are not strictly increasing (too many cells for this stretch?)")
    return rf


@dataclass(frozen=True)
class RadialGrid:
    geometry: str
    rf: np.ndarray
    rc: np.ndarray
    dr: np.ndarray
    A: np.ndarray
    V: np.ndarray
    #: name of the spatial coordinate in run files ("r"; "z" for the cloud flux tube)
    coord: str = "r"
    #: other axes the solver used, e.g. momentum or histogram edges: name -> (array, units)
    axes: dict = field(default_factory=dict, compare=False)

    @property
    def n(self) -> int:
        return self.rc.size

    @classmethod
    def from_faces(cls, rf, geometry: str, coord: str = "r", axes: dict | None = None) -> RadialGrid:
        rf = np.ascontiguousarray(rf, dtype=float)
        return cls(
            geometry=geometry,
            rf=rf,
            rc=0.5 * (rf[:-1] + rf[1:]),
            dr=np.diff(rf),
            A=face_areas(rf, geometry),
            V=cell_volumes(rf, geometry),
            coord=coord,
            axes=dict(axes or {}),
        )

    @classmethod
    def from_section(cls, g) -> RadialGrid:
        """Build from a validated ``GridSection`` (deck ``[grid]``)."""
        return cls.from_faces(make_faces(g.r_min, g.r_max, g.n_cells, g.spacing, g.stretch), g.geometry)

    def integrate(self, q: np.ndarray) -> float:
        """Σ q_i V_i: volume integral of a cell-averaged density."""
        return float(np.dot(q, self.V))

    def volumes_inside(self, radius: float) -> np.ndarray:
        """Volume of each cell inside ``radius`` (the cut cell counts with its exact partial volume)."""
        return cell_volumes(np.minimum(self.rf, radius), self.geometry)

    def integrate_inside(self, q: np.ndarray, radius: float) -> np.ndarray:
        """Σ_i q_i V_i(< radius) over the last axis of ``q`` (cells): e.g. the gas mass inside R."""
        return np.asarray(q) @ self.volumes_inside(radius)


Grid = RadialGrid  # the name used by run files: ``open_run(DIR).grid``


def make_grid(section) -> RadialGrid:
    return RadialGrid.from_section(section)


def momentum_grid(p_min: float, p_max: float, bins_per_decade: int):
    """Log-spaced momentum grid: returns (edges, centres), centres = √(edge₋ edge₊).

    The number of bins is round(bins_per_decade · log10(p_max/p_min)) (at least 1);
    the edges span [p_min, p_max] exactly, so the realised bins per decade can differ
    slightly from the request when the range is not a whole number of bins.
    """
    if not (p_max > p_min > 0):
        raise ValueError(f"momentum grid needs 0 < p_min < p_max (got {p_min!r}, {p_max!r})")
    if bins_per_decade < 1:
        raise ValueError(f"bins_per_decade must be >= 1 (got {bins_per_decade})")
    nb = max(1, int(round(bins_per_decade * np.log10(p_max / p_min))))
    edges = np.geomspace(p_min, p_max, nb + 1)
    edges[0], edges[-1] = p_min, p_max
    return edges, np.sqrt(edges[:-1] * edges[1:])
