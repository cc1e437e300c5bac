"""Scalar summaries of a CR-cloud run for sweep indices (half-lives, Nava et al. 2016).

Each entry of ``SUMMARIES`` is ``name -> (f(run) -> float, units, description)``; ``f`` takes a
run read back with :func:`crescape.open_run`. Missing variables may raise KeyError/AttributeError:
:func:`crescape.sweep.summaries.compute_summaries` turns those into NaN.
"""
from __future__ import annotations

import numpy as np

from ..registry import summary_table

SUMMARIES, summary = summary_table()


@summary("t_half_min", "s", "shortest half-life t_1/2(E) over the energy grid")
def _t_half_min(run):
    h = run.history
    if h is not None and "t_half" in h:
        return float(np.nanmin(h["t_half"].values))
    for ds in run.groups.values():
        if "t_half" in ds:
            return float(np.nanmin(ds["t_half"].values))
    return float(run.attrs["t_half"])
