"""CR figures of CR-hydro runs in the style of seed 000 Figs. 1–10.

``FIGURES`` (merged into ``crescape plot RUN`` by :mod:`crescape.engines.crhydro.figures`) draws
one run; :func:`compare` overlays several runs (e.g. D0 = 1e26, 1e27, 1e28 as in Figs. 1, 2,
4, 10, or with/without streaming heating as in Fig. 6). Runs without CRs yield no figures.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ...analysis import escape as es  # noqa: E402
from ...analysis import spectra as sp  # noqa: E402
from ...core.constants import GeV, Myr, kyr, pc  # noqa: E402
from ...core.labels import time_label  # noqa: E402
from ...physics.losses import kinetic_energy  # noqa: E402
from . import analysis as ac  # noqa: E402

PAPER_TIMES = (0.5 * kyr, 10 * kyr, 1 * Myr)
STYLES = ("--", "-", ":", "-.")


def _has_cr(run):
    return run.snapshots is not None and "N_cr" in run.snapshots


def _times(run, wanted):
    """Snapshot times nearest to the paper's ``wanted`` times; a run shorter than all of them
    (t_end < 1 Myr) gets its last snapshot, so that every figure has at least one panel."""
    t = run.snapshots["t"].values
    return sorted({float(t[np.argmin(np.abs(t - w))]) for w in wanted if w <= t[-1] * 1.001}) or [float(t[-1])]


def _tlabel(t):
    return time_label(t)


def _save(fig, outdir, name, fmt):
    path = Path(outdir) / f"{name}.{fmt}"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return [path]


def _profile_fig(run, outdir, fmt, var, name, ylabel, times=PAPER_TIMES, scale=1.0, log=True):
    if not _has_cr(run):
        return []
    fig, ax = plt.subplots(figsize=(5.5, 4))
    r = run.snapshots["r"].values / pc
    for k, t in enumerate(_times(run, times)):
        y = ac.snapshot_at(run, t)[var].values * scale
        ax.plot(r, np.where(y > 0, y, np.nan) if log else y, STYLES[k % 4], label=_tlabel(t))
    ax.set_xlabel("r [pc]")
    ax.set_ylabel(ylabel)
    if log:
        _log_floor(ax)
    ax.legend()
    return _save(fig, outdir, name, fmt)


def _log_floor(ax, decades=8):
    """Log y axis showing the top ``decades`` decades of the plotted data."""
    ax.set_yscale("log")
    ymax = max((np.nanmax(line.get_ydata()) for line in ax.get_lines() if np.any(np.isfinite(line.get_ydata()))),
               default=1.0)
    ax.set_ylim(ymax * 10.0**-decades, ymax * 3)


def cr_pressure(run, outdir, fmt="png"):
    """Fig. 1: P_cr(r) at 0.5 kyr, 10 kyr, 1 Myr."""
    return _profile_fig(run, outdir, fmt, "P_cr", "fig1_cr_pressure", r"$P_{\rm cr}$ [erg cm$^{-3}$]")


def velocity(run, outdir, fmt="png"):
    """Fig. 2: v(r) [km/s] at 0.5 kyr, 10 kyr, 1 Myr."""
    return _profile_fig(run, outdir, fmt, "v", "fig2_velocity", "v [km s$^{-1}$]", scale=1e-5, log=False)


def energy_density_and_work(run, outdir, fmt="png"):
    """Fig. 3: ε p N at three momenta and −t v ∂r P_cr versus r at the paper's times."""
    if not _has_cr(run):
        return []
    p = run.snapshots["p"].values
    r = run.snapshots["r"].values / pc
    times = _times(run, PAPER_TIMES)
    fig, axes = plt.subplots(1, len(times), figsize=(4.2 * len(times), 3.8), squeeze=False)
    for ax, t in zip(axes[0], times):
        s = ac.snapshot_at(run, t)
        for pk in (0.1, 1.0, 10.0):
            j = int(np.argmin(np.abs(np.log(p / pk))))
            y = sp.differential_energy_density(p[j], s["N_cr"].values[:, j])
            ax.plot(r, np.where(y > 0, y, np.nan), label=f"εpN, p={p[j]:.2g} m$_p$c")
        w = ac.work_term(s, t)
        ax.plot(r, np.where(w > 0, w, np.nan), "k-", lw=0.8, label="−t v ∂P$_{cr}$ > 0")
        ax.plot(r, np.where(w < 0, -w, np.nan), "k:", lw=0.8, label="< 0 (|·|)")
        _log_floor(ax, decades=10)  # the work term falls to ~1e-280 far out: show the top decades
        ax.set_xlabel("r [pc]")
        ax.set_title(_tlabel(t))
    axes[0][0].set_ylabel("energy density [erg cm$^{-3}$]")
    axes[0][0].legend(fontsize=7)
    return _save(fig, outdir, "fig3_energy_density_work", fmt)


