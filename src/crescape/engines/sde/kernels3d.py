"""Compiled 3-D field-aligned pseudo-particle transport with momentum diffusion (numba).

Itô SDEs of the anisotropic Parker equation with momentum diffusion
(Kopp et al. 2012, Comput. Phys. Commun. 183, 530; Pei et al. 2010, JGR 115, A12107;
Merten et al. 2017, JCAP 06, 046 — CRPropa 3.1 DiffusionSDE):

    dx     = (u + ∇·κ) dt + σ dW,          σσᵀ = 2κ,  κ = κ∥ b̂b̂ + κ⊥ (I − b̂b̂)
    σ dW   = sqrt(2κ∥) b̂ (b̂·ξ) + sqrt(2κ⊥) (ξ − b̂ (b̂·ξ)) sqrt(dt),   ξ ~ N(0, I₃)
    d ln p = [−(∇·u)/3 + D̃ (3 + s)] dt + sqrt(2 D̃ dt) ξ₄,   D̃ = D_pp/p², s = ∂ln D̃/∂ln p

σ is the symmetric square root of 2κ (b̂b̂ and I − b̂b̂ are orthogonal projectors); projecting
an isotropic normal vector on the plane ⊥ b̂ gives the two perpendicular components of
Kopp et al.'s σ without building a local basis. The momentum SDE is Itô's lemma applied to
dp = [(1/p²) ∂p(p² D_pp) − (∇·u) p/3] dt + sqrt(2 D_pp) dW (derivation in docs/sde3d.md;
one definition for both engines: :func:`.momentum.momentum_drift_diff`).

∇·κ = (κ∥ − κ⊥)[b̂ (∇·b̂) + (b̂·∇)b̂] + b̂ (b̂·∇κ∥) + (I − b̂b̂)·∇κ⊥ is computed analytically
from the field's Jacobian J = ∂B_i/∂x_j (:mod:`.fields`): ∇|B| = Jᵀb̂,
∂_j b_i = (J_ij − b_i (∇|B|)_j)/|B|, κ∥ = K(p) (|B|/B_ref)^(−a_B), κ⊥ = ε(p) κ∥.

Euler–Maruyama with fixed Δt (shortened to land on snapshot times). Normals are counter
based (:func:`.rng.normal`, the ziggurat of Marsaglia & Tsang 2000 on SplitMix64 hashes,
counters consumed in sequence: 3 or 4 per step), the loop runs ``prange`` over blocks of
particles and every block writes its own slice, so results are bit-identical for any thread
count. The particle loop is compiled in
separate copies for the common kinds (no flow, no momentum diffusion, spiral or uniform field),
where the kinds are constants and the other branches drop out.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from ...core.jit import step_loop
from ...flows.compiled import FM, flow_eval
from .fields import FK_SPIRAL, FK_UNIFORM, field_eval
from .momentum import momentum_drift_diff
from .rng import normal, stream_key

# int parameters
I_FLOW, I_EMBED, I_FIELD, I_DIFF, I_MD, I_KEEP = range(6)
N_I3 = 6
# float parameters
(R_DT, R_K0, R_DELTA, R_LNPREF, R_AB, R_BREF, R_EPS, R_PDELTA, R_VA2, R_D0, R_A, R_TAU, R_AX, R_AY, R_AZ,
 R_SMIN, R_SMAX, R_LNPMIN, R_DLNP) = range(19)
N_R3 = 19
# counters
C_STEPS, C_ESC, C_NAN, C_NULL, C_OUTSIDE = range(5)
N_C3 = 5
DET_SPHERE, DET_PLANE, DET_BOX = 0, 1, 2


@nb.njit(inline="always")
def kappa_par_ref(dk, rp, lnp):
    """(κ∥ at |B| = B_ref, ∂ln κ∥/∂ln p): constant, κ0 (p/p_ref)^δ, or Bohm κ0 p²/sqrt(1+p²) = κ0 p β."""
    if dk == 0:
        return rp[R_K0], 0.0
    if dk == 1:
        return rp[R_K0] * math.exp(rp[R_DELTA] * (lnp - rp[R_LNPREF])), rp[R_DELTA]
    p2 = math.exp(2.0 * lnp)
    return rp[R_K0] * p2 / math.sqrt(1.0 + p2), 1.0 + 1.0 / (1.0 + p2)


@nb.njit(inline="always")
def tensor_drift(bx, by, bz, j00, j01, j02, j10, j11, j12, j20, j21, j22, kref, aB, Bref, eps):
    """(b̂, κ∥, κ⊥, ∇·κ, null) for κ = κ∥ b̂b̂ + κ⊥(I − b̂b̂), κ∥ = kref (|B|/Bref)^−aB, κ⊥ = eps κ∥."""
    Bm = math.sqrt(bx * bx + by * by + bz * bz)
    if not Bm > 0.0:
        return 0.0, 0.0, 1.0, kref, eps * kref, 0.0, 0.0, 0.0, 1
    ib = 1.0 / Bm
    ex, ey, ez = bx * ib, by * ib, bz * ib
    gx = ex * j00 + ey * j10 + ez * j20  # ∇|B| = Jᵀ b̂
    gy = ex * j01 + ey * j11 + ez * j21
    gz = ex * j02 + ey * j12 + ez * j22
    if aB == 0.0:
        kpar = kref
    elif aB == 1.0:
        kpar = kref * Bref * ib
    else:
        kpar = kref * (Bm / Bref) ** (-aB)
    kperp = eps * kpar
    bg = ex * gx + ey * gy + ez * gz
    divb = (j00 + j11 + j22 - bg) * ib
    cx = (j00 * ex + j01 * ey + j02 * ez - ex * bg) * ib  # (b̂·∇) b̂
    cy = (j10 * ex + j11 * ey + j12 * ez - ey * bg) * ib
    cz = (j20 * ex + j21 * ey + j22 * ez - ez * bg) * ib
    f = -aB * kpar * ib  # ∇κ∥ = f ∇|B|
    bdk = f * bg  # b̂·∇κ∥
    dl = kpar - kperp
    par = bdk * (1.0 - eps)
    dx = dl * (ex * divb + cx) + ex * par + eps * f * gx
    dy = dl * (ey * divb + cy) + ey * par + eps * f * gy
    dz = dl * (ez * divb + cz) + ez * par + eps * f * gz
    return ex, ey, ez, kpar, kperp, dx, dy, dz, 0


@nb.njit(inline="always")
def _normal3(key, idx):
    """Standard normal number ``idx`` of stream ``key`` (ziggurat, :func:`.rng.normal`).

    Every normal of the 3-D kernels comes from here (one place to change the generator)."""
    return normal(key, idx)


@nb.njit(inline="always")
def _flow3(fl, emb, rp, fpar, fel, ttab, utab, dtab, x, y, z, t):
    """Flow velocity vector and ∇·u of the 1-D flow ``fl`` embedded along n̂ (emb = 0) or r̂ (emb = 1)."""
    if fl == 0:
        return 0.0, 0.0, 0.0, 0.0
    if emb == 0:
        s = x * rp[R_AX] + y * rp[R_AY] + z * rp[R_AZ]
        u, div = flow_eval(fl, fpar, fel, ttab, utab, dtab, s, t, 1.0)
        return u * rp[R_AX], u * rp[R_AY], u * rp[R_AZ], div
    r = math.sqrt(x * x + y * y + z * z)
    u, div = flow_eval(fl, fpar, fel, ttab, utab, dtab, r, t, 1.0)
    f = u / r if r > 0.0 else 0.0
    return f * x, f * y, f * z, div


@nb.njit(inline="always")
def embed_coord(ip, rp, x, y, z):
    if ip[I_EMBED] == 0:
        return x * rp[R_AX] + y * rp[R_AY] + z * rp[R_AZ]
    return math.sqrt(x * x + y * y + z * z)


@nb.njit(inline="always")
def local_kappa(ip, rp, lnp, seps0):
    """(κ∥ at B_ref, ∂ln κ∥/∂ln p, ε = κ⊥/κ∥, sqrt(ε)) at ln p (seps0 = sqrt(ε) when ε is constant)."""
    kref, dlnk = kappa_par_ref(ip[I_DIFF], rp, lnp)
    if rp[R_PDELTA] == 0.0:
        return kref, dlnk, rp[R_EPS], seps0
    eps = rp[R_EPS] * math.exp(rp[R_PDELTA] * (lnp - rp[R_LNPREF]))
    return kref, dlnk, eps, math.sqrt(eps)


@nb.njit(inline="always", fastmath=FM)
def step3(fl, emb, fk, md, rp, fpar, fel, ttab, utab, dtab, fk_par, ftab, x, y, z, lnp, t, dt, sq, kref, dlnk, eps,
          seps, key, nid):
    """One Euler–Maruyama step (sq = sqrt(dt); κ∥(B_ref), ∂lnκ∥/∂lnp, ε, sqrt(ε) at ln p from :func:`local_kappa`).

    Kinds as scalars: flow ``fl``, embedding ``emb``, field ``fk``, momentum diffusion ``md`` (constants
    where :func:`_particle` calls it for a specialised case, so the compiler removes the other branches).
    Returns (x, y, z, ln p, nid, flags): flags = 1 at |B| = 0, + 2 outside a field table."""
    ux, uy, uz, div = _flow3(fl, emb, rp, fpar, fel, ttab, utab, dtab, x, y, z, t)
    B = field_eval(fk, fk_par, ftab, x, y, z)
    ex, ey, ez, kpar, _kperp, dx, dy, dz, null = tensor_drift(B[0], B[1], B[2], B[3], B[4], B[5], B[6], B[7],
                                                             B[8], B[9], B[10], B[11], kref, rp[R_AB],
                                                             rp[R_BREF], eps)
    flags = null + (2 if B[12] > 0.0 else 0)
    z1 = _normal3(key, nid)
    z2 = _normal3(key, nid + 1)
    z3 = _normal3(key, nid + 2)
    nid += 3
    spar = math.sqrt(2.0 * kpar) * sq
    sperp = spar * seps  # κ⊥ = eps κ∥ (also at |B| = 0)
    bz_ = ex * z1 + ey * z2 + ez * z3
    x += (ux + dx) * dt + spar * ex * bz_ + sperp * (z1 - ex * bz_)
    y += (uy + dy) * dt + spar * ey * bz_ + sperp * (z2 - ey * bz_)
    z += (uz + dz) * dt + spar * ez * bz_ + sperp * (z3 - ez * bz_)
    lnp_new = lnp - div * dt / 3.0
    if md != 0:
        a, Dt = momentum_drift_diff(md, rp[R_VA2], rp[R_D0], rp[R_A], lnp, kpar, dlnk)
        z4 = _normal3(key, nid)
        nid += 1
        lnp_new += a * dt + math.sqrt(2.0 * Dt) * sq * z4
    return x, y, z, lnp_new, nid, flags


@nb.njit(inline="always")
def _side(det, k, x, y, z):
    """Which side of detector k: 1 inside the sphere / box or above the plane, else 0; and the level."""
    typ = det[k, 0]
    if typ == DET_SPHERE:
        v = math.sqrt(x * x + y * y + z * z) - det[k, 1]
        return 1 if v < 0.0 else 0, v
    if typ == DET_PLANE:
        v = x * det[k, 1] + y * det[k, 2] + z * det[k, 3] - det[k, 4]
        return 1 if v > 0.0 else 0, v
    inside = det[k, 1] <= x < det[k, 4] and det[k, 2] <= y < det[k, 5] and det[k, 3] <= z < det[k, 6]
    return 1 if inside else 0, 0.0


@nb.njit
def _detect(det, sides, x0, y0, z0, l0, x, y, z, lnp, t, dt, w, i, DX):
    """Record first crossings (linear interpolation inside the step); True if an absorbing one fired."""
    stop = False
    for k in range(det.shape[0]):
        s_new, v_new = _side(det, k, x, y, z)
        if s_new == sides[k]:
            continue
        _, v_old = _side(det, k, x0, y0, z0)
        sides[k] = s_new
        if not math.isnan(DX[k, i, 0]):  # already recorded
            continue
        f = v_old / (v_old - v_new) if v_old != v_new else 1.0
        if det[k, 0] == DET_BOX:
            f = 1.0
        DX[k, i, 0] = t + f * dt
        DX[k, i, 1] = l0 + f * (lnp - l0)
        DX[k, i, 2] = x0 + f * (x - x0)
        DX[k, i, 3] = y0 + f * (y - y0)
        DX[k, i, 4] = z0 + f * (z - z0)
        DX[k, i, 5] = w
        if det[k, 7] != 0.0:
            stop = True
    return stop


@nb.njit(inline="always")
def _pbin(rp, lnp, n):
    ib = math.floor((lnp - rp[R_LNPMIN]) / rp[R_DLNP])
    return ib if 0 <= ib < n else -1


@nb.njit
def _record3(ip, rp, kk, x, y, z, lnp, w, blk, obs_lo, obs_hi, boxes, S, S2):
    ib = _pbin(rp, lnp, S.shape[3])
    if ib < 0:
        return
    s = embed_coord(ip, rp, x, y, z)
    n1 = obs_lo.shape[1]
    for o in range(n1):
        if obs_lo[kk, o] <= s < obs_hi[kk, o]:
            S[blk, kk, o, ib] += w
            S2[blk, kk, o, ib] += w * w
    for b in range(boxes.shape[0]):
        if boxes[b, 0] <= x < boxes[b, 3] and boxes[b, 1] <= y < boxes[b, 4] and boxes[b, 2] <= z < boxes[b, 5]:
            S[blk, kk, n1 + b, ib] += w
            S2[blk, kk, n1 + b, ib] += w * w


@nb.njit(inline="always")
def _integrate3(ip, rp, x, y, z, ib, w, t, dt, blk, int_lo, int_hi, I, IT):
    """Add w dt and w t dt of the step to the integrators containing s (ib: momentum bin of the step, or −1)."""
    if ib < 0:
        return
    s = embed_coord(ip, rp, x, y, z)
    for o in range(int_lo.shape[0]):
        if int_lo[o] <= s < int_hi[o]:
            I[blk, o, ib] += w * dt
            IT[blk, o, ib] += w * dt * (t + 0.5 * dt)


@step_loop(error_model="numpy")
def _particle(i, ip, rp, fpar, fel, ttab, utab, dtab, fk_par, ftab, key, x, y, z, lnp, w, t, T, det, sides, blk,
              obs_lo, obs_hi, boxes, int_lo, int_hi, S, S2, I, IT, DX, PX, cnt):
    """Advance one particle through all snapshot times (records spectra, integrals, crossings);
    ``sides``: scratch for the detector sides (a step loop allocates no arrays).

    The common cases get their own copy of the loop with the kinds as constants (unswitched)."""
    fl, emb, fk, md = ip[I_FLOW], ip[I_EMBED], ip[I_FIELD], ip[I_MD]
    flow = (fpar, fel, ttab, utab, dtab)  # grouped: a call with > 30 arguments cannot be inlined
    obs = (obs_lo, obs_hi, boxes, int_lo, int_hi)
    out = (S, S2, I, IT, DX, PX, cnt)
    if fl == 0 and md == 0 and fk == FK_SPIRAL:
        _walk(0, emb, FK_SPIRAL, 0, i, ip, rp, flow, fk_par, ftab, key, x, y, z, lnp, w, t, T, det, sides, blk, obs,
              out)
    elif fl == 0 and md == 0 and fk == FK_UNIFORM:
        _walk(0, emb, FK_UNIFORM, 0, i, ip, rp, flow, fk_par, ftab, key, x, y, z, lnp, w, t, T, det, sides, blk, obs,
              out)
    else:
        _walk(fl, emb, fk, md, i, ip, rp, flow, fk_par, ftab, key, x, y, z, lnp, w, t, T, det, sides, blk, obs, out)


@nb.njit(inline="always", fastmath=FM)
def _walk(fl, emb, fk, md, i, ip, rp, flow, fk_par, ftab, key, x, y, z, lnp, w, t, T, det, sides, blk, obs, out):
    """The particle loop of :func:`_particle` for flow ``fl``, embedding ``emb``, field ``fk``, D_pp kind ``md``."""
    fpar, fel, ttab, utab, dtab = flow
    obs_lo, obs_hi, boxes, int_lo, int_hi = obs
    S, S2, I, IT, DX, PX, cnt = out
    dt0, tau = rp[R_DT], rp[R_TAU]
    for k in range(det.shape[0]):
        sides[k] = _side(det, k, x, y, z)[0]
    integ = int_lo.shape[0] > 0
    kk = 0
    while kk < T.shape[0] and T[kk] < t:
        kk += 1
    nid = 0
    nsteps = 0
    sq0 = math.sqrt(dt0)
    bounded = rp[R_SMIN] > -1e300 or rp[R_SMAX] < 1e300  # grid.x_min/x_max defaults are ∓1e300
    seps0 = math.sqrt(rp[R_EPS])
    kref, dlnk, eps, seps = local_kappa(ip, rp, lnp, seps0)
    lnp_k = lnp
    ibin = _pbin(rp, lnp, I.shape[2])
    while kk < T.shape[0]:
        tn = T[kk]
        if tn - t <= 1e-9 * dt0:
            t = max(t, tn)
            _record3(ip, rp, kk, x, y, z, lnp, w, blk, obs_lo, obs_hi, boxes, S, S2)
            if ip[I_KEEP] == 1:
                PX[kk, i, 0], PX[kk, i, 1], PX[kk, i, 2], PX[kk, i, 3], PX[kk, i, 4] = x, y, z, lnp, w
            kk += 1
            continue
        dt = dt0
        sq = sq0
        if tn - t < dt0:
            dt = tn - t
            sq = math.sqrt(dt)
        if lnp != lnp_k:  # κ(p) and the momentum bin only change with p
            kref, dlnk, eps, seps = local_kappa(ip, rp, lnp, seps0)
            ibin = _pbin(rp, lnp, I.shape[2])
            lnp_k = lnp
        if integ:
            _integrate3(ip, rp, x, y, z, ibin, w, t, dt, blk, int_lo, int_hi, I, IT)
        x0, y0, z0, l0 = x, y, z, lnp
        x, y, z, lnp, nid, flags = step3(fl, emb, fk, md, rp, fpar, fel, ttab, utab, dtab, fk_par, ftab, x, y, z,
                                         lnp, t, dt, sq, kref, dlnk, eps, seps, key, nid)
        nsteps += 1
        if flags != 0:
            cnt[C_NULL] += flags & 1
            cnt[C_OUTSIDE] += flags >> 1
        if tau > 0.0:
            w *= math.exp(-dt / tau)
        if math.isnan(x) or math.isnan(y) or math.isnan(z) or math.isnan(lnp):
            cnt[C_NAN] += 1
            break
        stop = _detect(det, sides, x0, y0, z0, l0, x, y, z, lnp, t, dt, w, i, DX) if det.shape[0] > 0 else False
        t += dt
        if bounded:
            s = embed_coord(ip, rp, x, y, z)
            stop = stop or s < rp[R_SMIN] or s > rp[R_SMAX]
        if stop:
            cnt[C_ESC] += 1
            break
    cnt[C_STEPS] += nsteps


@nb.njit(cache=True, parallel=True, fastmath=FM, error_model="numpy")
def run_ensemble3(ip, rp, fpar, fel, ttab, utab, dtab, fk_par, ftab, X0, lnp0, w0, tb0, pid0, seed, block_size,
                  T, det, obs_lo, obs_hi, boxes, int_lo, int_hi, S, S2, I, IT, DX, PX, CNT):
    """Advance particles pid0 … pid0+n−1 (X0: (n, 3)); ``prange`` over blocks of ``block_size`` ids.

    Outputs (accumulated; zeroed by the caller): S, S2 (block, t, window, p) Σw, Σw²; I, IT
    (block, integrator, p) Σ w dt and Σ w t dt; DX (detector, particle, 6) first crossing
    (t, ln p, x, y, z, w; NaN if none); PX (t, particle, 5) snapshots (x, y, z, ln p, w) when
    ip[I_KEEP] = 1; CNT (block, N_C3) counters.
    """
    n = X0.shape[0]
    nblk = S.shape[0]
    b0 = pid0 // block_size
    for b in nb.prange(nblk):
        # int64, as when numba types this function before the parfor pass (which makes the prange
        # index uint64): _particle is then compiled for one signature, not two (cold compile ≈ 3×)
        blk = np.int64(b)
        i_lo = max((b0 + blk) * block_size - pid0, 0)
        i_hi = min((b0 + blk + 1) * block_size - pid0, n)
        sides = np.empty(det.shape[0], np.int64)
        for i in range(i_lo, i_hi):
            key = stream_key(seed, pid0 + i)
            _particle(i, ip, rp, fpar, fel, ttab, utab, dtab, fk_par, ftab, key, X0[i, 0], X0[i, 1], X0[i, 2],
                      lnp0[i], w0[i], tb0[i], T, det, sides, blk, obs_lo, obs_hi, boxes, int_lo, int_hi, S, S2, I, IT,
                      DX, PX, CNT[blk])


@nb.njit(cache=True)
def evaluate_tensor(ip, rp, fk_par, ftab, pts, lnp):
    """Rows (b̂x, b̂y, b̂z, κ∥, κ⊥, (∇·κ)x, (∇·κ)y, (∇·κ)z) at points ``pts`` (n, 3) and momentum ln p."""
    return tensor_rows(ip, rp, fk_par, ftab, pts, np.full(pts.shape[0], lnp))


@nb.njit(cache=True)
def tensor_rows(ip, rp, fk_par, ftab, pts, lnps):
    """:func:`evaluate_tensor` with one ln p per point (``lnps``, shape (n,))."""
    out = np.empty((pts.shape[0], 8))
    for n in range(pts.shape[0]):
        lnp = lnps[n]
        B = field_eval(ip[I_FIELD], fk_par, ftab, pts[n, 0], pts[n, 1], pts[n, 2])
        kref, _ = kappa_par_ref(ip[I_DIFF], rp, lnp)
        eps = rp[R_EPS] if rp[R_PDELTA] == 0.0 else rp[R_EPS] * math.exp(rp[R_PDELTA] * (lnp - rp[R_LNPREF]))
        ex, ey, ez, kp, ko, dx, dy, dz, _ = tensor_drift(B[0], B[1], B[2], B[3], B[4], B[5], B[6], B[7], B[8], B[9],
                                                         B[10], B[11], kref, rp[R_AB], rp[R_BREF], eps)
        out[n, 0], out[n, 1], out[n, 2], out[n, 3] = ex, ey, ez, kp
        out[n, 4], out[n, 5], out[n, 6], out[n, 7] = ko, dx, dy, dz
    return out
