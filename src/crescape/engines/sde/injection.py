"""Initial pseudo-particle states (counter-based, so any chunking gives the same particles).

Particle ``pid`` of a run with seed ``s`` draws its injection variables from
the stream ``stream_key(s ^ INJ, pid)``: position (volume injection), momentum
(power law) and time (continuous injection) do not depend on the chunk it is
simulated in. Weights are 1/N_total: spectra are per injected particle.
"""
from __future__ import annotations

import numba as nb
import numpy as np

from .kernels import stream_key, uniform01

INJ_SALT = 0x5DEECE66D


@nb.njit(cache=True)
def _uniforms(seed, pid0, n, m):
    out = np.empty((n, m))
    for i in range(n):
        key = stream_key(seed ^ INJ_SALT, pid0 + i)
        for j in range(m):
            out[i, j] = uniform01(key, j)
    return out


def sample_power_law_lnp(u, p_min, p_max, index):
    """ln p from dN/dp ∝ p^-index on [p_min, p_max] by inverse CDF."""
    a = 1.0 - index
    if abs(a) < 1e-12:
        return np.log(p_min) + u * np.log(p_max / p_min)
    return np.log((p_min**a + u * (p_max**a - p_min**a)) ** (1.0 / a))


def initial_states(inj, flow, seed: int, pid0: int, n: int, n_total: int):
    """(x0, lnp0, w0, t0) of particles pid0 .. pid0+n-1 (volume injection uniform per volume)."""
    u = _uniforms(seed, pid0, n, 3)
    if inj.t1 > inj.t0:
        t = inj.t0 + (inj.t1 - inj.t0) * u[:, 2]
    else:
        t = np.full(n, inj.t0)
    if inj.spectrum == "mono":
        lnp = np.full(n, np.log(inj.p0))
    else:
        lnp = sample_power_law_lnp(u[:, 1], inj.p_min, inj.p_max, inj.index)
    if inj.where == "point":
        x = np.full(n, inj.x0)
    elif inj.where == "volume":
        if flow.geometry == "spherical":
            lo, hi = max(inj.x_lo, 0.0), max(inj.x_hi, 0.0)
            x = (lo**3 + (hi**3 - lo**3) * u[:, 0]) ** (1.0 / 3.0)
        else:
            x = inj.x_lo + (inj.x_hi - inj.x_lo) * u[:, 0]
    else:
        x = np.array([shock_position(flow, ti) for ti in t]) if inj.t1 > inj.t0 else np.full(n, shock_position(flow, inj.t0))
    w = np.full(n, 1.0 / n_total)
    return np.ascontiguousarray(x), np.ascontiguousarray(lnp), w, np.ascontiguousarray(t)


def shock_position(flow, t):
    s = flow.shocks(t)
    if not s:
        raise ValueError(f"injection.where = 'shock' but the flow has no shock at t = {t:g}")
    return float(s[0])
