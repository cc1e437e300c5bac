"""Compiled step primitives and fixed-Δt step loops of the 1-D SDE kernels (numba).

``_move``/``_noise``: one Euler–Maruyama position update and its deviates (planar and spherical,
see :mod:`.kernels`). ``_fixed_steps``: up to m steps of fixed Δt between snapshot times — one
loop per flow kind: a single tanh shock with constant κ has its loop invariants hoisted (the
CRPropa DSA benchmark case), every other flow advances its time dependence by a flow clock
(:mod:`crescape.flows.clock`).
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from ...core.jit import step_loop
from ...flows.clock import clock_start, clock_tick, flow_at
from ...flows.compiled import tanh_sech2
from .cooling import RP_BB, RP_BRAD, RP_KN, RP_QB, _cool
from .kappa import _kappa_table, kappa_p, kappa_x
from .rng import exponential, normal
from .slots import (
    DIFF_BOHM,
    DIFF_CONST,
    DIFF_POWER,
    DIFF_TABLE,
    IP_DIFF,
    IP_FLOW,
    IP_GEOM,
    IP_LOSS,
    IP_WSCALE,
    RP_DLNP,
    RP_LNPMIN,
    RP_LNPW,
)

SALT_E = np.uint64(0xD1B54A32D192ED03)  # stream of the spherical transverse deviates


@nb.njit(inline="always")
def _move(geom, x, a, s, dt, z1, e2):
    """Position update: planar x + a dt + s z1; spherical |(r + a dt) e_r + s ξ_3|.

    For the spherical step only ξ_1 (along e_r) and ξ_2² + ξ_3² enter; the latter is
    χ²-distributed with 2 degrees of freedom, i.e. exponential: e2 = -2 ln U.
    """
    if geom == 0:
        return x + a * dt + s * z1
    rx = x + a * dt + s * z1
    return math.sqrt(rx * rx + s * s * e2)


@nb.njit(inline="always")
def _noise(geom, key, n):
    """Normal z1 of step n and, in spherical geometry, the transverse χ²₂ deviate
    e2 = ξ_2² + ξ_3² = 2 Exp(1) from an independent counter stream (both ziggurat draws)."""
    z1 = normal(key, n)
    e2 = 0.0
    if geom != 0:
        e2 = 2.0 * exponential(key ^ SALT_E, n)
    return z1, e2


EXP_SERIES_MAX = 1e-4  # |d| below which exp(d) is taken from its series (truncation d⁵/120 < 1e-21)


@nb.njit(inline="always")
def _exp_small(d):
    """exp(d) for |d| < EXP_SERIES_MAX by its Taylor series to d⁴ (relative error < 1e-21).

    In the fixed-step loop ln p changes by −(∇·u)Δt/3 ≈ 1e-5 per step inside a flow; the
    momentum-dependent factors (κ ∝ p^δ, Bohm p², the width factor) are then updated by
    exp(δ Δln p) without a transcendental call, and recomputed exactly every 64 updates and after
    any larger jump, so round-off cannot accumulate beyond ≈ 64 ulp.
    """
    return 1.0 + d * (1.0 + 0.5 * d * (1.0 + d / 3.0 * (1.0 + 0.25 * d)))


@nb.njit(inline="always")
def _integrate_fast(x, lnp, wdt, blk, int_lo, int_hi, I, lnpmin, inv_dlnp):
    """Σ w dt of the time-integrating observers at (x, ln p) (as :func:`_integrate`)."""
    ib = int(math.floor((lnp - lnpmin) * inv_dlnp))
    if 0 <= ib < I.shape[2]:
        for o in range(I.shape[1]):
            if int_lo[o] <= x < int_hi[o]:
                I[blk, o, ib] += wdt


@nb.njit(inline="always")
def _shock_step(x, d, key, n, u1, hdu, iw, sd, dt):
    """One Euler–Maruyama step at a tanh shock, d = x − X(t): x + (u1 + Δu (1 + tanh(d/w))/2) Δt +
    sqrt(2κΔt) z, and sech²(d/w) for the adiabatic term."""
    th, s2 = tanh_sech2(d * iw)
    return x + (u1 + hdu * (1.0 + th)) * dt + sd * normal(key, n), s2


@nb.njit(inline="always")
def _shock_loop(moving, bounded, m, u1, hdu, xs0, vs, iw, cl, sd, x, lnp, t0, dt, key, n, xmin, xmax, nxt):
    """:func:`_shock_steps` for one (moving, bounded) pair, given as literals by its caller."""
    j = 0
    while j < m:
        d = x - xs0
        if moving:
            d -= vs * (t0 + j * dt)
        x, s2 = _shock_step(x, d, key, n, u1, hdu, iw, sd, dt)
        lnp -= cl * s2
        n += 1
        j += 1
        if lnp >= nxt:
            break
        if bounded:
            if x < xmin or x > xmax:
                break
    return x, lnp, n, j


@step_loop()
def _shock_steps(m, u1, hdu, xs0, vs, iw, cl, sd, x, lnp, t0, dt, key, n, xmin, xmax, nxt):
    """The bare DSA step loop (:func:`_shock_step`, X(t) = xs0 + vs t) with ln p −= (Δu/2w) sech² Δt/3
    (= ∇·u Δt/3); ``cl`` = Δu Δt/(6w). A shock at rest skips its clock, an unbounded grid its
    escape test (x − xs0 − 0·t is x − xs0 to the bit, so the results do not change). The four
    cases are four loops: LLVM kept both tests in the loop, at 5–10 % of the DSA example's steps/s
    (``benchmarks/sde_throughput.py``)."""
    moving = vs != 0.0
    bounded = xmin > -np.inf or xmax < np.inf
    if moving:
        if bounded:
            return _shock_loop(True, True, m, u1, hdu, xs0, vs, iw, cl, sd, x, lnp, t0, dt, key, n, xmin, xmax, nxt)
        return _shock_loop(True, False, m, u1, hdu, xs0, vs, iw, cl, sd, x, lnp, t0, dt, key, n, xmin, xmax, nxt)
    if bounded:
        return _shock_loop(False, True, m, u1, hdu, xs0, vs, iw, cl, sd, x, lnp, t0, dt, key, n, xmin, xmax, nxt)
    return _shock_loop(False, False, m, u1, hdu, xs0, vs, iw, cl, sd, x, lnp, t0, dt, key, n, xmin, xmax, nxt)


@nb.njit(inline="always")
def _fixed_steps_shock_const(m, rp, loss, fpar, dpar, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check, c_adv, w2,
                             wdt, blk, int_lo, int_hi, I):
    """Fixed-Δt steps for one tanh shock and constant κ: the diffusive step, the flow constants
    and the constraint checks are loop invariants (this is the CRPropa DSA benchmark case). Without
    losses and time-integrating observers the loop is :func:`_shock_steps` alone."""
    nadv = 0
    ndiff = 0
    sd = math.sqrt(2.0 * dpar[0] * dt)
    w = fpar[4]
    u1, hdu, xs0, vs, iw = fpar[0], 0.5 * fpar[1], fpar[2], fpar[3], 1.0 / w
    cl = hdu * iw * dt / 3.0
    integ = I.shape[1] > 0
    if not (integ or loss):
        x, lnp, n, j = _shock_steps(m, u1, hdu, xs0, vs, iw, cl, sd, x, lnp, t0, dt, key, n, xmin, xmax, nxt)
    else:
        j = 0
        inv_dlnp = 1.0 / rp[RP_DLNP]
        while j < m:
            if integ:
                _integrate_fast(x, lnp, wdt, blk, int_lo, int_hi, I, rp[RP_LNPMIN], inv_dlnp)
            x, s2 = _shock_step(x, x - xs0 - vs * (t0 + j * dt), key, n, u1, hdu, iw, sd, dt)
            lnp -= cl * s2
            lnp = _cool(rp, x, lnp, dt) if loss else lnp
            n += 1
            j += 1
            if x < xmin or x > xmax or lnp >= nxt:
                break
    if check:
        nadv = j if c_adv * dt > 1.0 else 0
        ndiff = j if 2.0 * dpar[0] * dt < w2 else 0
    return x, lnp, n, j, nadv, ndiff


@nb.njit(inline="always")
def _fixed_steps_shock_cool(m, bdt, bBdt, bRdt, kn, fpar, dpar, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check,
                            c_adv, w2):
    """As :func:`_fixed_steps_shock_const` for electrons in a uniform field: the state is P itself,
    the adiabatic factor exp(−∇·u Δt/3) then the loss step P/(1 + b P Δt) with b frozen at the
    start of the step (``cooling._cool`` without the log/exp round trip). Thomson limit (kn = 0):
    b Δt = ``bdt``; Klein–Nishina: b Δt = bBdt + bRdt (1 + kn P)^−3/2, one sqrt and one division
    instead of exp, pow and log1p."""
    nadv = 0
    ndiff = 0
    j = 0
    sd = math.sqrt(2.0 * dpar[0] * dt)
    w = fpar[4]
    p = math.exp(lnp)
    pn = math.exp(nxt)
    while j < m:
        th, s2 = tanh_sech2((x - fpar[2] - fpar[3] * (t0 + j * dt)) / w)
        z1 = normal(key, n)
        x += (fpar[0] + 0.5 * fpar[1] * (1.0 + th)) * dt + sd * z1
        d = 0.5 * fpar[1] * s2 / w * dt / 3.0
        if d > 1e-17:  # exp(-d) = 1 to round-off (|d| < 1e-17): skip the exp off the shock
            p *= math.exp(-d)
        if kn > 0.0:
            y = 1.0 + kn * p
            p /= 1.0 + (bBdt + bRdt / (y * math.sqrt(y))) * p
        else:
            p /= 1.0 + bdt * p
        n += 1
        j += 1
        if x < xmin or x > xmax or p >= pn:
            break
    if check:
        nadv = j if c_adv * dt > 1.0 else 0
        ndiff = j if 2.0 * dpar[0] * dt < w2 else 0
    return x, math.log(p), n, j, nadv, ndiff


@nb.njit(inline="always")
def _fixed_steps(m, ip, rp, flow, diff, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check, c_adv, w2,
                 w, blk, int_lo, int_hi, I):
    """Up to ``m`` Euler–Maruyama steps of fixed Δt without snapshot work (integrating observers
    included). Stops early after a step that leaves [xmin, xmax] or crosses the next split
    threshold. Returns (x, lnp, n, steps done, advective and diffusive violation counts).

    A single tanh shock with constant width and κ has its own loops with the loop invariants
    hoisted (the CRPropa DSA benchmark case, inlined here); every other flow runs
    :func:`_fixed_steps_flow`.
    """
    fpar, dpar = flow[0], diff[0]
    if ip[IP_FLOW] == 5 and ip[IP_WSCALE] == 0 and ip[IP_DIFF] == DIFF_CONST:
        loss = ip[IP_LOSS] == 1
        if loss and rp[RP_QB] == 0.0 and I.shape[1] == 0:
            return _fixed_steps_shock_cool(m, (rp[RP_BB] + rp[RP_BRAD]) * dt, rp[RP_BB] * dt, rp[RP_BRAD] * dt,
                                           rp[RP_KN], fpar, dpar, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check,
                                           c_adv, w2)
        return _fixed_steps_shock_const(m, rp, loss, fpar, dpar, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check,
                                        c_adv, w2, w * dt, blk, int_lo, int_hi, I)
    return _fixed_steps_flow(m, ip, rp, flow, diff, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check, c_adv, w2,
                             w, blk, int_lo, int_hi, I)


@step_loop()
def _fixed_steps_flow(m, ip, rp, flow, diff, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check, c_adv, w2,
                      w, blk, int_lo, int_hi, I):
    """:func:`_fixed_steps` for any flow, κ and geometry.

    The flow's time-dependent part (a blast wave's R(t), a table's time bracket) is advanced by a
    flow clock (:mod:`crescape.flows.clock`) instead of being re-evaluated every step. The
    momentum-dependent factors (κ(p), the width factor) change only when ln p changed (∇·u ≠ 0),
    by :func:`_exp_small` for small changes. Compiled by :func:`crescape.core.jit.step_loop`
    (2× faster here than a plain ``njit``). Two copies of the loop, with and without the
    p-dependent factors (a literal): LLVM keeps such a test (and the code it guards) in a loop this
    large, which cost the Sedov example 20 % of its steps/s (inside a blast wave ∇·u ≠ 0 everywhere,
    so ln p changes at every step).
    """
    dk = ip[IP_DIFF]
    p_dep = ip[IP_WSCALE] == 1 or dk in (DIFF_POWER, DIFF_BOHM) or I.shape[1] > 0
    if p_dep:
        return _flow_loop(True, m, ip, rp, flow, diff, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check, c_adv, w2, w, blk, int_lo, int_hi, I)
    return _flow_loop(False, m, ip, rp, flow, diff, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check, c_adv, w2, w, blk, int_lo, int_hi, I)


@nb.njit(inline="always")
def _flow_loop(p_dep, m, ip, rp, flow, diff, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check, c_adv, w2, w, blk, int_lo, int_hi, I):
    """The loop of :func:`_fixed_steps_flow` for one value of p_dep."""
    fpar, fel, ttab, utab, dtab = flow
    dpar, ktab = diff
    nadv = 0
    ndiff = 0
    j = 0
    integ = I.shape[1] > 0
    loss = ip[IP_LOSS] == 1
    geom, fk, dk = ip[IP_GEOM], ip[IP_FLOW], ip[IP_DIFF]
    wscale = ip[IP_WSCALE] == 1
    k_sp = dk != DIFF_CONST and dk != DIFF_TABLE and dpar[3] != 0.0
    lnp_k = np.nan
    kp = 0.0
    k = 0.0
    dkdx = 0.0
    sk = 0.0
    wfac = 1.0
    ib = -1
    n_int, n_pb = I.shape[1], I.shape[2]
    wdt = w * dt
    st = clock_start(fk, fpar, ttab, t0)
    p2 = 0.0
    n_series = 0
    if dk == DIFF_CONST:  # κ depends on neither x nor p: one step length for the whole run
        k = dpar[0]
        sk = math.sqrt(2.0 * k * dt)
    # constant wfac and κ: the step-constraint tests give the same answer at every step
    checks_fixed = check and not wscale and dk == DIFF_CONST
    check_steps = check and not checks_fixed
    while j < m:
        if p_dep and lnp != lnp_k:  # p-dependent factors only change where ∇·u ≠ 0
            dl = lnp - lnp_k
            series = n_series < 63 and abs(dl) < EXP_SERIES_MAX  # NaN-safe: the first pass is exact
            n_series = n_series + 1 if series else 0
            if wscale:
                wfac = wfac * _exp_small(0.5 * dl) if series else math.exp(0.5 * (lnp - rp[RP_LNPW]))
            if dk in (DIFF_POWER, DIFF_BOHM):
                if dk == DIFF_POWER:
                    kp = kp * _exp_small(dpar[1] * dl) if series else kappa_p(dk, dpar, lnp)
                else:  # Bohm κ0 p²/sqrt(1 + p²): p² by the series, the sqrt stays
                    p2 = p2 * _exp_small(2.0 * dl) if series else math.exp(2.0 * lnp)
                    kp = dpar[0] * p2 / math.sqrt(1.0 + p2)
                k, dkdx = kp, 0.0
                sk = math.sqrt(2.0 * k * dt)
            if integ:
                ib = int(math.floor((lnp - rp[RP_LNPMIN]) / rp[RP_DLNP]))
            lnp_k = lnp
        if j > 0:
            st = clock_tick(fk, fpar, ttab, st, t0 + j * dt, dt, j)
        u, div = flow_at(fk, fpar, fel, ttab, utab, dtab, st, x, t0 + j * dt, wfac)
        if dk == DIFF_TABLE:
            k, dkdx = _kappa_table(dpar, ktab, x, lnp)
            sk = math.sqrt(2.0 * k * dt)
        elif k_sp:
            k, dkdx = kappa_x(dpar, kp, x)
            sk = math.sqrt(2.0 * k * dt)
        if check_steps:
            if c_adv * dt > wfac:
                nadv += 1
            if 2.0 * k * dt < w2 * wfac * wfac:
                ndiff += 1
        if integ and 0 <= ib < n_pb:  # Σ w dt of the integrating observers (as _integrate)
            for o in range(n_int):
                if int_lo[o] <= x < int_hi[o]:
                    I[blk, o, ib] += wdt
        z1, e2 = _noise(geom, key, n)
        x = _move(geom, x, u + dkdx, sk, dt, z1, e2)
        lnp = lnp - div * dt / 3.0
        lnp = _cool(rp, x, lnp, dt) if loss else lnp
        n += 1
        j += 1
        if x < xmin or x > xmax or lnp >= nxt:
            break
    if checks_fixed:  # as the per-step tests with wfac = 1 and κ = dpar[0]
        nadv = j if c_adv * dt > 1.0 else 0
        ndiff = j if 2.0 * k * dt < w2 else 0
    return x, lnp, n, j, nadv, ndiff