def _box_spectra(run, t):
    s = ac.snapshot_at(run, t)
    V = ac.volumes(run)
    p = run.snapshots["p"].values
    box = sp.volume_average(s["N_cr"].values, V)
    _, esc = es.escaped_number_spectrum(run, t)
    esc_avg = esc / V.sum()
    init = sp.volume_average(run.snapshots["N_cr"].values[0], V)
    return p, box, esc_avg, init


def cr_spectra(run, outdir, fmt="png"):
    """Fig. 4: volume-averaged ε p N in the box, of the escaped CRs, their sum, and the initial one."""
    if not _has_cr(run) or run.escaped is None:
        return []
    times = _times(run, (1 * Myr, 10 * Myr))
    fig, axes = plt.subplots(len(times), 1, figsize=(5.5, 3.6 * len(times)), squeeze=False)
    for ax, t in zip(axes[:, 0], times):
        p, box, esc, init = _box_spectra(run, t)
        E = kinetic_energy(p) / GeV
        f = kinetic_energy(p) * p
        ax.loglog(E, f * init, "k--", lw=0.8, label="initial")
        ax.loglog(E, f * box, "-", label="in box")
        ax.loglog(E, f * esc, ":", label="escaped")
        ax.loglog(E, f * (box + esc), "--", lw=2, label="sum")
        ax.set_ylim(bottom=1e-6 * np.nanmax(f * init))
        ax.set_xlabel("ε [GeV]")
        ax.set_ylabel("⟨ε p N⟩ [erg cm$^{-3}$]")
        ax.set_title(_tlabel(t))
        ax.legend(fontsize=8)
    return _save(fig, outdir, "fig4_cr_spectra", fmt)


def heating(run, outdir, fmt="png"):
    """Fig. 5: P_g, T, t q_alfven and t q_cond profiles."""
    if not _has_cr(run):
        return []
    times = _times(run, (10 * kyr, 100 * kyr, 1 * Myr))
    r = run.snapshots["r"].values / pc
    fig, axes = plt.subplots(1, len(times), figsize=(4.2 * len(times), 3.8), squeeze=False)
    for ax, t in zip(axes[0], times):
        s = ac.snapshot_at(run, t)
        qa, qc = ac.heating_terms(s, t)
        ax.semilogy(r, s["P_g"].values, "k-", label="P$_g$")
        ax.semilogy(r, np.where(qa > 0, qa, np.nan), "r-", label="t q$_{A}$ (Alfvén heating × t)")
        ax.semilogy(r, np.where(np.abs(qc) > 0, np.abs(qc), np.nan), "c-", label="t |q$_{cond}$| (conduction × t)")
        _log_floor(ax, decades=10)
        ax.set_ylabel("P$_g$, t q [erg cm$^{-3}$]")
        ax2 = ax.twinx()
        ax2.semilogy(r, s["T"].values, "k--", label="T (right axis)")
        ax2.set_ylabel("T [K]")
        ax.set_xlim(0, min(r[-1], 150))
        ax.set_xlabel("r [pc]")
        ax.set_title(_tlabel(t))
    handles = [h for a in (axes[0][0], axes[0][0].figure.axes[-1]) for h in a.get_legend_handles_labels()[0]]
    labels = [lab for a in (axes[0][0], axes[0][0].figure.axes[-1]) for lab in a.get_legend_handles_labels()[1]]
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))  # the legend sits below the panels, never on the curves
    path = Path(outdir) / f"fig5_heating.{fmt}"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return [path]


