"""Line-of-sight projection: exact chords through shells, pixel integrals, flux-tube geometry, PSF.

All projections are in the distant-observer (parallel-ray) approximation: a sky offset θ
maps to the impact parameter b = d θ, and the flux of a volume element is ε dV/(4π d²).
Errors of this approximation are O((R/d)²) for a source of radius R.

* :func:`chord_lengths` — chord through the shell r1 < r < r2 at impact parameter b:
  2(√(r2² − b²) − √(max(r1² − b², 0))) (0 for b ≥ r2).
* :func:`shell_profile` — I(b) = (1/4π) Σ_k ε_k L_k(b): exact for piecewise-constant ε.
* :func:`sphere_pixel_matrix` — exact ∫∫ over a pixel rectangle of the column through a
  sphere of radius R, W(R) = ∫∫ 2√(R² − x² − y²)₊ dx dy: the y integral in closed form
  [y√(A² − y²) + A² asin(y/A)], the x integral by Gauss–Legendre in u = asin(x/R), split where the
  disc edge crosses the pixel rows (the integrand is smooth on each piece); shell k contributes
  ε_k (W(r_k+1) − W(r_k)), so the map holds the volume integral to quadrature accuracy.
* :func:`tube_pixel_matrix` — the cloud's flux tube (radius a, axis along the field,
  symmetric about the source at z = 0, seen side-on): separable, exact (cell overlap in x,
  closed-form y integral of the chord 2√(a² − y²)).
* :func:`gaussian_psf` — optional Gaussian PSF per energy plane.
"""
from __future__ import annotations

import numba
import numpy as np
from scipy.ndimage import gaussian_filter


def chord_lengths(b, r_edges):
    """Chord lengths L (n_b, n_shells) [cm] through shells with edges r_edges [cm] at impact parameters b [cm]."""
    b = np.atleast_1d(np.asarray(b, float))[:, None]
    r = np.asarray(r_edges, float)[None, :]
    s = np.sqrt(np.clip(r * r - b * b, 0.0, None))
    return 2.0 * (s[:, 1:] - s[:, :-1])


def shell_profile(b, r_edges, emissivity):
    """Surface brightness I(b) = (1/4π) Σ_k ε_k L_k(b) [ε units × cm sr^-1]; emissivity (..., n_shells)."""
    L = chord_lengths(b, r_edges)
    return np.einsum("bk,...k->...b", L, np.asarray(emissivity, float)) / (4.0 * np.pi)


@numba.njit(cache=True)
def _yint(y, A):  # ∫_0^y 2√(A² − t²) dt, y clipped to [−A, A]
    if A <= 0.0:
        return 0.0
    yy = min(max(y, -A), A)
    return yy * np.sqrt(max(A * A - yy * yy, 0.0)) + A * A * np.arcsin(yy / A)


@numba.njit(cache=True)
def _column_integral(lo, hi, y0, y1, Rk, gx, gw):
    """∫_lo^hi [Y(y1, A) − Y(y0, A)] dx, A = √(R² − x²), split where A = |y0|, |y1| (kinks) and in u = asin(x/R)."""
    br = np.empty(6)
    br[0], br[1] = lo, hi
    nb = 2
    for yy in (y0, y1):
        if abs(yy) < Rk:
            xs = np.sqrt(Rk * Rk - yy * yy)
            for sgn in (-1.0, 1.0):
                if lo < sgn * xs < hi:
                    br[nb] = sgn * xs
                    nb += 1
    pts = np.sort(br[:nb])
    total = 0.0
    for m in range(nb - 1):
        u0, u1 = np.arcsin(min(max(pts[m] / Rk, -1.0), 1.0)), np.arcsin(min(max(pts[m + 1] / Rk, -1.0), 1.0))
        if u1 <= u0:
            continue
        s = 0.0
        for q in range(gx.size):
            uq = 0.5 * (u0 + u1) + 0.5 * (u1 - u0) * gx[q]
            x = Rk * np.sin(uq)
            A = np.sqrt(max(Rk * Rk - x * x, 0.0))
            s += gw[q] * (_yint(y1, A) - _yint(y0, A)) * Rk * np.cos(uq)
        total += 0.5 * (u1 - u0) * s
    return total


