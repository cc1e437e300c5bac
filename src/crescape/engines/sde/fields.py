"""Magnetic-field models B(x) with analytic Jacobians ∂B_i/∂x_j for 3-D field-aligned transport.

Every model returns (B, J) with J[i, j] = ∂B_i/∂x_j, so the diffusion-tensor drift ∇·κ of
κ = κ∥ b̂b̂ + κ⊥ (I − b̂b̂) follows analytically (:mod:`.kernels3d`). Models (``field.kind``):

* ``uniform`` (FK_UNIFORM): B = B0 d̂, J = 0.
* ``radial`` / ``parker_spiral`` (FK_SPIRAL): Parker (1958, ApJ 128, 664) spiral of a wind with
  speed u_w from a star rotating with Ω ẑ, B_r = B0 (r0/r)², B_φ = −B_r Ω r sinθ/u_w, written in
  Cartesian form without trigonometry: B = A(r) (x, y, z) + C(r) (y, −x, 0), A = B0 r0²/r³,
  C = B0 r0²/(r_s r²), r_s = u_w/Ω (``field.r_spiral``); radial: 1/r_s = 0. ∇·B = 0.
* ``halo`` (FK_HALO): axisymmetric toroidal + poloidal halo field (a smooth, divergence-free
  simplification of the Galactic halo models of Prouza & Šmída 2003, A&A 410, 1, and of the
  X-field of Jansson & Farrar 2012, ApJ 757, 14):
  B_φ = B_T (ρ/ρ_h) exp(1 − ρ/ρ_h) / cosh(z/z_h) (peak B_T at ρ = ρ_h, z = 0),
  B_z = B_P exp(−ρ²/ρ_P²). In Cartesian form B = F (−y, x, 0) + G ẑ with F = B_φ/ρ (regular
  at ρ = 0). Both parts are divergence-free.
* ``table`` (FK_TABLE): B on a uniform 3-D grid (HDF5), trilinear; J is the derivative of the
  trilinear interpolant (piecewise, continuous inside a cell). Outside the table the
  boundary values are used and the kernel counts those steps.
"""
from __future__ import annotations

import math

import h5py
import numba as nb
import numpy as np

FK_UNIFORM, FK_SPIRAL, FK_HALO, FK_TABLE = 0, 1, 2, 3
_EMPTY_TAB = np.zeros((3, 2, 2, 2))


@nb.njit(inline="always")
def _spiral(fpar, x, y, z):
    K, c = fpar[0], fpar[1]
    ir2 = 1.0 / (x * x + y * y + z * z)  # one division and one sqrt per evaluation
    C = K * c * ir2
    A = K * ir2 * math.sqrt(ir2)
    a3 = -3.0 * A * ir2  # A'(r)/r
    c2 = -2.0 * C * ir2  # C'(r)/r
    vx, vy = y, -x
    bx = A * x + C * vx
    by = A * y + C * vy
    bz = A * z
    j00 = A + a3 * x * x + c2 * vx * x
    j01 = a3 * x * y + C + c2 * vx * y
    j02 = a3 * x * z + c2 * vx * z
    j10 = a3 * y * x - C + c2 * vy * x
    j11 = A + a3 * y * y + c2 * vy * y
    j12 = a3 * y * z + c2 * vy * z
    j20 = a3 * z * x
    j21 = a3 * z * y
    j22 = A + a3 * z * z
    return bx, by, bz, j00, j01, j02, j10, j11, j12, j20, j21, j22


@nb.njit(inline="always")
def _halo(fpar, x, y, z):
    BT, rh, zh, BP, rp = fpar[0], fpar[1], fpar[2], fpar[3], fpar[4]
    rho = math.sqrt(x * x + y * y)
    F = BT / rh * math.exp(1.0 - rho / rh) / math.cosh(z / zh)
    G = BP * math.exp(-(rho * rho) / (rp * rp))
    if rho > 0.0:
        fx = -F * x / (rho * rh)
        fy = -F * y / (rho * rh)
    else:
        fx = 0.0
        fy = 0.0
    fz = -F * math.tanh(z / zh) / zh
    g2 = -2.0 * G / (rp * rp)
    return (-F * y, F * x, G,
            -y * fx, -F - y * fy, -y * fz,
            F + x * fx, x * fy, x * fz,
            g2 * x, g2 * y, 0.0)


