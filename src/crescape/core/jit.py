"""Compilation settings shared by the numba kernels.

``FM``: fast-math flags that keep NaN/Inf semantics (so NaN checks still work) and the
evaluation order deterministic: fused multiply-add, approximate functions, reciprocals, no
signed zeros — no reassociation, so sums do not depend on vector width or thread count.

:func:`step_loop`: ``numba.njit`` for the hot per-step loops, compiled without numba's
reference counting of arrays (its ``_nrt=False`` option). IR-level inlining of functions that
take arrays (flows, κ, RNG tables, observers) and every call of a compiled function with array
arguments emit an atomic ``NRT_incref``/``NRT_decref`` pair per array; in the SDE particle
loop these were 28 % of the samples of a profile of the DSA example (numba 0.68, ``perf``), as
the ~40 pairs around each snapshot interval. A step loop only reads and writes arrays that its
caller owns and keeps alive for the whole call, so the counts are redundant there. Such a
loop must not allocate or return an array (numba then refuses to compile it: "NRT required but
not enabled"). Results are bit-identical to a plain ``njit``; ``CRESCAPE_PLAIN_JIT=1`` compiles
the step loops that way for A/B checks.

(Before, these loops were compiled by numba's parallel pipeline without ``prange``, whose
clean-up passes removed most of the counts; that pipeline also dropped writes into arrays
unpacked from tuple arguments and compiled 13 s slower per SDE kernel.)
"""
from __future__ import annotations

import os

import numba as nb

FM = {"contract", "afn", "arcp", "nsz"}


def step_loop(**options):
    """Decorator: ``numba.njit(fastmath=FM, _nrt=False, **options)`` for a step loop that neither
    allocates nor returns arrays (see the module docstring)."""
    if os.environ.get("CRESCAPE_PLAIN_JIT") == "1":
        return nb.njit(fastmath=FM, **options)
    # `_nrt` is a numba compiler flag (numba.core.options) its type stubs do not list
    return nb.njit(fastmath=FM, _nrt=False, **options)  # type: ignore[call-overload]
