"""SDE engine throughput on CRPropa's DSA example (diffusive_shock_acceleration.ipynb).

Planar tanh shock (shock frame, upstream at x < 0), r = 4, u1 = 1, width 0.02,
κ = 1, fixed Δt = 0.005, particles injected at the shock with p0 = 1 (code units).

1. Throughput: 3e4 particles × 2000 steps (medians of 7 alternating runs), full engine (observers at 40 snapshot
   times, i.e. a snapshot every 50 steps, (x, p) histogram, weights, splitting hooks), 1 thread and all
   threads, next to a bare compiled Euler–Maruyama loop of the same flow; then the same at the example's
   own cadence (CRPropa's ObserverTimeSnapshot every ΔT = 1, i.e. every 200 steps; 4000 particles ×
   40000 steps). The bare loop records nothing, so the engine/bare ratio falls with the snapshot density.
   Each repeat runs 1 and all threads back to back; the thread scaling is the median of those paired
   ratios. (Up to 12-03 these were 1e4 and 2000 particles and the scaling a ratio of medians: on the
   fastest sandbox a 2-thread run then took 0.07 s and the scaling scattered with the machine's load.)
2. Spectrum: 1e4 particles to T = 200 (4e4 steps each), snapshots every ΔT = 1
   (200 snapshots, like CRPropa's ObserverTimeSnapshot), window 0 < x < 2, all
   snapshots summed; slope of dN/dE (E ∝ p, ultra-relativistic). CRPropa: E^-2.05.

Usage: python benchmarks/sde_throughput.py [--quick]
"""
from __future__ import annotations

import math
import sys
import time

import numba
import numpy as np

from crescape.config import load_config
from crescape.engines.sde import build_setup, simulate_chunk
from crescape.engines.sde.batches import fit_slope, summed_spectrum
from crescape.engines.sde.kernels import normal, stream_key
from crescape.engines.sde.output import to_groups

CRPROPA_STEPS_PER_S = 1.3e6  # one core of this 2-core machine (issue 5)


def deck(n, t_end, n_snap):
    return load_config({
        "engine": "sde", "units": "code",
        "flow": {"kind": "planar_shock", "u1": 1.0, "compression": 4.0, "width": 0.02, "direction": -1},
        "diffusion": {"kappa": 1.0}, "run": {"t_end": t_end, "dt": 0.005, "seed": 2024, "block_size": 64},
        "injection": {"n_particles": n, "p0": 1.0},
        "output": {"n_snapshots": n_snap, "initial": False, "p_min": 0.5, "p_max": 1e4, "n_p": 60,
                   "x_lo": -20.0, "x_hi": 20.0, "n_x": 80,
                   "observers": [{"name": "window", "kind": "fixed", "lo": 0.0, "hi": 2.0}]}})


@numba.njit(parallel=True, cache=True, fastmath={"contract", "afn", "arcp", "nsz"})
def bare_loop(n, nsteps, dt, kappa, u1, r, w, seed):
    """Reference: Euler–Maruyama of the same flow and RNG, no observers/weights/splitting."""
    out = np.empty(n)
    s = math.sqrt(2.0 * kappa * dt)
    du = u1 / r - u1
    for i in numba.prange(n):
        key = stream_key(seed, i)
        x = 0.0
        lnp = 0.0
        for k in range(nsteps):
            z1 = normal(key, k)
            a = x / w
            if abs(a) < 20.0:
                e = math.exp(2.0 * a)
                th = (e - 1.0) / (e + 1.0)
            else:
                th = 1.0 if a > 0 else -1.0
            u = u1 + 0.5 * du * (1.0 + th)
            div = 0.5 * du * (1.0 - th * th) / w
            x += u * dt + s * z1
            lnp -= div * dt / 3.0
        out[i] = lnp
    return out


