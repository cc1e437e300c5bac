"""Electrons vs protons on the CRPropa DSA example deck (1e4 particles x 2000 steps, 1 thread).

Usage: NUMBA_NUM_THREADS=2 python benchmarks/sde_electrons_throughput.py [n_reps]
Electrons: b_code = 1e-3 (uniform, Thomson: the DSA shock loop with P state); electron_kn:
the same with a Klein–Nishina factor switched on (the same loop, b(P) by one sqrt). Runs alternate
between the variants; prints medians and the median of the paired electron/proton ratios.
"""
import os
import sys
import time

import numba
import numpy as np
from sde_throughput import deck
from crescape.engines.sde import build_setup, simulate_chunk
numba.set_num_threads(1)
def make(species):
    d = deck(10000, 10.0, 40)
    d.injection.species = species
    if species == "electron":
        d.losses.b_code = 1e-3
    return build_setup(d)
st = {s: make(s) for s in ("proton", "electron")}
from crescape.engines.sde.cooling import RP_KN
st["electron_kn"] = make("electron"); st["electron_kn"].rp[RP_KN] = 1e-3  # KN factor on: b(P) every step
for s in st:
    simulate_chunk(st[s], 0, 64)  # compile / warm
rates = {s: [] for s in st}
NREP = int(sys.argv[1]) if len(sys.argv) > 1 else 3
for rep in range(NREP):
    for s in st:
        t = time.perf_counter(); r = simulate_chunk(st[s], 0, 10000); el = time.perf_counter() - t
        rates[s].append(r.count("steps") / el)
for s in st:
    print(s, ["%.3g" % x for x in rates[s]], "median %.3g steps/s" % np.median(rates[s]))
print("electron/proton median ratio %.3f" % (np.median(rates["electron"]) / np.median(rates["proton"])))
print("paired ratios", ["%.2f" % (e / p) for e, p in zip(rates["electron"], rates["proton"])],
      "median %.3f" % np.median(np.array(rates["electron"]) / np.array(rates["proton"])))
print("load", os.getloadavg())
