"""SDE engine throughput on the per-step path: adaptive steps and the predictor–corrector.

Shipped example decks with one ``[run]`` option changed (200 particles, statistics blocks of 8),
one thread, pseudo-particle steps per second of ``simulate_chunk``, medians of ``--repeat``.
These options leave the fixed-Δt loops (``engines/sde/fixed_steps.py``) for one compiled step
per call of ``kernels._general_step``.

Usage: NUMBA_NUM_THREADS=1 python benchmarks/sde_step_path.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import time
import tomllib
from pathlib import Path

import numba
import numpy as np

from crescape.config import load_config
from crescape.engines.sde import build_setup, simulate_chunk

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CASES = (("sde_sedov", {"adaptive": True}), ("sde_sedov", {"scheme": "predictor_corrector"}),
         ("sde_planar_shock", {"adaptive": True}))
N = 200


def setup_for(name, run):
    d = tomllib.loads((EXAMPLES / f"{name}.toml").read_text())
    d["injection"]["n_particles"] = N
    d.setdefault("run", {}).update(run, progress=False, block_size=8)
    return build_setup(load_config(d))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    numba.set_num_threads(1)
    for name, run in CASES:
        s = setup_for(name, run)
        simulate_chunk(s, 0, 4)  # compile / warm up
        rates = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            res = simulate_chunk(s, 0, N)
            rates.append(res.count("steps") / (time.perf_counter() - t0))
        opt = ", ".join(f"run.{k} = {v!r}" for k, v in run.items())
        print(f"{name:18s} {opt:36s} {np.median(rates):.3e} steps/s (1 thread, median of {a.repeat})", flush=True)


if __name__ == "__main__":
    main()
