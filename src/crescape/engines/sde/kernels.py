"""Compiled pseudo-particle stepping (numba).

Itô SDEs of the Parker transport equation (Kruells & Achterberg 1994, A&A 286, 314;
Achterberg & Schure 2011, MNRAS 411, 2628), per pseudo-particle:

    planar:     dx = (u + ∂κ/∂x) dt + sqrt(2κ) dW
    spherical:  dr = (u + ∂κ/∂r + 2κ/r) dt + sqrt(2κ) dW        (Bessel-type process)
    momentum:   d ln p = -(1/3) (∇·u) dt  [- b(x, p) p dt for electrons, see _cool]
                         [+ D̃ (3 + ∂ln D̃/∂ln p) dt + sqrt(2 D̃) dW', D̃ = D_pp/p²: :mod:`.momentum`]

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
particle adds (w, w²) to per-*block* spectra of each observer window and its
weight to an (x, ln p) histogram; time-integrating observers add w·dt every
step. Blocks are fixed groups of consecutive particle ids, lanes are a fixed
number of independent work queues (tasks of a thread pool): all sums are
independent of the thread count, and per-block sums give batch-means
Monte-Carlo errors that remain valid with splitting (clones stay in their
block). The (x, ln p) histogram counts weights in units of w0·2^−H (w0 the
injected weight, H the number of split thresholds): a particle split h times
adds the integer 2^(H−h), so its sums are exact and their order does not
matter — one histogram per *thread* then gives the same bits as one per lane
(which would cost lanes × t × x × p memory that has to be zeroed and summed).
"""
from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor

import numba as nb
import numpy as np

from ...core.jit import step_loop
from ...flows.compiled import FM, flow_eval
from .cooling import _cool
from .fixed_steps import SALT_E, _fixed_steps, _move, _noise  # noqa: F401 (re-exported)
from .kappa import _kappa_table, kappa_eval, kappa_p, kappa_x  # noqa: F401 (re-exported)
from .momentum import md_dtmax, md_increment, md_local
from .rng import M1, exponential, mix64, normal, normal_pair, stream_key, uniform01  # noqa: F401 (re-exported)
from .slots import *  # noqa: F403 (the slot constants, re-exported)
from .slots import (
    C_ADV,
    C_DIFF,
    C_ESCAPED,
    C_NAN,
    C_OVERFLOW,
    C_SPLITS,
    C_STEPS,
    IP_ADAPT,
    IP_DIFF,
    IP_FLOW,
    IP_GEOM,
    IP_LOSS,
    IP_MD,
    IP_NSTACK,
    IP_SCHEME,
    IP_WSCALE,
    RP_ADVFRAC,
    RP_DLNP,
    RP_DSTEPMAX,
    RP_DT,
    RP_DXH,
    RP_LNPMIN,
    RP_LNPW,
    RP_UCHAR,
    RP_WCHAR,
    RP_XHMIN,
    RP_XMAX,
    RP_XMIN,
)

SALT_P = np.uint64(0x8CB92BA72F3D8DD7)  # stream of the momentum-diffusion deviates


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
def _record(kk, x, lnp, w, blk, lane, slot, hinc, obs_lo, obs_hi, S, S2, XP, rp):
    """Snapshot kk: w into the block spectra, w² into the lane's, ``hinc`` = 2^(H−h) into the
    histogram (:func:`_hist_count`)."""
    ib = int(math.floor((lnp - rp[RP_LNPMIN]) / rp[RP_DLNP]))
    if ib < 0 or ib >= S.shape[3]:
        return
    for o in range(S.shape[2]):
        if obs_lo[kk, o] <= x < obs_hi[kk, o]:
            S[blk, kk, o, ib] += w
            S2[lane, kk, o, ib] += w * w
    ix = int(math.floor((x - rp[RP_XHMIN]) / rp[RP_DXH]))
    if 0 <= ix < XP.shape[2]:
        XP[slot, kk, ix, ib] += hinc


