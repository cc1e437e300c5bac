"""Figures of CR-hydro runs: gas profiles at the snapshot times and the history (budgets).

``plot(run, outdir, figure=None, fmt="png")`` draws every figure in :data:`FIGURES` (or
the one named ``figure``). CR figures from ``crescape.engines.crhydro.figures_cr`` are merged in
when that module exists.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ...core.constants import kyr, pc  # noqa: E402
from ...core.labels import time_label, time_labels  # noqa: E402
from ...errors import FigureNameError  # noqa: E402
from . import figures_cr  # noqa: E402

# (variable, label, log axis)
PROFILE_VARS = [
    ("n", r"$n$ [cm$^{-3}$]", True),
    ("v", r"$v$ [km s$^{-1}$]", False),
    ("T", r"$T$ [K]", True),
    ("P_g", r"$P_g$ [erg cm$^{-3}$]", True),
]


def _length_unit(r_max: float):
    return (pc, "pc") if r_max > 0.1 * pc else (1.0, "cm")


def _time_label(t: float) -> str:
    return time_label(t) if t > 0.1 * kyr else f"t = {t:.3g} s"


def _positive_log(ax, y):
    y = np.asarray(y)
    if np.all(y > 0) and y.max() / y.min() > 30:
        ax.set_yscale("log")


def gas_profiles(run, outdir: Path, fmt: str = "png") -> list[Path]:
    """n, v, T, P_g versus r at every snapshot time (one curve per time)."""
    s = run.snapshots
    if s is None or "rho" not in s:
        return []
    r = s["r"].values
    fac, unit = _length_unit(float(r.max()))
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    cmap = plt.get_cmap("viridis")
    nt = s.sizes["t"]
    tl = time_labels(s["t"].values) if float(s["t"].values.max()) > 0.1 * kyr else [_time_label(t) for t in s["t"].values]
    for ax, (name, label, logy) in zip(axes.ravel(), PROFILE_VARS):
        data = s[name].values
        scale = 1.0
        if name == "v":
            if np.nanmax(np.abs(data)) > 1e4:  # astrophysical run: km/s
                scale = 1e-5
            else:  # code units
                label = r"$v$ [cm s$^{-1}$]"
        for k in range(nt):
            ax.plot(r / fac, data[k] * scale, color=cmap(k / max(nt - 1, 1)), lw=1.2,
                    label=tl[k])
        ax.set_ylabel(label)
        if logy:
            _positive_log(ax, data)
    for ax in axes[1]:
        ax.set_xlabel(f"$r$ [{unit}]")
    axes[0, 0].legend(fontsize=7, ncol=2)
    fig.suptitle(f"gas profiles ({run.config.grid.geometry if run.config else ''})")
    fig.tight_layout()
    out = Path(outdir) / f"gas_profiles.{fmt}"
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return [out]


HEATING_TERMS = (("q_rad", "radiative (heating − cooling)"), ("q_cond", "conduction"),
                 ("q_alfven", "Alfvén-wave (streaming) heating"), ("q_coulomb", "Coulomb/ionisation heating"))


def heating_profiles(run, outdir: Path, fmt: str = "png") -> list[Path]:
    """Every non-zero heating/cooling rate versus r at the last snapshot: |q| on a log axis,
    solid where it heats the gas (q > 0), dotted where it cools it (q < 0)."""
    s = run.snapshots
    terms = [(n, lab) for n, lab in HEATING_TERMS if s is not None and n in s and np.any(s[n].values[-1])]
    if not terms:
        return []
    r = s["r"].values
    fac, unit = _length_unit(float(r.max()))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    top = max(float(np.nanmax(np.abs(s[n].values[-1]))) for n, _ in terms)
    for k, (name, lab) in enumerate(terms):
        q = s[name].values[-1]
        c = f"C{k}"
        ax.plot(r / fac, np.where(q > 0, q, np.nan), "-", color=c, label=f"{lab}, heats")
        if np.any(q < 0):
            ax.plot(r / fac, np.where(q < 0, -q, np.nan), ":", color=c, label=f"{lab}, cools")
    ax.set_yscale("log")
    ax.set_ylim(top * 1e-10, top * 3)
    ax.set_xlabel(f"$r$ [{unit}]")
    ax.set_ylabel(r"$|q|$ [erg cm$^{-3}$ s$^{-1}$]")
    ax.set_title(f"heating and cooling rates at t = {_time_label(float(s['t'].values[-1]))}")
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=2, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0.16, 1, 1))  # legend below the axes, never on the curves
    out = Path(outdir) / f"heating_rates.{fmt}"
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return [out]


def history(run, outdir: Path, fmt: str = "png") -> list[Path]:
    """Energy budget terms and the relative total-energy error versus time."""
    h = run.history
    if h is None or "E_th" not in h:
        return []
    t = h["t"].values
    tf, tu = (1e3 * kyr, "Myr") if t.max() > 1e3 * kyr else (kyr, "kyr") if t.max() > 0.1 * kyr else (1.0, "s")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name in ("E_th", "E_kin", "E_rad", "E_gas_out", "E_cr", "E_cr_escaped"):
        if name in h:
            a1.plot(t / tf, h[name].values, label=name)
    top = max(float(np.nanmax(np.abs(h[n].values))) for n in ("E_th", "E_kin", "E_rad") if n in h)
    a1.set_yscale("log")
    a1.set_ylim(top * 1e-6, top * 3)  # every budget term readable, not a 1e51 offset
    a1.set_xlabel(f"$t$ [{tu}]")
    a1.set_ylabel("energy [erg]")
    a1.legend(fontsize=8)
    err = np.abs(h["E_total_error"].values)
    a2.semilogy(t / tf, np.maximum(err, 1e-17))
    a2.set_xlabel(f"$t$ [{tu}]")
    a2.set_ylabel("|E_total_error| (relative)")
    fig.tight_layout()
    out = Path(outdir) / f"history.{fmt}"
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return [out]


FIGURES = {"gas_profiles": gas_profiles, "heating_rates": heating_profiles, "history": history}


def _all_figures() -> dict:
    return {**FIGURES, **figures_cr.FIGURES}


def figure_names(run) -> list[str]:
    """Names ``crescape plot --figure`` accepts: the file names of the figures, without extension."""
    return list(_all_figures())


def plot(run, outdir: Path, figure: str | None = None, fmt: str = "png") -> list[Path]:
    figs = _all_figures()
    if figure is not None:
        if figure not in figs:
            raise FigureNameError(f"unknown figure {figure!r} for a crhydro run; choose from: {', '.join(figs)}")
        figs = {figure: figs[figure]}
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for fn in figs.values():
        files += fn(run, outdir, fmt)
    return files
