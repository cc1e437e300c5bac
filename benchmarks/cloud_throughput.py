"""Throughput of the cloud engine: (z-cell x energy-bin) updates per second.

One update = one cell of one energy bin advanced by a full step (CR tridiagonal solve,
wave advection + implicit growth/damping). Run with NUMBA_NUM_THREADS=1:

    python benchmarks/cloud_throughput.py
"""
from __future__ import annotations

import time

from crescape.config import load_config
from crescape.engines.cloud import make_stepper


def bench(n_cells, bins, steps=200, growth=True, phase="WNM", energy_terms=False):
    d = {"engine": "cloud", "run": {"t_end": "1 Myr", "dt_factor": 0.01, "dt_min": "1 yr"},
         "grid": {"z_max": "600 pc", "n_cells": n_cells}, "phase": {"preset": phase},
         "source": {"a": "14 pc"}, "cr": {"bins": bins}, "waves": {"growth": growth}}
    if energy_terms:
        d["losses"] = {"pp": True}
    s = make_stepper(load_config(d))
    s.step(1e12)  # compile / warm up
    t0 = time.perf_counter()
    for _ in range(steps):
        s.step(1e12)
    wall = time.perf_counter() - t0
    return n_cells * bins * steps / wall, wall / steps


if __name__ == "__main__":
    for n, b, g, et in [(1000, 16, False, False), (1000, 16, True, False), (4000, 16, True, False),
                        (1000, 64, True, False), (1000, 16, True, True)]:
        rate, per = bench(n, b, growth=g, energy_terms=et)
        print(f"cloud  n_cells={n:5d} bins={b:3d} growth={g!s:5} losses={et!s:5}  "
              f"{rate:.3e} cell-bin updates/s  ({per * 1e3:.2f} ms/step)")
