"""Make the pictures of the 10-minute tour (docs/tour.md) from real runs.

Runtime: about 1.5–2 minutes on one core of the 2-core sandbox (three quickstart runs of
~20 s each plus an interrupted-and-resumed one).

    NUMBA_NUM_THREADS=1 python examples/scripts/tour_figures.py [WORKDIR]

Steps (each is what docs/tour.md asks the reader to type):
1. ``crescape run examples/snr_radiative.toml --out WORKDIR/qs-run --plot``;
2. ``crescape.open_run`` → density and temperature profiles  → docs/img/tour_open_run.png;
3. the same deck with ``--set thermal.cooling=false --set thermal.heating=false
   --set thermal.conduction=false`` (adiabatic Sedov–Taylor) → docs/img/tour_set_override.png;
4. an interrupted run (SIGINT after a few seconds) continued with ``crescape run --resume``
   and compared with the uninterrupted one (the max. relative difference is printed);
5. ``crescape plot`` figures, downscaled copies → docs/img/tour_gas_profiles.png, tour_history.png.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import crescape  # noqa: E402
from crescape.core.constants import kyr, pc  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
IMG = ROOT / "docs" / "img"
DECK = ROOT / "examples" / "snr_radiative.toml"
XI0 = 1.15167  # Sedov–Taylor constant, γ = 5/3, spherical


def sh(*args, **kw):
    print("$", " ".join(str(a) for a in args))
    return subprocess.run([str(a) for a in args], check=True, **kw)


def profiles(run_dir, out):
    run = crescape.open_run(run_dir)
    snap = run.snapshots
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    cm = plt.get_cmap("viridis")
    for k in range(1, snap.sizes["t"]):
        s = snap.isel(t=k)
        c = cm(k / snap.sizes["t"])
        ax[0].semilogy(s["r"] / pc, s["n"], color=c, label=f"{float(s['t']) / kyr:.0f} kyr")
        ax[1].semilogy(s["r"] / pc, s["T"], color=c)
    ax[0].set_ylabel("n [cm⁻³]")
    ax[1].set_ylabel("T [K]")
    for a in ax:
        a.set_xlabel("r [pc]")
    ax[0].legend(fontsize=7)
    fig.suptitle("crescape.open_run('qs-run').snapshots: a 1e51 erg remnant in the seed-000 warm ISM", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)


def override(run_a, run_b, out):
    fig, a = plt.subplots(figsize=(6, 3.6))
    for d, lab, c in ((run_a, "default (cooling, heating, conduction)", "C3"), (run_b, "--set thermal.*=false", "C0")):
        run = crescape.open_run(d)
        s = run.snapshots.isel(t=-1)
        a.semilogy(s["r"] / pc, s["P_g"], color=c, label=lab)
    rb = crescape.open_run(run_b)
    E, rho, t = rb.config.problem.E, rb.config.problem.rho, float(rb.snapshots["t"][-1])
    R = XI0 * (E * t**2 / rho) ** 0.2
    a.axvline(R / pc, color="k", ls=":", lw=1, label="Sedov–Taylor ξ0 (E t²/ρ)^(1/5)")
    a.set_xlabel("r [pc]")
    a.set_ylabel("P_g [erg cm⁻³] at 500 kyr")
    a.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)


def resume_demo(work):
    """Interrupt a run with SIGINT, resume it, compare with the uninterrupted run."""
    full, part = work / "qs-full", work / "qs-resumed"
    sh("crescape", "run", DECK, "--out", full, "--quiet", "--overwrite")
    print("$ crescape run examples/snr_radiative.toml --out qs-resumed --set run.checkpoint_every=100   # Ctrl-C soon")
    p = subprocess.Popen(["crescape", "run", str(DECK), "--out", str(part), "--quiet", "--overwrite",
                          "--set", "run.checkpoint_every=100"])
    t0 = time.time()
    while not (part / "checkpoint.h5").exists() and time.time() - t0 < 120 and p.poll() is None:
        time.sleep(0.05)  # first checkpoint: step 100 of ~1400
    time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    rc = p.wait()
    print(f"  interrupted run exited with code {rc}" + ("" if rc else " (it finished before the signal)"))
    sh("crescape", "run", "--resume", part, "--quiet")
    a, b = crescape.open_run(full).snapshots, crescape.open_run(part).snapshots
    diff = max(float(np.max(np.abs(a[v].values - b[v].values) / np.maximum(np.abs(a[v].values), 1e-300)))
               for v in ("rho", "v", "P_g", "T"))
    print(f"  max relative difference resumed vs uninterrupted: {diff:.3g}")
    return diff


def downscale(src, dst, width=760):
    from PIL import Image

    im = Image.open(src)
    h = round(im.height * width / im.width)
    im.convert("RGB").resize((width, h), Image.LANCZOS).quantize(colors=128).save(dst, optimize=True)


def main(work):
    work.mkdir(parents=True, exist_ok=True)
    IMG.mkdir(parents=True, exist_ok=True)
    qs = work / "qs-run"
    sh("crescape", "run", DECK, "--out", qs, "--plot", "--quiet", "--overwrite")
    profiles(qs, IMG / "tour_open_run.png")
    ad = work / "qs-adiabatic"
    sh("crescape", "run", DECK, "--out", ad, "--quiet", "--overwrite", "--set", "thermal.cooling=false",
       "--set", "thermal.heating=false", "--set", "thermal.conduction=false")
    override(qs, ad, IMG / "tour_set_override.png")
    resume_demo(work)
    figs = work / "figs"
    sh("crescape", "plot", qs, "--outdir", figs)
    downscale(figs / "gas_profiles.png", IMG / "tour_gas_profiles.png")
    downscale(figs / "history.png", IMG / "tour_history.png")
    for f in sorted(IMG.glob("tour_*.png")):
        print(f"wrote {f.relative_to(ROOT)} ({f.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/crescape-tour"))
