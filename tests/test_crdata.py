"""Data loaders reproduce the published tables; rigidity <-> kinetic energy per nucleon is consistent."""
import numpy as np
import pytest

from crescape.analysis import crdata
from crescape.analysis.crdata import (
    M_P_GEV,
    dR_dEkn,
    ekn_to_rigidity,
    flux_per_rigidity_to_per_ekn,
    rigidity_to_ekn,
)


def test_calet_56GeV_point_matches_Adriani2022():
    # Adriani et al. 2022, PRL 129, 101102: first bin 56.14 GeV, 0.218 /(m^2 s sr GeV)
    d = crdata.load_calet_2022()
    assert len(d) == 29
    assert d.E[0] == pytest.approx(56.14, rel=1e-4)
    assert d.J[0] == pytest.approx(0.218, rel=1e-4)
    assert d.stat_lo[0] == pytest.approx(1.0e-3) and d.syst_hi[0] == pytest.approx(1.35e-2)
    assert d.E[-1] == pytest.approx(4.981e4, rel=1e-4) and d.J[-1] == pytest.approx(2.01e-9, rel=1e-4)


def test_ams02_first_bin_is_626_9_per_GV_in_rigidity():
    # Aguilar et al. 2015, PRL 114, 171103: 1.00-1.16 GV, 626.9 /(m^2 s sr GV), syst 26.8
    d = crdata.load_ams02_2015()
    assert len(d) == 72
    R = ekn_to_rigidity(d.E[0])
    assert R == pytest.approx(1.07634, rel=1e-6)
    assert d.J[0] / dR_dEkn(d.E[0]) == pytest.approx(626.9, rel=1e-9)
    assert d.syst_lo[0] / dR_dEkn(d.E[0]) == pytest.approx(26.8, rel=1e-9)
    assert d.stat_lo[0] / dR_dEkn(d.E[0]) == pytest.approx(0.8, rel=1e-9)
    assert d.modulated and d.phi_crdb == pytest.approx(0.564)


def test_ams02_conversion_to_Ekn_agrees_with_CRDB_own_conversion():
    ours, crdb = crdata.load_ams02_2015(), crdata.load_ams02_2015_crdb_ekn()
    assert len(ours) == len(crdb) == 72
    np.testing.assert_allclose(ours.E, crdb.E, rtol=1e-3)
    np.testing.assert_allclose(ours.E_lo, crdb.E_lo, rtol=1e-3)
    np.testing.assert_allclose(ours.E_hi, crdb.E_hi, rtol=1e-3)
    np.testing.assert_allclose(ours.J, crdb.J, rtol=1e-3)
    np.testing.assert_allclose(ours.syst_hi, crdb.syst_hi, rtol=1e-3)
    m = crdb.stat_hi > 0.01  # CRDB rounds tiny stat errors
    np.testing.assert_allclose(ours.stat_hi[m], crdb.stat_hi[m], rtol=2e-2)


def test_voyager1_is_Stone2013_unmodulated():
    d = crdata.load_voyager1_2013()
    assert len(d) == 19 and not d.modulated
    assert "Stone" in d.reference and "Cummings" in d.note
    assert d.E[0] == pytest.approx(3.71e-3) and d.J[0] == pytest.approx(2.006e4)
    assert d.stat_lo[0] == pytest.approx(304.0) and d.stat_hi[0] == pytest.approx(308.0)
    assert np.all(d.syst_lo == 0)


def test_stat_and_syst_errors_are_kept_separate():
    d = crdata.load_calet_2022()
    assert not np.allclose(d.error("stat", "hi"), d.error("syst", "hi"))
    np.testing.assert_allclose(d.error("stat+syst", "hi"), np.hypot(d.stat_hi, d.syst_hi))
    with pytest.raises(ValueError, match="error kind"):
        d.error("total")


def test_rigidity_energy_hand_values_and_round_trip():
    # 1 GV proton: E = sqrt(1 + m^2) - m
    assert rigidity_to_ekn(1.0) == pytest.approx(np.sqrt(1 + M_P_GEV**2) - M_P_GEV, rel=1e-12)
    assert M_P_GEV == pytest.approx(0.93827208816, rel=1e-9)
    R = np.geomspace(0.05, 1e5, 50)
    np.testing.assert_allclose(ekn_to_rigidity(rigidity_to_ekn(R)), R, rtol=1e-10)
    # helium-4: same rigidity, E per nucleon with p_n = Z R / A
    assert rigidity_to_ekn(10.0, Z=2, A=4) < rigidity_to_ekn(10.0)


def test_jacobian_is_one_over_beta_and_conserves_counts():
    E = np.geomspace(1e-3, 1e4, 40)
    h = 1e-6 * E
    num = (ekn_to_rigidity(E + h) - ekn_to_rigidity(E - h)) / (2 * h)
    np.testing.assert_allclose(dR_dEkn(E), num, rtol=1e-7)
    beta = np.sqrt(E * (E + 2 * M_P_GEV)) / (E + M_P_GEV)
    np.testing.assert_allclose(dR_dEkn(E), 1 / beta, rtol=1e-12)
    # number of particles between two rigidities is the same in either variable
    R1, R2 = 2.0, 20.0
    Rg = np.geomspace(R1, R2, 4001)
    Eg = rigidity_to_ekn(Rg)
    fR = 1e3 * Rg**-2.7
    n_R = np.trapezoid(fR, Rg)
    n_E = np.trapezoid(flux_per_rigidity_to_per_ekn(fR, Eg), Eg)
    assert n_E == pytest.approx(n_R, rel=1e-6)


def test_select_and_unknown_dataset():
    d = crdata.load_ams02_2015().select(10.0, 100.0)
    assert d.E.min() >= 10 and d.E.max() <= 100 and len(d) == len(d.stat_lo)
    with pytest.raises(ValueError, match="unknown data set 'pamela'"):
        crdata.load_dataset("pamela")
