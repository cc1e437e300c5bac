"""TR-BDF2 diffusion + streaming step of the CR transport (seed 000 eq. 9), with error control.

Per momentum bin j the radial operator is linear (streaming rate frozen over a sub-step):

    (L x)_i = [a_{i+½} D_{i+½}(x_{i+1} − x_i) − a_{i−½} D_{i−½}(x_i − x_{i−1})] / V_i − λ_i x_i,

a_{i+½} = A_{i+½}/(r_{i+1} − r_i) (``ap``/``am``: 0 at the origin; at r_max a_out = A/(r_max −
r_last) with x = 0 outside when absorbing, 0 otherwise), λ = V_A|∂r N|/N ≥ 0 the linearised
streaming loss (steepest one-sided descent, from the state at the start of the sub-step).

Time integration: TR-BDF2 (Bank et al. 1985, IEEE Trans. Electron Devices 32, 1992) with
γ = 2 − √2, written as the ESDIRK method of Hosea & Shampine (1996, Appl. Numer. Math. 20, 21):

    stage 1 (trapezoid to t + γh):  (I − d h L) x* = x⁰ + d h L x⁰,         d = γ/2
    stage 2 (BDF2 to t + h):        (I − d h L) x¹ = x⁰ + w h (L x⁰ + L x*),  w = √2/4

so x¹ = x⁰ + h (w L x⁰ + w L x* + d L x¹): second order, L-stable, one tridiagonal matrix per
bin for both stages (factorised once). Because every stage is in flux form, the number through
r_max is booked with the same weights, h Σ_k b_k a_out D x_k,last, and the streaming loss as
h Σ_k b_k λ x_k: box + escaped + streamed = before, to round-off.

Error estimate (Hosea & Shampine 1996, eq. for TR-BDF2's embedded third-order companion,
b̂ = [(1 − w)/3, (3w + 1)/3, d/3]): e = h Σ_k (b_k − b̂_k) L x_k, filtered for stiffness as
(I − d h L)⁻¹ e. The step is accepted when max_i |e_ij| ≤ tol · max_i |x_ij| in every bin
(relative local error per step, measured against the bin's peak, or against ``floor[j]`` if
larger: the caller passes 1 % of the largest peak the bin has had, so that nearly emptied bins —
drained by losses at the grid ends, or escaped — do not set the step), and the next sub-step is
h · min(5, max(0.2, 0.9 (err/tol)^(−1/3))).
"""
from __future__ import annotations

import numpy as np
from numba import njit

GAMMA = 2.0 - np.sqrt(2.0)
D_COEF = 0.5 * GAMMA  # = 1 − 1/√2
W_COEF = np.sqrt(2.0) / 4.0
E0 = (4.0 * W_COEF - 1.0) / 3.0  # b − b̂ of the embedded pair
E1 = -1.0 / 3.0
E2 = 2.0 * D_COEF / 3.0


def face_factors(A, rc, rf, absorbing):
    """a_{i−½} (am) and a_{i+½} (ap) per cell [cm]: A/(distance of the centres)."""
    nr = rc.size
    am = np.zeros(nr)
    ap = np.zeros(nr)
    am[1:] = A[1:nr] / np.diff(rc)
    ap[:-1] = A[1:nr] / np.diff(rc)
    ap[-1] = A[nr] / (rf[nr] - rc[nr - 1]) if absorbing else 0.0
    return am, ap


@njit(cache=True)
def stream_rate(n, rc, vA, lam):
    """λ_ij = V_A,i |∂r N|/N (steepest one-sided descent towards a lower neighbour; 0 at a
    local minimum or where n ≤ 0) [s^-1]."""
    nr, M = n.shape
    for i in range(nr):
        for j in range(M):
            lam[i, j] = 0.0
            ni = n[i, j]
            if ni <= 0.0:
                continue
            best = 0.0
            if i > 0 and n[i - 1, j] < ni:
                best = (ni - n[i - 1, j]) / (rc[i] - rc[i - 1])
            if i < nr - 1 and n[i + 1, j] < ni:
                gp = (ni - n[i + 1, j]) / (rc[i + 1] - rc[i])
                best = max(best, gp)
            lam[i, j] = vA[i] * best / ni


@njit(cache=True, fastmath=True)
def _apply(x, Dface, am, ap, V, lam, out):
    """out = L x (see module docstring)."""
    nr, M = x.shape
    for i in range(nr):
        for j in range(M):
            f = -lam[i, j] * x[i, j] * V[i]
            if i > 0:
                f -= am[i] * Dface[i, j] * (x[i, j] - x[i - 1, j])
            xp = x[i + 1, j] if i < nr - 1 else 0.0
            f += ap[i] * Dface[i + 1, j] * (xp - x[i, j])
            out[i, j] = f / V[i]


@njit(cache=True, fastmath=True)
def _factor(Dface, am, ap, V, lam, c, den, cq):
    """Thomas factors of V (I − c L): pivots ``den`` and multipliers ``cq``."""
    nr, M = den.shape
    for i in range(nr):
        for j in range(M):
            lo = c * am[i] * Dface[i, j]
            up = c * ap[i] * Dface[i + 1, j]
            diag = V[i] * (1.0 + c * lam[i, j]) + lo + up
            if i > 0:
                diag -= lo * cq[i - 1, j]
            den[i, j] = diag
            cq[i, j] = (c * ap[i] * Dface[i + 1, j] / diag) if i < nr - 1 else 0.0


