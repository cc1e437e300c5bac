"""Initial pseudo-particle states (counter-based, so any chunking gives the same particles).

Particle ``pid`` of a run with seed ``s`` draws its injection variables from
the stream ``stream_key(s ^ INJ, pid)``: position (volume injection), momentum
(power law) and time (continuous injection) do not depend on the chunk it is
simulated in. Weights are 1/N_total: spectra are per injected particle.

Injection "at the shock" places each particle at X_s + sqrt(2κΔt) ξ (ξ a standard normal from
the particle's injection stream), not at X_s itself. At the centre of the smoothed shock the first
Euler step would take the full compression ∇·u(X_s) Δt/3 = Δu Δt/(6w) as a deterministic kick
(2.5 % in ln p for r = 4 and u1Δt/w = 0.2), whereas in the continuum a particle starting there
spreads over √(2κΔt) ≫ w during that step and is compressed by ≈ Δu √Δt/(3√(πκ)) on average. The
kick raised the whole shock spectrum by e^{Δu Δt/(6w)} — an error that does not vanish when w and Δt
are refined together (measured against the exact time-dependent solution:
tests/test_sde_time_dependent_dsa.py). Spreading over one step's diffusion length, which no SDE step
resolves anyway, lets the first step sample ∇·u like every later one.
"""
from __future__ import annotations

import numba as nb
import numpy as np
from scipy.special import ndtri

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


def initial_states(inj, flow, seed: int, pid0: int, n: int, n_total: int, kappa=None, dt: float = 0.0):
    """(x0, lnp0, w0, t0) of particles pid0 .. pid0+n-1 (volume injection uniform per volume).

    ``kappa(x, lnp)`` (arrays → κ array) and the step ``dt``: injection at the shock is spread over
    sqrt(2κΔt) (module docstring); without them the particles start at the shock itself."""
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
        if kappa is not None and dt > 0.0 and n:
            x = x + np.sqrt(2.0 * kappa(x, lnp) * dt) * ndtri(u[:, 0])
            if flow.geometry == "spherical":
                x = np.abs(x)
    w = np.full(n, 1.0 / n_total)
    return np.ascontiguousarray(x), np.ascontiguousarray(lnp), w, np.ascontiguousarray(t)


def shock_position(flow, t):
    s = flow.shocks(t)
    if not s:
        raise ValueError(f"injection.where = 'shock' but the flow has no shock at t = {t:g}")
    return float(s[0])