def throughput(thread_counts, n=10_000, nsteps=2000, n_snap=40, repeat=7):
    """Per thread count: (engine, bare, median paired engine/bare ratio), medians over ``repeat``
    alternating engine/bare runs; and per thread count the scaling (engine, bare) against one
    thread, the median of paired ratios — each repeat runs every thread count back to back."""
    setup = build_setup(deck(n, nsteps * 0.005, n_snap))
    for th in thread_counts:
        numba.set_num_threads(th)
        simulate_chunk(setup, 0, 64)  # compile / warm up
        bare_loop(64, 10, 0.005, 1.0, 1.0, 4.0, 0.02, 1)
    es = {th: [] for th in thread_counts}
    bs = {th: [] for th in thread_counts}
    for _ in range(repeat):
        for th in thread_counts:
            numba.set_num_threads(th)
            t0 = time.perf_counter()
            res = simulate_chunk(setup, 0, n)
            es[th].append(res.count("steps") / (time.perf_counter() - t0))
            t0 = time.perf_counter()
            bare_loop(n, nsteps, 0.005, 1.0, 1.0, 4.0, 0.02, 2024)
            bs[th].append(n * nsteps / (time.perf_counter() - t0))
    e = {th: np.array(v) for th, v in es.items()}
    b = {th: np.array(v) for th, v in bs.items()}
    one = thread_counts[0]
    out = {th: (float(np.median(e[th])), float(np.median(b[th])), float(np.median(e[th] / b[th]))) for th in thread_counts}
    scale = {th: (float(np.median(e[th] / e[one])), float(np.median(b[th] / b[one]))) for th in thread_counts}
    return out, scale


def spectrum(n=10_000, t_end=200.0):
    setup = build_setup(deck(n, t_end, int(round(t_end))))
    t0 = time.perf_counter()
    res = simulate_chunk(setup, 0, n)
    el = time.perf_counter() - t0
    s = summed_spectrum(to_groups(setup, res, {})["spectra"], "window")  # all snapshots, window 0 < x < 2
    # dN/dE = dN/dlnp / p; errors: batch means of the summed spectrum, jackknife for the slope
    fits = {rng: fit_slope(s["p"].values, s["batch"].values, s["batch_particles"].values, *rng, power=-1.0)
            for rng in ((1.5, 30.0), (2.0, 100.0))}
    return fits, res.count("steps"), el


def main():
    quick = "--quick" in sys.argv
    nthreads = numba.config.NUMBA_NUM_THREADS
    print(f"# machine threads: {nthreads}; CRPropa reference {CRPROPA_STEPS_PER_S:.2e} steps/s per core")
    cadences = [("snapshot every 50 steps", 3000 if quick else 30_000, 2000, 40),
                ("snapshot every 200 steps (the example's cadence)", 400 if quick else 4000, 40_000, 200)]
    threads = sorted({1, nthreads})
    for label, n, nsteps, n_snap in cadences:
        print(f"# {label}: {n} particles x {nsteps} steps")
        out, scale = throughput(threads, n=n, nsteps=nsteps, n_snap=n_snap, repeat=3 if quick else 7)
        for th in threads:
            e, b, r = out[th]
            sc = f"  scaling engine {scale[th][0]:.2f}x, bare {scale[th][1]:.2f}x (paired)" if th > 1 else ""
            print(f"threads={th}  engine {e:.3e} pseudo-particle steps/s ({e / CRPROPA_STEPS_PER_S:.1f}x CRPropa/core, "
                  f"{e / th:.3e} per thread)  bare loop {b:.3e} steps/s  engine/bare {r:.2f} (median of paired ratios){sc}")
    numba.set_num_threads(nthreads)
    fits, steps, el = spectrum(n=1000 if quick else 10_000, t_end=50.0 if quick else 200.0)
    for (lo, hi), (s, se) in fits.items():
        print(f"spectrum slope dN/dE ∝ E^{s:.3f} ± {se:.3f} for {lo:g} < p < {hi:g} (CRPropa: E^-2.05); "
              f"{steps:.3e} steps in {el:.1f} s = {steps / el:.3e} steps/s")


if __name__ == "__main__":
    main()
