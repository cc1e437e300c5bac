"""Cold numba compile time of each engine's kernels, and the warm (cached) start.

For each tiny deck below, one fresh Python process with an empty ``NUMBA_CACHE_DIR`` runs it
(cold: every kernel is compiled and written to the cache), then a second process runs it again
from that cache (warm). Both are whole-process wall times including the import of crescape;
``cold − warm`` is the compile time a user (or a CI job) pays once per machine and checkout.

Usage: python benchmarks/compile_time.py [--only NAME]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from helpers.warm_kernels import DECKS  # noqa: E402 (the tiny decks the test session warms)

SCRIPT = """
import sys, tempfile, crescape
from crescape.config import load_config
deck, sets = sys.argv[1], sys.argv[2:]
with tempfile.TemporaryDirectory() as d:
    crescape.run(load_config(deck, sets), d + "/run", progress=False)
"""


def timed(deck, sets, cache):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, NUMBA_NUM_THREADS="1", MPLBACKEND="Agg")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / deck), *sets], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=None)
    a = ap.parse_args()
    print(f"# load average {os.getloadavg()[0]:.1f}; one thread; whole-process wall times")
    print(f"{'engine':10s} {'cold s':>8s} {'warm s':>8s} {'compile s':>10s}")
    for name, (deck, sets) in DECKS.items():
        if a.only and a.only != name:
            continue
        with tempfile.TemporaryDirectory() as cache:
            cold = timed(deck, sets, cache)
            warm = timed(deck, sets, cache)
        print(f"{name:10s} {cold:8.1f} {warm:8.1f} {cold - warm:10.1f}", flush=True)


if __name__ == "__main__":
    main()
