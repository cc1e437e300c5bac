"""Scalar summaries of a run for sweep indices: one registry per engine.

A summary is a pure function ``f(run) -> float`` of a run read back with
:func:`crescape.open_run`. Summaries are tolerant: a variable the run does not
have gives NaN, never an exception. Besides the registered names a summary may
be written ``GROUP.VAR.REDUCER`` (e.g. ``history.E_th.max``) with GROUP one of
the run-file groups and REDUCER one of first, last, min, max, absmax, mean —
parsed by a regular expression, never evaluated.
"""
from __future__ import annotations

import math
import re

import numpy as np

from .core.constants import pc

SUMMARIES: dict[str, dict[str, tuple]] = {"crhydro": {}, "sde": {}, "cloud": {}}
_GENERIC = re.compile(r"^(history|snapshots|escaped|spectra)\.(\w+)\.(first|last|min|max|absmax|mean)$")
_REDUCE = {"first": lambda a: a[0], "last": lambda a: a[-1], "min": np.nanmin, "max": np.nanmax,
           "absmax": lambda a: np.nanmax(np.abs(a)), "mean": np.nanmean}


def summary(engine: str, name: str, units: str, description: str):
    """Register ``f(run) -> float`` as summary ``name`` of ``engine``."""
    def deco(func):
        SUMMARIES[engine][name] = (func, units, description)
        return func

    return deco


def summary_units(engine: str, names: list[str]) -> dict[str, str]:
    out = {}
    for n in names:
        if n in SUMMARIES.get(engine, {}):
            out[n] = SUMMARIES[engine][n][1]
    return out


def run_summary_units(run, names: list[str]) -> dict[str, str]:
    """Units of the summaries of one run (registered ones, and generic ones from the file)."""
    out = summary_units(run.attrs.get("engine", ""), names)
    for n in names:
        m = _GENERIC.match(n)
        if m is not None and n not in out:
            try:
                out[n] = str(run.groups[m.group(1)][m.group(2)].attrs.get("units", ""))
            except KeyError:
                pass
    return out


def describe(engine: str, name: str) -> str:
    entry = SUMMARIES.get(engine, {}).get(name)
    return entry[2] if entry else name


def compute_summaries(run, names: list[str] | None) -> dict[str, float]:
    """Every requested summary as a float (NaN when the run lacks what it needs)."""
    engine = run.attrs.get("engine", "")
    reg = SUMMARIES.get(engine, {})
    names = list(reg) if names is None else names
    out = {}
    for n in names:
        try:
            if n in reg:
                v = reg[n][0](run)
            elif (m := _GENERIC.match(n)) is not None:
                v = _generic(run, *m.groups())
            else:
                v = math.nan
            v = float(v)
        except (KeyError, AttributeError, IndexError, TypeError, ValueError, ZeroDivisionError):
            v = math.nan
        out[n] = v
    return out


def _generic(run, group, var, red):
    ds = run.groups.get(group)
    arr = np.asarray(ds[var].values, dtype=float)
    if red in ("first", "last"):
        arr = arr.reshape(arr.shape[0], -1)
        if arr.shape[1] != 1:
            return math.nan
        arr = arr[:, 0]
    return _REDUCE[red](arr.ravel() if red not in ("first", "last") else arr)


def _hist(run, *names):
    """The first of ``names`` present in the history, as a float array."""
    h = run.history
    for n in names:
        if h is not None and n in h:
            return np.asarray(h[n].values, dtype=float), np.asarray(h["t"].values, dtype=float)
    raise KeyError(names[0])


# ----------------------------------------------------------------------------- crhydro (seed 000)
@summary("crhydro", "E_cr_final", "erg", "CR energy in the box at the end")
def _e_cr_final(run):
    return _hist(run, "E_cr")[0][-1]


@summary("crhydro", "f_escaped", "", "fraction of the initial CR energy escaped through r_max")
def _f_escaped(run):
    e_cr = _hist(run, "E_cr")[0]
    e_esc = _hist(run, "E_cr_escaped")[0]
    e0 = e_cr[0] + e_esc[0]
    return (e_esc[-1] - e_esc[0]) / e0 if e0 > 0 else math.nan


@summary("crhydro", "t_half_escape", "s", "time when half of the initial CR energy has escaped (NaN: never)")
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
    from .core.grid import cell_volumes, make_faces

    g = run.config.grid
    rf = make_faces(g.r_min, g.r_max, g.n_cells, g.spacing, g.stretch)
    rho = np.asarray(run.snapshots["rho"].values, dtype=float)
    return (rho * cell_volumes(np.minimum(rf, radius), g.geometry)).sum(axis=-1)


