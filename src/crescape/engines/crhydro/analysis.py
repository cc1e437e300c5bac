"""Analysis of CR-hydro runs against seed 000 (Shimoda, Asano & Inutsuka 2025).

Profiles (Figs. 1, 2, 5, 7, 8), heating terms (Fig. 5), −t v ∂r P_cr (Fig. 3),
cavity edge and shock radius (§4.2), ΔQ_cr,w vs eq. (12), mass expelled from the
200 pc sphere and CR energy in the box (Fig. 10), CR intensity at a radius (Fig. 9).
"""
from __future__ import annotations

import numpy as np

from ...analysis import escape as es
from ...analysis import spectra as sp
from ...core.constants import M_sun, Myr, k_B, m_p, pc


def snapshot_at(run, t):
    """The snapshot nearest to time t [s] (an xarray Dataset without the t dimension)."""
    s = run.snapshots
    return s.isel(t=int(np.argmin(np.abs(s["t"].values - t))))


def volumes(run):
    """Exact cell volumes [cm³ in spherical geometry] of the grid the run used (``run.grid``)."""
    return run.grid.V


def initial_ism(run):
    """Initial n [cm^-3] (cell 0), thermal energy E_g [erg] and mass M_g [M_sun] in the box (seed 000 §3:
    n ≈ 0.2, E_g ≈ 1e51 erg, M_g ≈ 5.7e5 M_sun within 300 pc)."""
    s0 = run.snapshots.isel(t=0)
    V = volumes(run)
    gamma = run.config.gas.gamma
    return {"n": float(s0["n"].values[0]),
            "E_g": float(np.dot(V, s0["P_g"].values) / (gamma - 1.0)),
            "M_g": float(np.dot(V, s0["rho"].values) / M_sun)}


def work_term(snap, t):
    """−t v ∂r P_cr [erg cm^-3] (seed 000 Fig. 3), centred differences."""
    r = snap["r"].values
    return -t * snap["v"].values * np.gradient(snap["P_cr"].values, r)


def heating_terms(snap, t):
    """t q_alfven (= t|V_A ∂r ε_cr| in its conservative discrete form) and the conduction
    term t q_cond [erg cm^-3] (seed 000 Fig. 5)."""
    return t * snap["q_alfven"].values, t * snap["q_cond"].values


def cavity_and_shock(snap):
    """(r_cavity, r_shock) [cm]: the shock is the steepest density drop outside the density
    maximum; the cavity edge is the steepest drop of ln T inside the density maximum
    (seed 000 §4.2: ≈ 30 pc and 45 pc at 1 Myr for D0 = 1e27)."""
    r = snap["r"].values
    n = snap["n"].values
    T = snap["T"].values
    imax = int(np.argmax(n))
    dn = np.diff(n[imax:])
    ish = imax + int(np.argmin(dn))
    r_shock = 0.5 * (r[ish] + r[ish + 1])
    dlT = np.diff(np.log(T[: imax + 1]))
    if dlT.size == 0:
        return np.nan, r_shock
    ic = int(np.argmin(dlT))
    return 0.5 * (r[ic] + r[ic + 1]), r_shock


def delta_Q_cr_w_estimate(t, E_cr, n=0.2, B=1e-6, D0=1e26, mu=1.0):
    """Seed 000 eq. (12): ΔQ_cr,w ≈ t V_A E_cr / √(4π D0 t), V_A = B/√(4π μ m_p n)
    (≈ 0.24 E_cr (n/0.2)^-½ (B/1 μG) (t/10 Myr)^½ (D0/1e26)^-½)."""
    vA = B / np.sqrt(4.0 * np.pi * mu * m_p * n)
    return t * vA * E_cr / np.sqrt(4.0 * np.pi * D0 * t)


def delta_Q_cr_w(run):
    """(t, ΔQ_cr,w(t) [erg]): cumulative Alfvén (streaming) heating of the gas from the history."""
    h = run.history
    return h["t"].values, h["Q_alfven"].values