@njit(cache=True, fastmath=True)
def _solve(rhs, Dface, am, V, c, den, cq, x):
    """x = (I − c L)⁻¹ rhs with the factors of :func:`_factor`."""
    nr, M = rhs.shape
    for i in range(nr):
        for j in range(M):
            r = V[i] * rhs[i, j]
            if i > 0:
                r += c * am[i] * Dface[i, j] * x[i - 1, j]
            x[i, j] = r / den[i, j]
    for i in range(nr - 2, -1, -1):
        for j in range(M):
            x[i, j] += cq[i, j] * x[i + 1, j]


@njit(cache=True, fastmath=True)
def tr_bdf2_step(n0, Dface, am, ap, V, lam, h, tol, floor, W, desc, dnst):
    """One TR-BDF2 step of length h from n0 (unchanged); the result is W[0].

    ``desc[j]`` = number through r_max in the step, ``dnst[i, j]`` = number density removed by
    streaming in the step (both with the stage weights). Returns the filtered error estimate in units of tol
    (0 when tol ≤ 0: no estimate). ``W`` is (8, n_r, M) scratch.
    """
    nr, M = n0.shape
    n1, ns, f0, fs, f1, rhs, den, cq = W[0], W[1], W[2], W[3], W[4], W[5], W[6], W[7]
    dh = D_COEF * h
    _factor(Dface, am, ap, V, lam, dh, den, cq)
    _apply(n0, Dface, am, ap, V, lam, f0)
    for i in range(nr):
        for j in range(M):
            rhs[i, j] = n0[i, j] + dh * f0[i, j]
    _solve(rhs, Dface, am, V, dh, den, cq, ns)
    _apply(ns, Dface, am, ap, V, lam, fs)
    wh = W_COEF * h
    for i in range(nr):
        for j in range(M):
            rhs[i, j] = n0[i, j] + wh * (f0[i, j] + fs[i, j])
    _solve(rhs, Dface, am, V, dh, den, cq, n1)
    for j in range(M):
        aout = ap[nr - 1] * Dface[nr, j]
        desc[j] = aout * (wh * (n0[nr - 1, j] + ns[nr - 1, j]) + dh * n1[nr - 1, j])
    for i in range(nr):
        for j in range(M):
            dnst[i, j] = lam[i, j] * (wh * (n0[i, j] + ns[i, j]) + dh * n1[i, j])
    if tol <= 0.0:
        return 0.0
    _apply(n1, Dface, am, ap, V, lam, f1)
    for i in range(nr):
        for j in range(M):
            rhs[i, j] = h * (E0 * f0[i, j] + E1 * fs[i, j] + E2 * f1[i, j])
    _solve(rhs, Dface, am, V, dh, den, cq, f1)  # filtered estimate (I − d h L)⁻¹ e
    err = 0.0
    for j in range(M):
        emax = 0.0
        smax = 0.0
        for i in range(nr):
            emax = max(emax, abs(f1[i, j]))
            smax = max(smax, abs(n0[i, j]), abs(n1[i, j]))
        smax = max(smax, floor[j])
        if smax > 1e-250:  # empty bins (and denormal leftovers) carry no error
            err = max(err, emax / (tol * smax))
    return err


@njit(cache=True)
def diffuse_stream_adaptive(n, Dface, am, ap, V, rc, vA, dt, streaming, eps, tol, floor, h_try, esc, dE_st,
                            dN_st, W, lam, desc, dnst, stats):
    """Advance n by dt with TR-BDF2 sub-steps under the error control of the module docstring
    (one step of dt when tol ≤ 0). Books ``esc[j]`` += number through r_max, ``dE_st[i]`` +=
    Σ_j ε_j (streamed density) and ``dN_st[i]`` += Σ_j (streamed density). ``stats`` +=
    [accepted, rejected] sub-steps. Returns the first sub-step to try in the next call: the first
    accepted one here, grown by at most 2 (the state after the other split operators is the
    hardest for the first sub-step, so the proposal at the end of the interval would be
    rejected); ≤ 0 on failure (the sub-step fell below 1e-12 dt)."""
    nr, M = n.shape
    t = 0.0
    h_next = dt if (tol <= 0.0 or h_try <= 0.0) else h_try
    h_start = -1.0
    for i in range(nr):
        for j in range(M):
            lam[i, j] = 0.0
    while t < dt:
        rem = dt - t
        h = min(h_next, rem)
        if rem - h < 0.05 * h:  # no sliver at the end
            h = rem
        if streaming:
            stream_rate(n, rc, vA, lam)
        err = tr_bdf2_step(n, Dface, am, ap, V, lam, h, tol, floor, W, desc, dnst)
        fac = 5.0
        if err > 0.0:
            fac = min(5.0, max(0.2, 0.9 * err ** (-1.0 / 3.0)))
        if tol > 0.0 and err > 1.0:
            stats[1] += 1
            h_next = h * fac
            if h_next < 1e-12 * dt:
                return -1.0
            continue
        stats[0] += 1
        if h_start < 0.0:
            h_start = h * min(fac, 2.0)
        n1 = W[0]
        for i in range(nr):
            e = 0.0
            s = 0.0
            for j in range(M):
                n[i, j] = n1[i, j]
                e += eps[j] * dnst[i, j]
                s += dnst[i, j]
            dE_st[i] += e
            dN_st[i] += s
        for j in range(M):
            esc[j] += desc[j]
        t += h
        if h >= h_next:  # a step cut short to end the interval says little about the next one
            h_next = h * fac
    return h_start