def temperature_density(run, outdir, fmt="png"):
    """Fig. 7: T and n profiles from 10 kyr to 1 Myr (close-up of the cavity edge and shock)."""
    if not _has_cr(run):
        return []
    times = _times(run, (10 * kyr, 100 * kyr, 300 * kyr, 1 * Myr))
    r = run.snapshots["r"].values / pc
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(5.5, 6), sharex=True)
    for t in times:
        s = ac.snapshot_at(run, t)
        a1.semilogy(r, s["T"].values, label=_tlabel(t))
        a2.semilogy(r, s["n"].values)
    a1.set_ylabel("T [K]")
    a2.set_ylabel("n [cm$^{-3}$]")
    a2.set_xlabel("r [pc]")
    a2.set_xlim(0, min(r[-1], 80))
    a1.legend(fontsize=8)
    return _save(fig, outdir, "fig7_temperature_density", fmt)


def pressure_density_late(run, outdir, fmt="png"):
    """Fig. 8: P_g and n from 1 to 10 Myr (back-flow)."""
    if not _has_cr(run):
        return []
    times = _times(run, (1 * Myr, 2 * Myr, 4 * Myr, 6 * Myr, 8 * Myr, 10 * Myr))
    r = run.snapshots["r"].values / pc
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(5.5, 6), sharex=True)
    for t in times:
        s = ac.snapshot_at(run, t)
        a1.semilogy(r, s["P_g"].values, label=_tlabel(t))
        a2.semilogy(r, s["n"].values)
    a1.set_ylabel("P$_g$ [erg cm$^{-3}$]")
    a2.set_ylabel("n [cm$^{-3}$]")
    a2.set_xlabel("r [pc]")
    a1.legend(fontsize=8)
    return _save(fig, outdir, "fig8_pressure_density_late", fmt)


def intensity_at_1pc(run, outdir, fmt="png", r0=1 * pc):
    """Fig. 9: CR intensity spectrum at r = 1 pc versus time."""
    if not _has_cr(run):
        return []
    s = run.snapshots
    t = s["t"].values
    wanted = [10 * kyr, 100 * kyr, 1 * Myr, 2 * Myr, 4 * Myr, 6 * Myr, 7 * Myr, 8 * Myr, 10 * Myr]
    pick = np.unique([int(np.argmin(np.abs(t - w))) for w in wanted if w <= t[-1] * 1.001])
    fig, ax = plt.subplots(figsize=(5.5, 4))
    cmap = plt.get_cmap("viridis")
    for k, i in enumerate(pick):
        N = sp.interpolate_radius(s["r"].values, s["N_cr"].values[i], r0)
        E, j = sp.intensity(s["p"].values, N)
        ax.loglog(E, np.where(j > 0, E**2 * j, np.nan), color=cmap(k / max(len(pick) - 1, 1)), label=_tlabel(t[i]))
    ax.set_xlabel("ε [GeV]")
    ax.set_ylabel("ε² j [GeV m$^{-2}$ s$^{-1}$ sr$^{-1}$]")
    ax.set_title(f"r = {r0 / pc:g} pc")
    ax.legend(fontsize=7)
    return _save(fig, outdir, "fig9_intensity_1pc", fmt)


def expelled_mass(run, outdir, fmt="png"):
    """Fig. 10: mass expelled from the 200 pc sphere and CR energy in the box versus time."""
    if not _has_cr(run):
        return []
    t, M = ac.expelled_mass(run)
    th, E = ac.cr_energy_in_box(run)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.loglog(t[1:] / Myr, np.where(M[1:] > 0, M[1:], np.nan), "-", label="M$_{ex}$(200 pc) [M$_\\odot$]")
    ax.axhline(1e3, color="k", ls=":", lw=0.8)
    ax.loglog(th[1:] / Myr, E[1:] / 1e47, "--", label="E$_{cr}$ in box [1e47 erg]")
    ax.set_xlabel("t [Myr]")
    ax.set_ylabel(r"M$_{ex}$ [M$_\odot$], E$_{cr}$ [10$^{47}$ erg]")
    ax.legend(fontsize=8)
    return _save(fig, outdir, "fig10_expelled_mass", fmt)


