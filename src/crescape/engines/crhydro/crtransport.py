"""Compiled kernels for the momentum-resolved CR transport of seed 000 eq. (9).

The unknown is ``n[i, j]``: the number density [cm^-3] of CRs in radial cell i
and momentum bin j (bins uniform in ln p, width ``dlnp``), i.e.
n = ∫_bin N_cr dp. Three operators, each in conservative (flux) form:

1. :func:`advect_r` — advection with the gas, ∂t N + (1/r²)∂r(r² v N) = 0:
   finite-volume upwind with a piecewise-linear (MC-limited), time-centred
   face value; the outer-face flux is returned as escaped number.
2. :func:`momentum_update` — the adiabatic term (1/3)(∇·v) ∂p(pN) and the
   collisional term −∂p(N ṗ): with g = pN (number per ln p) both are an
   advection in ln p, ∂t g + ∂_{ln p}(u g) = 0, u = −(∇·v)/3 + ṗ/p.
   Face values come from a limited piecewise log-linear reconstruction
   (exact for a power law); explicit, sub-cycled per cell so that
   |u| Δt ≤ 0.25 Δln p (positivity). The energy change of each term is
   accumulated separately so the gas receives exactly what the CRs lose.
3. :func:`diffuse_stream` — implicit backward-Euler diffusion
   (1/r²)∂r(r² D ∂r N) (one tridiagonal solve per momentum bin, all bins
   swept together) together with the streaming loss −|V_A ∂r N|, linearised
   as −λ N with λ = V_A|∂r N|/N from the old state (always a loss; the
   matrix is an M-matrix). Returns the number leaving through r_max and the
   energy removed by streaming per cell.

The ln-p and diffusion kernels are compiled with fastmath: every value is finite, and the
only effect is a round-off-level reordering (each flux is still added to one bin and
subtracted from its neighbour, so number and energy bookkeeping stay exact to round-off).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .crdiffusion import stream_rate


@njit(cache=True, inline="always")
def _mc(a, b):
    """Monotonised-central limiter of two one-sided slopes."""
    if a * b <= 0.0:
        return 0.0
    s = 0.5 * (a + b)
    m = min(abs(s), 2.0 * abs(a), 2.0 * abs(b))
    return m if s > 0 else -m


@njit(cache=True)
def advect_r(n, vf, A, V, rc, rf, dt, outer_ghost_zero, esc):
    """Flux-form advection of every bin with face velocities ``vf`` (n_r+1); updates ``n``.

    ``esc[j]`` += number (not density) leaving through the outer face in this step.
    Outer inflow brings N = 0 (absorbing) or N = N_last (zero-gradient).
    """
    nr, M = n.shape
    flux = np.zeros((nr + 1, M))
    for f in range(1, nr + 1):
        u = vf[f]
        if u == 0.0:
            continue
        i = f - 1 if u > 0.0 else f  # upwind (donor) cell of face f
        if i >= nr:  # inflow through the outer boundary
            if not outer_ghost_zero:
                for j in range(M):
                    flux[f, j] = A[f] * u * n[nr - 1, j]
        elif 0 < i < nr - 1:
            hl = rc[i] - rc[i - 1]
            hr = rc[i + 1] - rc[i]
            x = rf[f] - 0.5 * u * dt - rc[i]
            for j in range(M):
                s = _mc((n[i, j] - n[i - 1, j]) / hl, (n[i + 1, j] - n[i, j]) / hr)
                flux[f, j] = A[f] * u * (n[i, j] + s * x)
        else:
            for j in range(M):
                flux[f, j] = A[f] * u * n[i, j]
    for i in range(nr):
        q = dt / V[i]
        for j in range(M):
            n[i, j] -= q * (flux[i + 1, j] - flux[i, j])
    for j in range(M):
        esc[j] += dt * flux[nr, j]


@njit(cache=True, inline="always")
def _mc_ratio(rm, rp):
    """exp(½ s) for the MC-limited log-slope s of the ratios rm = g_j/g_{j−1}, rp = g_{j+1}/g_j:
    the candidates exp(½·½(ln rm + ln rp)) = (rm rp)^¼, exp(ln rm) = rm, exp(ln rp) = rp; the
    one closest to 1 wins (no transcendental functions)."""
    if (rm - 1.0) * (rp - 1.0) <= 0.0:
        return 1.0
    c = np.sqrt(np.sqrt(rm * rp))
    if rm > 1.0:
        return min(c, rm, rp)
    return max(c, rm, rp)


@njit(cache=True, fastmath=True)
def _reconstruct(g, lg, fl, fh):
    """Low (fl) and high (fh) face values of every bin from a limited log-linear profile
    whose bin mean is g (exact for a power law). MC limiter on ln g; |half-slope| ≤ ln 2
    (face values within [g/2, 2g], which with Courant ≤ 0.25 keeps g ≥ 0); first order
    next to empty bins; one-sided slope at the grid ends. Works on ratios (E = e^{h},
    h = half-slope): the centre value of the exponential profile with mean g is
    g h/sinh h, evaluated as asinh(y)/y, y = sinh h, by its Taylor series (|y| ≤ 0.75;
    truncation < 2e-3 at the cap, < 1e-10 for |h| < 0.2). ``lg`` is unused scratch."""
    M = g.size
    for j in range(M):
        g0 = g[j]
        if g0 <= 0.0:
            fl[j] = 0.0
            fh[j] = 0.0
            continue
        okm = j > 0 and g[j - 1] > 0.0
        okp = j < M - 1 and g[j + 1] > 0.0
        if okm and okp:
            E = _mc_ratio(g0 / g[j - 1], g[j + 1] / g0)
        elif okp and j == 0:
            E = np.sqrt(g[j + 1] / g0)
        elif okm and j == M - 1:
            E = np.sqrt(g0 / g[j - 1])
        else:
            E = 1.0
        if E > 2.0:
            E = 2.0
        elif E < 0.5:
            E = 0.5
        if E == 1.0:
            fl[j] = g0
            fh[j] = g0
            continue
        y = 0.5 * (E - 1.0 / E)
        y2 = y * y
        corr = 1.0 + y2 * (-1.0 / 6.0 + y2 * (3.0 / 40.0 + y2 * (-5.0 / 112.0 + y2 * (35.0 / 1152.0 - y2 * 63.0 / 2816.0))))
        gc = g0 * corr
        fl[j] = gc / E
        fh[j] = gc * E


NSUB_MAX = 64


@njit(cache=True)
def _implicit_lnp(n, i, ua, uc, dt, dlnp, eps, eps_top, dE_adi, dE_C, dE_top, nlost, dn_a, dEtop_a):
    """Backward-Euler first-order upwind advection in ln p of cell i (used when explicit
    sub-cycling would need more than NSUB_MAX sub-steps). Tridiagonal in j (Thomas);
    fluxes of the new state give the energy change of each term exactly as in the explicit path."""
    M = n.shape[1]
    q = dt / dlnp
    cp = np.empty(M)
    dpv = np.empty(M)
    for j in range(M):
        # flux through face j (lower) and j+1 (upper); upwind g = n/dlnp; boundary faces outflow only
        ul = ua[j] + uc[j]
        uu = ua[j + 1] + uc[j + 1]
        diag = 1.0
        lo = 0.0
        up = 0.0
        if ul < 0.0:
            diag -= q * ul  # outflow through the lower face
        elif j > 0:
            lo = q * ul  # inflow from bin j-1
        if uu > 0.0:
            diag += q * uu
        elif j < M - 1:
            up = -q * uu  # inflow from bin j+1
        if j > 0:
            den = diag - lo * cp[j - 1]
            dpv[j] = (n[i, j] + lo * dpv[j - 1]) / den
        else:
            den = diag
            dpv[j] = n[i, j] / den
        cp[j] = up / den
    x = np.empty(M)
    x[M - 1] = dpv[M - 1]
    for j in range(M - 2, -1, -1):
        x[j] = dpv[j] + cp[j] * x[j + 1]
    ea = 0.0
    ec = 0.0
    for kf in range(M + 1):
        u = ua[kf] + uc[kf]
        if u > 0.0:
            if kf == 0:
                continue
            gf = x[kf - 1] / dlnp
        else:
            if kf == M:
                continue
            gf = x[kf] / dlnp
        Fa = ua[kf] * gf * dt
        Fc = uc[kf] * gf * dt
        F = Fa + Fc
        if kf == 0:
            dn_a[i, 0] += Fa
            ea += Fa * eps[0]
            ec += Fc * eps[0]
            nlost[i, 0] -= Fa
            nlost[i, 1] -= Fc
        elif kf == M:
            dn_a[i, M - 1] -= Fa
            dE_top[i] += F * eps_top
            dEtop_a[i] += Fa * eps_top
            ea += Fa * (eps_top - eps[M - 1])
            ec += Fc * (eps_top - eps[M - 1])
            nlost[i, 2] += Fa
            nlost[i, 3] += Fc
        else:
            dn_a[i, kf - 1] -= Fa
            dn_a[i, kf] += Fa
            de = eps[kf] - eps[kf - 1]
            ea += Fa * de
            ec += Fc * de
    for j in range(M):
        n[i, j] = x[j]
    dE_adi[i] += ea
    dE_C[i] += ec


@njit(cache=True, fastmath=True)
def momentum_update(n, w, dlnp, eps, eps_top, kc, b3, ki, n_e, n_HI, xm3, dt, coulomb, dE_adi, dE_C, dE_top,
                    nlost, dn_a, dEtop_a):
    """Adiabatic + collisional advection in ln p for every cell (explicit, sub-cycled).

    w[i] = −(∇·v)_i/3 is the adiabatic velocity in ln p. The collisional velocity at face k
    is ṗ/p = −[n_e kc_k/(β_k³ + x_m³) H(β_k³ − x_m³) + n_HI ki_k] with kc, ki the Coulomb and
    ionisation rates of :mod:`crescape.physics.losses` divided by v p (precomputed per face).
    Per cell, accumulates the CR energy-density change of each term (dE_adi, dE_C:
    interior transfers plus particles leaving below p_min, whose energy ε_0 counts as
    lost by that term) and dE_top (energy of particles leaving above p_max, valued at
    ``eps_top`` = ε one bin above the grid; the gain ε_top − ε_{M−1} of the crossing counts
    as work of that term). ``nlost[i]`` (n_r, 4) counts the number density lost below p_min
    (adiabatic, collisional part) and above p_max (adiabatic, collisional part). ``dn_a`` (n_r, M) accumulates the increments of the adiabatic part alone and
    ``dEtop_a`` its share of dE_top (so the caller can rescale that part, see match_energy).
    """
    nr, M = n.shape
    ua = np.empty(M + 1)
    uc = np.zeros(M + 1)
    g = np.empty(M)
    lg = np.empty(M)
    fl = np.empty(M)
    fh = np.empty(M)
    for i in range(nr):
        tot = 0.0
        for j in range(M):
            tot += n[i, j]
        if tot <= 0.0:
            continue
        umax = 0.0
        for k in range(M + 1):
            ua[k] = w[i]
            if coulomb:
                u = n_HI[i] * ki[k]
                if b3[k] > xm3[i]:
                    u += n_e[i] * kc[k] / (b3[k] + xm3[i])
                uc[k] = -u
            umax = max(umax, abs(ua[k] + uc[k]))
        if umax == 0.0:
            continue
        nsub = int(np.ceil(umax * dt / (0.25 * dlnp)))
        if nsub < 1:
            nsub = 1
        if nsub > NSUB_MAX:  # stiff (fast losses at low p in dense gas): implicit upwind
            _implicit_lnp(n, i, ua, uc, dt, dlnp, eps, eps_top, dE_adi, dE_C, dE_top, nlost, dn_a, dEtop_a)
            continue
        ds = dt / nsub
        for _ in range(nsub):
            for j in range(M):
                g[j] = n[i, j] / dlnp
            _reconstruct(g, lg, fl, fh)
            _lnp_fluxes(n, i, ua, uc, ds, fl, fh, eps, eps_top, dE_adi, dE_C, dE_top, nlost, dn_a, dEtop_a)


@njit(cache=True, fastmath=True)
def _lnp_fluxes(n, i, ua, uc, ds, fl, fh, eps, eps_top, dE_adi, dE_C, dE_top, nlost, dn_a, dEtop_a):
    """Apply one explicit ln-p sub-step to cell i from the reconstructed face values and book
    the energy change of the adiabatic (ua) and collisional (uc) parts separately."""
    M = n.shape[1]
    ea = 0.0
    ec = 0.0
    for k in range(M + 1):
        u = ua[k] + uc[k]
        if u > 0.0:
            if k == 0:
                continue
            gf = fh[k - 1]
        else:
            if k == M:
                continue
            gf = fl[k]
        Fa = ua[k] * gf * ds
        Fc = uc[k] * gf * ds
        F = Fa + Fc
        if k == 0:  # leaving below p_min: CRs lose eps[0] per particle
            n[i, 0] += F
            dn_a[i, 0] += Fa
            ea += Fa * eps[0]
            ec += Fc * eps[0]
            nlost[i, 0] -= Fa
            nlost[i, 1] -= Fc
        elif k == M:  # leaving above p_max with energy eps_top
            n[i, M - 1] -= F
            dn_a[i, M - 1] -= Fa
            dE_top[i] += F * eps_top
            dEtop_a[i] += Fa * eps_top
            ea += Fa * (eps_top - eps[M - 1])
            ec += Fc * (eps_top - eps[M - 1])
            nlost[i, 2] += Fa
            nlost[i, 3] += Fc
        else:
            n[i, k - 1] -= F
            n[i, k] += F
            dn_a[i, k - 1] -= Fa
            dn_a[i, k] += Fa
            de = eps[k] - eps[k - 1]
            ea += Fa * de
            ec += Fc * de
    dE_adi[i] += ea
    dE_C[i] += ec


@njit(cache=True, fastmath=True)
def diffuse_stream(n, Dface, A, V, rc, rf, vA, dt, absorbing, streaming, eps, esc, dE_st, cp, dp):
    """Backward-Euler diffusion + streaming loss for all momentum bins (Thomas algorithm).

    Row i of bin j:  V_i (x_i − n_i) = Δt [a_{i+½}(x_{i+1} − x_i) − a_{i−½}(x_i − x_{i−1})]
                                       − Δt V_i λ_ij x_i,
    a_{i+½} = D_{i+½} A_{i+½}/(r_{i+1} − r_i); a at the origin/inner wall = 0; at r_max
    (absorbing, N = 0 on the face) a_out = D A/(r_max − r_last). The streaming loss
    −|V_A ∂r N| is linearised with the rate λ = V_A |∂r N|/N from the state before the step,
    |∂r N| the steeper one-sided descent towards a lower neighbour (0 at a local minimum), so
    the loss λ x ≥ 0 always and the matrix stays an M-matrix (positive, unconditionally
    stable). ``esc[j]`` += Δt a_out x_last (number); ``dE_st[i]`` += Σ_j ε_j Δt λ_ij x_ij,
    the energy density removed by streaming. ``cp``/``dp`` are (n_r, M) scratch arrays.
    """
    nr, M = n.shape
    lam = np.zeros((nr, M))  # streaming loss rate [s^-1], from the state before the step
    if streaming:
        stream_rate(n, rc, vA, lam)
    for i in range(nr):
        am = 0.0
        if i > 0:
            am = dt * A[i] / (rc[i] - rc[i - 1])
        if i < nr - 1:
            ap = dt * A[i + 1] / (rc[i + 1] - rc[i])
        else:
            ap = dt * A[nr] / (rf[nr] - rc[nr - 1]) if absorbing else 0.0
        for j in range(M):
            lo = am * Dface[i, j]
            up = ap * Dface[i + 1, j]
            diag = V[i] * (1.0 + dt * lam[i, j]) + lo + up
            rhs = V[i] * n[i, j]
            if i > 0:
                den = diag - lo * cp[i - 1, j]
                dp[i, j] = (rhs + lo * dp[i - 1, j]) / den
            else:
                den = diag
                dp[i, j] = rhs / den
            cp[i, j] = (up / den) if i < nr - 1 else 0.0
    # back substitution (store the new state in n)
    for j in range(M):
        n[nr - 1, j] = dp[nr - 1, j]
    for i in range(nr - 2, -1, -1):
        for j in range(M):
            n[i, j] = dp[i, j] + cp[i, j] * n[i + 1, j]
    if absorbing:
        aout = dt * A[nr] / (rf[nr] - rc[nr - 1])
        for j in range(M):
            esc[j] += aout * Dface[nr, j] * n[nr - 1, j]
    if streaming:
        for i in range(nr):
            e = 0.0
            for j in range(M):
                e += eps[j] * dt * lam[i, j] * n[i, j]
            dE_st[i] += e


@njit(cache=True)
def moments(n, w):
    """Σ_j w_j n[i, j] for every cell (P_cr with w = pv/3, ε_cr with w = ε)."""
    nr, M = n.shape
    out = np.zeros(nr)
    for i in range(nr):
        s = 0.0
        for j in range(M):
            s += w[j] * n[i, j]
        out[i] = s
    return out


@njit(cache=True)
def match_energy(n, dn_a, de, target, extra, smin, smax, mismatch, nlost):
    """Rescale the adiabatic increments so that their energy change in cell i is ``target[i]``.

    ``dn_a`` holds the increments of the adiabatic operator (already contained in n) and
    ``de[i]`` their energy change (CR energy in the cell plus ``extra[i]``, the energy carried
    off the momentum grid). n ← n + (s_i − 1) dn_a, de, extra ← s_i (·), s_i = target_i/de_i,
    and the adiabatic number lost at the momentum boundaries (nlost[i, 0], nlost[i, 2]) ← s_i (·),
    accepted when smin ≤ s_i ≤ smax and the scaling drives no bin negative; otherwise nothing is scaled and
    ``mismatch[i]`` = de_i − target_i (booked on the gas by the caller). Returns the number of
    cells that could not be matched.
    """
    nr, M = n.shape
    bad = 0
    for i in range(nr):
        t = target[i]
        d = de[i]
        mismatch[i] = 0.0
        if d == t:
            continue
        ok = d != 0.0
        s = 1.0
        if ok:
            s = t / d
            ok = smin <= s <= smax
        if ok:
            for j in range(M):
                if (s - 1.0) * dn_a[i, j] < 0.0 and n[i, j] + (s - 1.0) * dn_a[i, j] < 0.0:
                    ok = False
                    break
        if ok:
            for j in range(M):
                n[i, j] += (s - 1.0) * dn_a[i, j]
            de[i] = t
            extra[i] *= s
            nlost[i, 0] *= s
            nlost[i, 2] *= s
        else:
            mismatch[i] = d - t
            bad += 1
    return bad
