"""Compiled pseudo-particle stepping (numba).

Itô SDEs of the Parker transport equation (Kruells & Achterberg 1994, A&A 286, 314;
Achterberg & Schure 2011, MNRAS 411, 2628), per pseudo-particle:

    planar:     dx = (u + ∂κ/∂x) dt + sqrt(2κ) dW
    spherical:  dr = (u + ∂κ/∂r + 2κ/r) dt + sqrt(2κ) dW        (Bessel-type process)
    momentum:   d ln p = -(1/3) (∇·u) dt  [- b(x, p) p dt for electrons, see _cool]

integrated with Euler–Maruyama (``scheme = 0``) or a drift predictor–corrector
(``scheme = 1``, Heun average of the drift and of ∇·u; noise taken at the start
point, so it stays Itô-consistent). u, ∂κ/∂x and ∇·u are evaluated at the same
(x, t) within a step. In spherical geometry the radial step is taken as the
length of a 3-D vector step, ``r' = |(r + a dt) e_r + sqrt(2κ dt) ξ_3|`` with
ξ_3 three independent normals: in the Itô sense this contains the geometric
drift 2κ/r exactly (for constant κ it is the exact 3-D Brownian increment) and
never needs a reflection at the origin.

Random numbers are counter based: the normal deviates of step ``n`` of the
particle with 64-bit stream key ``k`` are a pure function of (k, n) (SplitMix64
finaliser + ziggurat, :mod:`.rng`), so trajectories do not depend on the number of
threads or on how the ensemble is chunked. A clone made by splitting gets the
key ``mix(k, level)``.

Observers are fused into the particle loop: at every snapshot time the
particle adds (w, w²) to per-*block* spectra of each observer window and w to
a per-*lane* (x, ln p) histogram; time-integrating observers add w·dt every
step. Blocks are fixed groups of consecutive particle ids, lanes are a fixed
number of independent work queues (``prange`` over lanes): all sums are
independent of the thread count, and per-block sums give batch-means
Monte-Carlo errors that remain valid with splitting (clones stay in their
block).
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numba as nb
import numpy as np

from ...core.jit import step_loop
from ...flows.clock import clock_start, clock_tick, flow_at
from ...flows.compiled import FM, flow_eval, tanh_sech2
from .cooling import RP_BB, RP_BRAD, RP_KN, RP_QB, _cool
from .kappa import _kappa_table, kappa_eval, kappa_p, kappa_x  # noqa: F401 (re-exported)
from .rng import M1, exponential, mix64, normal, normal_pair, stream_key, uniform01  # noqa: F401 (re-exported)

SALT_E = np.uint64(0xD1B54A32D192ED03)  # stream of the spherical transverse deviates

# diffusion kinds
DIFF_CONST, DIFF_POWER, DIFF_BOHM, DIFF_TABLE = 0, 1, 2, 3
# int-parameter slots (ip array)
IP_GEOM, IP_FLOW, IP_DIFF, IP_SCHEME, IP_ADAPT, IP_NSPLIT, IP_WSCALE, IP_NSTACK, IP_LOSS = range(9)
# float-parameter slots (rp array)
RP_DT, RP_ADVFRAC, RP_DSTEPMAX, RP_XMIN, RP_XMAX, RP_LNPMIN, RP_DLNP, RP_XHMIN, RP_DXH, RP_UCHAR, RP_WCHAR, RP_LNPW = range(12)
# radiative losses of electrons (IP_LOSS = 1): slots RP_BB … RP_KN of ``cooling.py``
N_RP = 17
N_IP = 9
# run counters (CNT columns): one definition, read by name through ``COUNTERS``
COUNTERS = ("steps", "advective_violations", "diffusive_violations", "splits", "stack_overflows", "escaped",
            "nan_particles")
C_STEPS, C_ADV, C_DIFF, C_SPLITS, C_OVERFLOW, C_ESCAPED, C_NAN = range(len(COUNTERS))


@nb.njit(inline="always")
def _local(ip, rp, flow, diff, x, lnp, t):
    """Flow, κ and drift at the start of a step, plus the width factor."""
    fpar, fel, ttab, utab, dtab = flow
    dpar, ktab = diff
    wfac = math.exp(0.5 * (lnp - rp[RP_LNPW])) if ip[IP_WSCALE] == 1 else 1.0
    u, div = flow_eval(ip[IP_FLOW], fpar, fel, ttab, utab, dtab, x, t, wfac)
    k, dkdx = kappa_eval(ip[IP_DIFF], dpar, ktab, x, lnp)
    return u, div, k, dkdx, wfac


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


@nb.njit(inline="always")
def _record(kk, x, lnp, w, blk, lane, obs_lo, obs_hi, S, S2, XP, rp):
    ib = int(math.floor((lnp - rp[RP_LNPMIN]) / rp[RP_DLNP]))
    if ib < 0 or ib >= S.shape[3]:
        return
    for o in range(S.shape[2]):
        if obs_lo[kk, o] <= x < obs_hi[kk, o]:
            S[blk, kk, o, ib] += w
            S2[blk, kk, o, ib] += w * w
    ix = int(math.floor((x - rp[RP_XHMIN]) / rp[RP_DXH]))
    if 0 <= ix < XP.shape[2]:
        XP[lane, kk, ix, ib] += w


@nb.njit(inline="always")
def _integrate(x, lnp, wdt, blk, int_lo, int_hi, I, rp):
    ib = int(math.floor((lnp - rp[RP_LNPMIN]) / rp[RP_DLNP]))
    if ib < 0 or ib >= I.shape[2]:
        return
    for o in range(I.shape[1]):
        if int_lo[o] <= x < int_hi[o]:
            I[blk, o, ib] += wdt


@nb.njit(inline="always")
def _push_clones(x, lnp, w, t, key, lvl, kk, split_lnp, st_f, st_k, st_i, sp, lane, CNT):
    """Split at every threshold below ln p: halve w, push a clone with its own stream."""
    while lvl < split_lnp.shape[0] and lnp >= split_lnp[lvl]:
        lvl += 1
        CNT[lane, C_SPLITS] += 1
        if sp >= st_f.shape[0]:
            CNT[lane, C_OVERFLOW] += 1  # no room: keep the full weight (unbiased, just no clone)
            continue
        w *= 0.5
        st_f[sp, 0], st_f[sp, 1], st_f[sp, 2], st_f[sp, 3] = x, lnp, w, t
        st_k[sp] = mix64(key ^ (np.uint64(lvl) * M1 + np.uint64(0x2545F4914F6CDD1D)))
        st_i[sp, 0], st_i[sp, 1], st_i[sp, 2] = 0, lvl, kk
        sp += 1
    nxt = split_lnp[lvl] if lvl < split_lnp.shape[0] else np.inf
    return w, lvl, sp, nxt


@nb.njit(inline="always")
def _escape(x, lnp, w, xmin, kk, K, blk, lane, ESC, CNT, rp):
    ib = int(math.floor((lnp - rp[RP_LNPMIN]) / rp[RP_DLNP]))
    if 0 <= ib < ESC.shape[3]:
        ESC[blk, 0 if x < xmin else 1, min(kk, K - 1), ib] += w
    CNT[lane, C_ESCAPED] += 1


@nb.njit(inline="always")
def _integrate_fast(x, lnp, wdt, blk, int_lo, int_hi, I, lnpmin, inv_dlnp):
    """Σ w dt of the time-integrating observers at (x, ln p) (as :func:`_integrate`)."""
    ib = int(math.floor((lnp - lnpmin) * inv_dlnp))
    if 0 <= ib < I.shape[2]:
        for o in range(I.shape[1]):
            if int_lo[o] <= x < int_hi[o]:
                I[blk, o, ib] += wdt


@nb.njit(inline="always")
def _fixed_steps_shock_const(m, rp, loss, fpar, dpar, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check, c_adv, w2,
                             wdt, blk, int_lo, int_hi, I):
    """Fixed-Δt steps for one tanh shock and constant κ: the diffusive step and the
    constraint checks are loop invariants (this is the CRPropa DSA benchmark case)."""
    nadv = 0
    ndiff = 0
    j = 0
    sd = math.sqrt(2.0 * dpar[0] * dt)
    w = fpar[4]
    integ = I.shape[1] > 0
    inv_dlnp = 1.0 / rp[RP_DLNP]
    while j < m:
        if integ:
            _integrate_fast(x, lnp, wdt, blk, int_lo, int_hi, I, rp[RP_LNPMIN], inv_dlnp)
        th, s2 = tanh_sech2((x - fpar[2] - fpar[3] * (t0 + j * dt)) / w)
        z1 = normal(key, n)
        x += (fpar[0] + 0.5 * fpar[1] * (1.0 + th)) * dt + sd * z1
        lnp -= 0.5 * fpar[1] * s2 / w * dt / 3.0
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
def _fixed_steps_shock_cool(m, bdt, fpar, dpar, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check, c_adv, w2):
    """As :func:`_fixed_steps_shock_const` for electrons in a uniform field, Thomson limit: the
    state is P itself, the adiabatic factor exp(−∇·u Δt/3) then the exact loss step
    P/(1 + b P Δt) (``cooling._cool`` without the log/exp round trip)."""
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
        p /= 1.0 + bdt * p
        n += 1
        j += 1
        if x < xmin or x > xmax or p >= pn:
            break
    if check:
        nadv = j if c_adv * dt > 1.0 else 0
        ndiff = j if 2.0 * dpar[0] * dt < w2 else 0
    return x, math.log(p), n, j, nadv, ndiff


@step_loop()
def _fixed_steps(m, ip, rp, flow, diff, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check, c_adv, w2,
                 w, blk, int_lo, int_hi, I):
    """Up to ``m`` planar Euler–Maruyama steps of fixed Δt without snapshot/observer work.

    Stops early after a step that leaves [xmin, xmax] or crosses the next split threshold.
    Returns (x, lnp, n, steps done, advective and diffusive violation counts). The flow's
    time-dependent part (a blast wave's R(t), a table's time bracket) is advanced by a flow
    clock (:mod:`crescape.flows.clock`) instead of being re-evaluated every step.
    The momentum-dependent factors (κ(p), the width factor) are recomputed only when ln p
    changed (∇·u ≠ 0); a single tanh shock with constant width and κ has its own loop with
    the loop invariants hoisted (the CRPropa DSA benchmark case).
    """
    fpar, fel, ttab, utab, dtab = flow
    dpar, ktab = diff
    nadv = 0
    ndiff = 0
    j = 0
    integ = I.shape[1] > 0
    loss = ip[IP_LOSS] == 1
    if ip[IP_FLOW] == 5 and ip[IP_WSCALE] == 0 and ip[IP_DIFF] == DIFF_CONST:
        if loss and rp[RP_QB] == 0.0 and rp[RP_KN] == 0.0 and not integ:
            return _fixed_steps_shock_cool(m, (rp[RP_BB] + rp[RP_BRAD]) * dt, fpar, dpar, x, lnp, t0, dt, key, n,
                                           xmin, xmax, nxt, check, c_adv, w2)
        return _fixed_steps_shock_const(m, rp, loss, fpar, dpar, x, lnp, t0, dt, key, n, xmin, xmax, nxt, check,
                                        c_adv, w2, w * dt, blk, int_lo, int_hi, I)
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
    while j < m:
        if lnp != lnp_k:  # p-dependent factors only change where ∇·u ≠ 0
            if wscale:
                wfac = math.exp(0.5 * (lnp - rp[RP_LNPW]))
            if dk != DIFF_TABLE:
                kp = kappa_p(dk, dpar, lnp)
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
        if check:
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
    return x, lnp, n, j, nadv, ndiff


@nb.njit(inline="always")
def _general_step(ip, rp, flow, diff, x, lnp, t, tn, key, n, w, blk, int_lo, int_hi, I, dt_adv, dstep2,
                  check, c_adv, w2):
    """One step of any flow/geometry/scheme, shortened to land on the snapshot time ``tn``."""
    geom, adapt, scheme = ip[IP_GEOM], ip[IP_ADAPT], ip[IP_SCHEME]
    dt0 = rp[RP_DT]
    u, div, k, dkdx, wfac = _local(ip, rp, flow, diff, x, lnp, t)
    dt = dt0
    if adapt == 1:
        dt = min(dt, dt_adv * wfac, dstep2 / (2.0 * k))
    dt = min(dt, tn - t)
    na = 0
    nd = 0
    if check and (adapt == 1 or dt >= 0.999 * dt0):
        na = 1 if c_adv * dt > wfac else 0
        nd = 1 if 2.0 * k * dt < w2 * wfac * wfac else 0
    if I.shape[1] > 0:
        _integrate(x, lnp, w * dt, blk, int_lo, int_hi, I, rp)
    z1, e2 = _noise(geom, key, n)
    s = math.sqrt(2.0 * k * dt)
    a = u + dkdx
    xn = _move(geom, x, a, s, dt, z1, e2)
    if scheme == 1:
        u2, div2, k2, dkdx2, wf2 = _local(ip, rp, flow, diff, xn, lnp, t + dt)
        xn = _move(geom, x, 0.5 * (a + u2 + dkdx2), s, dt, z1, e2)
        div = 0.5 * (div + div2)
    lnp = lnp - div * dt / 3.0
    lnp = _cool(rp, xn, lnp, dt) if ip[IP_LOSS] == 1 else lnp
    return xn, lnp, t + dt, n + 1, na, nd


@nb.njit(fastmath=FM)
def _advance(ip, rp, flow, diff, obs, stack, sp, blk, lane, prow, out):
    """Advance the particle on top of the stack to the last snapshot time (pushes clones)."""
    T, obs_lo, obs_hi, int_lo, int_hi, split_lnp = obs
    st_f, st_k, st_i = stack
    S, S2, XP, I, ESC, PX, PP, PW, CNT = out
    sp -= 1
    x, lnp, w, t = st_f[sp, 0], st_f[sp, 1], st_f[sp, 2], st_f[sp, 3]
    key = st_k[sp]
    n, lvl, kk = st_i[sp, 0], st_i[sp, 1], st_i[sp, 2]
    dt0, xmin, xmax = rp[RP_DT], rp[RP_XMIN], rp[RP_XMAX]
    check = rp[RP_WCHAR] > 0.0
    c_adv = rp[RP_UCHAR] / rp[RP_WCHAR] if check else 0.0
    w2 = rp[RP_WCHAR] ** 2
    dt_adv = rp[RP_ADVFRAC] * rp[RP_WCHAR] / rp[RP_UCHAR] if rp[RP_UCHAR] > 0.0 else np.inf
    dstep2 = rp[RP_DSTEPMAX] ** 2 if rp[RP_DSTEPMAX] > 0.0 else np.inf
    fast = ip[IP_ADAPT] == 0 and ip[IP_SCHEME] == 0
    nxt = split_lnp[lvl] if lvl < split_lnp.shape[0] else np.inf
    K = T.shape[0]
    nsteps = 0
    nadv = 0
    ndiff = 0
    while kk < K:
        tn = T[kk]
        if tn - t <= 1e-9 * dt0:
            t = max(t, tn)
            _record(kk, x, lnp, w, blk, lane, obs_lo, obs_hi, S, S2, XP, rp)
            if prow >= 0:
                PX[kk, prow], PP[kk, prow], PW[kk, prow] = x, lnp, w
            kk += 1
            continue
        if fast:
            m = int((tn - t) / dt0 * (1.0 + 1e-12))
            if m >= 1:
                t_start = t
                x, lnp, n, j, na, nd = _fixed_steps(m, ip, rp, flow, diff, x, lnp, t_start, dt0, key, n,
                                                        xmin, xmax, nxt, check, c_adv, w2, w, blk, int_lo, int_hi, I)
                t = t_start + j * dt0
                nsteps += j
                nadv += na
                ndiff += nd
                if not (x == x and lnp == lnp):  # NaN: count it, never record it silently
                    CNT[lane, C_NAN] += 1
                    break
                if x < xmin or x > xmax:
                    _escape(x, lnp, w, xmin, kk, K, blk, lane, ESC, CNT, rp)
                    break
                if lnp >= nxt:
                    w, lvl, sp, nxt = _push_clones(x, lnp, w, t, key, lvl, kk, split_lnp, st_f, st_k, st_i, sp, lane, CNT)
                continue
        x, lnp, t, n, na, nd = _general_step(ip, rp, flow, diff, x, lnp, t, tn, key, n, w, blk, int_lo,
                                                 int_hi, I, dt_adv, dstep2, check, c_adv, w2)
        nsteps += 1
        nadv += na
        ndiff += nd
        if not (x == x and lnp == lnp):
            CNT[lane, C_NAN] += 1
            break
        if x < xmin or x > xmax:
            _escape(x, lnp, w, xmin, kk, K, blk, lane, ESC, CNT, rp)
            break
        if lnp >= nxt:
            w, lvl, sp, nxt = _push_clones(x, lnp, w, t, key, lvl, kk, split_lnp, st_f, st_k, st_i, sp, lane, CNT)
    CNT[lane, C_STEPS] += nsteps
    CNT[lane, C_ADV] += nadv
    CNT[lane, C_DIFF] += ndiff
    return sp


@nb.njit(cache=True, fastmath=FM, nogil=True)
def _run_lane(lane, ip, rp, flow, diff, inj, pid0, seed, block_size, obs, out):
    """All blocks of one lane (lane, lane + n_lanes, …), particle by particle, clones depth first."""
    x0, lnp0, w0, tb0 = inj
    T, split_lnp = obs[0], obs[5]
    S, XP, PX = out[0], out[2], out[5]
    n = x0.shape[0]
    nblk = S.shape[0]
    n_lanes = XP.shape[0]
    b0 = pid0 // block_size
    nstack = ip[IP_NSTACK]
    keep = PX.shape[1] == n
    st_f = np.empty((nstack, 4))
    st_k = np.empty(nstack, dtype=np.uint64)
    st_i = np.empty((nstack, 3), dtype=np.int64)
    stack = (st_f, st_k, st_i)
    for blk in range(lane, nblk, n_lanes):
        i_lo = max((b0 + blk) * block_size - pid0, 0)
        i_hi = min((b0 + blk + 1) * block_size - pid0, n)
        for i in range(i_lo, i_hi):
            kk = 0
            while kk < T.shape[0] and T[kk] < tb0[i]:
                kk += 1
            st_f[0, 0], st_f[0, 1], st_f[0, 2], st_f[0, 3] = x0[i], lnp0[i], w0[i], tb0[i]
            st_k[0] = stream_key(seed, pid0 + i)
            st_i[0, 0], st_i[0, 1], st_i[0, 2] = 0, 0, kk
            while st_i[0, 1] < split_lnp.shape[0] and lnp0[i] >= split_lnp[st_i[0, 1]]:
                st_i[0, 1] += 1  # thresholds below the injection momentum are not split
            prow = -1
            if keep:
                prow = i
            sp = 1
            while sp > 0:
                sp = _advance(ip, rp, flow, diff, obs, stack, sp, blk, lane, prow, out)
                prow = -1


def run_ensemble(ip, rp, flow, diff, inj, pid0, seed, block_size, obs, out, n_threads=None):
    """Advance particles ``pid0 .. pid0+n-1`` through all snapshot times.

    Bundles (tuples of arrays, passed by numba as structs at no cost): ``flow = (fpar, fel,
    ttab, utab, dtab)`` (``FlowSpec.arrays``), ``diff = (dpar, ktab)``, ``inj = (x0, lnp0, w0,
    tb0)``, ``obs = (T, obs_lo, obs_hi, int_lo, int_hi, split_lnp)``; ``ip``/``rp``: switches
    and scalars (slots ``IP_*``, ``RP_*``). ``out = (S, S2, XP, I, ESC, PX, PP, PW, CNT)``,
    accumulated: S, S2 (block, t, observer, p) Σw, Σw²; XP (lane, t, x, p) Σw; I (block,
    integrator, p) Σ w dt; ESC (block, side, t-interval, p) Σw escaped; PX/PP/PW (t, particle)
    root snapshots ((0, 0) when off); CNT (lane, counter): :data:`COUNTERS`. Lanes are tasks of
    a pool of ``n_threads`` GIL-free Python threads (a thread that finishes a lane takes the next,
    so lanes of unequal cost balance) and write disjoint slices (thread-count independent).
    """
    n_lanes = out[2].shape[0]
    nth = max(1, min(n_threads or nb.get_num_threads(), n_lanes))
    args = (ip, rp, tuple(flow), tuple(diff), tuple(inj), int(pid0), int(seed), int(block_size), tuple(obs),
            tuple(out))
    if nth == 1:
        _run_lanes(0, 1, *args)
        return
    with ThreadPoolExecutor(max_workers=nth) as ex:  # one task per lane: idle threads take the next lane
        for f in [ex.submit(_run_lanes, lane, n_lanes, *args) for lane in range(n_lanes)]:
            f.result()


@nb.njit(cache=True, nogil=True)
def _run_lanes(first, step, ip, rp, flow, diff, inj, pid0, seed, block_size, obs, out):
    """Lanes first, first + step, … (one worker thread)."""
    for lane in range(first, out[2].shape[0], step):
        _run_lane(lane, ip, rp, flow, diff, inj, pid0, seed, block_size, obs, out)
