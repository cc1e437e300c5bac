"""Verification gallery: re-compute every exact-solution comparison and draw one PNG per test.

Run (from the repository root; about 80 s on one core of the shared 2-core sandbox, numba
compilation of the engines included; up to ~4 min when the machine is loaded):

    NUMBA_NUM_THREADS=1 python docs/verification/make_gallery.py            # all figures
    NUMBA_NUM_THREADS=1 python docs/verification/make_gallery.py sod sedov  # a subset

Each figure's title carries the measured error. The exact solutions and set-ups are those
of the test suite: the test modules in ``tests/`` are imported as plain files (importlib),
so the gallery and the tests cannot drift apart. Measured numbers are also written to
``docs/verification/results.json`` (read by docs/verification.md). A figure whose engine
is missing or fails is reported as FAILED and the others are still drawn.
"""
from __future__ import annotations

import importlib.util
import json
import math
import sys
import time
import traceback
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TESTS = ROOT / "tests"
DPI = 90
RESULTS: dict[str, dict] = {}
_MODS: dict[str, object] = {}


def tmod(name):
    """Import tests/<name>.py as a module (the tests' exact solutions and set-ups)."""
    if name not in _MODS:
        if str(TESTS) not in sys.path:
            sys.path.insert(0, str(TESTS))
        spec = importlib.util.spec_from_file_location(f"_gallery_{name.replace('/', '_')}", TESTS / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _MODS[name] = mod
    return _MODS[name]


def cr_helpers():
    """The CR-module test helpers (deck builder + stand-in solver), under their current file name."""
    for name in ("helpers/crhydro_cr", "test_crhydro_cr_helpers"):
        if (TESTS / f"{name}.py").exists():
            return tmod(name)
    raise FileNotFoundError("tests/helpers/crhydro_cr.py (CR-module test helpers) not found")


def save(fig, name, **numbers):
    fig.tight_layout()
    path = HERE / f"{name}.png"
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    RESULTS[name] = {k: (float(v) if isinstance(v, (float, np.floating, int)) else v) for k, v in numbers.items()}
    print(f"  wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e3:.0f} kB): "
          + ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in RESULTS[name].items()))


def advance(s, t):
    while s.t < t * (1 - 1e-14):
        s.step(t - s.t)


# ----------------------------------------------------------------------------- hydrodynamics
def fig_sod():
    """Sod (γ = 1.4, t = 0.2) vs the exact Riemann solution; L1(ρ) convergence 100 → 1600 cells."""
    m = tmod("test_hydro_sod")
    ns = [100, 200, 400, 800, 1600]
    errs, solvers = [], {}
    for n in ns:
        e, s = m.sod_l1(n)
        errs.append(e)
        solvers[n] = s
    s = solvers[800]
    x = s.grid.rc
    xf = np.linspace(0, 1, 2000)
    ex = m.exact_riemann(xf, 0.2, (1.0, 0.0, 1.0), (0.125, 0.0, 0.1), 1.4)
    rho, v, P, _ = s.primitives()
    fig, ax = plt.subplots(1, 3, figsize=(10, 3.3))
    for a, num, exv, lab in zip(ax, (rho, v, P), ex, ("ρ", "v", "P")):
        a.plot(xf, exv, "k-", lw=1, label="exact")
        a.plot(x, num, ".", ms=2, color="C3", label="HLLC+PLM+VL2")
        a.set_xlabel("x")
        a.set_ylabel(lab)
    ax[0].legend(fontsize=8)
    fig.suptitle(f"Sod, 800 cells, t = 0.2: L1(ρ) = {errs[3]:.2e} (bar ≤ 1.2e-3)", fontsize=10)
    save(fig, "sod", L1_800=errs[3])
    order = math.log(errs[1] / errs[3]) / math.log(4.0)
    fig, a = plt.subplots(figsize=(4.6, 3.6))
    a.loglog(ns, errs, "o-", label="crescape")
    a.loglog(ns, errs[0] * (np.array(ns) / ns[0]) ** -1.0, "k:", label="∝ N⁻¹")
    a.loglog([1024], [6.6e-4], "s", color="C2", label="Athena++ (issue 2)")
    a.set_xlabel("cells")
    a.set_ylabel("L1(ρ)")
    a.legend(fontsize=8)
    a.set_title(f"Sod convergence: order {order:.3f} (200→800), bar ≥ 0.8", fontsize=10)
    save(fig, "sod_convergence", order_200_800=order, **{f"L1_{n}": e for n, e in zip(ns, errs)})


def fig_sedov():
    """Spherical Sedov–Taylor (γ = 5/3, 400 cells): R_sh(t) vs ξ0 (E t²/ρ)^(1/5)."""
    m = tmod("test_hydro_sedov")
    from crescape.config import load_config
    from crescape.engines.crhydro.solver import CRHydroSolver

    d = load_config({
        "engine": "crhydro", "run": {"t_end": 1.0, "progress": False},
        "grid": {"geometry": "spherical", "r_max": 1.0, "n_cells": 400}, "gas": {"gamma": 5.0 / 3.0},
        "thermal": {"cooling": False, "heating": False, "conduction": False},
        "problem": {"kind": "sedov", "E": 1.0, "rho": 1.0, "P_ambient": 1e-5}})
    s = CRHydroSolver(d)
    E0 = np.dot(s.U[2], s.grid.V)
    radii = np.linspace(0.3, 0.9, 7)
    ts, Rn = [], []
    for R in radii:
        t = (R / m.XI0) ** 2.5
        advance(s, t)
        ts.append(t)
        Rn.append(m.shock_radius(s.grid.rc, s.primitives()[2]))
    ts, Rn = np.array(ts), np.array(Rn)
    err = Rn / radii - 1
    dE = abs(np.dot(s.U[2], s.grid.V) / E0 - 1)
    rho = s.primitives()[0]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    ax[0].plot(radii, 100 * err, "o-", color="C3", label="400 cells")
    ax[0].axhspan(-1, 1, color="grey", alpha=0.15, label="bar ± 1 %")
    ax[0].axhline(0, color="k", lw=1)
    ax[0].set_xlabel("R_exact = ξ0 (E t²/ρ)^(1/5)")
    ax[0].set_ylabel("R_sh / R_exact − 1 [%]")
    ax[0].legend(fontsize=8)
    ax[1].plot(s.grid.rc, rho, "C0-")
    ax[1].axvline(radii[-1], color="k", ls=":", lw=1)
    ax[1].set_xlabel("r")
    ax[1].set_ylabel("ρ at R = 0.9")
    fig.suptitle(f"Sedov (γ = 5/3, 400 cells): max |R/R_exact − 1| = {np.max(np.abs(err)):.2%}, "
                 f"|ΔE/E| = {dE:.1e}", fontsize=10)
    save(fig, "sedov", max_radius_error=float(np.max(np.abs(err))), energy_error=dE)


