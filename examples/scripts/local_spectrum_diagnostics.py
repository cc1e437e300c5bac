"""Diagnostics of the seed-000 Fig. 11 local spectrum on a crescape CR-hydro run (issue 4).

Independent of crescape.analysis.local_spectrum: reads run.h5 with h5py, uses astropy
constants, and recomputes J = v N_E/(4π), the run's CR energy, per-source spectra and local
indices, and a pure-diffusion (no gas) exact solution for comparison.

    python examples/scripts/local_spectrum_diagnostics.py RUN [RUN ...]

Prints, per run: E_cr at t = 0 vs 1e50 erg; a hand J at (2.9 Myr, 41.2 pc, ~1 TeV);
per-source and summed local index -dlnJ/dlnε at 0.1, 0.3, 0.6, 1, 3, 10, 30 TeV; the ratio of
the Fig. 11 sum to CALET; N(r) at 2.9 Myr and N(41.2 pc, t) against pure diffusion.
"""
from __future__ import annotations

import sys

import h5py
import numpy as np
from astropy import constants as C
from astropy import units as U
from scipy.special import erf

MPC2 = (C.m_p * C.c**2).to_value(U.erg)            # m_p c² [erg]
CCGS = C.c.to_value(U.cm / U.s)
GEV = (1 * U.GeV).to_value(U.erg)
PC = (1 * U.pc).to_value(U.cm)
MYR = (1 * U.Myr).to_value(U.s)
FIG11 = [(1.2, 228.7), (2.9, 41.2), (6.6, 2.5)]    # (t_age [Myr], d [pc]) seed 000 Fig. 11
E_REPORT = [0.01, 0.03, 0.1, 0.3, 0.6, 1.0, 3.0, 10.0, 30.0]     # TeV


def load(run):
    with h5py.File(f"{run}/run.h5", "r") as f:
        g = f["snapshots"]
        return g["t"][:], g["r"][:], g["p"][:], g["N_cr"][:], g["n"][:], g["v"][:]


def ekin(p):
    return MPC2 * (np.sqrt(1 + p * p) - 1)             # erg


def J_hand(p, N):
    """J [m^-2 s^-1 sr^-1 GeV^-1] = v (dn/dε) / 4π with dn/dε = N / (dε/dp̃), dε/dp̃ = m_p c² β."""
    beta = p / np.sqrt(1 + p * p)
    dn_de = N / (MPC2 * beta)                          # cm^-3 erg^-1
    return beta * CCGS * dn_de / (4 * np.pi) * 1e4 * GEV


def spectrum_at(t, r, N, t_myr, d_pc):
    """N(p) at the snapshot nearest t (must be within 1 kyr), linear in r between centres."""
    i = int(np.argmin(abs(t / MYR - t_myr)))
    assert abs(t[i] / MYR - t_myr) < 1e-3, (t[i] / MYR, t_myr)
    d = d_pc * PC
    if d <= r[0]:
        return N[i, 0]
    j = np.searchsorted(r, d) - 1
    w = (d - r[j]) / (r[j + 1] - r[j])
    return (1 - w) * N[i, j] + w * N[i, j + 1]


def local_index(E, J, Eq):
    lE, lJ = np.log(E), np.log(np.maximum(J, 1e-300))
    s = -np.gradient(lJ, lE)
    return np.interp(np.log(Eq), lE, s)


def pure_diffusion(r, t, p, A, r0=5 * PC, D0=1e26, a=1 / 3):
    """Top hat N = A p^-2.3 (r <= r0) diffusing with D = D0 p^a, infinite medium (Carslaw & Jaeger)."""
    L = np.sqrt(4 * D0 * p**a * t)
    x = np.where(r > 0, r, 1e-6 * r0)
    u = 0.5 * (erf((r0 + x) / L) + erf((r0 - x) / L)) - L / (2 * np.sqrt(np.pi) * x) * (
        np.exp(-((x - r0) / L) ** 2) - np.exp(-((x + r0) / L) ** 2))
    return A * p**-2.3 * u


