"""Throughput of crescape.observables: a CR-hydro run directory → γ-ray cube (FITS) at 1 kpc.

    python benchmarks/observables_throughput.py RUN_DIR [--repeat 3] [--npix 101] [--n-energies 13]

RUN_DIR: e.g. the output of `crescape run examples/shimoda2025_D27.toml --out D27`. Each repeat
opens the run, builds the π⁰ kernel, computes the emissivity of every cell at the last
snapshot, projects it (exact shell volumes per pixel) and writes the FITS cube; the median
wall time and the per-stage times of the last repeat are printed. A first, untimed call
compiles the numba kernels (cached on disk afterwards).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np


def one(run_dir, out, npix, nE):
    from crescape.core import constants as C
    from crescape.io import open_run
    from crescape.observables import emitters
    from crescape.observables.cube import cube_from_emitters

    t0 = time.perf_counter()
    em = emitters(open_run(run_dir))
    t1 = time.perf_counter()
    cube = cube_from_emitters(em, C.kpc, np.geomspace(0.1, 1000, nE) * C.GeV, npix=npix)
    t2 = time.perf_counter()
    cube.write(out)
    t3 = time.perf_counter()
    return t3 - t0, {"open": t1 - t0, "emission+projection": t2 - t1, "write": t3 - t2,
                     "flux_error": float(np.max(np.abs(cube.map_flux / cube.flux - 1))),
                     "cells": em.N.shape[1], "p_bins": em.N.shape[2]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--npix", type=int, default=101)
    ap.add_argument("--n-energies", type=int, default=13)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cube.fits"
        one(a.run, out, 11, 2)  # compile
        times = []
        for _ in range(a.repeat):
            t, info = one(a.run, out, a.npix, a.n_energies)
            times.append(t)
    print(f"run → cube ({a.npix}² pixels, {a.n_energies} energies, {info['cells']} cells × {info['p_bins']} p): "
          f"median {statistics.median(times):.2f} s of {[round(x, 2) for x in times]}")
    print("last repeat: " + ", ".join(f"{k} {v:.3g}" + (" s" if k in ("open", "emission+projection", "write") else "")
                                       for k, v in info.items()))


if __name__ == "__main__":
    main()