def fig_thermal_equilibrium():
    """n_eq(T) = Γ/Λ(T) (KI2002 + Schure 2009) and the 1-Myr hold of the (7000 K, Γ/Λ) state."""
    from crescape.core.constants import Myr
    from crescape.engines.crhydro.solver import CRHydroSolver
    from crescape.physics.cooling import T_SWITCH, CoolingFunction, equilibrium_density

    lam = CoolingFunction()
    T = np.geomspace(20, 1e8, 600)
    L = np.array([lam(t) for t in T])
    neq = 2e-26 / L
    s = CRHydroSolver(tmod("test_thermal_step").uniform_deck(T=7000.0, equilibrium=True, r_max=3.0e19))
    rho0, _, _, T0 = s.primitives()
    advance(s, Myr)
    rho, _, _, T1 = s.primitives()
    dev = max(np.max(np.abs(rho / rho0 - 1)), np.max(np.abs(T1 / T0 - 1)))
    n7 = equilibrium_density(7000.0)
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    ax[0].loglog(T, L, "k-")
    for tab, c in (("sutherland_dopita1993", "C1"), ("gnat_sternberg2007", "C2")):
        lt = CoolingFunction(tab)
        Th = T[T > T_SWITCH]
        ax[0].loglog(Th, [lt(t) for t in Th], "--", color=c, lw=1, label=tab)
    ax[0].axvline(T_SWITCH, color="grey", ls=":", lw=1)
    ax[0].set_xlabel("T [K]")
    ax[0].set_ylabel("Λ [erg cm³ s⁻¹]")
    ax[0].legend(fontsize=7, title="KI2002 | Schure 2009 (default)", title_fontsize=7)
    ax[1].loglog(neq, T, "k-")
    ax[1].plot([n7], [7000.0], "o", color="C3", label=f"n_eq(7000 K) = {n7:.4f} cm⁻³")
    ax[1].set_xlabel("n_eq = Γ/Λ [cm⁻³]")
    ax[1].set_ylabel("T [K]")
    ax[1].legend(fontsize=8)
    fig.suptitle(f"Thermal equilibrium: n_eq(7000 K) = {n7:.4f} (ref 0.2044); held 1 Myr to {dev:.1e}",
                 fontsize=10)
    save(fig, "thermal_equilibrium", n_eq_7000=n7, max_deviation_1Myr=dev)


def fig_isochoric_cooling():
    """Isochoric cooling of a 1e6 K parcel (n = 1) vs scipy LSODA of dT/dt = (γ−1)/k (Γ − nΛ)."""
    from scipy.integrate import solve_ivp

    from crescape.core.constants import k_B, yr
    from crescape.engines.crhydro.solver import CRHydroSolver
    from crescape.physics.cooling import CoolingFunction

    times = np.linspace(0, 2.0e5 * yr, 81)[1:]  # every 2.5 kyr (the test samples every 5 kyr)
    lam = CoolingFunction()
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    out = {}
    for i, eps in enumerate((0.02, 0.005)):
        deck = tmod("test_thermal_step").uniform_deck(geometry="planar", n_cells=4, r_max=1e30, n=1.0, T=1e6)
        deck.thermal.conduction = False
        deck.thermal.cooling_eps = eps
        s = CRHydroSolver(deck)
        G = deck.thermal.Gamma
        ref = solve_ivp(lambda t, y: [(2 / 3) / k_B * (G - lam(float(y[0])))], (0, times[-1]), [1e6],
                        method="LSODA", t_eval=times, rtol=1e-9, atol=1e-6)
        got = []
        for t in times:
            while s.t < t * (1 - 1e-14):
                s.step(min(t - s.t, 2e3 * yr))
            got.append(s.primitives()[3][0])
        got = np.array(got)
        err = np.abs(got / ref.y[0] - 1)
        out[f"max_rel_error_eps{eps:g}"] = float(err.max())
        if i == 0:
            ax[0].semilogy(times / yr / 1e3, ref.y[0], "k-", label="LSODA")
        ax[0].semilogy(times / yr / 1e3, got, ".", color=f"C{3 * (1 - i)}", label=f"ROS2, cooling_eps = {eps:g}")
        ax[1].semilogy(times / yr / 1e3, np.maximum(err, 1e-12), f"C{3 * (1 - i)}-", label=f"cooling_eps = {eps:g}")
    ax[0].set_xlabel("t [kyr]")
    ax[0].set_ylabel("T [K]")
    ax[0].legend(fontsize=8)
    ax[1].axhline(0.01, color="k", ls=":", lw=1)
    ax[1].set_xlabel("t [kyr]")
    ax[1].set_ylabel("|T/T_ODE − 1|")
    ax[1].legend(fontsize=8)
    fig.suptitle("Isochoric cooling from 1e6 K, n = 1: max rel. error "
                 f"{out['max_rel_error_eps0.02']:.1e} (default eps 0.02), {out['max_rel_error_eps0.005']:.1e} "
                 "(eps 0.005); bar 1 %", fontsize=9)
    save(fig, "isochoric_cooling", **out)


def fig_conduction_green():
    """Constant-K conduction of a Gaussian: planar and spherical Green's functions."""
    m = tmod("test_conduction_fronts")
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    out = {}
    for a, (geom, dim) in zip(ax, (("planar", 1), ("spherical", 3))):
        K, L, Tb = 1e6, 1e20, 1e4
        chi = K / m.C_V
        t0 = (0.05 * L) ** 2 / (2 * chi)
        t1 = 4 * t0
        s = m.make_solver(geom, 400, L, K_const=K)
        amp = 1e6 / m.green(0.0, t0, chi, dim)
        m.set_T(s, Tb + amp * m.green(s.grid.rc, t0, chi, dim))
        for _ in range(300):
            s.thermal.conduct(s.U, (t1 - t0) / 300)
        r = s.grid.rc
        ex = Tb + amp * m.green(r, t1, chi, dim)
        err = np.max(np.abs(m.get_T(s) - ex)) / (ex.max() - Tb)
        out[f"{geom}_error"] = err
        a.plot(r / L, amp * m.green(r, t0, chi, dim), "k:", lw=1, label="t0")
        a.plot(r / L, ex - Tb, "k-", lw=1, label="exact t = 4 t0")
        a.plot(r[::4] / L, m.get_T(s)[::4] - Tb, ".", color="C3", ms=3, label="implicit, 300 steps")
        a.set_xlim(0, 0.4)
        a.set_xlabel("r / L")
        a.set_ylabel("T − T_b [K]")
        a.set_title(f"{geom}: max error {err:.1e} of peak", fontsize=9)
        a.legend(fontsize=7)
    fig.suptitle("Linear conduction Green's function (constant K, 400 cells), bar 1 %", fontsize=10)
    save(fig, "conduction_green", **out)


