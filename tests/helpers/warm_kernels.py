"""Compile the numba kernels of every engine once, before the test workers start.

The default suite runs on two pytest-xdist workers, and many tests (and every documented
command, each a subprocess) run a deck. With a cold numba cache each of these processes would
compile the same kernels (1-D SDE ≈ 1 min, 3-D SDE ≈ 2 min, CR-hydro ≈ 1 min on one core)
at the same time; compiled once here, in two parallel processes, they are loaded from the
on-disk cache (``cache=True``) everywhere else. ``python tests/helpers/warm_kernels.py GROUP``
runs one group; :func:`warm` runs both and waits.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# tiny versions of shipped decks, one per engine (the kernels' types do not depend on the sizes);
# benchmarks/compile_time.py times the same decks
DECKS = {
    "sde_1d": ("examples/sde_planar_shock.toml", ["injection.n_particles=8", "run.t_end=0.5", "run.dt=0.01"]),
    "sde_3d": ("examples/sde3d_oblique_shock.toml", ["injection.n_particles=8", "run.t_end=0.2", "output.times=[0.2]"]),
    "crhydro": ("examples/shimoda2025_D27.toml", ["grid.n_cells=32", 'run.t_end="2 kyr"',
                                                  'output.times=["1 kyr", "2 kyr"]', "output.n_snapshots=2"]),
    "cloud": ("examples/cloud_cnm.toml", ["grid.n_cells=40", 'run.t_end="0.5 kyr"', "cr.bins=3", "output.n_snapshots=2"]),
}
# two groups of about equal cold compile time, one per process
GROUPS = {"sde3d_cloud": ["sde_3d", "cloud"], "sde_crhydro": ["sde_1d", "crhydro"]}


def run_group(name: str) -> None:
    import crescape
    from crescape.config import load_config

    with tempfile.TemporaryDirectory() as tmp:
        for i, (deck, sets) in enumerate(DECKS[k] for k in GROUPS[name]):
            crescape.run(load_config(ROOT / deck, sets), Path(tmp) / f"run{i}", progress=False)


def warm(timeout: float = 1200.0) -> None:
    """Both groups in parallel subprocesses; a failure here is left to the tests to report."""
    env = dict(os.environ, MPLBACKEND="Agg")
    procs = [subprocess.Popen([sys.executable, __file__, g], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for g in GROUPS]
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()


if __name__ == "__main__":
    run_group(sys.argv[1])
