"""SDE engine throughput per flow: every shipped ``examples/sde_*.toml`` next to a bare loop.

Plus ``replay_sedov``: the hydro-run replay flow (``flow.kind = "hydro_run"``) on a run file
written from the analytic Sedov flow of ``sde_sedov.toml`` (101 snapshots × 4000 cells), the
Sedov deck otherwise unchanged.

For each example deck (particle count fixed per deck, t_end as shipped) this measures the
full engine (observers, (x, p) histogram, weights, splitting, escape bookkeeping) on one
thread and on all threads, in pseudo-particle steps per second, and a *bare* compiled loop
of the same flow and diffusion: the same counter-based RNG and noise (one normal per step,
plus one exponential in spherical geometry), the same flow evaluation and ``kappa_eval`` and the
same fixed Δt from the same initial states to t_end (the flow through the same flow clock,
``crescape.flows.clock``), but no observers, no splitting, no
step-constraint checks (particles stop only when they leave the grid). Medians of
``--repeat`` runs; engine/bare is printed side by side, and the thread scaling as the median of
paired ratios (each repeat runs 1 and all threads back to back).

Usage: python benchmarks/sde_flows.py [--quick] [--repeat 3] [--only NAME]
"""
from __future__ import annotations

import argparse
import math
import os
import time
import tomllib
from pathlib import Path

import numba
import numpy as np

from crescape.config import load_config
from crescape.engines.sde import build_setup, simulate_chunk
from crescape.engines.sde.injection import initial_states
from crescape.engines.sde.kernels import (
    IP_DIFF,
    IP_GEOM,
    IP_WSCALE,
    RP_DT,
    RP_LNPW,
    RP_XMAX,
    RP_XMIN,
    _move,
    _noise,
    kappa_eval,
    stream_key,
)
from crescape.flows.clock import clock_start, clock_tick, flow_at
from crescape.flows.compiled import FM

CRPROPA_STEPS_PER_S = 1.3e6  # CRPropa 3.2.1 DiffusionSDE, one core of this machine
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# statistics blocks of 8 particles (the default is 64): with these particle counts every deck
# then has ≥ 12 blocks, i.e. ≥ 12 lanes for the threads to share (blocks only group sums)
BLOCK_SIZE = 8
# each run takes ≈ 0.6–1.1 s on one thread of the fastest sandbox (Intel Xeon, 12-03; 1.5–2.5 s on the
# AMD EPYC one): with fewer particles (Sedov 200, colliding shocks and Isenberg 100) a few lineages with
# many clones set the wall time of the 2-thread run, and runs of 0.1–0.2 s on 2 threads made the
# scaling scatter by ±20 % with the machine's other load
PARTICLES = {"sde_planar_shock": 1000, "sde_planar_shock_lab": 2500, "sde_sedov": 2500,
             "sde_colliding_shocks": 1000, "sde_isenberg_bohm": 500, "replay_sedov": 2500}


@numba.njit(parallel=True, cache=True, fastmath=FM)
def bare_loop(geom, fk, fpar, fel, ttab, utab, dtab, dk, dpar, ktab, wscale, rp, x0, lnp0, tb0, t_end, seed):
    """Euler–Maruyama of the same flow, κ and RNG as the engine; returns the steps taken and the
    final (x, ln p) (returned so that no part of the step is dead code the compiler may drop)."""
    n = x0.shape[0]
    steps = np.zeros(n, np.int64)
    xp = np.zeros((n, 2))
    dt = rp[RP_DT]
    for i in numba.prange(n):
        key = stream_key(seed, i)
        x, lnp, t = x0[i], lnp0[i], tb0[i]
        j = 0
        m = int((t_end - t) / dt)
        st = clock_start(fk, fpar, ttab, t)
        while j < m:
            wfac = math.exp(0.5 * (lnp - rp[RP_LNPW])) if wscale else 1.0
            if j > 0:
                st = clock_tick(fk, fpar, ttab, st, t + j * dt, dt, j)
            u, div = flow_at(fk, fpar, fel, ttab, utab, dtab, st, x, t + j * dt, wfac)
            k, dkdx = kappa_eval(dk, dpar, ktab, x, lnp)
            z1, e2 = _noise(geom, key, j)
            x = _move(geom, x, u + dkdx, math.sqrt(2.0 * k * dt), dt, z1, e2)
            lnp -= div * dt / 3.0
            j += 1
            if x < rp[RP_XMIN] or x > rp[RP_XMAX]:
                break
        steps[i] = j
        xp[i, 0], xp[i, 1] = x, lnp
    return steps, xp


# a replay of a CR-hydro run (flow.kind = "hydro_run"): the analytic Sedov flow of sde_sedov.toml written
# as a run file, 101 snapshots over 0.9 ≤ t ≤ 2 on 4000 cells (dx = 5e-4, 6.5 MB of tables: larger
# than a core's L2), the sde_sedov deck otherwise unchanged; throughput only (a 1-cell shock)
REPLAY = "replay_sedov"
REPLAY_CELLS, REPLAY_SNAPSHOTS = 4000, 101
_replay_dir = None


