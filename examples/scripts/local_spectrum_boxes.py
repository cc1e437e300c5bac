"""Seed 000 Fig. 11 in runs that differ only in their CR boundary, against AMS-02 and CALET.

    python examples/scripts/local_spectrum_boxes.py OUT.png LABEL=RUN [LABEL=RUN ...]

e.g. (runs from examples/shimoda2025_D26_highp.toml, examples/shimoda2025_D26_lis.toml and the
latter with the gas interaction off, see docs/local_spectrum.md):

    python examples/scripts/local_spectrum_boxes.py docs/img/local_spectrum_fig11_boxes.png \\
        "300 pc box=runs/D26_highp" "1200 pc box=runs/D26_lis" "1200 pc, no gas=runs/lis/lis_nogas"

Top: ε^2.7 J of the summed LIS of the three hand-placed sources (no free parameter) with the data
(AMS-02 shown without modulation correction above 30 GeV, where φ shifts it by < 3 %). Bottom: the
local index −d ln J/d ln ε of each model and CALET's window slopes (0.1–0.5, 1–10, 10–60 TeV).
"""
from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from crescape.analysis.crdata import load_ams02_2015, load_calet_2022
from crescape.analysis.local_spectrum import CALET_WINDOWS, LocalSpectrumModel, SourceSpectra, window_indices
from crescape.analysis.local_spectrum_config import load_fit_config

FIG11 = [("1.2 Myr", "228.7 pc"), ("2.9 Myr", "41.2 pc"), ("6.6 Myr", "2.5 pc")]


def fig11_model(run):
    cfg = load_fit_config({"run": run, "sources": [{"t_age": t, "d": d} for t, d in FIG11],
                           "data": [{"name": "calet_2022"}]})[0]
    m = LocalSpectrumModel(cfg, SourceSpectra.from_run(run))
    return m, m.full()


def main(out, pairs):
    E = np.geomspace(10.0, 9e4, 200)
    calet, ams = load_calet_2022(), load_ams02_2015()
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(7, 7), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    for d, mk in ((ams, "o"), (calet, "D")):
        sel = d.E > 30.0
        err = np.hypot(d.stat_hi[sel], d.syst_hi[sel]) * d.E[sel] ** 2.7
        ax.errorbar(d.E[sel], d.E[sel] ** 2.7 * d.J[sel], yerr=err, fmt=mk, ms=3, lw=0.8, label=d.label)
    for (lo, hi), g in zip(CALET_WINDOWS, window_indices(calet.E, calet.J)):
        bx.plot([lo, hi], [g, g], "k-", lw=3, alpha=0.4)
    bx.plot([], [], "k-", lw=3, alpha=0.4, label="CALET window slopes")
    for k, (label, run) in enumerate(pairs):
        m, th = fig11_model(run)
        col = f"C{k + 2}"
        ax.plot(E, E**2.7 * m.lis(th, E), color=col, lw=2, label=f"Fig. 11 sum, {label}")
        # default step = one momentum bin: smooth, no interpolation kinks
        bx.plot(E, m.spectral_index(th, E), color=col, lw=2, label=label)
    ax.set(xscale="log", yscale="log", ylabel=r"$\epsilon^{2.7} J$ [GeV$^{1.7}$ m$^{-2}$ s$^{-1}$ sr$^{-1}$]",
           title="seed 000 Fig. 11 placement: the CR boundary shapes 1–30 TeV")
    ax.legend(fontsize=8)
    bx.set(xscale="log", xlabel="kinetic energy ε [GeV]", ylabel=r"$-d\ln J/d\ln\epsilon$", ylim=(2.3, 3.1))
    bx.legend(fontsize=8)
    for a in (ax, bx):
        a.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"figure {out}")


if __name__ == "__main__":
    if len(sys.argv) < 3 or any("=" not in a for a in sys.argv[2:]):
        sys.exit(__doc__)
    main(sys.argv[1], [tuple(a.split("=", 1)) for a in sys.argv[2:]])