@summary("crhydro", "M_expelled_200pc", "g", "gas mass expelled from the 200 pc sphere (seed 000 Fig. 10)")
def _m_expelled(run):
    radius = min(200.0 * pc, run.config.grid.r_max)
    m = mass_inside(run, radius)
    return m[0] - m[-1]


@summary("crhydro", "dQ_cr_w", "erg", "gas heating by CR-driven Alfvén waves, integrated in time and volume")
def _dq_crw(run):
    return _hist(run, "dQ_cr_w", "Q_cr_w", "Q_alfven", "E_heat_alfven")[0][-1]


@summary("crhydro", "E_kin_max", "erg", "largest kinetic energy of the gas")
def _ekin_max(run):
    return np.nanmax(_hist(run, "E_kin")[0])


@summary("crhydro", "E_total_error_max", "", "largest relative total-energy error")
def _err_max(run):
    return np.nanmax(np.abs(_hist(run, "E_total_error")[0]))


# ----------------------------------------------------------------------------- sde (seed 003)
def _last_particles(run):
    s = run.snapshots
    alive = np.asarray(s["alive"].values[-1], dtype=bool) if "alive" in s else np.ones(s["p"].shape[-1], bool)
    w = np.asarray(s["w"].values[-1], dtype=float) if "w" in s else np.ones(alive.shape)
    return np.asarray(s["p"].values[-1], dtype=float), w, alive


@summary("sde", "N_alive_final", "", "pseudo-particles alive at the last snapshot")
def _n_alive(run):
    return float(_last_particles(run)[2].sum())


@summary("sde", "weight_alive_final", "", "summed weight of the particles alive at the last snapshot")
def _w_alive(run):
    _p, w, alive = _last_particles(run)
    return float(w[alive].sum())


@summary("sde", "p_max_final", "m_p c", "largest momentum of an alive particle at the last snapshot")
def _p_max(run):
    p, _w, alive = _last_particles(run)
    return float(np.max(p[alive])) if alive.any() else math.nan


def fit_slope(p, f, f_err, max_rel_err: float = 0.3, min_bins: int = 3) -> float:
    """q in f ∝ p^-q: weighted least squares of ln f on ln p over the bins above the injection
    bump, below the cut-off (p^q f ≥ max/2, iterated) and with relative Monte-Carlo error below
    ``max_rel_err`` (NaN with fewer than ``min_bins``). Test-particle DSA at a shock of
    compression r gives q = 3r/(r − 1) (Bell 1978; Blandford & Ostriker 1978)."""
    p, f, e = (np.asarray(a, dtype=float) for a in (p, f, f_err))
    ok = (f > 0) & np.isfinite(f) & (e >= 0) & (e < max_rel_err * np.where(f > 0, f, 1.0))
    if ok.sum() < min_bins:
        return math.nan
    ok &= p > 2.0 * p[np.argmax(np.where(ok, f * p**3, 0.0))]  # past the injection bump of p³f
    q, use = 4.0, ok
    for _ in range(4):  # below the cut-off: p^q f within a factor 2 of its largest value
        y = np.where(ok, f * p**q, 0.0)
        use = ok & (y >= 0.5 * y.max())
        if use.sum() < min_bins:
            return math.nan
        w = 1.0 / np.maximum(e[use] / f[use], 1e-3)
        q = -float(np.polyfit(np.log(p[use]), np.log(f[use]), 1, w=w)[0])
    return q


@summary("sde", "q_integrated", "", "index q of f ∝ p^-q of the time-integrated spectrum (DSA: 3r/(r-1))")
def _q_int(run):
    g = run.groups["integrated"]
    return fit_slope(g["p"].values, g["f"].values[0], g["f_err"].values[0])


@summary("sde", "escaped_per_particle", "", "pseudo-particles escaped through the boundaries per injected one")
def _escaped(run):
    g = run.escaped
    edges = np.asarray(run.spectra["p_edges"].values, dtype=float)
    dlnp = np.diff(np.log(edges))
    return float((np.asarray(g["dN_dlnp"].values, dtype=float) * dlnp).sum())


# ----------------------------------------------------------------------------- cloud (seed 001)
@summary("cloud", "t_half_min", "s", "shortest half-life t_1/2(E) over the energy grid")
def _t_half_min(run):
    h = run.history
    if h is not None and "t_half" in h:
        return float(np.nanmin(h["t_half"].values))
    for ds in run.groups.values():
        if "t_half" in ds:
            return float(np.nanmin(ds["t_half"].values))
    return float(run.attrs["t_half"])
