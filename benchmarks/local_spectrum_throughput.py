"""Throughput of the local-spectrum fit (seed 000 §5.2) on an analytic stand-in run.

Builds a D26-sized run directory (N_cr on t × r × p = 100 × 1000 × 71, analytic diffusion of
the seed-000 top hat) in a temporary directory, then times: reading the run, one source
spectrum J(t_age, d) (uncached), one χ² evaluation of the Fig. 11 model against AMS-02 +
CALET + Voyager 1, the least-squares fit of the three distances + φ_AMS (8 starts), and
emcee steps. Usage:  NUMBA_NUM_THREADS=1 python benchmarks/local_spectrum_throughput.py
"""
import tempfile
import time
from pathlib import Path

import numpy as np

from crescape.analysis.local_spectrum import LocalSpectrumModel, SourceSpectra
from crescape.analysis.local_spectrum_fit import fit_least_squares, run_mcmc
from crescape.analysis.local_spectrum_standin import write_analytic_run
from crescape.analysis.local_spectrum_config import load_fit_config
from crescape.core.constants import Myr, pc


def main(n_t=100, n_r=1000, n_p=71):
    with tempfile.TemporaryDirectory() as tmp:
        t = np.linspace(0.1, 10, n_t) * Myr
        r = (np.arange(n_r) + 0.5) * (300 * pc / n_r)
        p = np.logspace(-1.5, 5.5, n_p)
        t0 = time.perf_counter()
        run = write_analytic_run(Path(tmp) / "run", t, r, p)
        print(f"write analytic run ({n_t}x{n_r}x{n_p}): {time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        s = SourceSpectra.from_run(run)
        print(f"read run: {time.perf_counter() - t0:.2f} s")
        ds = np.random.default_rng(0).uniform(1, 290, 2000) * pc
        t0 = time.perf_counter()
        for d in ds:
            s.intensity(2.93 * Myr, float(d))
        dt = time.perf_counter() - t0
        print(f"source spectrum J(t_age, d), uncached: {len(ds) / dt:.0f} per s ({1e6 * dt / len(ds):.0f} us each)")
        cfg = load_fit_config({
            "run": str(run),
            "sources": [{"t_age": "1.2 Myr", "d": {"value": "228.7 pc", "free": True, "max": "295 pc"}},
                        {"t_age": "2.9 Myr", "d": {"value": "41.2 pc", "free": True, "max": "295 pc"}},
                        {"t_age": "6.6 Myr", "d": {"value": "2.5 pc", "free": True, "max": "295 pc"}}],
            "data": [{"name": "ams02_2015", "phi": {"value": "0.564 GV", "free": True, "min": 0.2, "max": 1.2}},
                     {"name": "calet_2022"}, {"name": "voyager1_2013"}],
        })[0]
        m = LocalSpectrumModel(cfg, s)
        x = m.x0[m.free]
        n = 300
        t0 = time.perf_counter()
        for k in range(n):
            x[0] = 228.7 + 1e-3 * k  # defeat the cache
            m.chi2(x)
        dt = time.perf_counter() - t0
        print(f"chi2 evaluation (3 sources, {m.n_data} points): {n / dt:.0f} per s ({1e3 * dt / n:.2f} ms each)")
        t0 = time.perf_counter()
        f = fit_least_squares(m, n_starts=8, seed=1)
        print(f"least squares, 4 free parameters, 8 starts: {time.perf_counter() - t0:.2f} s (chi2 {f['chi2']:.4g})")
        t0 = time.perf_counter()
        run_mcmc(m, f["theta"], n_walkers=24, n_steps=500, burn=100, thin=5, seed=1, cov=f["cov"])
        dt = time.perf_counter() - t0
        print(f"emcee: {24 * 500 / dt:.0f} likelihood evaluations per s (24 walkers x 500 steps in {dt:.1f} s)")


if __name__ == "__main__":
    main()