def fig_zeldovich():
    """Non-linear K = 1.25e-6 T^2.5 planar front: x_f ∝ t^(2/9) (Zel'dovich & Raizer 1967)."""
    m = tmod("test_conduction_fronts")
    L = 1e17
    s = m.make_solver("planar", 800, L, T=10.0, T_sw=1e-3)
    T = np.full(s.grid.n, 10.0)
    T[:4] = 1e7
    m.set_T(s, T)
    ts, xs, prof = [], [], []
    t, dt = 0.0, 1e4
    for tt in np.geomspace(1e7, 3e8, 12):
        while t < tt * (1 - 1e-12):
            h = min(dt, tt - t)
            s.thermal.conduct(s.U, h)
            t += h
            dt *= 1.02
        ts.append(t)
        xs.append(m.front_position(s.grid.rc, m.get_T(s), 10.0))
        prof.append(m.get_T(s).copy())
    slope, c0 = np.polyfit(np.log(ts), np.log(xs), 1)
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    for k in (0, 4, 8, 11):
        ax[0].semilogy(s.grid.rc / L, prof[k], label=f"t = {ts[k]:.1e} s")
    ax[0].set_xlabel("x / L")
    ax[0].set_ylabel("T [K]")
    ax[0].legend(fontsize=7)
    ts = np.array(ts)
    ax[1].loglog(ts, xs, "o", color="C3", label="front (T > T_b + 1e-3 ΔT)")
    ax[1].loglog(ts, np.exp(c0) * ts**slope, "k-", lw=1, label=f"fit t^{slope:.4f}")
    ax[1].loglog(ts, xs[0] * (ts / ts[0]) ** (2 / 9), "C2:", label="t^(2/9)")
    ax[1].set_xlabel("t [s]")
    ax[1].set_ylabel("x_front [cm]")
    ax[1].legend(fontsize=7)
    fig.suptitle(f"Zel'dovich front, K ∝ T^2.5: exponent {slope:.4f} vs 2/9 = 0.2222 (bar ± 0.02)", fontsize=10)
    save(fig, "zeldovich_front", exponent=slope)


# ----------------------------------------------------------------------------- cloud engine
def fig_cloud_erf():
    """Cloud engine, growth off: top-hat P(z) vs the erf solution per energy bin."""
    from scipy.special import erf

    from crescape.core import constants as C
    from crescape.engines.cloud import make_stepper

    m = tmod("test_cloud_solver")
    deck = m._deck(waves={"growth": False, "streaming": False})
    s = m._advance(make_stepper(deck), deck.run.t_end)
    su = s.su
    fig, a = plt.subplots(figsize=(5.5, 3.6))
    worst = 0.0
    for e in range(su.E.size):
        kap, P0 = su.kappa0[e, 0], su.P_init[e, 0]
        sq = np.sqrt(4 * kap * s.t)
        exact = 0.5 * P0 * (erf((su.a - su.zc) / sq) + erf((su.a + su.zc) / sq))
        worst = max(worst, np.max(np.abs(s.P[e] - exact)) / exact.max())
        a.plot(su.zc / C.pc, exact / P0, "k-", lw=1)
        a.plot(su.zc[::15] / C.pc, s.P[e][::15] / P0, "o", ms=3, label=f"E = {su.E[e] / C.GeV:.0f} GeV")
    a.set_xlim(0, 300)
    a.set_xlabel("z [pc]")
    a.set_ylabel("P / P0")
    a.legend(fontsize=8)
    a.set_title(f"Cloud, growth off, WNM, 10 kyr: max error {worst:.1e} of peak (bar 1 %)", fontsize=9)
    save(fig, "cloud_tophat_erf", max_error=worst)


def fig_cloud_damping():
    """Ion–neutral damping rate vs resonant energy per ISM phase: eqs. 6–7 vs the exact cubic."""
    from crescape.core import constants as C
    from crescape.physics import waves as W
    from crescape.physics.ism import PHASES

    E = np.geomspace(0.3, 3e4, 400) * C.GeV
    fig, a = plt.subplots(figsize=(6, 4))
    worst = 0.0
    for i, name in enumerate(("WIM", "WNM", "CNM", "DIM", "DC")):
        ph = PHASES[name]
        args = (ph.V_Ai, ph.V_Atot, ph.nu_in, ph.nu_ni, ph.rho_i, ph.rho_n)
        k = W.resonant_wavenumber(E, ph.B)
        g, _, reg = W.ion_neutral_damping(k, *args)
        _, gex = W.ion_neutral_dispersion(k, ph.V_Ai, ph.nu_in, ph.nu_ni)
        gp = np.where(reg == W.EVANESCENT, np.nan, g)
        a.loglog(E / C.GeV, gp, "-", color=f"C{i}", label=name)
        a.loglog(E / C.GeV, np.where(gex > 0, gex, np.nan), ":", color=f"C{i}", lw=1)
        if name != "WIM":  # asymptotic forms vs exact one decade outside the band (test_waves_damping)
            k1, k2 = W.evanescent_band(*args)
            for kk in (0.03 * min(k1, k2), 30.0 * max(k1, k2)):
                ga, _, _ = W.ion_neutral_damping(kk, *args)
                _, ge = W.ion_neutral_dispersion(kk, ph.V_Ai, ph.nu_in, ph.nu_ni)
                worst = max(worst, abs(ge[0] / ga[0] - 1))
    a.set_xlabel("resonant proton energy E [GeV]")
    a.set_ylabel("Γ_in [s⁻¹]")
    a.legend(fontsize=8, title="solid: eqs. 6–7, dotted: exact", title_fontsize=7)
    a.set_title(f"Ion–neutral damping per phase (seed 001): asymptotic vs exact {worst:.1e} (bar 1 %)",
                fontsize=9)
    save(fig, "cloud_damping_rates", max_asymptotic_vs_exact=worst)