@nb.njit(inline="always")
def _hist_count(w, xe):
    """The histogram count 2^(xe + e(w)) = 2^(H−h) of a particle of weight w = w0 2^−h (e(w) the
    binary exponent of w, xe = H − e(w0)): an exact power of two, fixed between splits."""
    return math.ldexp(1.0, xe + math.frexp(w)[1])


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
        ESC[lane, 0 if x < xmin else 1, min(kk, K - 1), ib] += w
    CNT[lane, C_ESCAPED] += 1


@nb.njit(inline="always")
def _general_step(ip, rp, flow, diff, x, lnp, t, tn, key, n, w, blk, int_lo, int_hi, I, dt_adv, dstep2,
                  check, c_adv, w2):
    """One step of any flow/geometry/scheme, shortened to land on the snapshot time ``tn``."""
    geom, adapt, scheme = ip[IP_GEOM], ip[IP_ADAPT], ip[IP_SCHEME]
    dt0 = rp[RP_DT]
    u, div, k, dkdx, wfac = _local(ip, rp, flow, diff, x, lnp, t)
    md = ip[IP_MD]
    amd, Dt = md_local(md, ip[IP_DIFF], rp, diff[0], diff[1], x, lnp)
    dt = dt0
    if adapt == 1:
        dt = min(dt, dt_adv * wfac, dstep2 / (2.0 * k), md_dtmax(rp, Dt))
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
    zp = normal(key ^ SALT_P, n) if md != 0 else 0.0  # own stream: independent of z1, e2
    dlnp = md_increment(md, ip[IP_DIFF], rp, diff[0], diff[1], xn, lnp, div, amd, Dt, dt, zp, scheme == 1)
    if scheme == 1:
        u2, div2, k2, dkdx2, wf2 = _local(ip, rp, flow, diff, xn, lnp, t + dt)
        xn = _move(geom, x, 0.5 * (a + u2 + dkdx2), s, dt, z1, e2)
        div = 0.5 * (div + div2)
    lnp = lnp - div * dt / 3.0 + dlnp
    lnp = _cool(rp, xn, lnp, dt) if ip[IP_LOSS] == 1 else lnp
    return xn, lnp, t + dt, n + 1, na, nd


@step_loop()
def _advance(ip, rp, flow, diff, obs, stack, sp, blk, lane, slot, xe, prow, out):
    """Advance the particle on top of the stack to the last snapshot time (pushes clones).

    A :func:`crescape.core.jit.step_loop`: the ~40 array reference counts per snapshot interval
    that inlining leaves here cost the DSA example 30 % of its time."""
    T, obs_lo, obs_hi, int_lo, int_hi, split_lnp = obs
    st_f, st_k, st_i = stack
    S, S2, XP, I, ESC, PX, PP, PW, CNT = out
    sp -= 1
    x, lnp, w, t = st_f[sp, 0], st_f[sp, 1], st_f[sp, 2], st_f[sp, 3]
    key = st_k[sp]
    n, lvl, kk = st_i[sp, 0], st_i[sp, 1], st_i[sp, 2]
    hinc = _hist_count(w, xe)
    dt0, xmin, xmax = rp[RP_DT], rp[RP_XMIN], rp[RP_XMAX]
    check = rp[RP_WCHAR] > 0.0
    c_adv = rp[RP_UCHAR] / rp[RP_WCHAR] if check else 0.0
    w2 = rp[RP_WCHAR] ** 2
    dt_adv = rp[RP_ADVFRAC] * rp[RP_WCHAR] / rp[RP_UCHAR] if rp[RP_UCHAR] > 0.0 else np.inf
    dstep2 = rp[RP_DSTEPMAX] ** 2 if rp[RP_DSTEPMAX] > 0.0 else np.inf
    fast = ip[IP_ADAPT] == 0 and ip[IP_SCHEME] == 0 and ip[IP_MD] == 0  # momentum diffusion: per-step path
    nxt = split_lnp[lvl] if lvl < split_lnp.shape[0] else np.inf
    K = T.shape[0]
    nsteps = 0
    nadv = 0
    ndiff = 0
    while kk < K:
        tn = T[kk]
        if tn - t <= 1e-9 * dt0:
            t = max(t, tn)
            _record(kk, x, lnp, w, blk, lane, slot, hinc, obs_lo, obs_hi, S, S2, XP, rp)
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
                    hinc = _hist_count(w, xe)
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
            hinc = _hist_count(w, xe)
    CNT[lane, C_STEPS] += nsteps
    CNT[lane, C_ADV] += nadv
    CNT[lane, C_DIFF] += ndiff
    return sp


