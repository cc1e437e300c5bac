"""Compiled diffusion coefficient κ(x, p) of the SDE kernels (diffusion kinds DIFF_*)."""
from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(inline="always")
def kappa_eval(dk, dpar, ktab, x, lnp):
    """(κ, ∂κ/∂x) at (x, ln p).

    κ = κ0 g(p) s(x) with g = 1 (dk=0), (p/p_ref)^δ (dk=1, dpar[1]=δ, dpar[2]=ln p_ref),
    p²/sqrt(1+p²) (dk=2: Bohm, κ = r_g v/3 with p in m_p c), and the spatial
    factor s = (|x|/x0)^β (dpar[3]=β, dpar[4]=x0; β = 0 switches it off, e.g.
    Bohm with B ∝ r^-β). dk=3: bilinear table κ(x, ln p) (ktab) on a uniform
    grid dpar = [x0, dx, lnp0, dlnp], drift from the table's x-differences.
    """
    if dk == 0:
        return dpar[0], 0.0
    if dk == 3:
        return _kappa_table(dpar, ktab, x, lnp)
    return kappa_x(dpar, kappa_p(dk, dpar, lnp), x)


@nb.njit(cache=True)
def kappa_values(dk, dpar, ktab, x, lnp):
    """κ of :func:`kappa_eval` at arrays of (x, ln p) (for the set-up, not for the step loops)."""
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = kappa_eval(dk, dpar, ktab, x[i], lnp[i])[0]
    return out


@nb.njit(inline="always")
def kappa_p(dk, dpar, lnp):
    """Momentum part κ0 g(p) of :func:`kappa_eval` (dk = 0, 1, 2)."""
    if dk == 0:
        return dpar[0]
    if dk == 1:
        return dpar[0] * math.exp(dpar[1] * (lnp - dpar[2]))
    p2 = math.exp(2.0 * lnp)
    return dpar[0] * p2 / math.sqrt(1.0 + p2)


@nb.njit(inline="always")
def kappa_x(dpar, k, x):
    """(κ, ∂κ/∂x) = k s(x) with s = (|x|/x0)^β (β = dpar[3]; β = 1 without a pow)."""
    if dpar[3] == 0.0:
        return k, 0.0
    ax = max(abs(x), 1e-12 * dpar[4])
    sgn = 1.0 if x >= 0 else -1.0
    if dpar[3] == 1.0:  # κ = (k/x0)|x|: the slope k/x0 is the drift, no division by |x|
        g = k / dpar[4]
        return g * ax, g * sgn
    k *= (ax / dpar[4]) ** dpar[3]
    return k, dpar[3] * k / ax * sgn


@nb.njit
def _kappa_table(dpar, ktab, x, lnp):
    nx, npp = ktab.shape
    fx = min(max((x - dpar[0]) / dpar[1], 0.0), nx - 1.000001)
    fp = min(max((lnp - dpar[2]) / dpar[3], 0.0), npp - 1.000001)
    ix = int(fx)
    jp = int(fp)
    ax = fx - ix
    ap = fp - jp
    k0 = ktab[ix, jp] * (1 - ap) + ktab[ix, jp + 1] * ap
    k1 = ktab[ix + 1, jp] * (1 - ap) + ktab[ix + 1, jp + 1] * ap
    return k0 * (1 - ax) + k1 * ax, (k1 - k0) / dpar[1]
