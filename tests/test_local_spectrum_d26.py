"""Seed 000 Fig. 11 on the real D26 run (p up to 10^5.5 m_p c), when it exists: slow, skipped otherwise.

Seed 000 §5.2: the three hand-placed sources (1.2 Myr, 228.7 pc), (2.9 Myr, 41.2 pc),
(6.6 Myr, 2.5 pc) give a total spectrum with a hardening near ~600 GeV and a softening near
~10 TeV. Set CRESCAPE_D26_RUN to use another run directory.
"""
import os
from pathlib import Path

import numpy as np
import pytest

from crescape.analysis.local_spectrum import LocalSpectrumModel, SourceSpectra, fit_least_squares
from crescape.analysis.local_spectrum_config import load_fit_config

RUN = Path(os.environ.get("CRESCAPE_D26_RUN", "/work/runs/D26_highp"))
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not (RUN / "run.h5").exists(), reason=f"no D26 run at {RUN}")]

FIG11 = [("1.2 Myr", "228.7 pc"), ("2.9 Myr", "41.2 pc"), ("6.6 Myr", "2.5 pc")]


def _model(free=False):
    cfg = load_fit_config({
        "run": str(RUN),
        "sources": [{"t_age": t, "d": {"value": d, "free": free, "max": "295 pc"}} for t, d in FIG11],
        "data": [{"name": "ams02_2015", "phi": "0.564 GV"}, {"name": "calet_2022"}, {"name": "voyager1_2013"}],
    })[0]
    return LocalSpectrumModel(cfg, SourceSpectra.from_run(RUN))


@pytest.mark.xfail(
    strict=True,
    reason="known unmet reference (issue 4): with our D26 run the Fig. 11 placement softens above "
    "10 TeV (index 2.70 -> 2.93 from 8 to 40 TeV) but shows no hardening near 600 GeV "
    "(2.613 at 150 GeV vs 2.616 at 2 TeV; the paper's figure needs >= 0.03); see docs/local_spectrum.md",
)
def test_fig11_configuration_hardens_near_600GeV_and_softens_near_10TeV():
    m = _model()
    g = m.spectral_index(m.full(), np.array([150.0, 2e3, 8e3, 4e4]))
    assert g[1] < g[0] - 0.03, f"no hardening between 150 GeV and 2 TeV: indices {g}"
    assert g[3] > g[2] + 0.03, f"no softening between 8 and 40 TeV: indices {g}"


def test_fit_does_not_worsen_chi2_of_the_hand_placed_configuration():
    m = _model(free=True)
    f = fit_least_squares(m, n_starts=4, seed=1)
    assert f["chi2"] <= m.chi2()


def test_snapshot_cadence_interpolation_error_of_fig11_sources():
    # leave-one-out at twice the spacing; < 20 % there means ≈ < 5 % at the real cadence
    s = SourceSpectra.from_run(RUN)
    from crescape.constants import Myr, pc

    for t, d in ((1.2, 228.7), (2.9, 41.2), (6.6, 2.5)):
        assert s.cadence_error(t * Myr, d * pc) < 0.2