HALF_LIFE_CASES = [  # phase, E [GeV], self-consistent a [pc] (docs/cloud.md), published [kyr], source
    ("HISM", 1000.0, 32.7, 15.0, "Nava+ 2019"),
    ("HISM", 100.0, 55.0, 50.0, "Nava+ 2019"),
    ("CNM", 10.0, 6.2, 8.2, "Brahimi+ 2020"),
    ("CNM", 100.0, 3.3, 1.2, "Brahimi+ 2020"),
    ("CNM", 1000.0, 3.1, 1.1, "Brahimi+ 2020"),
]


def _cloud_deck(phase, energies, a_pc, z_max, n_cells):
    from crescape.config import load_config

    return load_config({
        "engine": "cloud", "run": {"t_end": "1 Myr", "dt_factor": 0.01, "dt_min": "0.1 yr"},
        "grid": {"z_max": z_max, "n_cells": n_cells}, "phase": {"preset": phase},
        "source": {"a": f"{a_pc} pc", "alpha": 2.2}, "cr": {"energies": [f"{e} GeV" for e in energies]},
        "waves": {"wave_energy": "total"}})


def fig_cloud_halflife():
    """t_1/2(E), release radius solved per energy (HISM, CNM) vs one fixed radius; CNM evanescent band shaded."""
    from crescape.core import constants as C
    from crescape.engines.cloud.analysis import half_life_scan

    E = np.array([10.0, 31.6, 100.0, 316.0, 1000.0])
    fig, a = plt.subplots(figsize=(6.2, 4.2))
    out = {}
    for i, (ph, a_fix, zmax, brk) in enumerate((("HISM", 55.0, "1.5 kpc", (5.0, 150.0)),
                                                 ("CNM", 4.0, "300 pc", (0.3, 40.0)))):
        deck = _cloud_deck(ph, [10.0], a_fix, zmax, 1200)
        per = half_life_scan(deck, E * C.GeV, "per_energy", (brk[0] * C.pc, brk[1] * C.pc))
        fix = half_life_scan(deck, E * C.GeV, "fixed")
        c = f"C{3 * i}"
        a.loglog(E, per["t_half"] / C.kyr, "o-", color=c, label=f"{ph}: a(E) solved per energy")
        a.loglog(E, fix["t_half"] / C.kyr, "--", color=c, lw=1, label=f"{ph}: one radius a = {a_fix:g} pc")
        a.loglog(E, fix["t_free"] / C.kyr, ":", color=c, lw=1)
        for k, e in enumerate(E):
            out[f"{ph}_{e:g}GeV_per_energy_kyr"] = per["t_half"][k] / C.kyr
            out[f"{ph}_{e:g}GeV_a_pc"] = per["a"][k] / C.pc
            out[f"{ph}_{e:g}GeV_fixed_kyr"] = fix["t_half"][k] / C.kyr
        if per["band"]:
            lo, hi = (b / C.GeV for b in per["band"])
            a.axvspan(lo, hi, color=c, alpha=0.1, label=f"{ph} evanescent band {lo:.3g}–{hi:.3g} GeV: κ = κ0")
            out[f"{ph}_band_GeV"] = [lo, hi]
    ratios = {}
    for ph, e, apc, pub, ref in HALF_LIFE_CASES:
        c = "C0" if ph == "HISM" else "C3"
        a.plot([e], [pub], "s", mfc="none", color=c, ms=8)
        a.plot([e, e], [pub / 2, pub * 2], "-", color=c, lw=3, alpha=0.25)
        got = out.get(f"{ph}_{e:g}GeV_per_energy_kyr")
        if got is not None:
            ratios[f"{ph}_{e:g}GeV"] = got / pub
    a.plot([], [], "ks", mfc="none", label="published (Nava+19, Brahimi+20), bar ×2")
    a.plot([], [], "k:", lw=1, label="free escape a²/(κ0 X²), X = 1.0397 (fixed a)")
    a.set_xlabel("E [GeV]")
    a.set_ylabel("t_1/2 [kyr]")
    a.legend(fontsize=6)
    worst = max(max(r, 1 / r) for r in ratios.values() if np.isfinite(r))
    a.set_title(f"Cloud half-lives, a(E) per energy: worst factor vs literature {worst:.2f} (bar 2; 1200 cells)\n"
                "in the CNM band no release radius exists: t_1/2 < t_SNR at every a (escape at once)", fontsize=8)
    save(fig, "cloud_halflife", worst_factor=worst, **{f"ratio_{k}": v for k, v in ratios.items()}, **out)


# ----------------------------------------------------------------------------- CR module of CR-hydro
def fig_cr_diffusion():
    """Pure CR diffusion (v = 0): spherical top-hat Green's function per momentum bin."""
    from crescape.core.constants import Myr, pc

    m, h = tmod("test_crtransport"), cr_helpers()
    deck = h.cr_deck(r_max="200 pc", n_cells=400, cr={"init_E": 1e50, "init_r0": "5 pc", "D0": 1e27, "p_max": 10.0})
    grid, mod, s = h.build(deck)
    n0 = mod.n[0].copy()
    t_end, nst = 0.1 * Myr, 400
    for _ in range(nst):
        mod.step(s, t_end / nst)
    fig, a = plt.subplots(figsize=(5.5, 3.6))
    worst = 0.0
    for i, j in enumerate(range(0, mod.M, 8)):
        exact = m.tophat_green(grid.rc, 5 * pc, mod.Dface[0, j] * t_end)
        num = mod.n[:, j] / n0[j]
        msk = exact > 1e-2 * exact.max()
        worst = max(worst, np.max(np.abs(num[msk] - exact[msk])) / exact.max())
        a.semilogy(grid.rc / pc, exact, "k-", lw=1)
        a.semilogy(grid.rc[::6] / pc, num[::6], "o", ms=2.5, color=f"C{i}", label=f"p = {mod.p_c[j]:.2g} m_p c")
    for j in range(mod.M):  # every bin, not only the plotted ones
        exact = m.tophat_green(grid.rc, 5 * pc, mod.Dface[0, j] * t_end)
        msk = exact > 1e-2 * exact.max()
        worst = max(worst, np.max(np.abs(mod.n[msk, j] / n0[j] - exact[msk])) / exact.max())
    a.set_ylim(1e-4, 2)
    a.set_xlim(0, 120)
    a.set_xlabel("r [pc]")
    a.set_ylabel("N(r, p) / N0(p)")
    a.legend(fontsize=7)
    a.set_title(f"CR diffusion, D ∝ p^(1/3), 0.1 Myr: max error {worst:.1e} of peak, all {mod.M} bins (bar 1 %)",
                fontsize=8)
    save(fig, "cr_diffusion_green", max_error=worst, n_bins=mod.M)


