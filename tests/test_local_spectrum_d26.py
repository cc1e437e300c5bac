"""Seed 000 Fig. 11 on real D26 runs (p up to 10^5.5 m_p c), when they exist: slow, skipped otherwise.

Seed 000 §5.2: the three hand-placed sources (1.2 Myr, 228.7 pc), (2.9 Myr, 41.2 pc),
(6.6 Myr, 2.5 pc) give a total spectrum with a hardening near ~600 GeV and a softening near
~10 TeV. Two runs of the same physics differ only in where the absorbing CR boundary sits:

* ``paper``: ``examples/shimoda2025_D26_highp.toml``, r ≤ 300 pc as in the seed
  (``CRESCAPE_D26_RUN``, default /work/runs/D26_highp);
* ``lis``: ``examples/shimoda2025_D26_lis.toml``, r ≤ 1200 pc, i.e. the unbounded-ISM limit for
  observers at d ≤ 300 pc (``CRESCAPE_D26_LIS_RUN``, default /work/runs/D26_lis).

Indices are least-squares slopes of the model LIS over the CALET energies in a window
(model and data alike); CALET 2022: 2.80 (0.1–0.5 TeV), 2.56 (1–10 TeV), 2.88 (10–60 TeV).
"""
import os
from pathlib import Path

import numpy as np
import pytest

from crescape.analysis.crdata import load_calet_2022
from crescape.analysis.local_spectrum import LocalSpectrumModel, SourceSpectra, window_indices
from crescape.analysis.local_spectrum_config import load_fit_config
from crescape.analysis.local_spectrum_fit import fit_least_squares
from crescape.core.constants import Myr, pc

RUNS = {
    "paper": Path(os.environ.get("CRESCAPE_D26_RUN", "/work/runs/D26_highp")),
    "lis": Path(os.environ.get("CRESCAPE_D26_LIS_RUN", "/work/runs/D26_lis")),
}
pytestmark = pytest.mark.slow

FIG11 = [("1.2 Myr", "228.7 pc"), ("2.9 Myr", "41.2 pc"), ("6.6 Myr", "2.5 pc")]


def _run(which):
    run = RUNS[which]
    if not (run / "run.h5").exists():
        pytest.skip(f"no D26 run at {run}")
    return run


def _model(run, free=False):
    cfg = load_fit_config({
        "run": str(run),
        "sources": [{"t_age": t, "d": {"value": d, "free": free, "max": "295 pc"}} for t, d in FIG11],
        "data": [{"name": "ams02_2015", "phi": "0.564 GV"}, {"name": "calet_2022"}, {"name": "voyager1_2013"}],
    })[0]
    return LocalSpectrumModel(cfg, SourceSpectra.from_run(run))


def _fig11_indices(which):
    m = _model(_run(which))
    E = load_calet_2022().E
    return window_indices(E, m.lis(m.full(), E))


def test_calet_window_indices_show_the_hardening_and_softening():
    c = load_calet_2022()
    g = window_indices(c.E, c.J)
    assert g[1] - g[0] == pytest.approx(-0.24, abs=0.02)
    assert g[2] - g[1] == pytest.approx(+0.32, abs=0.02)


@pytest.mark.parametrize("which", ["paper", "lis"])
def test_fig11_configuration_softens_above_10TeV(which):
    g = _fig11_indices(which)
    assert g[2] > g[1] + 0.03, f"no softening from 1-10 TeV to 10-60 TeV: window indices {g}"


@pytest.mark.parametrize("which", [
    pytest.param("paper", marks=pytest.mark.xfail(
        strict=True, reason="known unmet reference (issue 4): in the paper's 300 pc box the absorbing wall "
        "steepens the 2.9 and 6.6 Myr sources above ~1 TeV and cancels the hardening (window indices "
        "2.62, 2.65, 2.86); docs/local_spectrum.md, 'The outer boundary'")),
    "lis",
])
def test_fig11_configuration_hardens_near_600GeV(which):
    g = _fig11_indices(which)
    assert g[1] < g[0] - 0.03, f"no hardening from 0.1-0.5 TeV to 1-10 TeV: window indices {g}"


@pytest.mark.parametrize("which", ["paper", "lis"])
@pytest.mark.xfail(strict=True, reason="known unmet reference (issue 4): the model's hardening is -0.07 "
                   "(lis) or +0.03 (paper box) against CALET's -0.24; the gas losses already make the "
                   "0.1-0.5 TeV spectrum hard (2.60 vs 2.80). docs/local_spectrum.md")
def test_fig11_hardening_amplitude_is_within_0p1_of_calet(which):
    c = load_calet_2022()
    data = window_indices(c.E, c.J)
    g = _fig11_indices(which)
    assert abs((g[1] - g[0]) - (data[1] - data[0])) < 0.1, (g, data)


def test_the_wall_of_the_lis_run_does_not_touch_the_fig11_sources_below_10TeV():
    s = SourceSpectra.from_run(_run("lis"))
    for t, _ in FIG11:
        assert s.boundary_energy(float(t.split()[0]) * Myr, 0.01) > 1e4


def test_the_paper_box_wall_shapes_the_6p6Myr_source_above_a_few_GeV():
    # in the 300 pc box more than 1 % of the 6.6 Myr source's CRs above a few GeV have left
    # through r_max by 6.6 Myr (√(4Dt) = 94 pc p̃^{1/6}); this is what the lis deck removes
    s = SourceSpectra.from_run(_run("paper"))
    assert s.boundary_energy(6.6 * Myr, 0.01) < 10.0  # measured 3.4 GeV
    assert s.escaped_fraction(6.6 * Myr)[np.searchsorted(s.E, 1e3)] > 0.5


@pytest.mark.parametrize("which", ["paper", "lis"])
def test_fit_does_not_worsen_chi2_of_the_hand_placed_configuration(which):
    m = _model(_run(which), free=True)
    f = fit_least_squares(m, n_starts=4, seed=1)
    assert f["chi2"] <= m.chi2()


@pytest.mark.parametrize("which", ["paper", "lis"])
def test_snapshot_cadence_interpolation_error_of_fig11_sources(which):
    # leave-one-out at twice the spacing; < 20 % there means ≈ < 5 % at the real cadence
    s = SourceSpectra.from_run(_run(which))
    for t, d in ((1.2, 228.7), (2.9, 41.2), (6.6, 2.5)):
        assert s.cadence_error(t * Myr, d * pc) < 0.2
