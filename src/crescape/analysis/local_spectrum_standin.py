"""Analytic stand-in for a CR-hydro run: exact diffusion of the seed-000 top hat.

Until (and besides) a real D26 run, the local-spectrum tools are built and verified on run
directories whose N_cr(t, r, p) is the exact solution for a uniform sphere of CRs diffusing
in an infinite medium with D = D0 (p/m_p c)^delta (no gas, losses or boundary).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import xarray as xr
from scipy.special import erf

from ..config import dump_toml, load_config
from ..core.constants import GeV, pc
from ..io import write_run_file
from ..io.rundir import file_attrs
from .local_spectrum import kinetic_energy_gev


def tophat_diffusion_density(r, t, r0, D):
    """Exact density of a uniform sphere (radius r0, unit density at t = 0) diffusing in 3-D.

    n(r, t) = ½[erf((r0 + r)/L) + erf((r0 − r)/L)] − (L/(2√π r)) [e^{−(r−r0)²/L²} − e^{−(r+r0)²/L²}],
    L = √(4 D t) (e.g. Carslaw & Jaeger 1959 §10.3). r → 0: erf(r0/L) − (2 r0/(√π L)) e^{−r0²/L²}.
    Used to build analytic stand-in runs and exact references for the interpolation tests.
    """
    r, t, D = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (r, t, D)))
    L = np.sqrt(4.0 * D * t)
    small = r < 1e-6 * L
    rs = np.where(small, 1.0, r)
    n = 0.5 * (erf((r0 + rs) / L) + erf((r0 - rs) / L)) - L / (2.0 * math.sqrt(math.pi) * rs) * (
        np.exp(-((rs - r0) / L) ** 2) - np.exp(-((rs + r0) / L) ** 2)
    )
    n0 = erf(r0 / L) - 2.0 * r0 / (math.sqrt(math.pi) * L) * np.exp(-(r0 / L) ** 2)
    return np.clip(np.where(small, n0, n), 0.0, None)  # clip only round-off (|n| < 1e-16)


def write_analytic_run(out, t, r, p, D0=1e26, delta=1.0 / 3.0, r0=5 * pc, E_cr=1e50, slope=2.3):
    """Write a run directory whose N_cr(t, r, p) is the exact diffusion of seed 000's top hat.

    N(t_ini) = A p^-slope for r <= r0 (seed 000 eq. 10) with A set by E_cr = ∫ ε N dp dV;
    afterwards pure diffusion with D = D0 p^delta (eq. 11) in an infinite medium (no gas,
    losses or boundary) — a stand-in for a real CR-hydro run with exact values everywhere.
    """
    t, r, p = (np.asarray(x, float) for x in (t, r, p))
    eps = kinetic_energy_gev(p) * GeV
    shape = p ** (-slope)
    A = E_cr / (4.0 / 3.0 * math.pi * r0**3 * np.trapezoid(eps * shape, p))
    D = D0 * p**delta
    N = A * shape[None, None, :] * tophat_diffusion_density(r[None, :, None], t[:, None, None], r0, D[None, None, :])
    deck = load_config({
        "engine": "crhydro",
        "run": {"t_end": float(t[-1])},
        "grid": {"geometry": "spherical", "r_max": float(r[-1] + 0.5 * (r[-1] - r[-2])), "n_cells": int(r.size)},
        "cr": {"enabled": True, "p_min": float(p[0]), "p_max": float(p[-1]), "D0": D0, "delta": delta},
        "problem": {"kind": "shimoda2025", "E_cr": E_cr, "r0": r0, "slope": slope},
        "output": {"times": [float(x) for x in t]},
    })
    ds = xr.Dataset(
        {"N_cr": (("t", "r", "p"), N, {"units": "cm-3", "long_name": "dn/d(p/m_p c)"})},
        coords={"t": ("t", t, {"units": "s"}), "r": ("r", r, {"units": "cm"}), "p": ("p", p, {"units": "", "long_name": "p / (m_p c)"})},
        attrs={"note": "analytic diffusion of the seed-000 top hat (crescape.analysis.local_spectrum)"},
    )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.toml").write_text(dump_toml(deck))
    write_run_file(out / "run.h5", {"snapshots": ds}, file_attrs(deck))
    return out
