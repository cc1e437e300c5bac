"""Seed 000 (Shimoda, Asano & Inutsuka 2025): the paper's figures and numbers from three runs.

Make the runs first (about 1.5–2 minutes each on the shared 2-core sandbox at the default
600 cells, converged to < 1 %; see docs/crhydro_cr.md for the resolution study):

    crescape run examples/shimoda2025_D26.toml --out runs/D26
    crescape run examples/shimoda2025_D27.toml --out runs/D27
    crescape run examples/shimoda2025_D28.toml --out runs/D28
    crescape run examples/shimoda2025_D27.toml --out runs/D27_noheat --set cr.alfven_heating=false  # Fig. 6

then (this script takes about 30 s):

    python examples/scripts/seed000_figures.py runs/D26 runs/D27 runs/D28 [--noheat runs/D27_noheat] [--out DIR]

It writes, into DIR (default ./seed000_figures):
* per run, every `crescape plot` figure of the paper (Figs. 1–5, 7–10) in DIR/<run name>/;
* overlays of the three runs (Figs. 1, 2, 4, 6, 10: `cmp_*.png`), and the with/without
  streaming-heating comparison of Fig. 6 when --noheat is given (`noheat/cmp_*.png`);
* `seed000_numbers.md`: every number the paper quotes, measured on each run, beside the
  paper's value (issue 3 acceptance list).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import crescape
from crescape.engines.crhydro.analysis import seed000_summary
from crescape.plotting import plot_run
from crescape.engines.crhydro.figures_cr import compare

# (key of seed000_summary, label, the paper's value, which runs it applies to)
PAPER = [
    ("n", "initial ISM n [cm⁻³]", "≈ 0.2", "all"),
    ("E_g", "thermal energy in the box [1e51 erg]", "≈ 1", "all"),
    ("M_g", "gas mass in the box [1e5 M_sun]", "≈ 5.7", "all"),
    ("T_max_100kyr_K", "max T at 100 kyr [K]", "cavity ~1e5 K within ~100 kyr (D27)", "D27"),
    ("r_cavity_1Myr_pc", "cavity edge at 1 Myr [pc]", "≈ 30 (D27)", "D27"),
    ("r_shock_1Myr_pc", "shock at 1 Myr [pc]", "≈ 45 (D27)", "D27"),
    ("dQ_cr_w_1Myr_over_Ecr", "ΔQ_cr,w(1 Myr) / E_cr", "≈ 0.08 (D27)", "D27"),
    ("eq12_1Myr_over_Ecr", "eq. (12) estimate / E_cr", "—", "all"),
    ("M_expelled_10Myr_Msun", "mass expelled from 200 pc at 10 Myr [M_sun]", "~1e3, D27 largest, spread ≲ 2", "all"),
    ("E_cr_escaped_10Myr_over_Ecr", "escaped CR energy at 10 Myr / E_cr", "most for D28; little for D26", "all"),
    ("E_to_gas_10Myr_over_Ecr", "CR energy given to the gas / E_cr", "most for D26", "all"),
    ("slope_escaped_p1-100", "index of escaped dN/dp, 1–100 m_p c", "≈ 2.3 (unmodified) for D28", "all"),
    ("slope_box_10Myr_p0.3-3", "index in the box at 10 Myr, 0.3–3 m_p c", "harder than 2.3 for D26", "all"),
    ("backflow_Myr", "back-flow into the cavity [Myr]", "after ~6 Myr for D26", "D26"),
    ("max_abs_E_total_error", "max abs. relative energy error", "(ours ≤ 1e-6 required)", "all"),
]


def numbers_table(summaries: dict) -> str:
    names = list(summaries)
    lines = ["| quantity | paper | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for key, label, paper, _ in PAPER:
        vals = []
        for n in names:
            v = summaries[n].get(key, float("nan"))
            vals.append(f"{v:.3g}" if isinstance(v, float) else str(v))
        lines.append(f"| {label} | {paper} | " + " | ".join(vals) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+", type=Path, help="run directories (e.g. D26 D27 D28)")
    ap.add_argument("--noheat", type=Path, help="run without streaming heating (Fig. 6)")
    ap.add_argument("--out", type=Path, default=Path("seed000_figures"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    runs = {d.name: crescape.open_run(d) for d in args.runs}
    summaries = {}
    for d, (name, run) in zip(args.runs, runs.items()):
        files = plot_run(d, outdir=args.out / name)
        print(f"{name}: {len(files)} figures in {args.out / name}")
        summaries[name] = seed000_summary(run)
    for f in compare(runs, args.out):
        print("overlay", f)
    if args.noheat:
        ref = next((n for n in runs if "27" in n), next(iter(runs)))
        for f in compare({f"{ref} with heating": runs[ref], "without": crescape.open_run(args.noheat)},
                         args.out / "noheat"):
            print("Fig. 6", f)
    (args.out / "seed000_numbers.json").write_text(json.dumps(summaries, indent=1) + "\n")
    table = numbers_table(summaries)
    (args.out / "seed000_numbers.md").write_text(
        "# Seed 000 numbers: paper vs these runs\n\n" + table)
    print(table)


if __name__ == "__main__":
    main()
