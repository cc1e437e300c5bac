"""3-D SDE throughput: Parker-spiral field, Bohm diffusion κ∥ ∝ p β/|B|, κ⊥ = 0.1 κ∥ (code units).

Cases (each: particles injected on a shell r ∈ [2, 3] around the origin, p0 = 10, fixed Δt,
one snapshot and one time-integrating observer, no escape):
  spiral_bohm        — no flow (transport only: field + Jacobian + ∇·κ + 3 normals per step);
  spiral_bohm_sedov  — plus a Sedov blast wave embedded radially (flow + adiabatic term);
  spiral_bohm_reacc  — plus momentum diffusion D_pp = p² V_A²/(9κ∥) (4 normals per step).
Steps/s = steps counted by the kernel / wall time of simulate_chunk3 (compile excluded by a
warm-up call). Run once per thread count, e.g.

    NUMBA_NUM_THREADS=1 python benchmarks/sde3d_throughput.py
    NUMBA_NUM_THREADS=2 python benchmarks/sde3d_throughput.py

and report the median of ``--repeat`` (default 3) runs.
"""
from __future__ import annotations

import argparse
import time

import numba
import numpy as np

from crescape.config import load_config
from crescape.engines.sde.solver3d import build_setup3, simulate_chunk3

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
    args = ap.parse_args()
    th = numba.get_num_threads()
    for case in FLOWS:
        med, rates = throughput(case, args.particles, args.steps, args.repeat)
        print(f"{case:20s} threads={th}  median {med:.3e} steps/s  ({med / th:.3e} per thread)  "
              f"runs: {', '.join(f'{r:.3e}' for r in rates)}")


if __name__ == "__main__":
    main()