def fig_cr_adiabatic():
    """Uniform compression / expansion (∇·v = ∓α): N ∝ p^-2.3 shifts as p ∝ ρ^(1/3)."""
    h = cr_helpers()
    fig, a = plt.subplots(figsize=(5.5, 3.6))
    out = {}
    for sign, c in ((1, "C3"), (-1, "C0")):
        deck = h.cr_deck(geometry="planar", r_max=1.0, n_cells=100,
                         cr={"init_E": 1.0, "init_r0": 1.0, "D0": 1e-30, "outer_bc": "zero_gradient"})
        grid, mod, s = h.build(deck)
        s.set_velocity(-sign * grid.rc)
        N0 = mod.N_cr()[10].copy()
        X = 2.0**sign
        for _ in range(400):
            mod.step(s, np.log(2.0) / 400)
        p = mod.p_c
        exact = N0 * X ** (1 + 1.3 / 3)  # N(p) = X N0(p X^-1/3) X^-1/3 ... for N0 ∝ p^-2.3
        ratio = mod.N_cr()[10] / exact
        inner = slice(8, -5)
        err = float(np.max(np.abs(ratio[inner] - 1)))
        out["compression_error" if sign > 0 else "expansion_error"] = err
        lab = "compression ×2" if sign > 0 else "expansion ×1/2"
        a.loglog(p, N0 * p**2.3, "k:", lw=1)
        a.loglog(p, exact * p**2.3, "k-", lw=1)
        a.loglog(p[::2], mod.N_cr()[10][::2] * p[::2] ** 2.3, "o", ms=3, color=c, label=f"{lab}: err {err:.1e}")
    a.set_xlabel("p / m_p c")
    a.set_ylabel("p^2.3 N")
    a.legend(fontsize=8, title="dotted: initial, solid: exact", title_fontsize=7)
    a.set_title("Adiabatic shift p ∝ ρ^(1/3) of N ∝ p^-2.3 (bar 1e-3 away from p-edges)", fontsize=9)
    save(fig, "cr_adiabatic", **out)


def fig_cr_coulomb():
    """Coulomb + ionisation losses alone vs characteristics of dp/dt (scipy ODE)."""
    from crescape.core.constants import c, m_p
    from crescape.physics import losses

    m, h = tmod("test_crtransport"), cr_helpers()
    deck = h.cr_deck(geometry="planar", r_max=1.0, n_cells=4,
                     cr={"init_E": 1e-20, "init_r0": 1.0, "D0": 1e-30, "coulomb": True,
                         "p_min": 10**-1.5, "p_max": 10.0, "bins_per_decade": 20})
    grid, mod, s = h.build(deck, rho=m_p, T=1e4)
    N0 = mod.N_cr()[0].copy()
    T, nst = 3e13, 100
    for _ in range(nst):
        mod.step(s, T / nst)

    def pdot(_t, p):
        return losses.momentum_loss_rate(p, 1.0, 1e4, 0.1) / (m_p * c)

    exact = m._characteristic_solution(mod.p_c, T, pdot, lambda p0: N0[0] * (p0 / mod.p_c[0]) ** -2.3)
    ratio = mod.N_cr()[0] / exact
    err = float(np.max(np.abs(ratio[1:] - 1)))
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    p = mod.p_c
    ax[0].loglog(p, N0, "k:", lw=1, label="initial ∝ p^-2.3")
    ax[0].loglog(p, exact, "k-", lw=1, label="characteristics (ODE)")
    ax[0].loglog(p, mod.N_cr()[0], "o", ms=3, color="C3", label="implicit upwind in ln p")
    ax[0].set_xlabel("p / m_p c")
    ax[0].set_ylabel("N")
    ax[0].legend(fontsize=7)
    ax[1].semilogx(p[1:], ratio[1:] - 1, "C0o-", ms=3)
    ax[1].set_xlabel("p / m_p c")
    ax[1].set_ylabel("N / N_exact − 1")
    fig.suptitle(f"Coulomb + ionisation losses (n = 1, T = 1e4 K, x_e = 0.1, 1 Myr): max error {err:.1e} "
                 "(bar 1 %)", fontsize=9)
    save(fig, "cr_coulomb_losses", max_error=err)


