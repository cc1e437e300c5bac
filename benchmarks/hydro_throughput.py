"""Hydro throughput: zone-cycles per second of the Sod problem (HLLC + PLM/MC + VL2), one thread.

Usage: NUMBA_NUM_THREADS=1 python benchmarks/hydro_throughput.py [--cells 4096 65536] [--steps N]

Prints one line per grid size. Two numbers: the bare solver step loop (``solver.step``) and
the full driver (``crescape.run``: snapshots, history, checkpoints) for the smaller grid.
Reference: Athena++ (C++, HLLC/PLM/VL2, one core of this 2-core machine) ≈ 8.9e6 zone-cycles/s
at 4096 cells.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

from crescape.config import load_config  # noqa: E402
from crescape.engines.crhydro.solver import CRHydroSolver  # noqa: E402


def sod(n, t_end=0.2):
    return load_config({
        "engine": "crhydro",
        "run": {"t_end": t_end, "cfl": 0.4, "progress": False},
        "grid": {"geometry": "planar", "r_min": 0.0, "r_max": 1.0, "n_cells": n},
        "gas": {"gamma": 1.4},
        "thermal": {"cooling": False, "heating": False, "conduction": False},
        "hydro": {"history_every": 100},
        "problem": {"kind": "riemann", "x0": 0.5, "left": {"rho": 1.0, "v": 0.0, "P": 1.0},
                    "right": {"rho": 0.125, "v": 0.0, "P": 0.1}},
        "output": {"times": [t_end], "initial": False},
    })


def bench_solver(n, min_steps=200, min_time=2.0):
    s = CRHydroSolver(sod(n))
    s.step(1.0)  # compile / warm up
    t0 = time.perf_counter()
    k = 0
    while k < min_steps or time.perf_counter() - t0 < min_time:
        s.step(1.0)
        k += 1
    dt = time.perf_counter() - t0
    return n * k / dt, k, dt


def ism(n):
    """Seed-000 ISM (7000 K, n = Γ/Λ) with a pressure bump, all thermal physics on."""
    return load_config({
        "engine": "crhydro",
        "run": {"t_end": "1 Myr", "progress": False},
        "grid": {"geometry": "spherical", "r_max": "300 pc", "n_cells": n},
        "problem": {"kind": "sedov", "E": "1e50 erg", "rho": "3.4188e-25 g cm-3",
                    "P_ambient": "1.9755e-13 erg cm-3", "r_inject": "5 pc"},
    })


def bench_thermal(n, min_steps=100, min_time=2.0):
    s = CRHydroSolver(ism(n))
    for _ in range(20):
        s.step(1e30)
    t0 = time.perf_counter()
    k = 0
    while k < min_steps or time.perf_counter() - t0 < min_time:
        s.step(1e30)
        k += 1
    dt = time.perf_counter() - t0
    return n * k / dt, k, dt


def bench_driver(n):
    import crescape

    deck = sod(n)
    with tempfile.TemporaryDirectory() as d:
        crescape.run(sod(64), os.path.join(d, "warm"), progress=False)
        t0 = time.perf_counter()
        crescape.run(deck, os.path.join(d, "run"), progress=False)
        wall = time.perf_counter() - t0
        s = CRHydroSolver(deck)
        while s.t < deck.run.t_end * (1 - 1e-14):
            s.step(deck.run.t_end - s.t)
    return n * s.nstep / wall, s.nstep, wall


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, nargs="+", default=[4096, 65536])
    args = ap.parse_args()
    for n in args.cells:
        zc, k, dt = bench_solver(n)
        print(f"sod solver.step  n_cells={n:6d}  steps={k:5d}  wall={dt:6.2f} s  zone-cycles/s={zc:.3e}")
    zc, k, dt = bench_thermal(args.cells[0])
    print(f"ism+cooling+conduction n_cells={args.cells[0]:6d}  steps={k:5d}  wall={dt:6.2f} s  zone-cycles/s={zc:.3e}  (spherical, all thermal physics)")
    zc, k, wall = bench_driver(args.cells[0])
    print(f"sod crescape.run n_cells={args.cells[0]:6d}  steps={k:5d}  wall={wall:6.2f} s  zone-cycles/s={zc:.3e}  (t_end=0.2, I/O included)")


if __name__ == "__main__":
    main()
