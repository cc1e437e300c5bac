"""Throughput of the CR half of the CR-hydro engine (seed 000 set-up).

Prints one line per measurement:
- CR-module (r-cell × p-bin) updates per second at production sizes (one thread), measured
  on a realistic state (the D0 = 1e27 run advanced to ~20 kyr, CRs spread over the box);
- whole-solver steps per second (hydro + CRs + thermal) at the same sizes;
- with --production, the wall time of the D26 production run to 10 Myr.

Usage:  NUMBA_NUM_THREADS=1 python benchmarks/crhydro_throughput.py [--production] [--cells 600 1200]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

from crescape.config import load_config  # noqa: E402
from crescape.engines.crhydro.solver import CRHydroSolver  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def bench(n_cells: int, warm_steps: int = 300, steps: int = 300):
    deck = load_config(EXAMPLES / "shimoda2025_D27.toml", [f"grid.n_cells={n_cells}"])
    s = CRHydroSolver(deck)
    m = s.modules[0]
    for _ in range(warm_steps):
        s.step(1e30)
    dt = s.compute_dt()
    state = s.state()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        m.step(s, dt)
    t_mod = (time.perf_counter() - t0) / steps
    c_mod = (time.process_time() - c0) / steps
    s.restore(*state)
    t0 = time.perf_counter()
    for _ in range(steps):
        s.step(1e30)
    t_all = (time.perf_counter() - t0) / steps
    cells = n_cells * m.M
    return cells, t_mod, c_mod, t_all


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, nargs="*", default=[600, 1200])
    ap.add_argument("--production", action="store_true", help="also time the D26 run to 10 Myr")
    args = ap.parse_args()
    print(f"# load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores, NUMBA_NUM_THREADS={os.environ['NUMBA_NUM_THREADS']}")
    bench(64, 20, 20)  # compile / cache warm-up
    for n in args.cells:
        cells, t_mod, c_mod, t_all = bench(n)
        print(f"crhydro CR module  n_r={n:5d} n_p={cells // n:3d}: {cells / t_mod:.3e} (r-cell x p-bin) updates/s "
              f"wall, {cells / c_mod:.3e} per CPU-second ({t_mod * 1e3:.3f} ms/step)")
        print(f"crhydro full step  n_r={n:5d} n_p={cells // n:3d}: {1 / t_all:.1f} steps/s, "
              f"{cells / t_all:.3e} (r x p) updates/s incl. hydro + thermal")
    if args.production:
        import crescape

        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            crescape.run(EXAMPLES / "shimoda2025_D26.toml", Path(tmp) / "D26", progress=False)
            wall = time.perf_counter() - t0
            h = crescape.open_run(Path(tmp) / "D26").history
        print(f"crhydro D26 production run to 10 Myr (600 cells, 50 bins): {wall:.1f} s wall, "
              f"{int(h['t'].size)} history rows")


if __name__ == "__main__":
    main()
