"""The outer-boundary diagnostic of the local-spectrum model: fraction of CRs through r_max.

An absorbing wall at r_max removes the CRs that reach it for good; an observer inside the box
then sees fewer CRs than in an unbounded ISM wherever that fraction is not small. The
diagnostic is checked on synthetic arrays (arithmetic, time interpolation) and on a real
crhydro run against the exact escape from an absorbing sphere (eigenfunction series of the
diffusion equation, Carslaw & Jaeger 1959, §9.3).
"""
import math

import numpy as np
import pytest

import crescape
from crescape.analysis.local_spectrum import SourceSpectra
from crescape.config import load_config
from crescape.core.constants import Myr, pc


def _synthetic(escaped=True):
    t = np.array([1.0, 3.0]) * Myr
    r = np.array([1.0, 2.0, 3.0]) * pc
    p = np.array([1.0, 10.0, 100.0])
    N = np.ones((2, 3, 3))
    N[1] *= 0.5  # half of the box content left between the snapshots ...
    V = np.array([1.0, 2.0, 3.0])  # → 6 per unit p̃ in the box at t0, 3 at t1
    esc = np.array([[0.0, 0.0, 0.06], [0.0, 0.03, 3.0]])  # ... per momentum bin
    return SourceSpectra(t, r, p, N, volumes=V if escaped else None, escaped=esc if escaped else None)


def test_escaped_fraction_is_escaped_over_escaped_plus_box_linear_in_time():
    s = _synthetic()
    f0 = s.escaped_fraction(1.0 * Myr)
    assert f0 == pytest.approx([0.0, 0.0, 0.06 / 6.06], rel=1e-14)
    f1 = s.escaped_fraction(3.0 * Myr)
    assert f1 == pytest.approx([0.0, 0.03 / 3.03, 0.5], rel=1e-14)
    fm = s.escaped_fraction(2.0 * Myr)  # box 4.5, escaped halfway
    assert fm == pytest.approx([0.0, 0.015 / 4.515, 1.53 / 6.03], rel=1e-14)


def test_boundary_energy_is_the_first_energy_above_the_threshold():
    s = _synthetic()
    assert s.boundary_energy(3.0 * Myr, 0.001) == pytest.approx(s.E[1], rel=1e-14)
    assert s.boundary_energy(3.0 * Myr, 0.1) == pytest.approx(s.E[2], rel=1e-14)
    assert s.boundary_energy(3.0 * Myr, 0.6) == math.inf
    assert _synthetic(escaped=False).boundary_energy(3.0 * Myr) is None
    with pytest.raises(ValueError, match="t_age"):
        s.escaped_fraction(5.0 * Myr)


R, R0, D = 20 * pc, 2 * pc, 1e27


def exact_escaped_fraction(t, kmax=4000):
    """CRs from a uniform sphere r < r0 that left an absorbing sphere r = R by time t.

    n(r, t) = Σ_k b_k sin(k_k r)/r exp(−D k_k² t), k_k = kπ/R, with
    b_k = (2/R) ∫_0^R r n0 sin(k_k r) dr = (2 n0/R)[sin(k_k r0) − k_k r0 cos(k_k r0)]/k_k²;
    the number inside is 4π Σ_k b_k e^{−D k_k² t} (−1)^{k+1} R/k_k.
    """
    k = np.arange(1, kmax + 1)
    kk = k * np.pi / R
    b = 2 / R * (np.sin(kk * R0) - kk * R0 * np.cos(kk * R0)) / kk**2
    inside = 4 * np.pi * np.sum(b * np.exp(-D * kk**2 * t) * (-1.0) ** (k + 1) * R / kk)
    return 1.0 - inside / (4 / 3 * np.pi * R0**3)


def _pure_diffusion_run(tmp_path, n):
    deck = load_config({
        "engine": "crhydro",
        "run": {"t_end": "0.04 Myr", "progress": False},
        "grid": {"geometry": "spherical", "r_max": "20 pc", "n_cells": n},
        "thermal": {"cooling": False, "heating": False, "conduction": False},
        # hot static gas: its sound speed sets a step of ~1e-3 R²/D, so time errors stay small
        "problem": {"kind": "uniform", "n": 1.0, "T": "1e6 K"},
        "cr": {"enabled": True, "coulomb": False, "streaming": False, "alfven_heating": False,
               "pressure_coupling": False, "p_min": 1.0, "p_max": 10.0, "D0": D, "delta": 0.0,
               "init_E": 1e48, "init_r0": R0, "outer_bc": "absorbing"},
        "output": {"times": ["0.01 Myr", "0.02 Myr", "0.04 Myr"]},
    })
    return SourceSpectra.from_run(crescape.run(deck, tmp_path / f"n{n}", progress=False))


def test_escaped_fraction_of_a_run_converges_to_the_absorbing_sphere_solution(tmp_path):
    assert abs(exact_escaped_fraction(0.0)) < 1e-5  # the series represents the top hat
    errs = []
    for n in (80, 160):
        s = _pure_diffusion_run(tmp_path, n)
        err = []
        for t in (0.02, 0.04):  # D t/R² = 0.17, 0.33: 62 % and 92 % escaped
            f = s.escaped_fraction(t * Myr)
            assert np.ptp(f) < 1e-12  # D independent of p: every momentum escapes alike
            err.append(f[0] - exact_escaped_fraction(t * Myr))
        errs.append(np.max(np.abs(err)))
    assert errs[1] < 0.01, errs
    order = math.log2(errs[0] / errs[1])
    assert order > 0.8, (errs, order)  # first order (backward-Euler diffusion, dt ∝ dr)