FIGURES = {  # figure name = file name (without extension), as `crescape plot --figure` takes it
    "fig1_cr_pressure": cr_pressure,
    "fig2_velocity": velocity,
    "fig3_energy_density_work": energy_density_and_work,
    "fig4_cr_spectra": cr_spectra,
    "fig5_heating": heating,
    "fig7_temperature_density": temperature_density,
    "fig8_pressure_density_late": pressure_density_late,
    "fig9_intensity_1pc": intensity_at_1pc,
    "fig10_expelled_mass": expelled_mass,
}


def compare(runs: dict, outdir, fmt="png") -> list[Path]:
    """Overlay runs ``{label: run}``: P_cr and v at the paper's times (Figs. 1, 2), spectra at
    1 and 10 Myr (Fig. 4), T profiles (Fig. 6) and expelled mass / E_cr(t) (Fig. 10)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    colours = ("tab:red", "tab:orange", "tab:blue", "tab:green", "tab:purple")
    files = []
    for var, name, ylabel, scale, log in (("P_cr", "cmp_fig1_cr_pressure", "P$_{cr}$ [erg cm$^{-3}$]", 1.0, True),
                                          ("v", "cmp_fig2_velocity", "v [km s$^{-1}$]", 1e-5, False),
                                          ("T", "cmp_fig6_temperature", "T [K]", 1.0, True)):
        fig, ax = plt.subplots(figsize=(5.5, 4))
        for c, (lab, run) in zip(colours, runs.items()):
            r = run.snapshots["r"].values / pc
            for k, t in enumerate(_times(run, PAPER_TIMES)):
                y = ac.snapshot_at(run, t)[var].values * scale
                ax.plot(r, np.where(y > 0, y, np.nan) if log else y, STYLES[k % 4], color=c,
                        label=f"{lab} {_tlabel(t)}")
        if log:
            _log_floor(ax)
        ax.set_xlabel("r [pc]")
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=6)
        files += _save(fig, outdir, name, fmt)
    fig, axes = plt.subplots(2, 1, figsize=(5.5, 7))
    for c, (lab, run) in zip(colours, runs.items()):
        for ax, t in zip(axes, (1 * Myr, 10 * Myr)):
            p, box, esc, init = _box_spectra(run, t)
            E = kinetic_energy(p) / GeV
            f = kinetic_energy(p) * p
            ax.loglog(E, f * box, "-", color=c, label=f"{lab} box")
            ax.loglog(E, f * esc, ":", color=c)
            ax.loglog(E, f * (box + esc), "--", color=c, lw=2)
            ax.loglog(E, f * init, "k--", lw=0.6)
            ax.set_ylim(bottom=1e-6 * np.nanmax(f * init))
            ax.set_title(_tlabel(t))
            ax.set_xlabel("ε [GeV]")
    axes[0].legend(fontsize=7)
    files += _save(fig, outdir, "cmp_fig4_cr_spectra", fmt)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for c, (lab, run) in zip(colours, runs.items()):
        t, M = ac.expelled_mass(run)
        th, E = ac.cr_energy_in_box(run)
        ax.loglog(t[1:] / Myr, np.where(M[1:] > 0, M[1:], np.nan), "-", color=c, label=f"{lab} M$_{{ex}}$ [M$_\\odot$]")
        ax.loglog(th[1:] / Myr, E[1:] / 1e47, "--", color=c)
    ax.axhline(1e3, color="k", ls=":", lw=0.8)
    ax.set_xlabel("t [Myr]")
    ax.set_title("solid: M$_{ex}$(200 pc); dashed: E$_{cr}$ in box [1e47 erg]", fontsize=8)
    ax.legend(fontsize=7)
    files += _save(fig, outdir, "cmp_fig10_expelled_mass", fmt)
    return files
