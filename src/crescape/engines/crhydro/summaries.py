"""Scalar summaries of a CR-hydro run for sweep indices (Shimoda, Asano & Inutsuka 2025).

Each entry of ``SUMMARIES`` is ``name -> (f(run) -> float, units, description)``; ``f`` takes a
run read back with :func:`crescape.open_run`. Missing variables may raise KeyError/AttributeError:
:func:`crescape.sweep.summaries.compute_summaries` turns those into NaN.
"""
from __future__ import annotations

import math

import numpy as np

from ...core.constants import pc
from ..registry import summary_table

SUMMARIES, summary = summary_table()


def _hist(run, *names):
    """The first of ``names`` present in the history, as a float array."""
    h = run.history
    for n in names:
        if h is not None and n in h:
            return np.asarray(h[n].values, dtype=float), np.asarray(h["t"].values, dtype=float)
    raise KeyError(names[0])


# ----------------------------------------------------------------------------- crhydro (seed 000)
@summary("E_cr_final", "erg", "CR energy in the box at the end")
def _e_cr_final(run):
    return _hist(run, "E_cr")[0][-1]


@summary("f_escaped", "", "fraction of the initial CR energy escaped through r_max")
def _f_escaped(run):
    e_cr = _hist(run, "E_cr")[0]
    e_esc = _hist(run, "E_cr_escaped")[0]
    e0 = e_cr[0] + e_esc[0]
    return (e_esc[-1] - e_esc[0]) / e0 if e0 > 0 else math.nan


@summary("t_half_escape", "s", "time when half of the initial CR energy has escaped (NaN: never)")
def _t_half(run):
    e_cr, t = _hist(run, "E_cr")
    e_esc = _hist(run, "E_cr_escaped")[0]
    frac = (e_esc - e_esc[0]) / (e_cr[0] + e_esc[0])
    above = np.nonzero(frac >= 0.5)[0]
    if not above.size:
        return math.nan
    i = above[0]
    if i == 0:
        return t[0]
    return t[i - 1] + (0.5 - frac[i - 1]) * (t[i] - t[i - 1]) / (frac[i] - frac[i - 1])


def mass_inside(run, radius: float) -> np.ndarray:
    """Gas mass inside ``radius`` at every snapshot time: Σ ρ V over the grid's exact cell
    volumes (the cell cut by ``radius`` counts with its volume fraction)."""
    return run.grid.integrate_inside(np.asarray(run.snapshots["rho"].values, dtype=float), radius)


@summary("M_expelled_200pc", "g", "gas mass expelled from the 200 pc sphere (seed 000 Fig. 10)")
def _m_expelled(run):
    radius = min(200.0 * pc, run.config.grid.r_max)
    m = mass_inside(run, radius)
    return m[0] - m[-1]


@summary("dQ_cr_w", "erg", "gas heating by CR-driven Alfvén waves, integrated in time and volume")
def _dq_crw(run):
    return _hist(run, "dQ_cr_w", "Q_cr_w", "Q_alfven", "E_heat_alfven")[0][-1]


@summary("E_kin_max", "erg", "largest kinetic energy of the gas")
def _ekin_max(run):
    return np.nanmax(_hist(run, "E_kin")[0])


@summary("E_total_error_max", "", "largest relative total-energy error")
def _err_max(run):
    return np.nanmax(np.abs(_hist(run, "E_total_error")[0]))
