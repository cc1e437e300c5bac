"""1D finite-volume Euler solver: HLLC + PLM (MC limiter) + van Leer (VL2) predictor–corrector.

Conservative variables per cell, ``U[:, i] = (ρ, ρv, E)`` with ``E = ½ρv² + P/(γ−1)``;
geometry enters only through the face areas ``A`` and exact cell volumes ``V`` of
:class:`crescape.core.grid.RadialGrid`::

    V_i dU_i/dt = −(A₊F₊ − A₋F₋) + (0, P_i (A₊ − A₋), 0)

(Euler equations in planar/cylindrical/spherical symmetry, e.g. Toro 2009 §1.6.3;
Mignone 2014, JCP 270, 784 for the finite-volume form). The momentum update is written
as ``−[A₊(F₊ − P_i) − A₋(F₋ − P_i)]`` so that a uniform gas at rest has exactly zero
momentum change (well balanced to round-off) while mass and energy are conserved to
round-off by the area-weighted fluxes.

Riemann solver: HLLC (Toro, Spruce & Speares 1994; Toro 2009 §10.4) with Einfeldt
(1988) wave-speed bounds (Roe averages). Reconstruction: piecewise-linear in primitive
variables (ρ, v, P) on the non-uniform grid, limited by monotonised central (van Leer
1977), minmod or van Leer harmonic limiters; a cell whose reconstructed face values
would have ρ ≤ 0 or P ≤ 0 falls back to a constant state. Time integration: the VL2
scheme of Stone & Gardiner (2009, New Astron. 14, 139): a first-order half step
followed by a PLM full step (as in Athena++).

Everything after ``step_vl2`` is one compiled kernel call per time step with
preallocated work arrays: no numpy temporaries per step.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

LIMITERS = {"mc": 0, "minmod": 1, "vanleer": 2}
OUTER_BC = {"outflow": 0, "fixed": 1, "reflecting": 2}
NG = 2  # ghost cells per side


@njit(cache=True, inline="always")
def _limit(dl, dr, kind):
    if dl * dr <= 0.0:
        return 0.0
    if kind == 0:  # monotonised central
        c = 0.5 * (dl + dr)
        a = min(abs(2.0 * dl), abs(2.0 * dr), abs(c))
        return a if c > 0 else -a
    if kind == 1:  # minmod
        return dl if abs(dl) < abs(dr) else dr
    return 2.0 * dl * dr / (dl + dr)  # van Leer harmonic


@njit(cache=True, inline="always")
def _hllc(rl, vl, pl, rr, vr, pr, gamma):
    """HLLC flux (mass, momentum, energy) between two primitive states (Toro 2009 §10.4)."""
    gm1 = gamma - 1.0
    el = pl / gm1 + 0.5 * rl * vl * vl
    er = pr / gm1 + 0.5 * rr * vr * vr
    cl = math.sqrt(gamma * pl / rl)
    cr = math.sqrt(gamma * pr / rr)
    # Einfeldt (1988) bounds from Roe averages
    sl_ = math.sqrt(rl)
    sr_ = math.sqrt(rr)
    isum = 1.0 / (sl_ + sr_)
    vroe = (sl_ * vl + sr_ * vr) * isum
    hroe = ((el + pl) / sl_ + (er + pr) / sr_) * isum
    croe = math.sqrt(max(gm1 * (hroe - 0.5 * vroe * vroe), 1e-300))
    SL = min(vl - cl, vroe - croe)
    SR = max(vr + cr, vroe + croe)
    ml = rl * (SL - vl)
    mr = rr * (SR - vr)
    Ss = (pr - pl + vl * ml - vr * mr) / (ml - mr)
    if SL >= 0.0:
        return rl * vl, rl * vl * vl + pl, (el + pl) * vl
    if SR <= 0.0:
        return rr * vr, rr * vr * vr + pr, (er + pr) * vr
    if Ss >= 0.0:
        ps = pl + ml * (Ss - vl)
        f = ml / (SL - Ss)  # ρ* = ρ_L (S_L − v_L)/(S_L − S*)
        es = (el * (SL - vl) + ps * Ss - pl * vl) / (SL - Ss)
        return f * Ss, f * Ss * Ss + ps, (es + ps) * Ss
    ps = pr + mr * (Ss - vr)
    f = mr / (SR - Ss)
    es = (er * (SR - vr) + ps * Ss - pr * vr) / (SR - Ss)
    return f * Ss, f * Ss * Ss + ps, (es + ps) * Ss


@njit(cache=True)
def _fill_primitives(U, W, gamma, bc_out, fixed):
    """Primitives (ρ, v, P) with 2 ghost cells each side: reflecting inner, chosen outer."""
    n = U.shape[1]
    gm1 = gamma - 1.0
    for i in range(n):
        rho = U[0, i]
        v = U[1, i] / rho
        W[0, i + NG] = rho
        W[1, i + NG] = v
        W[2, i + NG] = gm1 * (U[2, i] - 0.5 * rho * v * v)
    for g in range(NG):
        a = NG - 1 - g  # ghost index, mirrors interior NG + g
        W[0, a] = W[0, NG + g]
        W[1, a] = -W[1, NG + g]
        W[2, a] = W[2, NG + g]
        b = n + NG + g
        m = n + NG - 1 - g
        if bc_out == 0:
            W[0, b] = W[0, n + NG - 1]
            W[1, b] = W[1, n + NG - 1]
            W[2, b] = W[2, n + NG - 1]
        elif bc_out == 1:
            W[0, b] = fixed[0]
            W[1, b] = fixed[1]
            W[2, b] = fixed[2]
        else:
            W[0, b] = W[0, m]
            W[1, b] = -W[1, m]
            W[2, b] = W[2, m]


@njit(cache=True)
def _slopes(W, S, xc, xf, limiter, order):
    """Limited slopes for cells 1..n+2 (extended index); zero for order 1 or unphysical faces."""
    m = W.shape[1]
    for i in range(1, m - 1):
        if order == 1:
            S[0, i] = 0.0
            S[1, i] = 0.0
            S[2, i] = 0.0
            continue
        hl = 1.0 / (xc[i] - xc[i - 1])
        hr = 1.0 / (xc[i + 1] - xc[i])
        for k in range(3):
            S[k, i] = _limit((W[k, i] - W[k, i - 1]) * hl, (W[k, i + 1] - W[k, i]) * hr, limiter)
        dm = xc[i] - xf[i]
        dp = xf[i + 1] - xc[i]
        bad = False
        for k in (0, 2):
            if W[k, i] - S[k, i] * dm <= 0.0 or W[k, i] + S[k, i] * dp <= 0.0:
                bad = True
        if bad:
            S[0, i] = 0.0
            S[1, i] = 0.0
            S[2, i] = 0.0


@njit(cache=True)
def _fluxes(W, S, xc, xf, F, gamma):
    """HLLC fluxes at the n+1 physical faces from the reconstructed states."""
    nf = F.shape[1]
    for j in range(nf):
        L = j + NG - 1
        R = j + NG
        x = xf[j + NG]
        dl = x - xc[L]
        dr = xc[R] - x
        f0, f1, f2 = _hllc(
            W[0, L] + S[0, L] * dl, W[1, L] + S[1, L] * dl, W[2, L] + S[2, L] * dl,
            W[0, R] - S[0, R] * dr, W[1, R] - S[1, R] * dr, W[2, R] - S[2, R] * dr, gamma,
        )
        F[0, j] = f0
        F[1, j] = f1
        F[2, j] = f2


@njit(cache=True)
def _update(U0, Uout, F, W, A, V, dt, gamma):
    """Uout = U0 − dt/V (A₊F₊ − A₋F₋) with the well-balanced pressure source; returns bad cell or −1."""
    n = U0.shape[1]
    bad = -1
    for i in range(n):
        P = W[2, i + NG]
        c = dt / V[i]
        am = A[i]
        ap = A[i + 1]
        r = U0[0, i] - c * (ap * F[0, i + 1] - am * F[0, i])
        m = U0[1, i] - c * (ap * (F[1, i + 1] - P) - am * (F[1, i] - P))
        e = U0[2, i] - c * (ap * F[2, i + 1] - am * F[2, i])
        Uout[0, i] = r
        Uout[1, i] = m
        Uout[2, i] = e
        if bad < 0 and not (r > 0.0 and e - 0.5 * m * m / r > 0.0 and math.isfinite(e)):
            bad = i
    return bad


@njit(cache=True)
def _fofc(U0, U, W, F, xc, xf, A, V, dt, gamma, first_bad):
    """First-order flux correction (as in Athena++): faces of cells left unphysical by the
    PLM update get donor-cell HLLC fluxes (from W, the predictor primitives) and the cells
    next to them are updated again from U0. Conservative; returns the first cell still bad or −1."""
    n = U.shape[1]
    for i in range(first_bad, n):
        r = U[0, i]
        if r > 0.0 and U[2, i] - 0.5 * U[1, i] * U[1, i] / r > 0.0 and math.isfinite(U[2, i]):
            continue
        for j in (i, i + 1):
            L = j + NG - 1
            f0, f1, f2 = _hllc(W[0, L], W[1, L], W[2, L], W[0, L + 1], W[1, L + 1], W[2, L + 1], gamma)
            F[0, j] = f0
            F[1, j] = f1
            F[2, j] = f2
        for k in range(max(i - 1, 0), min(i + 2, n)):
            P = W[2, k + NG]
            c = dt / V[k]
            am = A[k]
            ap = A[k + 1]
            U[0, k] = U0[0, k] - c * (ap * F[0, k + 1] - am * F[0, k])
            U[1, k] = U0[1, k] - c * (ap * (F[1, k + 1] - P) - am * (F[1, k] - P))
            U[2, k] = U0[2, k] - c * (ap * F[2, k + 1] - am * F[2, k])
    for i in range(max(first_bad - 1, 0), n):
        r = U[0, i]
        if not (r > 0.0 and U[2, i] - 0.5 * U[1, i] * U[1, i] / r > 0.0 and math.isfinite(U[2, i])):
            return i
    return -1


@njit(cache=True)
def step_vl2(U, U0, Uh, W, S, F, xc, xf, A, V, dt, gamma, bc_out, fixed, limiter):
    """One VL2 step in place on U: half step with donor-cell fluxes, full step with PLM.

    Returns −1 on success, else the index of the first cell with ρ ≤ 0, P ≤ 0 or NaN
    (+ n for the corrector stage). F holds the fluxes actually applied by the corrector.
    """
    n = U.shape[1]
    _fill_primitives(U, W, gamma, bc_out, fixed)
    _slopes(W, S, xc, xf, limiter, 1)
    _fluxes(W, S, xc, xf, F, gamma)
    bad = _update(U, Uh, F, W, A, V, 0.5 * dt, gamma)
    if bad >= 0:
        return bad
    U0[:, :] = U
    _fill_primitives(Uh, W, gamma, bc_out, fixed)
    _slopes(W, S, xc, xf, limiter, 2)
    _fluxes(W, S, xc, xf, F, gamma)
    bad = _update(U0, U, F, W, A, V, dt, gamma)
    if bad >= 0:
        bad = _fofc(U0, U, W, F, xc, xf, A, V, dt, gamma, bad)
        if bad >= 0:
            U[:, :] = U0
            return n + bad
    return -1


@njit(cache=True)
def max_signal_rate(U, dr, gamma, extra_c2, use_extra):
    """max_i (|v_i| + c_i)/Δr_i with c² = γP/ρ (+ extra c², e.g. γ_cr P_cr/ρ). CFL: dt = C/rate."""
    n = U.shape[1]
    gm1 = gamma - 1.0
    rate = 0.0
    for i in range(n):
        rho = U[0, i]
        v = U[1, i] / rho
        P = gm1 * (U[2, i] - 0.5 * rho * v * v)
        c2 = gamma * P / rho
        if use_extra:
            c2 += extra_c2[i]
        s = (abs(v) + math.sqrt(max(c2, 0.0))) / dr[i]
        if s > rate or not math.isfinite(s):
            rate = s if math.isfinite(s) else np.inf
    return rate


def extended_coordinates(grid, bc_out: str):
    """Centres (n+4) and faces (n+5) including two mirrored ghost cells on each side."""
    rf, rc = grid.rf, grid.rc
    r0, r1 = rf[0], rf[-1]
    xc = np.concatenate([2 * r0 - rc[1::-1], rc, 2 * r1 - rc[:-3:-1]])
    xf = np.concatenate([2 * r0 - rf[2:0:-1], rf, 2 * r1 - rf[-2:-4:-1]])
    return np.ascontiguousarray(xc), np.ascontiguousarray(xf)


class HydroWork:
    """Preallocated work arrays and static geometry for :func:`step_vl2`."""

    def __init__(self, grid, gamma: float, bc_out: str = "outflow", limiter: str = "mc", fixed=None):
        n = grid.n
        self.gamma = float(gamma)
        self.Uh = np.zeros((3, n))
        self.U0 = np.zeros((3, n))
        self.W = np.zeros((3, n + 2 * NG))
        self.S = np.zeros((3, n + 2 * NG))
        self.F = np.zeros((3, n + 1))
        self.xc, self.xf = extended_coordinates(grid, bc_out)
        self.A = np.ascontiguousarray(grid.A)
        self.V = np.ascontiguousarray(grid.V)
        self.dr = np.ascontiguousarray(grid.dr)
        self.bc_out = OUTER_BC[bc_out]
        self.limiter = LIMITERS[limiter]
        self.fixed = np.zeros(3) if fixed is None else np.asarray(fixed, dtype=float)
        self._none = np.zeros(1)

    def step(self, U, dt):
        return step_vl2(U, self.U0, self.Uh, self.W, self.S, self.F, self.xc, self.xf, self.A, self.V,
                        dt, self.gamma, self.bc_out, self.fixed, self.limiter)

    def signal_rate(self, U, extra_c2=None):
        if extra_c2 is None:
            return max_signal_rate(U, self.dr, self.gamma, self._none, False)
        return max_signal_rate(U, self.dr, self.gamma, np.ascontiguousarray(extra_c2, dtype=float), True)


def conserved(rho, v, P, gamma):
    """(ρ, ρv, E) from primitives: E = ½ρv² + P/(γ−1)."""
    rho = np.asarray(rho, dtype=float)
    return np.stack([rho, rho * v, 0.5 * rho * np.asarray(v) ** 2 + np.asarray(P) / (gamma - 1.0)])


def primitives(U, gamma):
    rho = U[0]
    v = U[1] / rho
    return rho, v, (gamma - 1.0) * (U[2] - 0.5 * rho * v * v)
