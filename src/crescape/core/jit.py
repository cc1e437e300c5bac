"""Compilation settings shared by the numba kernels.

``FM``: fast-math flags that keep NaN/Inf semantics (so NaN checks still work) and the
evaluation order deterministic: fused multiply-add, approximate functions, reciprocals, no
signed zeros — no reassociation, so sums do not depend on vector width or thread count.

:func:`step_loop`: ``numba.njit`` for the hot per-step loops. It compiles with
``parallel=True`` even though these loops contain no ``prange``: numba's parallel pipeline
runs copy propagation and dead-variable removal before lowering, which removes the array
reference-count updates (atomic ``NRT_incref``/``NRT_decref`` calls) that IR-level inlining of
functions taking arrays (flows, κ, RNG tables) otherwise leaves inside the loop. Measured on the
Sedov SDE deck: 2.0–2.4× more steps per second, identical results. Nothing is parallelised
(no threads are started); numba's warning that no parallel transformation was possible is
therefore expected and silenced for these kernels only.
"""
from __future__ import annotations

import os
import warnings

import numba as nb
from numba.core.errors import NumbaPerformanceWarning

FM = {"contract", "afn", "arcp", "nsz"}
# the parallel pipeline with every array-to-loop conversion off: only its clean-up passes act
SERIAL_PIPELINE = {"comprehension": False, "reduction": False, "inplace_binop": False, "setitem": False,
                   "numpy": False, "stencil": False, "fusion": False, "prange": False}

warnings.filterwarnings("ignore", message=r"(?s).*The keyword argument 'parallel=True' was specified but no transformation",
                        category=NumbaPerformanceWarning)


def step_loop(**options):
    """Decorator: ``numba.njit(fastmath=FM, parallel=SERIAL_PIPELINE, **options)`` for a serial step loop.

    Caution, measured: that pipeline's dead-code removal does not see writes into arrays that the
    function unpacked from a tuple argument as escaping and may drop them (numba 0.68: the run
    counters of the SDE particle loop came back zero). Step loops therefore take every array they
    write as a direct argument; read-only arrays may come in tuples. ``CRESCAPE_PLAIN_JIT=1``
    compiles them as plain ``njit`` instead (for A/B checks: results must be bit-identical).
    """
    if os.environ.get("CRESCAPE_PLAIN_JIT") == "1":
        return nb.njit(fastmath=FM, **options)
    # numba accepts a dict of parallel options (numba.parallel_options); its type stubs say bool
    return nb.njit(fastmath=FM, parallel=SERIAL_PIPELINE, **options)  # type: ignore[call-overload]