def fig_cr_escape_budget():
    """Absorbing outer boundary: CRs in the box + escaped = injected, per momentum bin."""
    from crescape.core.constants import Myr

    h = cr_helpers()
    deck = h.cr_deck(r_max="30 pc", n_cells=60, cr={"init_E": 1e50, "init_r0": "5 pc", "D0": 1e28})
    grid, mod, s = h.build(deck)
    N_inj = grid.V @ mod.n
    ts, box, esc = [0.0], [N_inj.copy()], [np.zeros_like(N_inj)]
    for t0, t1 in zip(np.r_[0.0, np.geomspace(1e-4, 1.0, 60)][:-1], np.geomspace(1e-4, 1.0, 60)):
        mod.step(s, (t1 - t0) * Myr)  # implicit diffusion: any step is stable
        ts.append(t1)
        box.append(grid.V @ mod.n)
        esc.append(mod.esc.copy())
    box, esc = np.array(box), np.array(esc)
    err = float(np.max(np.abs((box + esc) / N_inj - 1)))
    fig, a = plt.subplots(figsize=(5.5, 3.6))
    for i, j in enumerate((0, mod.M // 2, mod.M - 1)):
        a.plot(ts, box[:, j] / N_inj[j], "-", color=f"C{i}", label=f"in box, p = {mod.p_c[j]:.2g}")
        a.plot(ts, esc[:, j] / N_inj[j], "--", color=f"C{i}", label="escaped")
        a.plot(ts, (box[:, j] + esc[:, j]) / N_inj[j], ":", color="k", lw=1)
    a.set_xscale("log")
    a.set_xlim(1e-4, 1)
    a.set_xlabel("t [Myr]")
    a.set_ylabel("number / injected (dotted: sum)")
    a.legend(fontsize=7, ncol=2)
    a.set_title(f"CR escape, absorbing boundary at 30 pc, D0 = 1e28, 60 cells:\n"
                f"max |box + escaped − injected| / injected = {err:.1e} (bar 1e-10)", fontsize=9)
    save(fig, "cr_escape_budget", max_rel_error=err)


# ----------------------------------------------------------------------------- SDE engine and flows
def fig_sde_msd():
    """Free diffusion of pseudo-particles: ⟨x²⟩ = 2κt (planar), ⟨r²⟩ = 6κt (3-D radial)."""
    from crescape.config import load_config
    from crescape.engines.sde import simulate

    kappa, N = 0.7, 20000
    times = [0.1, 0.25, 0.5, 0.75, 1.0]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    out = {}
    for i, (geom, dim) in enumerate((("planar", 1), ("spherical", 3))):
        d = load_config({"engine": "sde", "units": "code", "grid": {"geometry": geom}, "diffusion": {"kappa": kappa},
                         "run": {"t_end": 1.0, "dt": 0.01, "seed": 7},
                         "injection": {"n_particles": N, "where": "point", "x0": 0.0},
                         "output": {"particles": True, "times": times, "initial": False}})
        _, res, _ = simulate(d, warn=False)
        x = res.particles["x"]
        msd = np.mean(x**2, axis=1)
        want = 2 * dim * kappa * np.array(times)
        sig = 2 * kappa * np.array(times) * np.sqrt(2 * dim) / np.sqrt(N)
        nsig = float(np.max(np.abs(msd - want) / sig))
        out[f"{geom}_max_sigma"] = nsig
        ax[0].errorbar(times, msd, yerr=sig, fmt="o", color=f"C{i}", ms=4, label=f"{geom}: {nsig:.1f} σ max")
        ax[0].plot(times, want, "k-", lw=1)
        if geom == "planar":
            xx = np.linspace(-4, 4, 200)
            ax[1].hist(x[-1], bins=60, density=True, histtype="step", color="C0", label="particles, t = 1")
            ax[1].plot(xx, np.exp(-xx**2 / (4 * kappa)) / np.sqrt(4 * np.pi * kappa), "k-", lw=1, label="Gaussian")
    ax[0].set_xlabel("t")
    ax[0].set_ylabel("⟨x²⟩ (planar), ⟨r²⟩ (radial)")
    ax[0].legend(fontsize=8)
    ax[1].set_xlabel("x")
    ax[1].set_ylabel("pdf")
    ax[1].legend(fontsize=8)
    fig.suptitle(f"SDE free diffusion, κ = {kappa}, 2e4 particles: ⟨x²⟩ = 2κt, ⟨r²⟩ = 6κt (bar 3 σ)",
                 fontsize=10)
    save(fig, "sde_mean_square_displacement", **out)


def fig_sde_dsa():
    """Stationary planar shock, continuous injection: f ∝ p^-q at the shock, q = 3r/(r−1)."""
    from crescape.engines.sde import simulate
    from crescape.engines.sde.observers import fit_slope
    from crescape.physics.shocks import dsa_slope

    m = tmod("test_sde_shock")
    fig, a = plt.subplots(figsize=(5.8, 3.8))
    out = {}
    from crescape.engines.sde.observers import batch_error

    for i, (r, tol) in enumerate(((4.0, 0.05), (2.5, 0.08))):
        # the set-up of tests/test_sde_shock.py: a burst summed over 240 snapshots in 0 < x < 0.05
        d = m.shock_deck(r=r, n=2400, T=24.0, integrate=False, times=list(np.arange(1, 241) * 0.1),
                         width=0.002, dt=0.0005)
        d.output.observers[0].hi = 0.05
        s, res, _ = simulate(d, warn=False)
        pc = np.sqrt(s.p_edges[1:] * s.p_edges[:-1])
        f = res.S1[:, 0].sum(0) / pc**3
        fe = np.sqrt((batch_error(res.S1, res.Sb2, res.n_blocks)[:, 0] ** 2).sum(0)) / pc**3
        q, se = fit_slope(pc, f, fe, 2.0, 200.0)
        qx = dsa_slope(r)
        out[f"q_r{r:g}"] = -q
        out[f"q_r{r:g}_err"] = se
        norm = np.interp(10.0, pc, f * pc**qx)
        ok = f > 0
        a.errorbar(pc[ok], (f * pc**qx)[ok] / norm, yerr=(fe * pc**qx)[ok] / norm, fmt="o", ms=3, color=f"C{i}",
                   label=f"r = {r:g}: q = {-q:.3f} ± {se:.3f} (exact {qx:g}, bar ± {tol})")
    a.axvspan(2, 200, color="grey", alpha=0.1)
    a.axhline(1.0, color="k", lw=1)
    a.set_xscale("log")
    a.set_yscale("log")
    a.set_ylim(0.1, 10)
    a.set_xlabel("p / p0")
    a.set_ylabel("p^q f(p) (normalised at p = 10)")
    a.legend(fontsize=7)
    a.set_title("DSA at a tanh shock (w = 0.002, κ = 0.1, Δt = 5e-4, 2400 particles)\nshaded: fit range", fontsize=8)
    save(fig, "sde_dsa_slopes", **out)


def fig_sde_vs_grid():
    """SDE engine vs the grid CR transport (crtransport kernels, flow imposed) on one burst at a tanh shock."""
    m = tmod("test_sde_vs_grid_transport")
    n = 20000
    H = m.grid_solution()
    H_err = np.abs(H - m.grid_solution(dx=0.08, dt=0.01, refine=m.REFINE // 2))  # grid discretisation error
    B = m.sde_batches(n, 20)
    res, mean, _err = m.chi2_per_time(H, B, n_total=n, H_err=H_err, binomial=True)
    xc = 0.5 * (m.X_EDGES[1:] + m.X_EDGES[:-1])
    pe = m.P_LO * np.exp(m.DLNP * np.arange(m.N_P + 1))
    pc = np.sqrt(pe[1:] * pe[:-1])
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.6))
    out = {}
    for k, t in enumerate(m.TIMES):
        c2, nb, pv = res[k]
        out[f"chi2_t{t:g}"], out[f"bins_t{t:g}"], out[f"p_t{t:g}"] = c2, nb, pv
        ex, ep = mean[k].sum(1), np.sqrt((B[:, k].sum(2).std(0, ddof=1) ** 2) / B.shape[0])
        ax[0].plot(xc, H[k].sum(1), "-", color=f"C{k}", label=f"t = {t:g}: χ²/bins = {c2:.0f}/{nb}, p = {pv:.2f}")
        ax[0].errorbar(xc, ex, yerr=ep, fmt="o", ms=3, color=f"C{k}")
        py, pe_ = mean[k].sum(0), np.sqrt((B[:, k].sum(1).std(0, ddof=1) ** 2) / B.shape[0])
        ax[1].plot(pc, H[k].sum(0), "-", color=f"C{k}")
        ax[1].errorbar(pc, py, yerr=pe_, fmt="o", ms=3, color=f"C{k}")
    ax[0].set_xlabel("x (shock at 0, upstream x < 0)")
    ax[0].set_ylabel("particles per unit x bin (all p)")
    ax[0].legend(fontsize=7, title="lines: grid; points: SDE (batch means)", title_fontsize=7)
    ax[1].set_xscale("log")
    ax[1].set_yscale("log")
    ax[1].set_ylim(1e-5, 1.0)
    ax[1].set_xlabel("p / p0")
    ax[1].set_ylabel("particles per ln-p bin (all x)")
    fig.suptitle("Burst at a tanh shock (u1 = 1, r = 4, w = 0.5, κ = 1): two independent solvers; χ² over the "
                 "(x, p) bins (binomial ⊕ grid errors)", fontsize=9)
    save(fig, "sde_vs_grid", **out)


def fig_sde_dsa_time():
    """Time-dependent DSA at a planar shock: SDE vs the exact acceleration-time (Laplace) solution."""
    m = tmod("test_sde_time_dependent_dsa")
    st, pc, cont, burst, ex_c, ex_b = m.run_case(4000, 40.0, 16)
    pq = pc ** (m.Q - 3)
    fig, a = plt.subplots(figsize=(6, 4))
    out = {}
    for lab, S, ex, c in (("continuous injection, T = 40", cont, ex_c, "C0"),
                          ("burst, t = 20", burst[:, 0], ex_b[0], "C1"), ("burst, t = 40", burst[:, 1], ex_b[1], "C2")):
        c2, nb, pv, mm, ee, ok = m.compare(st, S, ex)
        key = lab.split(",")[0].split()[0] + lab.split("=")[1].strip()
        out[f"chi2_{key}"], out[f"bins_{key}"], out[f"p_{key}"] = c2, nb, pv
        a.plot(pc, ex * pq, "-", color=c, label=f"{lab}: χ² = {c2:.0f}/{nb}, p = {pv:.2f}")
        a.errorbar(pc[ok], (mm * pq)[ok], yerr=(ee * pq)[ok], fmt="o", ms=3, color=c)
    ph_s, ph_e = m.half_plateau_momentum(pc, cont.mean(0) * pq), m.half_plateau_momentum(pc, ex_c * pq)
    out["p_half_sde"], out["p_half_exact"] = ph_s, ph_e
    a.axvline(ph_e, color="C0", ls=":", lw=1)
    a.set_xscale("log")
    a.set_yscale("log")
    a.set_xlabel("p / p0")
    a.set_ylabel("p^(q−3) dN/dln p in [0, 1] downstream")
    a.legend(fontsize=7, title="lines: exact (Talbot inversion); points: SDE", title_fontsize=7)
    a.set_title(f"DSA cut-off vs time (u1 = 1, r = 4, κ = 1, w = 0.02, Δt = 0.005)\nhalf-plateau p "
                f"{ph_s:.2f} (SDE) vs {ph_e:.2f} (exact)", fontsize=8)
    save(fig, "sde_dsa_time", **out)


def fig_sde_dsa_losses():
    """DSA with synchrotron losses (constant κ): electrons/protons vs the exact steady solution."""
    m = tmod("test_sde_electrons")
    fig, a = plt.subplots(figsize=(6, 4))
    out = {}
    for (dt, w), c in (((5e-4, 1e-3), "C0"), ((1e-3, 4e-3), "C3")):
        r = m.losses_case(4000, dt, w)
        ok = r["ok"]
        tag = "w1e-3" if w == 1e-3 else "w4e-3"
        out[f"chi2_{tag}"], out[f"bins_{tag}"] = r["chi2"], r["bins"]
        out[f"cut_{tag}"], out[f"cut_err_{tag}"], out[f"cut_exact_{tag}"] = r["cut"], r["cut_err"], r["cut_exact"]
        a.errorbar(r["p"][ok], r["ratio"][ok], yerr=r["err"][ok], fmt="o", ms=3, color=c,
                   label=f"SDE, w = {w:g}, Δt = {dt:g}: χ² = {r['chi2']:.0f}/{r['bins']}, "
                         f"60 < p < 250: {r['cut'] / r['cut_exact'] - 1:+.1%} ± {r['cut_err'] / r['cut_exact']:.1%}")
    a.plot(r["p"][ok], r["exact"][ok], "k-", label="exact (Laplace in 1/p, Talbot)")
    a.axvline(1.0 / (m.B_LOSS * 3.0 / 0.75 * (0.1 + 0.4)), color="0.5", ls=":", lw=1, label="1/(b t_acc)")
    a.set_xscale("log")
    a.set_xlabel("p / p0")
    a.set_ylabel("f_electron / f_proton in [0, 0.05] downstream")
    a.legend(fontsize=7)
    a.set_title("DSA with losses dP/dt = −bP², r = 4, κ = 0.1, b = 0.005 (4000 particles, splitting)", fontsize=8)
    save(fig, "sde_dsa_losses", **out)


def fig_sde_sedov():
    """DSA at a Sedov–Taylor shock: planar slope for small κ/(RV), steepening as seed 003 eq. 10."""
    from crescape.physics.shocks import spherical_slope

    m = tmod("test_sde_sedov")
    eps = [0.002, 0.005, 0.01]
    res = [m.sedov_slope(e) for e in eps]
    fig, a = plt.subplots(figsize=(5.5, 3.6))
    a.errorbar(eps, [q for q, _, _ in res], yerr=[se for _, se, _ in res], fmt="o", color="C3",
               label="SDE, 1000 particles, t = 2")
    R1 = 1.15167 * 2.0**0.4
    V1 = 0.4 * R1 / 2.0
    ee = np.geomspace(1.5e-3, 1.3e-2, 60)
    a.semilogx(ee, [spherical_slope(4.0, V1, R1, e * R1 * V1, div_down=3.0 * V1 / R1) for e in ee], "k-", lw=1,
               label="seed 003 eq. 10 (Drury 1983)")
    a.axhline(4.0, color="grey", ls=":", lw=1, label="planar q = 4")
    a.set_xlabel("κ / (R V)")
    a.set_ylabel("q (f ∝ p^-q at the shock, 1.5 < p < 20)")
    a.legend(fontsize=8)
    pulls = [(q - pr) / se for q, se, pr in res]
    a.set_title(f"Sedov DSA: q = {res[0][0]:.2f} ± {res[0][1]:.2f} … {res[-1][0]:.2f} ± {res[-1][1]:.2f}; "
                f"max |q − eq.10| = {max(abs(x) for x in pulls):.1f} σ (bar 3 σ)", fontsize=9)
    out = {f"q_eps{e:g}": q for e, (q, _, _) in zip(eps, res)}
    out.update({f"q_eps{e:g}_err": se for e, (_, se, _) in zip(eps, res)})
    out.update({f"pred_eps{e:g}": pr for e, (_, _, pr) in zip(eps, res)})
    save(fig, "sde_sedov_slopes", **out)


def fig_riemann_toro():
    """Exact Riemann solver (flows/riemann.py) on Toro's tests 1–5 vs Table 4.2 star states."""
    from crescape.flows.riemann import State, solve_riemann

    cases = tmod("test_riemann_exact").TORO
    tend = [0.25, 0.15, 0.012, 0.035, 0.035]  # Toro (2009) Table 4.1 output times
    fig, ax = plt.subplots(1, 5, figsize=(13, 3.0))
    worst = 0.0
    for k, (a, (L, R, ps, us, rl, rr)) in enumerate(zip(ax, cases)):
        sol = solve_riemann(State(*L), State(*R), 1.4)
        for got, want in ((sol.p_star, ps), (sol.u_star, us), (sol.rho_star_left, rl), (sol.rho_star_right, rr)):
            last_digit = 10.0 ** -len(repr(want).split(".")[1])  # Toro prints 5-6 digits
            worst = max(worst, abs(got - want) / max(last_digit, 5e-6 * abs(want)))
        x = np.linspace(0, 1, 1000)
        rho, u, p = sol.sample((x - 0.5) / tend[k])
        a.plot(x, rho, "k-", lw=1)
        a.axhline(rl, color="C0", ls=":", lw=1)
        a.axhline(rr, color="C3", ls=":", lw=1)
        a.set_title(f"test {k + 1}: p* = {sol.p_star:.6g}\n(Toro {ps:g})", fontsize=8)
        a.set_xlabel("x")
    ax[0].set_ylabel("ρ (dotted: Toro ρ*L, ρ*R)")
    fig.suptitle("Exact Riemann solver vs Toro (2009) Table 4.2 (p*, u*, ρ*L, ρ*R): max |Δ| = "
                 f"{worst:.2f} × max(last printed digit, 5e-6 rel.)", fontsize=10)
    save(fig, "riemann_toro", max_diff_over_tolerance=worst)


def fig_cr_shock_tube():
    """CR shock tube (Pfrommer et al. 2006): spectral CRs vs the exact two-fluid Riemann solution."""
    from crescape.physics.cr_riemann import sample, solve_two_fluid

    m = tmod("test_cr_shock_tube")
    sol = solve_two_fluid(m.LEFT, m.RIGHT)
    fig, axs = plt.subplots(2, 2, figsize=(8, 5.2), sharex=True)
    xe = np.linspace(0, 1, 2001)
    names = ("ρ [g cm⁻³]", "v [cm s⁻¹]", "P_th [erg cm⁻³]", "P_cr [erg cm⁻³]")
    L1s = {}
    for N, mk in ((200, "s"), (800, "o")):
        L1, post, _left, s = m.errors(N)
        L1s[N] = L1
        _s, num = s, None
        rho, v, P, _T = s.primitives()
        num = (rho, v, P, s.modules[0].pressure())
        for a, q in zip(axs.flat, num):
            a.plot(s.grid.rc, q, mk, ms=1.8 if N == 800 else 2.5, mfc="none" if N == 200 else None,
                   label=f"crescape, {N} cells")
        t = s.t
    ex = sample(sol, xe, t, 0.5)
    for a, q, nm in zip(axs.flat, ex, names):
        a.plot(xe, q, "k-", lw=1, label="exact two-fluid")
        a.set_ylabel(nm)
    for a in axs[1]:
        a.set_xlabel("x [cm]")
    axs[0, 0].legend(fontsize=7)
    order = 0.5 * np.log2(L1s[200] / L1s[800])
    axs[0, 0].set_title(f"L1(800) ρ {L1s[800][0]:.1e}, v {L1s[800][1]:.1e}, P_th {L1s[800][2]:.1e}, "
                        f"P_cr {L1s[800][3]:.1e}", fontsize=8)
    axs[0, 1].set_title(f"order 200→800: {', '.join(f'{o:.2f}' for o in order)}; post-shock P_cr {100 * post[3]:+.2f} %",
                        fontsize=8)
    save(fig, "cr_shock_tube", L1_rho_800=L1s[800][0], L1_v_800=L1s[800][1], L1_Pth_800=L1s[800][2],
         L1_Pcr_800=L1s[800][3], order_min=float(order.min()), post_shock_Pcr_800=float(post[3]))


FIGURES = {
    "sod": fig_sod, "sedov": fig_sedov, "thermal": fig_thermal_equilibrium, "cooling": fig_isochoric_cooling,
    "conduction": fig_conduction_green, "zeldovich": fig_zeldovich,
    "cloud_erf": fig_cloud_erf, "cloud_damping": fig_cloud_damping, "cloud_halflife": fig_cloud_halflife,
    "cr_diffusion": fig_cr_diffusion, "cr_adiabatic": fig_cr_adiabatic, "cr_coulomb": fig_cr_coulomb,
    "cr_escape": fig_cr_escape_budget, "cr_shock_tube": fig_cr_shock_tube,
    "sde_msd": fig_sde_msd, "sde_dsa": fig_sde_dsa, "sde_sedov": fig_sde_sedov, "riemann": fig_riemann_toro,
    "sde_vs_grid": fig_sde_vs_grid, "sde_dsa_time": fig_sde_dsa_time, "sde_dsa_losses": fig_sde_dsa_losses,
}


def main(argv):
    names = argv or list(FIGURES)
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        sys.exit(f"unknown figure(s) {unknown}; choose from {sorted(FIGURES)}")
    res_file = HERE / "results.json"
    if res_file.exists():
        RESULTS.update(json.loads(res_file.read_text()))
    failed, t_all = [], time.perf_counter()
    for n in names:
        t0, c0 = time.perf_counter(), time.process_time()
        print(f"[{n}] {FIGURES[n].__doc__.strip().splitlines()[0]}")
        try:
            FIGURES[n]()
        except Exception:  # one broken engine must not stop the gallery
            traceback.print_exc()
            failed.append(n)
        print(f"  {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU")
        res_file.write_text(json.dumps(RESULTS, indent=1, sort_keys=True) + "\n")
    print(f"gallery: {len(names) - len(failed)}/{len(names)} figures in {time.perf_counter() - t_all:.0f} s"
          + (f"; FAILED: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