@nb.njit(inline="always")
def _cell(v, v0, dv, n):
    f = (v - v0) / dv
    out = 0
    if f < 0.0:
        f, out = 0.0, 1
    elif f > n - 1:
        f, out = n - 1.0, 1
    i = min(int(f), n - 2)
    return i, f - i, out


@nb.njit(inline="always")
def _trilinear(tab, c, i, j, k, ax, ay, az, o1, o2, o3, dx, dy, dz):
    """Component ``c`` of the trilinear interpolant in cell (i, j, k) at offsets (ax, ay, az) and its
    three derivatives (zero along an axis clamped to the table: o1, o2, o3)."""
    c000, c100 = tab[c, i, j, k], tab[c, i + 1, j, k]
    c010, c110 = tab[c, i, j + 1, k], tab[c, i + 1, j + 1, k]
    c001, c101 = tab[c, i, j, k + 1], tab[c, i + 1, j, k + 1]
    c011, c111 = tab[c, i, j + 1, k + 1], tab[c, i + 1, j + 1, k + 1]
    c00 = c000 + (c100 - c000) * ax
    c10 = c010 + (c110 - c010) * ax
    c01 = c001 + (c101 - c001) * ax
    c11 = c011 + (c111 - c011) * ax
    c0 = c00 + (c10 - c00) * ay
    c1 = c01 + (c11 - c01) * ay
    dx0 = (c100 - c000) + ((c110 - c010) - (c100 - c000)) * ay
    dx1 = (c101 - c001) + ((c111 - c011) - (c101 - c001)) * ay
    return (c0 + (c1 - c0) * az,
            0.0 if o1 else (dx0 + (dx1 - dx0) * az) / dx,
            0.0 if o2 else ((c10 - c00) + ((c11 - c01) - (c10 - c00)) * az) / dy,
            0.0 if o3 else (c1 - c0) / dz)


@nb.njit(inline="always")
def _table(fpar, tab, x, y, z):
    """(B, J) of a field table at (x, y, z) as 12 floats, and the number of clamped axes."""
    nx, ny, nz = tab.shape[1], tab.shape[2], tab.shape[3]
    i, ax, o1 = _cell(x, fpar[0], fpar[3], nx)
    j, ay, o2 = _cell(y, fpar[1], fpar[4], ny)
    k, az, o3 = _cell(z, fpar[2], fpar[5], nz)
    bx, j00, j01, j02 = _trilinear(tab, 0, i, j, k, ax, ay, az, o1, o2, o3, fpar[3], fpar[4], fpar[5])
    by, j10, j11, j12 = _trilinear(tab, 1, i, j, k, ax, ay, az, o1, o2, o3, fpar[3], fpar[4], fpar[5])
    bz, j20, j21, j22 = _trilinear(tab, 2, i, j, k, ax, ay, az, o1, o2, o3, fpar[3], fpar[4], fpar[5])
    return (bx, by, bz, j00, j01, j02, j10, j11, j12, j20, j21, j22), o1 + o2 + o3


@nb.njit(inline="always")
def field_eval(fk, fpar, tab, x, y, z):
    """(Bx, By, Bz, J00 … J22, outside) (13 floats) at (x, y, z); J row-major, J[i, j] = ∂B_i/∂x_j."""
    if fk == FK_UNIFORM:
        return fpar[0], fpar[1], fpar[2], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    if fk == FK_SPIRAL:
        b = _spiral(fpar, x, y, z)
        return b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], 0.0
    if fk == FK_HALO:
        b = _halo(fpar, x, y, z)
        return b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], 0.0
    r, o = _table(fpar, tab, x, y, z)
    return r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], float(o)


@nb.njit(cache=True)
def _evaluate(fk, fpar, tab, pts):
    out = np.empty((pts.shape[0], 12))
    for n in range(pts.shape[0]):
        v = field_eval(fk, fpar, tab, pts[n, 0], pts[n, 1], pts[n, 2])
        for c in range(12):
            out[n, c] = v[c]
    return out


