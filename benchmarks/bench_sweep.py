"""Sweep throughput on dask.distributed: runs per second and per-run overhead for tiny CR-hydro
runs on a loopback LocalCluster (1 and 2 single-threaded workers), and a distributed SDE ensemble
against the single-process run. Prints one line per figure.

    NUMBA_NUM_THREADS=1 python benchmarks/bench_sweep.py [--runs 16]
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _sweep_file(tmp: Path, n_runs: int) -> Path:
    p = tmp / "bench.toml"
    p.write_text(f"""summaries = ["history.E_kin.last"]
[base]
engine = "crhydro"
run = {{ t_end = 0.2, progress = false }}
grid = {{ geometry = "planar", r_max = 1.0, n_cells = 400 }}
gas = {{ gamma = 1.4 }}
thermal = {{ cooling = false, heating = false, conduction = false }}
problem = {{ kind = "riemann", x0 = 0.5, left = {{ rho = 1.0, P = 1.0 }}, right = {{ rho = 0.125, P = 0.1 }} }}
output = {{ n_snapshots = 4 }}
[axes]
"problem.right.P" = {{ log = [0.001, 0.1], num = {n_runs} }}
""")
    return p


def bench_sweep(n_runs: int, workers: int):
    from distributed import Client, LocalCluster

    from crescape.sweep import run_sweep

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                               env={"NUMBA_NUM_THREADS": "1"}, silence_logs=40)
        client = Client(cluster)
        t_up = time.perf_counter() - t0
        run_sweep(_sweep_file(tmp, 2), tmp / "warm", client=client, progress=False)  # imports + numba cache
        t0 = time.perf_counter()
        res = run_sweep(_sweep_file(tmp, n_runs), tmp / "out", client=client, progress=False)
        wall = time.perf_counter() - t0
        work = sum(json.loads((r / "status.json").read_text())["wall_s"] for r in (tmp / "out" / "runs").iterdir())
        t0 = time.perf_counter()
        run_sweep(_sweep_file(tmp, n_runs), tmp / "out", client=client, progress=False)
        resume = time.perf_counter() - t0
        client.close()
        cluster.close()
    assert res["done"] == n_runs
    print(f"sweep LocalCluster workers={workers}: {n_runs} Sod runs (400 cells) in {wall:.2f} s = "
          f"{n_runs / wall:.2f} runs/s; run time inside workers {work:.2f} s; "
          f"overhead {(wall * workers - work) / n_runs * 1e3:.0f} ms/run/worker; cluster start {t_up:.1f} s; "
          f"resume check of {n_runs} finished runs {resume * 1e3:.0f} ms")


def bench_ensemble(workers: int = 2):
    from distributed import Client, LocalCluster

    from crescape import run
    from crescape.config import load_config
    from crescape.sweep.ensemble import run_sde_distributed

    deck = load_config(EXAMPLES / "sde_planar_shock.toml", ["run.t_end=20.0", "injection.n_particles=4096",
                                                           "run.progress=false"])
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        run(deck, tmp / "warm", progress=False)
        t0 = time.perf_counter()
        run(deck, tmp / "single", progress=False)
        single = time.perf_counter() - t0
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                               env={"NUMBA_NUM_THREADS": "1"}, silence_logs=40)
        client = Client(cluster)
        run_sde_distributed(deck, tmp / "warm2", client=client, n_chunks=2 * workers)
        t0 = time.perf_counter()
        run_sde_distributed(deck, tmp / "dist", client=client, n_chunks=2 * workers)
        dist = time.perf_counter() - t0
        client.close()
        cluster.close()
    n = deck.injection.n_particles
    print(f"sde ensemble {n} particles (planar shock, t_end=20): single process {n / single:.0f} particles/s "
          f"({single:.2f} s); {workers} workers {n / dist:.0f} particles/s ({dist:.2f} s); "
          f"speed-up {single / dist:.2f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=16)
    a = ap.parse_args()
    for w in (1, 2):
        bench_sweep(a.runs, w)
    bench_ensemble(2)