@nb.njit(cache=True, fastmath=FM, nogil=True)
def _run_lane(lane, slot, xe, ip, rp, flow, diff, inj, pid0, seed, block_size, obs, out):
    """All blocks of one lane (lane, lane + n_lanes, …), particle by particle, clones depth first;
    histogram counts into ``XP[slot]`` (see the module docstring for ``xe``)."""
    x0, lnp0, w0, tb0 = inj
    T, split_lnp = obs[0], obs[5]
    S, PX, CNT = out[0], out[5], out[8]
    n = x0.shape[0]
    nblk = S.shape[0]
    n_lanes = CNT.shape[0]
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
            sp = np.int64(1)  # not the literal 1: numba would compile _advance for Literal[int](1) as well
            while sp > 0:
                sp = _advance(ip, rp, flow, diff, obs, stack, sp, blk, lane, slot, xe, prow, out)
                prow = -1


def run_ensemble(ip, rp, flow, diff, inj, pid0, seed, block_size, obs, out, n_threads=None):
    """Advance particles ``pid0 .. pid0+n-1`` through all snapshot times.

    Bundles (tuples of arrays, passed by numba as structs at no cost): ``flow = (fpar, fel,
    ttab, utab, dtab)`` (``FlowSpec.arrays``), ``diff = (dpar, ktab)``, ``inj = (x0, lnp0, w0,
    tb0)`` (w0 the same for every particle), ``obs = (T, obs_lo, obs_hi, int_lo, int_hi,
    split_lnp)``; ``ip``/``rp``: switches and scalars (slots ``IP_*``, ``RP_*``). ``out = (S, S2,
    XP, I, ESC, PX, PP, PW, CNT)``, accumulated: S (block, t, observer, p) Σw; S2 (lane, t, observer,
    p) Σw² (only its total is used: per lane, so that a run does not touch a block-sized array); XP (slot,
    t, x, p) counts in units of w0 2^−H (H = len(split_lnp); :func:`.slots.histogram_slots`); I (block,
    integrator, p) Σ w dt; ESC (lane, side, t-interval, p) Σw escaped; PX/PP/PW (t, particle)
    root snapshots ((0, 0) when off); CNT (lane, counter): :data:`COUNTERS`. Lanes are tasks of a
    pool of ``n_threads`` GIL-free Python threads (a thread that finishes a lane takes the next, so
    lanes of unequal cost balance); all outputs but XP are written in disjoint per-lane or
    per-block slices, XP per thread (exact integer sums) or per lane: thread-count independent.
    """
    n_lanes = out[8].shape[0]
    per_lane = out[2].shape[0] == n_lanes
    nth = max(1, min(n_threads or nb.get_num_threads(), n_lanes))
    if not per_lane and out[2].shape[0] < nth:
        raise ValueError(f"XP has {out[2].shape[0]} histogram slots for {nth} threads")
    w0 = inj[2]
    xe = int(len(obs[5]) - math.frexp(float(w0[0]))[1]) if len(w0) else 0
    args = (ip, rp, tuple(flow), tuple(diff), tuple(inj), int(pid0), int(seed), int(block_size), tuple(obs),
            tuple(out))
    if nth == 1:
        for lane in range(n_lanes):
            _run_lane(lane, lane if per_lane else 0, xe, *args)
        return
    lanes = iter(range(n_lanes))
    lock = threading.Lock()

    def worker(tid):  # takes the next lane until none is left
        while True:
            with lock:
                lane = next(lanes, None)
            if lane is None:
                return
            _run_lane(lane, lane if per_lane else tid, xe, *args)

    with ThreadPoolExecutor(max_workers=nth) as ex:
        for f in [ex.submit(worker, tid) for tid in range(nth)]:
            f.result()