def report(run):
    t, r, p, N, n, v = load(run)
    E = ekin(p)
    dlnp = np.log(p[1] / p[0])
    dr = np.diff(np.concatenate([[0.0], 0.5 * (r[1:] + r[:-1]), [r[-1] + 0.5 * (r[-1] - r[-2])]]))
    vol = 4 * np.pi / 3 * np.diff(np.concatenate([[0.0], np.cumsum(dr)]) ** 3)
    Ecr0 = np.sum(vol[:, None] * N[0] * E * p * dlnp)
    # analytic top hat: E_cr = (4/3)π r0³ A ∫ ε p^-2.3 dp over [p_min, p_max]
    pe = np.exp(np.linspace(np.log(10**-1.5), np.log(10**5.5), 20001))
    A = 1e50 / (4 / 3 * np.pi * (5 * PC) ** 3 * np.trapezoid(ekin(pe) * pe**-2.3, pe))
    print(f"== {run}")
    A_run = np.exp(np.interp(0.0, np.log(p), np.log(N[0, 0])))
    print(f"E_cr(t=0) from snapshot = {Ecr0:.4e} erg; A(run, r=0, p=1) = {A_run:.4e} vs analytic A = {A:.4e} cm^-3")
    Ns = [spectrum_at(t, r, N, ta, d) for ta, d in FIG11]
    Js = [J_hand(p, x) for x in Ns]
    EG = E / GEV
    k = int(np.argmin(abs(EG - 1000)))
    print(f"hand J(2.9 Myr, 41.2 pc, {EG[k]:.4g} GeV) = {Js[1][k]:.5e} /(m2 s sr GeV); N = {Ns[1][k]:.5e} cm^-3")
    Jsum = sum(Js)
    try:
        from crescape.analysis.crdata import load_dataset
        cal = load_dataset("calet_2022")
        ratio = cal.J / np.exp(np.interp(np.log(cal.E), np.log(EG), np.log(Jsum)))
        sel = [56, 100, 600, 1000, 10000, 30000]
        print("CALET/model:", " ".join(f"{e:g}GeV:{np.interp(np.log(e), np.log(cal.E), ratio):.2f}" for e in sel))
    except Exception as exc:  # noqa: BLE001
        print("no data:", exc)
    Eq = np.array(E_REPORT) * 1e3
    print("E [TeV]         " + " ".join(f"{e:6g}" for e in E_REPORT))
    for (ta, d), J in zip(FIG11, Js):
        print(f"idx {ta:3.1f} Myr {d:5.1f}pc " + " ".join(f"{s:6.3f}" for s in local_index(EG, J, Eq)))
    print("idx sum             " + " ".join(f"{s:6.3f}" for s in local_index(EG, Jsum, Eq)))
    Ja = [J_hand(p, pure_diffusion(np.array([d * PC]), ta * MYR, p, A)) for ta, d in FIG11]
    for (ta, d), J in zip(FIG11, Ja):
        print(f"pure {ta:3.1f} Myr {d:5.1f}pc" + " ".join(f"{s:6.3f}" for s in local_index(EG, J, Eq)))
    print("pure sum            " + " ".join(f"{s:6.3f}" for s in local_index(EG, sum(Ja), Eq)))
    for (ta, d), J in zip(FIG11, Js):
        frac = np.interp(np.log(Eq), np.log(EG), J / Jsum)
        print(f"frac {ta:3.1f} Myr          " + " ".join(f"{s:6.3f}" for s in frac))
    # run vs pure diffusion (no gas, no boundary)
    pq = [1.0, 1e2, 1e3, 1e4]
    iq = [int(np.argmin(abs(np.log(p / q)))) for q in pq]
    for ta, d in FIG11:
        i = int(np.argmin(abs(t / MYR - ta)))
        Nr = spectrum_at(t, r, N, ta, d)
        Na = pure_diffusion(np.array([d * PC]), ta * MYR, p, A)
        print(f"run/pure-diffusion at ({ta} Myr, {d} pc) p=" + " ".join(
            f"{p[j]:.3g}:{Nr[j] / Na[j]:.3f}" for j in iq))
    i29 = int(np.argmin(abs(t / MYR - 2.9)))
    for rr in [0.25, 10, 20, 41.2, 60, 100, 150, 200]:
        j = int(np.argmin(abs(r / PC - rr)))
        Na = pure_diffusion(np.array([r[j]]), t[i29], p, A)
        print(f"2.9 Myr r={r[j] / PC:6.1f} pc n={n[i29, j]:.3g} v={v[i29, j] / 1e5:+.2f} km/s  run/pure: " + " ".join(
            f"{N[i29, j, q] / Na[q]:.3f}" for q in iq))
    j41 = int(np.argmin(abs(r / PC - 41.2)))
    for tm in [0.5, 1.0, 1.5, 2.0, 2.5, 2.9, 4.0, 6.0, 6.6, 8.0]:
        i = int(np.argmin(abs(t / MYR - tm)))
        Na = pure_diffusion(np.array([r[j41]]), t[i], p, A)
        print(f"r=41.2pc t={t[i] / MYR:4.1f} Myr n={n[i, j41]:.3g}  run/pure: " + " ".join(
            f"{N[i, j41, q] / Na[q]:.3f}" for q in iq))


if __name__ == "__main__":
    for run in sys.argv[1:] or ["runs/D26_highp"]:
        report(run)


def scan_distance(run, t_myr=2.9, d_list=(5, 20, 41.2, 50, 60, 80, 100, 150, 200, 250), Eq=(0.1, 0.6, 3.0)):
    """Local index of one source at Eq [TeV] vs distance (where is the source hard at 0.1-3 TeV?)."""
    t, r, p, N, n, v = load(run)
    EG = ekin(p) / GEV
    i = int(np.argmin(abs(t / MYR - t_myr)))
    for d in d_list:
        j = int(np.argmin(abs(r / PC - d)))
        s = local_index(EG, J_hand(p, N[i, j]), np.array(Eq) * 1e3)
        print(f"t={t_myr} Myr d={r[j] / PC:6.1f} pc n={n[i, j]:.2g}: index at {Eq} TeV = " + " ".join(f"{x:.3f}" for x in s))


def scan_sum(run, d1s=np.arange(150, 300, 10), d2s=np.arange(5, 300, 5), d3s=(2.5,)):
    """Largest index drop idx(0.2 TeV) - idx(2 TeV) of the Fig. 11 sum over a grid of distances."""
    t, r, p, N, n, v = load(run)
    EG = ekin(p) / GEV
    best = (-9, None)
    for d1 in d1s:
        for d2 in d2s:
            for d3 in d3s:
                J = sum(J_hand(p, spectrum_at(t, r, N, ta, d)) for (ta, _), d in zip(FIG11, (d1, d2, d3)))
                s = local_index(EG, J, np.array([200.0, 2000.0]))
                if s[0] - s[1] > best[0]:
                    best = (s[0] - s[1], (d1, d2, d3), s)
    print(f"{run}: max idx(0.2 TeV) - idx(2 TeV) = {best[0]:.3f} at d = {best[1]} (idx {best[2][0]:.3f} -> {best[2][1]:.3f})")
