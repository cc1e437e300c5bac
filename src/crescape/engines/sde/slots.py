"""Slots of the 1-D SDE kernels' switch and scalar arrays (``ip``, ``rp``) and run counters.

One definition, imported by the kernels, the set-up (``solver.py``) and the benchmarks.
"""
from __future__ import annotations

# diffusion kinds
DIFF_CONST, DIFF_POWER, DIFF_BOHM, DIFF_TABLE = 0, 1, 2, 3
# int-parameter slots (ip array)
IP_GEOM, IP_FLOW, IP_DIFF, IP_SCHEME, IP_ADAPT, IP_NSPLIT, IP_WSCALE, IP_NSTACK, IP_LOSS, IP_MD = range(10)
# float-parameter slots (rp array)
RP_DT, RP_ADVFRAC, RP_DSTEPMAX, RP_XMIN, RP_XMAX, RP_LNPMIN, RP_DLNP, RP_XHMIN, RP_DXH, RP_UCHAR, RP_WCHAR, RP_LNPW = range(12)
# electron losses (IP_LOSS = 1): slots RP_BB … RP_KN of ``cooling.py``; momentum diffusion: ``momentum.py``
N_RP = 21
N_IP = 10
# run counters (CNT columns): one definition, read by name through ``COUNTERS``
COUNTERS = ("steps", "advective_violations", "diffusive_violations", "splits", "stack_overflows", "escaped",
            "nan_particles")
C_STEPS, C_ADV, C_DIFF, C_SPLITS, C_OVERFLOW, C_ESCAPED, C_NAN = range(len(COUNTERS))


def histogram_slots(n_particles, n_levels, n_lanes, n_threads):
    """Slots of the (x, ln p) histogram: one per thread while its integer counts (at most
    n_particles 2^n_levels per cell) are exact in float64, else one per lane."""
    return n_threads if n_particles * 2.0**n_levels < 2.0**53 else n_lanes
