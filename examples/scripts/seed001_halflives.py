"""Seed 001 (Marcowith 2025 review, §2.3): CR-cloud half-lives per ISM phase and diffusion suppression.

    NUMBA_NUM_THREADS=1 python examples/scripts/seed001_halflives.py [--out DIR] [--cells N] [--quick]

Runtime on one core of the 2-core sandbox: ~20 s with --quick (fixed cloud radius per
phase, 1000 cells), ~25 s for the full self-consistent set (a root-find of ~8–12 cloud runs
per point, 1500 cells); the slow regression tests use 3000 cells.

Set-up (Nava et al. 2016 procedure, as tests/test_cloud_regression.py): one energy bin per
run, 1e50 erg in CRs with dN/dE ∝ E^-2.2 (1 GeV–1 PeV), top-hat of half-length a,
κ0 = 3e28 (E/10 GeV)^0.5 cm²/s, Table-2 phase presets, all damping on. In the full mode
the release radius is self-consistent, t_1/2(a) = t_SNR(a) (Truelove & McKee 1999 age,
E_SN = 1e51 erg, M_ej = 1.4 M_sun), as in seed 001 Fig. 3.

Writes DIR/seed001_halflives.png (t_1/2 vs E per phase with the published points),
DIR/seed001_halflives.md (table vs Nava et al. 2016, 2019; Brahimi et al. 2020) and the
Fig. 6-style profiles of a CNM cloud (`crescape plot` of examples/cloud_cnm.toml) in DIR/cnm/.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import crescape  # noqa: E402
from crescape.core import constants as C  # noqa: E402
from crescape.config import load_config  # noqa: E402
from crescape.engines.cloud.analysis import escape_radius, run_half_life  # noqa: E402
from crescape.plotting import plot_run  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PHASES = {  # z_max of the tube, bracket of the escape radius [pc], fixed a of --quick [pc]
    "HISM": ("1.5 kpc", (5.0, 300.0), 40.0),
    "WIM": ("600 pc", (1.0, 100.0), 20.0),
    "WNM": ("600 pc", (1.0, 100.0), 15.0),
    "CNM": ("300 pc", (0.5, 40.0), 4.0),
}
ENERGIES = [10.0, 100.0, 1000.0]  # GeV
PUBLISHED = {  # (phase, E [GeV]): (t_1/2 [kyr], source)
    ("HISM", 1000.0): (15.0, "Nava et al. 2019"),
    ("HISM", 100.0): (50.0, "Nava et al. 2019"),
    ("CNM", 10.0): (8.2, "Brahimi et al. 2020"),
    ("CNM", 100.0): (1.2, "Brahimi et al. 2020"),
    ("CNM", 1000.0): (1.1, "Brahimi et al. 2020"),
}


def deck(phase, E_GeV, a_cm, n_cells):
    return load_config({
        "engine": "cloud", "run": {"t_end": "1 Myr", "dt_factor": 0.01, "dt_min": "0.1 yr"},
        "grid": {"z_max": PHASES[phase][0], "n_cells": n_cells}, "phase": {"preset": phase},
        "source": {"a": a_cm, "alpha": 2.2}, "cr": {"energies": [f"{E_GeV} GeV"]},
        "waves": {"wave_energy": "total"}})


def half_life(phase, E, n_cells, quick):
    if quick:
        a = PHASES[phase][2] * C.pc
        th, s = run_half_life(deck(phase, E, a, n_cells))
        return a, th[0], s
    lo, hi = PHASES[phase][1]
    a, th = escape_radius(lambda a: deck(phase, E, a, n_cells), lo * C.pc, hi * C.pc, rtol=3e-3)
    _, s = run_half_life(deck(phase, E, a, n_cells))
    return a, th, s


def main(argv=None):
    ap = argparse.ArgumentParser(description="seed 001 half-lives per ISM phase")
    ap.add_argument("--out", type=Path, default=Path("seed001_halflives"))
    ap.add_argument("--cells", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="fixed a per phase instead of t_1/2 = t_SNR")
    args = ap.parse_args(argv)
    n_cells = args.cells or (1000 if args.quick else 1500)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = ["| phase | E [GeV] | a [pc] | t_1/2 [kyr] | min κ/κ0 within 3a | published [kyr] | ratio |",
            "|---|---|---|---|---|---|---|"]
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, phase in enumerate(PHASES):
        ths = []
        for E in ENERGIES:
            a, th, s = half_life(phase, E, n_cells, args.quick)
            near = s.su.zc < 3 * s.su.a
            chi = float(np.min(s.kappa()[0, near] / s.su.kappa0[0, near]))
            pub, ref = PUBLISHED.get((phase, E), (np.nan, ""))
            ths.append(th / C.kyr)
            ratio = f"{th / C.kyr / pub:.2f}" if np.isfinite(pub) else "—"
            rows.append(f"| {phase} | {E:g} | {a / C.pc:.1f} | {th / C.kyr:.3g} | {chi:.2g} | "
                        f"{pub if np.isfinite(pub) else '—'} {ref} | {ratio} |")
            print(rows[-1], flush=True)
            if np.isfinite(pub):
                ax.plot([E], [pub], "s", mfc="none", color=f"C{i}", ms=9)
        ax.loglog(ENERGIES, ths, "o-", color=f"C{i}", label=phase)
    ax.plot([], [], "ks", mfc="none", label="published")
    ax.set_xlabel("E [GeV]")
    ax.set_ylabel("t_1/2 [kyr]")
    ax.set_title(("fixed a per phase" if args.quick else "self-consistent a: t_1/2 = t_SNR(a)") + f", {n_cells} cells",
                 fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out / "seed001_halflives.png", dpi=100)
    (args.out / "seed001_halflives.md").write_text("# Seed 001 half-lives\n\n" + "\n".join(rows) + "\n")
    # Fig. 6 layout (P_CR, ∂zP_CR, W, κ/κ0 at t = 0, t_1/2/4, t_1/2, 4 t_1/2) for the CNM example deck
    run = crescape.run(load_config(ROOT / "examples" / "cloud_cnm.toml"), args.out / "cnm_run", progress=False)
    for f in plot_run(run, outdir=args.out / "cnm"):
        print("figure", f)


if __name__ == "__main__":
    main()