@numba.njit(cache=True, parallel=True)
def _sphere_W(x_edges, y_edges, R, gx, gw):  # pragma: no cover - compiled
    nx, ny, nr = x_edges.size - 1, y_edges.size - 1, R.size
    W = np.zeros((ny, nx, nr))
    for i in numba.prange(nx):
        x0, x1 = x_edges[i], x_edges[i + 1]
        xn = min(max(0.0, x0), x1)
        for j in range(ny):
            y0, y1 = y_edges[j], y_edges[j + 1]
            yn = min(max(0.0, y0), y1)
            for k in range(nr):
                Rk = R[k]
                lo, hi = max(x0, -Rk), min(x1, Rk)
                if hi <= lo or Rk <= 0.0 or xn * xn + yn * yn >= Rk * Rk:
                    continue
                W[j, i, k] = _column_integral(lo, hi, y0, y1, Rk, gx, gw)
    return W


def sphere_pixel_matrix(x_edges, y_edges, r_edges, n_gauss=24):
    """P (n_y, n_x, n_shells) [cm³]: volume of shell k inside the column over each pixel.

    x_edges, y_edges: pixel edges in the plane of the sky [cm] (= d × angle); r_edges: shell
    radii [cm]. Pixel flux = Σ_k P[..., k] ε_k / (4π d²).
    """
    gx, gw = np.polynomial.legendre.leggauss(n_gauss)
    xe, ye, R = np.asarray(x_edges, float), np.asarray(y_edges, float), np.asarray(r_edges, float)
    sx, sy = np.allclose(xe, -xe[::-1]), np.allclose(ye, -ye[::-1])
    ix0, iy0 = (xe.size - 1) // 2 if sx else 0, (ye.size - 1) // 2 if sy else 0
    W = np.empty((ye.size - 1, xe.size - 1, R.size))
    W[iy0:, ix0:] = _sphere_W(xe[ix0:], ye[iy0:], R, gx, gw)  # symmetric grids: one quadrant, mirrored
    if ix0:
        W[iy0:, :ix0] = W[iy0:, ::-1][:, :ix0]
    if iy0:
        W[:iy0] = W[::-1][:iy0]
    return np.diff(W, axis=2)


def _seg_overlap(a_edges, b_lo, b_hi):
    """Overlap length (n_a, n_b) of intervals [a_i, a_i+1] with [b_lo_k, b_hi_k]."""
    lo = np.maximum(a_edges[:-1, None], b_lo[None, :])
    hi = np.minimum(a_edges[1:, None], b_hi[None, :])
    return np.clip(hi - lo, 0.0, None)


def tube_pixel_matrix(x_edges, y_edges, z_edges, a):
    """P (n_y, n_x, n_z) [cm³]: volume of tube cell k (both sides, |z| in [z_k, z_k+1], radius a) over each pixel.

    The tube axis lies along x (the field direction, perpendicular to the line of sight),
    the cross-section is a disc of radius a [cm] seen side-on: the column at offset y is the
    chord 2√(a² − y²); its y integral over a pixel is closed-form.
    """
    z = np.asarray(z_edges, float)
    ox = _seg_overlap(np.asarray(x_edges, float), z[:-1], z[1:]) + _seg_overlap(np.asarray(x_edges, float), -z[1:], -z[:-1])
    ye = np.clip(np.asarray(y_edges, float), -a, a)
    F = ye * np.sqrt(np.clip(a * a - ye * ye, 0.0, None)) + a * a * np.arcsin(ye / a)
    oy = np.diff(F)
    return oy[:, None, None] * ox[None, :, :]


def gaussian_psf(cube, sigma_pix):
    """Convolve each plane (…, n_y, n_x) with a Gaussian of σ = sigma_pix pixels (zero outside: flux near edges leaves the map)."""

    if sigma_pix is None or sigma_pix <= 0:
        return cube
    cube = np.asarray(cube, float)
    sig = [0.0] * (cube.ndim - 2) + [float(sigma_pix), float(sigma_pix)]
    return gaussian_filter(cube, sigma=sig, mode="constant", cval=0.0, truncate=5.0)
