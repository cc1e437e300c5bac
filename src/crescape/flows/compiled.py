"""Compiled evaluation of background flows u(x, t) and ∇·u(x, t) (numba).

Every flow is reduced to an integer kind plus float arrays (see
:func:`flow_eval`), so the SDE kernel evaluates any flow without per-step
function-pointer calls, and Python (plots, tests, other engines) evaluates the
very same code through :func:`evaluate`.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from ..core.jit import FM  # noqa: F401 (re-exported: the kernels' fast-math flags)

FLOW_NONE, FLOW_LINEAR, FLOW_PIECEWISE, FLOW_BLAST, FLOW_TABLE, FLOW_SHOCK = 0, 1, 2, 3, 4, 5


@nb.njit(inline="always")
def tanh_sech2(s):
    """(tanh s, sech² s = 1 - tanh² s) of a tanh-smoothed jump; exactly ±1 and 0 beyond |s| > 20.

    The one definition of the smoothed shock profile: every flow with tanh jumps
    (planar shock, element flows, blast waves) and the SDE fast path call it.
    """
    if s > 20.0:
        return 1.0, 0.0
    if s < -20.0:
        return -1.0, 0.0
    e = math.exp(2.0 * s)
    th = (e - 1.0) / (e + 1.0)
    return th, 1.0 - th * th


@nb.njit(inline="always")
def flow_eval(fk, fpar, fel, ttab, utab, dtab, x, t, wfac):
    """(u, ∇·u) of the background flow at (x, t); ``wfac`` scales smoothing widths.

    fk = 0: no flow. 1: linear u = c x (planar ∇·u = c, spherical ∇·u = 3c), fpar[0] = c.
    2: piecewise-analytic planar flow u = fpar[0] + Σ elements (rows of ``fel``:
       [type, t_on, t_off, xa0, Va, xb0, Vb, w, du], active for t_on <= t < t_off);
       type 0 = tanh jump of du at X = xa0 + Va t, width w; type 1 = linear ramp
       of du between a(t) = xa0 + Va t and b(t) = xb0 + Vb t; type 2 = constant
       offset du (the velocity left of every jump).
    3: self-similar blast wave (spherical), R = A (t - t0)^α, V = α R/(t - t0);
       interior u = V x (a + b x^n), x = r/R; exterior u_ext; tanh-smoothed at R:
       fpar = [t0, A, α, a, b, n, w, u_ext].
    5: single tanh shock (fast path of 2), fpar = [u_L, du, X0, V, w].
    4: tabulated u(t, x), ∇·u(t, x) on a uniform x grid (fpar = [x0, dx, nx]),
       linear in x and t.
    """
    if fk == 5:  # fast path: one tanh jump, fpar = [u_left, du, X0, V, w]
        w = fpar[4] * wfac
        th, s2 = tanh_sech2((x - fpar[2] - fpar[3] * t) / w)
        return fpar[0] + 0.5 * fpar[1] * (1.0 + th), 0.5 * fpar[1] * s2 / w
    if fk == 0:
        return 0.0, 0.0
    if fk == 1:
        return fpar[0] * x, fpar[0] * fpar[1]
    if fk == 2:
        return _piecewise_eval(fpar, fel, x, t, wfac)
    if fk == 3:
        return _blast_eval(fpar, x, t, wfac)
    return _table_eval(fpar, ttab, utab, dtab, x, t)


@nb.njit(fastmath=FM)
def _piecewise_eval(fpar, fel, x, t, wfac):
    u = fpar[0]
    div = 0.0
    for e in range(fel.shape[0]):
        if t < fel[e, 1] or t >= fel[e, 2]:
            continue
        typ = fel[e, 0]
        if typ == 2.0:
            u += fel[e, 8]
            continue
        a = fel[e, 3] + fel[e, 4] * t
        if typ == 0.0:
            w = fel[e, 7] * wfac
            d = x - a
            if d > 20.0 * w:  # beyond the jump: tanh = 1 and sech² = 0 to round-off (as tanh_sech2)
                u += fel[e, 8]
            elif d >= -20.0 * w:
                th, s2 = tanh_sech2(d / w)
                u += 0.5 * fel[e, 8] * (1.0 + th)
                div += 0.5 * fel[e, 8] * s2 / w
        else:
            b = fel[e, 5] + fel[e, 6] * t
            if x >= b:
                u += fel[e, 8]
            elif x > a:
                u += fel[e, 8] * (x - a) / (b - a)
                div += fel[e, 8] / (b - a)
    return u, div


@nb.njit(inline="always")
def _pow(x, n):
    """x**n, by repeated multiplication for integral 1 <= n <= 8 (the Sedov profile index n = 5)."""
    if n == 5.0:
        x2 = x * x
        return x2 * x2 * x
    if n >= 1.0 and n <= 8.0 and n == math.floor(n):
        y = x
        for _ in range(int(n) - 1):
            y *= x
        return y
    return x**n


@nb.njit(fastmath=FM)
def _blast_eval(fpar, r, t, wfac):
    te = t - fpar[0]
    if te <= 0.0:
        return fpar[7], 2.0 * fpar[7] / max(r, 1e-300)
    R = fpar[1] * te ** fpar[2]
    V = fpar[2] * R / te
    xr = r / R
    xn = _pow(xr, fpar[5]) if fpar[4] != 0.0 else 0.0
    uin = V * xr * (fpar[3] + fpar[4] * xn)
    w = fpar[6] * wfac
    th, s2 = tanh_sech2((r - R) / w)
    S = 0.5 * (1.0 - th)
    dS = -0.5 * s2 / w
    uext = fpar[7]
    u = uin * S + uext * (1.0 - S)
    div = S * (V / R) * (3.0 * fpar[3] + fpar[4] * (fpar[5] + 3.0) * xn) + (uin - uext) * dS
    if uext != 0.0:
        div += 2.0 * uext * (1.0 - S) / max(r, 1e-300)
    return u, div


@nb.njit(inline="always")
def table_interp(fpar, utab, dtab, x, it, at):
    """(u, ∇·u) of a replay table at x between rows it and it + 1 (weight ``at`` of the later row):
    linear in x on the uniform grid fpar = [x0, dx, nx], clamped at its ends."""
    nt = utab.shape[0]
    nx = utab.shape[1]
    fx = (x - fpar[0]) / fpar[1]
    if fx <= 0.0:
        ix, ax = 0, 0.0
    elif fx >= nx - 1:
        ix, ax = nx - 2, 1.0
    else:
        ix = int(fx)
        ax = fx - ix
    j = min(it + 1, nt - 1)
    u0 = utab[it, ix] * (1 - ax) + utab[it, ix + 1] * ax
    u1 = utab[j, ix] * (1 - ax) + utab[j, ix + 1] * ax
    d0 = dtab[it, ix] * (1 - ax) + dtab[it, ix + 1] * ax
    d1 = dtab[j, ix] * (1 - ax) + dtab[j, ix + 1] * ax
    return u0 * (1 - at) + u1 * at, d0 * (1 - at) + d1 * at


@nb.njit
def _table_eval(fpar, ttab, utab, dtab, x, t):
    nt = ttab.shape[0]
    if t <= ttab[0]:
        it, at = 0, 0.0
    elif t >= ttab[nt - 1]:
        it, at = nt - 2, 1.0
    else:
        lo, hi = 0, nt - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if ttab[mid] <= t:
                lo = mid
            else:
                hi = mid
        it = lo
        at = (t - ttab[lo]) / (ttab[hi] - ttab[lo])
    if nt == 1:
        it, at = 0, 0.0
    return table_interp(fpar, utab, dtab, x, it, at)


@nb.njit(cache=True)
def _evaluate(fk, fpar, fel, ttab, utab, dtab, x, t, wfac):
    u = np.empty(x.shape[0])
    d = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        u[i], d[i] = flow_eval(fk, fpar, fel, ttab, utab, dtab, x[i], t, wfac)
    return u, d


def evaluate(spec, x, t, wfac=1.0):
    """(u, ∇·u) of a :class:`crescape.flows.FlowSpec` on the points ``x`` at time ``t``."""
    x = np.ascontiguousarray(np.atleast_1d(np.asarray(x, dtype=float)))
    return _evaluate(spec.kind, spec.fpar, spec.fel, spec.ttab, spec.utab, spec.dtab, x, float(t), float(wfac))