class FieldModel:
    """A compiled field model: integer kind, parameters, table, and the reference strength B_ref."""

    def __init__(self, kind: int, fpar, tab=None, B_ref: float = 1.0, description: str = ""):
        self.kind = int(kind)
        self.fpar = np.ascontiguousarray(np.asarray(fpar, float))
        self.tab = np.ascontiguousarray(np.asarray(_EMPTY_TAB if tab is None else tab, float))
        self.B_ref = float(B_ref)
        self.description = description

    def __call__(self, pts):
        """(B (n, 3), J (n, 3, 3)) at points ``pts`` (n, 3)."""
        pts = np.ascontiguousarray(np.atleast_2d(np.asarray(pts, float)))
        v = _evaluate(self.kind, self.fpar, self.tab, pts)
        return v[:, :3], v[:, 3:].reshape(-1, 3, 3)


def uniform(B0: float, direction) -> FieldModel:
    d = np.asarray(direction, float)
    d = d / np.linalg.norm(d)
    return FieldModel(FK_UNIFORM, B0 * d, B_ref=B0, description=f"uniform B0={B0:g} along {d.round(4).tolist()}")


def parker_spiral(B0: float, r0: float, r_spiral: float | None) -> FieldModel:
    """Parker spiral (``r_spiral`` = u_w/Ω) or, with ``r_spiral = None``, the radial field B0 (r0/r)² r̂."""
    c = 0.0 if r_spiral is None else 1.0 / r_spiral
    kind = "radial" if r_spiral is None else f"Parker spiral r_s={r_spiral:g}"
    return FieldModel(FK_SPIRAL, [B0 * r0 * r0, c], B_ref=B0, description=f"{kind} B0={B0:g} at r0={r0:g}")


def halo(B_T: float, rho_h: float, z_h: float, B_P: float, rho_P: float) -> FieldModel:
    return FieldModel(FK_HALO, [B_T, rho_h, z_h, B_P, rho_P], B_ref=B_T,
                      description=f"toroidal+poloidal halo B_T={B_T:g} B_P={B_P:g}")


def write_table(path, x, y, z, Bx, By, Bz):
    """Write a field table readable by ``field.kind = "table"`` (HDF5 datasets x, y, z, Bx, By, Bz)."""

    with h5py.File(path, "w") as f:
        for k, v in {"x": x, "y": y, "z": z, "Bx": Bx, "By": By, "Bz": Bz}.items():
            f[k] = np.asarray(v, float)


def table(path, B_ref: float, scale: float = 1.0) -> FieldModel:
    """Read a field table (uniform axes x, y, z; Bx, By, Bz of shape (nx, ny, nz)); ``scale`` multiplies B."""

    try:
        with h5py.File(path, "r") as f:
            ax = [np.asarray(f[k], float) for k in ("x", "y", "z")]
            B = np.stack([np.asarray(f[k], float) for k in ("Bx", "By", "Bz")])
    except (OSError, KeyError) as exc:
        raise ValueError(f"field.path = {str(path)!r}: cannot read datasets x, y, z, Bx, By, Bz ({exc})") from None
    shape = tuple(len(a) for a in ax)
    if B.shape[1:] != shape or min(shape) < 2:
        raise ValueError(f"field.path: Bx, By, Bz must have shape {shape} (len(x), len(y), len(z)) ≥ 2, got {B.shape[1:]}")
    for name, a in zip("xyz", ax):
        d = np.diff(a)
        if np.any(d <= 0) or np.ptp(d) > 1e-9 * abs(d[0]) * len(a):
            raise ValueError(f"field.path: axis {name} must be uniform and increasing")
    if not np.all(np.isfinite(B)):
        raise ValueError("field.path: the table contains non-finite values")
    fpar = [ax[0][0], ax[1][0], ax[2][0], ax[0][1] - ax[0][0], ax[1][1] - ax[1][0], ax[2][1] - ax[2][0]]
    return FieldModel(FK_TABLE, fpar, B * scale, B_ref=B_ref, description=f"table {path}")


def build_field(deck) -> FieldModel:
    """FieldModel of a deck's ``[field]`` section."""
    f = deck.field
    if f.kind == "uniform":
        return uniform(f.B0, f.direction)
    if f.kind == "radial":
        return parker_spiral(f.B0, f.r0, None)
    if f.kind == "parker_spiral":
        return parker_spiral(f.B0, f.r0, f.r_spiral)
    if f.kind == "halo":
        return halo(f.B0, f.rho_halo, f.z_halo, f.B_poloidal, f.rho_poloidal)
    return table(f.path, f.B0)
