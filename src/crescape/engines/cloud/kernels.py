"""Compiled kernels of the cloud engine (numba, serial, cache=True).

* :func:`implicit_transport` — backward-Euler, flux-conservative advection
  (first-order upwind) + diffusion of many independent 1D lines; one Thomas
  (tridiagonal) solve per line. The matrix is an M-matrix, so the update keeps
  a positive solution positive, and the sum of U·dx changes only by the
  boundary fluxes (returned), i.e. to round-off with closed ends.
* :func:`wave_source_update` — exact backward-Euler update of the local wave
  equation ∂t I = G − 2 (Γ + c I)(I − I0) (growth source G ≥ 0, linear damping
  Γ, non-linear Landau damping c I); the positive root of the implicit
  quadratic is taken in a cancellation-free form, so I > 0 always and a steady
  state G = 2(Γ + c I)(I − I0) is a fixed point.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _thomas(a, b, c, r, out):
    """Solve a tridiagonal system (a: sub, b: diag, c: super) in place into ``out``."""
    n = b.size
    cp = np.empty(n)
    dp = np.empty(n)
    cp[0] = c[0] / b[0]
    dp[0] = r[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m
        dp[i] = (r[i] - a[i] * dp[i - 1]) / m
    out[n - 1] = dp[n - 1]
    for i in range(n - 2, -1, -1):
        out[i] = dp[i] - cp[i] * out[i + 1]


@njit(cache=True)
def implicit_transport(U, Vf, Df, dx, dt, lo_dirichlet, lo_val, hi_dirichlet, hi_val, src):
    """Advance every line U[l, :] by one backward-Euler step of ∂t U + ∂x F = src.

    F at face j (between cells j−1 and j) = V⁺ U_{j−1} + V⁻ U_j − Df_j (U_j − U_{j−1}),
    with Df = κ / (distance between the points the face connects). Faces 0 and n
    are the domain ends: zero flux, or a Dirichlet value located on the face
    (then Df there must be κ / (dx_end / 2)). Returns the time-integrated flux
    through the two ends, shape (n_lines, 2) (positive = towards +x).
    """
    nl, n = U.shape
    a = np.empty(n)
    b = np.empty(n)
    c = np.empty(n)
    r = np.empty(n)
    out = np.empty(n)
    fluxes = np.zeros((nl, 2))
    for l in range(nl):
        for i in range(n):
            w = dt / dx[i]
            vl = Vf[l, i]
            vr = Vf[l, i + 1]
            dl = Df[l, i]
            dr = Df[l, i + 1]
            a[i] = 0.0
            c[i] = 0.0
            b[i] = 1.0
            r[i] = U[l, i] + dt * src[l, i]
            # right face
            if i < n - 1 or hi_dirichlet:
                b[i] += w * (max(vr, 0.0) + dr)
                if i < n - 1:
                    c[i] = w * (min(vr, 0.0) - dr)
                else:
                    r[i] += w * (dr - min(vr, 0.0)) * hi_val[l]
            # left face
            if i > 0 or lo_dirichlet:
                b[i] += w * (dl - min(vl, 0.0))
                if i > 0:
                    a[i] = w * (-max(vl, 0.0) - dl)
                else:
                    r[i] += w * (max(vl, 0.0) + dl) * lo_val[l]
        _thomas(a, b, c, r, out)
        for i in range(n):
            U[l, i] = out[i]
        if lo_dirichlet:
            v = Vf[l, 0]
            fluxes[l, 0] = dt * (max(v, 0.0) * lo_val[l] + min(v, 0.0) * out[0] - Df[l, 0] * (out[0] - lo_val[l]))
        if hi_dirichlet:
            v = Vf[l, n]
            fluxes[l, 1] = dt * (max(v, 0.0) * out[n - 1] + min(v, 0.0) * hi_val[l]
                                 - Df[l, n] * (hi_val[l] - out[n - 1]))
    return fluxes


@njit(cache=True)
def wave_source_update(I, G, gam, cnl, I0, dt, active):
    """Backward-Euler step of ∂t I = G − 2 Γ (I − I0) − 2 c I (I − I0), in place, for active cells.

    Solves 2c dt I² + (1 + 2Γ dt − 2c I0 dt) I − (I_n + dt G + 2Γ dt I0) = 0 for its
    positive root, written as 2|C| / (B + sqrt(B² + 4 A |C|)) (no cancellation).
    Inactive cells (evanescent band) are held at I0.
    """
    ne, nz = I.shape
    for e in range(ne):
        for i in range(nz):
            if not active[e, i]:
                I[e, i] = I0[e, i]
                continue
            A = 2.0 * cnl[e, i] * dt
            Bq = 1.0 + 2.0 * gam[e, i] * dt - 2.0 * cnl[e, i] * I0[e, i] * dt
            Cq = I[e, i] + dt * G[e, i] + 2.0 * gam[e, i] * dt * I0[e, i]
            I[e, i] = 2.0 * Cq / (Bq + np.sqrt(Bq * Bq + 4.0 * A * Cq)) if Bq >= 0.0 else \
                (-Bq + np.sqrt(Bq * Bq + 4.0 * A * Cq)) / (2.0 * A)


@njit(cache=True)
def growth_source(P, Vst, PB, zc):
    """G = V_st |∂z P| / W_n at cell centres (mean of the two face gradients)."""
    ne, nz = P.shape
    G = np.zeros((ne, nz))
    for e in range(ne):
        for i in range(nz):
            gl = 0.0
            gr = 0.0
            if i > 0:
                gl = (P[e, i] - P[e, i - 1]) / (zc[i] - zc[i - 1])
            if i < nz - 1:
                gr = (P[e, i + 1] - P[e, i]) / (zc[i + 1] - zc[i])
            # z = 0 is a symmetry point (mirror gradient 0); the last cell uses its inner face
            g = gl if i == nz - 1 else 0.5 * (gl + gr)
            G[e, i] = Vst[e, i] * abs(g) / PB[i]
    return G


@njit(cache=True)
def face_streaming(P, Vst):
    """Signed streaming velocity on faces: V_st (face mean) directed down the CR gradient; 0 where flat."""
    ne, nz = P.shape
    Vf = np.zeros((ne, nz + 1))
    for e in range(ne):
        for j in range(1, nz):
            v = 0.5 * (Vst[e, j - 1] + Vst[e, j])
            d = P[e, j - 1] - P[e, j]
            if d > 0.0:
                Vf[e, j] = v
            elif d < 0.0:
                Vf[e, j] = -v
        Vf[e, nz] = Vst[e, nz - 1] if P[e, nz - 2] >= P[e, nz - 1] else 0.0
    return Vf
