"""Flow clocks: the time-dependent part of a flow, advanced with fixed steps (numba).

A pseudo-particle on fixed Δt evaluates the flow at t0, t0 + Δt, t0 + 2Δt, … Everything that
depends on t only — a blast wave's radius R(t), speed V(t) and 1/R, a replay table's time
bracket — is kept in a small state tuple that :func:`clock_tick` advances by one step without
transcendental calls or searches, and :func:`flow_at` evaluates (u, ∇·u) from it with the same
formulas as :func:`crescape.flows.compiled.flow_eval` (flows without a time-dependent part use
it directly).

Blast waves, R = A (t − t0)^α: with ε = Δt/(t − t0) (= Δt·(V/R)/α, no division),
    R(t + Δt) = R (1 + ε)^α,   1/R(t + Δt) = (1/R) (1 + ε)^−α,   (V/R)(t + Δt) = (V/R)/(1 + ε),
each from its binomial series to ε⁴ (truncation ε⁵ < 1e-20 for the ε ≤ 1e-4 this is used
for; larger steps and every 64th tick re-evaluate R, 1/R and V/R exactly, which bounds the
accumulated round-off to ≈ 1e-14 relative). Replay tables: the bracket ttab[i] ≤ t < ttab[i+1]
moves forward one interval at a time and its 1/(ttab[i+1] − ttab[i]) is kept.
"""
from __future__ import annotations

import numba as nb
import numpy as np

from .compiled import FLOW_BLAST, FLOW_TABLE, _pow, flow_eval, table_interp, tanh_sech2

EPS_SERIES = 1e-4  # largest Δt/(t − t0) advanced by the series
REANCHOR = 63  # exact blast-wave state every 64 ticks (tick & REANCHOR == 0)


@nb.njit(inline="always")
def _blast_exact(fpar, t):
    te = t - fpar[0]
    if te <= 0.0:
        return te, 0.0, 0.0, 0.0
    R = fpar[1] * te ** fpar[2]
    return te, R, 1.0 / R, fpar[2] / te


@nb.njit(inline="always")
def _table_bracket(ttab, t):
    """(i, t_i, 1/(t_{i+1} − t_i)) with t_i ≤ t < t_{i+1}, clamped to the table (as ``_table_eval``)."""
    nt = ttab.shape[0]
    if nt == 1:
        return 0.0, ttab[0], 0.0
    if t <= ttab[0]:
        return 0.0, t, 0.0  # at = 0: the first row
    if t >= ttab[nt - 1]:
        return float(nt - 2), t - (ttab[nt - 1] - ttab[nt - 2]), 1.0 / (ttab[nt - 1] - ttab[nt - 2])  # at = 1
    lo, hi = 0, nt - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ttab[mid] <= t:
            lo = mid
        else:
            hi = mid
    return float(lo), ttab[lo], 1.0 / (ttab[hi] - ttab[lo])


@nb.njit(inline="always")
def clock_start(fk, fpar, ttab, t):
    """Clock state (four floats) of flow kind ``fk`` at time ``t``."""
    if fk == FLOW_BLAST:
        return _blast_exact(fpar, t)
    if fk == FLOW_TABLE:
        i, ti, inv = _table_bracket(ttab, t)
        return i, ti, inv, t
    return 0.0, 0.0, 0.0, t


@nb.njit(inline="always")
def clock_tick(fk, fpar, ttab, st, t, dt, tick):
    """State at ``t`` (= previous time + ``dt``), ``tick`` = steps since :func:`clock_start`."""
    if fk == FLOW_BLAST:
        te, R, iR, voR = st
        eps = dt * voR / fpar[2]
        if te <= 0.0 or eps > EPS_SERIES or (tick & REANCHOR) == 0:
            return _blast_exact(fpar, t)
        a = fpar[2]
        g = 1.0 + a * eps * (1.0 + 0.5 * (a - 1.0) * eps * (1.0 + (a - 2.0) / 3.0 * eps * (1.0 + 0.25 * (a - 3.0) * eps)))
        gi = 1.0 - a * eps * (1.0 - 0.5 * (a + 1.0) * eps * (1.0 - (a + 2.0) / 3.0 * eps * (1.0 - 0.25 * (a + 3.0) * eps)))
        h = 1.0 - eps * (1.0 - eps * (1.0 - eps * (1.0 - eps)))
        return te + dt, R * g, iR * gi, voR * h
    if fk == FLOW_TABLE:
        i, ti, inv, _ = st
        nt = ttab.shape[0]
        if nt > 1 and (t >= ttab[int(i) + 1] or inv == 0.0):
            return clock_start(fk, fpar, ttab, t)
        return i, ti, inv, t
    return st


@nb.njit(inline="always")
def _blast_at(fpar, st, r, wfac):
    """As ``compiled._blast_eval`` with R, 1/R and V/R from the clock; the interior profile and
    the tanh are skipped where they are 0 or 1 to round-off (|r − R| > 20 w, as in tanh_sech2)."""
    te, R, iR, voR = st
    uext = fpar[7]
    if te <= 0.0:
        return uext, 2.0 * uext / max(r, 1e-300)
    w = fpar[6] * wfac
    dr = r - R
    if dr > 20.0 * w:  # ahead of the shock: the ambient flow
        if uext == 0.0:
            return 0.0, 0.0
        return uext, 2.0 * uext / max(r, 1e-300)
    a, b, n = fpar[3], fpar[4], fpar[5]
    xn = _pow(r * iR, n) if b != 0.0 else 0.0
    uin = voR * r * (a + b * xn)  # V x (a + b x^n), V x = (V/R) r
    din = voR * (3.0 * a + b * (n + 3.0) * xn)
    if dr < -20.0 * w:  # inside: the interior profile alone
        return uin, din
    th, s2 = tanh_sech2(dr / w)
    S = 0.5 * (1.0 - th)
    u = uin * S + uext * (1.0 - S)
    div = S * din - (uin - uext) * 0.5 * s2 / w
    if uext != 0.0:
        div += 2.0 * uext * (1.0 - S) / max(r, 1e-300)
    return u, div


@nb.njit(inline="always")
def _table_at(fpar, utab, dtab, st, x, t):
    """As ``compiled._table_eval`` with the time bracket from the clock."""
    return table_interp(fpar, utab, dtab, x, int(st[0]), min((t - st[1]) * st[2], 1.0))


@nb.njit(inline="always")
def flow_at(fk, fpar, fel, ttab, utab, dtab, st, x, t, wfac):
    """(u, ∇·u) at (x, t) from the clock state ``st`` (valid at ``t``)."""
    if fk == FLOW_BLAST:
        return _blast_at(fpar, st, x, wfac)
    if fk == FLOW_TABLE:
        return _table_at(fpar, utab, dtab, st, x, t)
    return flow_eval(fk, fpar, fel, ttab, utab, dtab, x, t, wfac)


@nb.njit(cache=True)
def clock_run(fk, fpar, fel, ttab, utab, dtab, x, t0, dt, m, wfac):
    """(u, ∇·u) at x[j] and t0 + j Δt, j < m, through the clock (tests compare it with flow_eval)."""
    u = np.empty(m)
    d = np.empty(m)
    st = clock_start(fk, fpar, ttab, t0)
    for j in range(m):
        t = t0 + j * dt
        if j > 0:
            st = clock_tick(fk, fpar, ttab, st, t, dt, j)
        u[j], d[j] = flow_at(fk, fpar, fel, ttab, utab, dtab, st, x[j], t, wfac)
    return u, d