def enclosed_mass(run, R):
    """Gas mass [g] inside radius R at every snapshot time: Σ ρ_i V_i(<R) with the exact
    (partial-cell) volumes of the run's grid, any geometry and spacing (``run.grid``)."""
    return run.grid.integrate_inside(run.snapshots["rho"].values, R)


def expelled_mass(run, R=200 * pc):
    """(t, M(<R, 0) − M(<R, t) [M_sun]) — mass expelled from the sphere of radius R (seed 000 Fig. 10)."""
    M = enclosed_mass(run, R)
    return run.snapshots["t"].values, (M[0] - M) / M_sun


def cr_energy_in_box(run):
    """(t, E_cr(t) [erg]) from the history (seed 000 Fig. 10, dashed)."""
    h = run.history
    return h["t"].values, h["E_cr"].values


def backflow_time(run, t_min=1 * Myr):
    """First snapshot time after t_min at which the gas velocity at the density maximum (the
    swept-up shell) turns negative: the back-flow into the cavity (seed 000 Fig. 8: t ≳ 6 Myr
    for D0 = 1e26). NaN if it never does."""
    s = run.snapshots
    t = s["t"].values
    n = s["n"].values
    v = s["v"].values
    for i in np.nonzero(t >= t_min)[0]:
        if v[i, int(np.argmax(n[i]))] < 0:
            return float(t[i])
    return float("nan")


def temperature(P, n):
    return P / (n * k_B)


def seed000_summary(run) -> dict:
    """The numbers seed 000 quotes, measured on a run (see docs/crhydro_cr.md for the paper's values)."""
    out = dict(initial_ism(run))
    out["E_g"] /= 1e51
    out["M_g"] /= 1e5
    h = run.history
    E0 = float(h["E_cr"].values[0])
    t_h = h["t"].values
    s1 = snapshot_at(run, Myr)
    rc, rs = cavity_and_shock(s1)
    out.update({"r_cavity_1Myr_pc": rc / pc, "r_shock_1Myr_pc": rs / pc})
    out["dQ_cr_w_1Myr_over_Ecr"] = float(np.interp(Myr, t_h, h["Q_alfven"].values)) / E0
    out["dQ_cr_w_10Myr_over_Ecr"] = float(h["Q_alfven"].values[-1]) / E0
    out["eq12_1Myr_over_Ecr"] = delta_Q_cr_w_estimate(Myr, 1.0, n=out["n"], B=run.config.cr.B, D0=run.config.cr.D0)
    T100 = snapshot_at(run, 100 * 3.15576e10)["T"].values
    out["T_max_100kyr_K"] = float(T100.max())
    t, M = expelled_mass(run)
    out["M_expelled_10Myr_Msun"] = float(M[-1])
    out["E_cr_box_10Myr_over_Ecr"] = float(h["E_cr"].values[-1]) / E0
    out["E_cr_escaped_10Myr_over_Ecr"] = float(h["E_cr_escaped"].values[-1]) / E0
    out["E_to_gas_10Myr_over_Ecr"] = float(h["W_cr_adiabatic"].values[-1] + h["Q_coulomb"].values[-1]
                                           + h["Q_alfven"].values[-1]) / E0
    out["max_abs_E_total_error"] = float(np.nanmax(np.abs(h["E_total_error"].values)))
    p = run.snapshots["p"].values
    s10 = snapshot_at(run, 10 * Myr)
    box = sp.volume_average(s10["N_cr"].values, volumes(run))
    try:
        out["slope_box_10Myr_p0.3-3"] = float(sp.spectral_index(p, box, 0.3, 3.0))
    except ValueError:
        out["slope_box_10Myr_p0.3-3"] = float("nan")
    _, esc = es.escaped_number_spectrum(run)
    out["slope_escaped_p1-100"] = float(sp.spectral_index(p, esc, 1.0, 100.0))
    out["backflow_Myr"] = backflow_time(run) / Myr
    return out