def replay_run_dir():
    """Write (once per process) the Sedov replay run file into a temporary directory."""
    global _replay_dir
    if _replay_dir is None:
        import tempfile

        import xarray as xr

        from crescape.io import write_run_file

        flow = build_setup(load_config(tomllib.loads((EXAMPLES / "sde_sedov.toml").read_text()))).flow
        r = np.linspace(0.0, 2.0, REPLAY_CELLS)
        t = np.linspace(0.9, 2.0, REPLAY_SNAPSHOTS)
        v = np.array([flow(r, ti)[0] for ti in t])
        snap = xr.Dataset({"v": (("t", "r"), v, {"units": "cm s-1"})},
                          coords={"t": ("t", t, {"units": "s"}), "r": ("r", r, {"units": "cm"})})
        _replay_dir = Path(tempfile.mkdtemp(prefix="crescape_replay_"))
        write_run_file(_replay_dir / "run.h5", {"snapshots": snap},
                       {"crescape_version": "benchmark", "engine": "crhydro",
                        "config": 'engine = "crhydro"\n[grid]\ngeometry = "spherical"\nr_max = 2.0\n'})
    return _replay_dir


def example_deck(name, n):
    if name == REPLAY:
        d = tomllib.loads((EXAMPLES / "sde_sedov.toml").read_text())
        d["flow"] = {"kind": "hydro_run", "path": str(replay_run_dir())}
        d["injection"]["n_particles"] = n
        d["run"]["progress"] = False
        d["run"]["block_size"] = BLOCK_SIZE
        return load_config(d)
    d = tomllib.loads((EXAMPLES / f"{name}.toml").read_text())
    d["injection"]["n_particles"] = n
    d.setdefault("run", {})["progress"] = False
    d["run"]["block_size"] = BLOCK_SIZE
    return load_config(d)


def engine_rate(setup, n):
    t0 = time.perf_counter()
    res = simulate_chunk(setup, 0, n)
    return res.count("steps") / (time.perf_counter() - t0)


def bare_rate(setup, n):
    deck, f = setup.deck, setup.flow
    x0, lnp0, _, tb0 = initial_states(deck.injection, f, deck.run.seed, 0, n, n, kappa=setup.kappa, dt=deck.run.dt)
    args = (int(setup.ip[IP_GEOM]), int(f.kind), *f.arrays, int(setup.ip[IP_DIFF]),
            setup.dpar, setup.ktab, bool(setup.ip[IP_WSCALE]), setup.rp, x0, lnp0, tb0, float(deck.run.t_end), int(deck.run.seed))
    t0 = time.perf_counter()
    steps, _ = bare_loop(*args)
    return steps.sum() / (time.perf_counter() - t0)


def measure(name, n, thread_counts, repeat):
    """{threads: (engine, bare)} medians, and {threads: (engine, bare)} scaling against one thread.

    Each repeat runs every thread count back to back (engine, then bare loop), so the scaling is
    the median of paired ratios rate(threads)/rate(1 thread) taken a few seconds apart — on a
    shared machine, medians measured minutes apart mix the load of different moments.
    """
    setup = build_setup(example_deck(name, n))
    for th in thread_counts:  # compile / warm up (and start the threads)
        numba.set_num_threads(th)
        engine_rate(setup, 4)
        bare_rate(setup, 4)
    e = {th: [] for th in thread_counts}
    b = {th: [] for th in thread_counts}
    for _ in range(repeat):
        for th in thread_counts:
            numba.set_num_threads(th)
            e[th].append(engine_rate(setup, n))
            b[th].append(bare_rate(setup, n))
    med = {th: (float(np.median(e[th])), float(np.median(b[th]))) for th in thread_counts}
    one = thread_counts[0]
    scale = {th: (float(np.median(np.array(e[th]) / e[one])), float(np.median(np.array(b[th]) / b[one])))
             for th in thread_counts}
    return med, scale


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a quarter of the particles")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default=None)
    a = ap.parse_args()
    nth = numba.config.NUMBA_NUM_THREADS
    print(f"# threads available: {nth}; load average {os.getloadavg()[0]:.1f}; "
          f"CRPropa {CRPROPA_STEPS_PER_S:.1e} steps/s per core; medians of {a.repeat}")
    print(f"{'example':24s} {'N':>5s} {'thr':>3s} {'engine steps/s':>15s} {'per thread':>11s} "
          f"{'bare steps/s':>13s} {'engine/bare':>11s} {'x CRPropa/core':>14s}")
    threads = sorted({1, nth})
    for name, n in PARTICLES.items():
        if a.only and a.only != name:
            continue
        n = max(16, n // 4) if a.quick else n
        med, scale = measure(name, n, threads, a.repeat)
        for th in threads:
            e, b = med[th]
            sc = f"  scaling engine {scale[th][0]:.2f}x, bare {scale[th][1]:.2f}x" if th > 1 else ""
            print(f"{name:24s} {n:5d} {th:3d} {e:15.3e} {e / th:11.3e} {b:13.3e} {e / b:11.2f} "
                  f"{e / th / CRPROPA_STEPS_PER_S:14.1f}{sc}", flush=True)
    numba.set_num_threads(nth)


if __name__ == "__main__":
    main()
