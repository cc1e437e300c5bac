"""3-D SDE throughput: Parker-spiral field, Bohm diffusion κ∥ ∝ p β/|B|, κ⊥ = 0.1 κ∥ (code units).

Cases (each: particles injected on a shell r ∈ [2, 3] around the origin, p0 = 10, fixed Δt,
one snapshot and one time-integrating observer, no escape):
  spiral_bohm        — no flow (transport only: field + Jacobian + ∇·κ + 3 normals per step);
  spiral_bohm_sedov  — plus a Sedov blast wave embedded radially (flow + adiabatic term);
  spiral_bohm_reacc  — plus momentum diffusion D_pp = p² V_A²/(9κ∥) (4 normals per step).
Steps/s = steps counted by the kernel / wall time of simulate_chunk3 (compile excluded by a
warm-up call). Next to it, ``bare_loop``: the same field, diffusion tensor, drift and normals
(the kernels' own inline functions) in a plain compiled Euler–Maruyama loop without observers,
snapshots, escape or NaN checks; engine/bare is the price of the engine around the physics.
Run once per thread count, e.g.

    NUMBA_NUM_THREADS=1 python benchmarks/sde3d_throughput.py
    NUMBA_NUM_THREADS=2 python benchmarks/sde3d_throughput.py

and report the median of ``--repeat`` (default 3) runs.
"""
from __future__ import annotations

import argparse
import math
import time

import numba
import numpy as np

from crescape.config import load_config
from crescape.engines.sde import kernels3d as K3
from crescape.engines.sde.fields import FK_SPIRAL, field_eval
from crescape.engines.sde.kernels import stream_key
from crescape.engines.sde.solver3d import build_setup3, initial_states3, simulate_chunk3

FLOWS = {"spiral_bohm": {"kind": "none"},
         "spiral_bohm_sedov": {"kind": "sedov", "E": 1.0, "rho": 1.0, "width": 0.01},
         "spiral_bohm_reacc": {"kind": "none"}}


def deck(case, n, nsteps, dt=1e-3):
    d = {"engine": "sde", "units": "code", "grid": {"geometry": "cartesian3d"},
         "field": {"kind": "parker_spiral", "B0": 1.0, "r0": 1.0, "r_spiral": 1.0},
         "diffusion": {"kind": "bohm", "kappa": 0.01}, "flow": FLOWS[case],
         "transport3d": {"perp_ratio": 0.1, "embedding": "spherical"},
         "run": {"t_end": nsteps * dt, "dt": dt, "seed": 1, "block_size": 64},
         "injection": {"n_particles": n, "p0": 10.0, "where": "volume", "x_lo": 2.0, "x_hi": 3.0},
         "output": {"times": [nsteps * dt], "initial": False, "p_min": 1.0, "p_max": 1e3, "n_p": 30,
                    "observers": [{"name": "shell", "kind": "fixed", "lo": 2.0, "hi": 3.0}],
                    "integrate": [{"name": "shell", "kind": "fixed", "lo": 2.0, "hi": 3.0}]}}
    if case == "spiral_bohm_reacc":
        d["momentum_diffusion"] = {"kind": "alfven", "V_A": 0.05}
    return load_config(d)


@numba.njit(parallel=True, cache=True, fastmath=K3.FM, error_model="numpy")
def bare_loop(fpar, X0, lnp0, nsteps, dt, kappa, eps, Bref, seed):
    """Reference: Euler–Maruyama of the spiral field + Bohm tensor, nothing else (returns Σ x)."""
    n = X0.shape[0]
    out = np.empty(n)
    sq = math.sqrt(dt)
    seps = math.sqrt(eps)
    for i in numba.prange(n):
        key = stream_key(seed, i)
        x, y, z = X0[i, 0], X0[i, 1], X0[i, 2]
        p2 = math.exp(2.0 * lnp0[i])
        kref = kappa * p2 / math.sqrt(1.0 + p2)
        for k in range(nsteps):
            B = field_eval(FK_SPIRAL, fpar, fpar, x, y, z)
            ex, ey, ez, kpar, _, dx, dy, dz, _ = K3.tensor_drift(B[0], B[1], B[2], B[3], B[4], B[5], B[6], B[7], B[8],
                                                                 B[9], B[10], B[11], kref, 1.0, Bref, eps)
            z1 = K3._normal3(key, 3 * k)
            z2 = K3._normal3(key, 3 * k + 1)
            z3 = K3._normal3(key, 3 * k + 2)
            spar = math.sqrt(2.0 * kpar) * sq
            sperp = spar * seps
            b = ex * z1 + ey * z2 + ez * z3
            x += dx * dt + spar * ex * b + sperp * (z1 - ex * b)
            y += dy * dt + spar * ey * b + sperp * (z2 - ey * b)
            z += dz * dt + spar * ez * b + sperp * (z3 - ez * b)
        out[i] = x + y + z
    return out


def bare_throughput(n, nsteps, repeat):
    d = deck("spiral_bohm", n, nsteps)
    st = build_setup3(d)
    X0, lnp0, _, _ = initial_states3(d, st, 1, 0, n)
    rp, fpar = st.rp, st.field.fpar
    args = (nsteps, rp[K3.R_DT], rp[K3.R_K0], rp[K3.R_EPS], rp[K3.R_BREF], 1)
    bare_loop(fpar, X0[:64], lnp0[:64], *args)
    rates = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        bare_loop(fpar, X0, lnp0, *args)
        rates.append(n * nsteps / (time.perf_counter() - t0))
    return float(np.median(rates)), rates


def throughput(case, n, nsteps, repeat):
    st = build_setup3(deck(case, n, nsteps))
    simulate_chunk3(build_setup3(deck(case, 64, 10)), 0, 64)  # compile / load the cache
    rates = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = simulate_chunk3(st, 0, n)
        wall = time.perf_counter() - t0
        rates.append(res.arrays["counters"][0] / wall)
    return float(np.median(rates)), rates


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--particles", type=int, default=20_000)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cases", default=",".join(FLOWS), help="comma-separated subset of " + ", ".join(FLOWS))
    args = ap.parse_args()
    th = numba.get_num_threads()
    bare, brates = bare_throughput(args.particles, args.steps, args.repeat)
    print(f"{'bare_loop':20s} threads={th}  median {bare:.3e} steps/s  ({bare / th:.3e} per thread)  "
          f"runs: {', '.join(f'{r:.3e}' for r in brates)}")
    for case in args.cases.split(","):
        med, rates = throughput(case, args.particles, args.steps, args.repeat)
        print(f"{case:20s} threads={th}  median {med:.3e} steps/s  ({med / th:.3e} per thread)  "
              f"engine/bare {med / bare:.2f}  runs: {', '.join(f'{r:.3e}' for r in rates)}")


if __name__ == "__main__":
    main()
