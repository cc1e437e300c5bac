"""ISM phase presets reproduce seed 001 Table 2 and their derived plasma quantities."""
import numpy as np
import pytest

from crescape.core import constants as C
from crescape.physics.ism import PHASES, Phase, get_phase, ion_neutral_collision_rate, m_H, phase_index

TABLE2 = {  # T [K], B [uG], X, n_tot [cm^-3], mu_i, mu_n  (seed 001 Table 2)
    "HISM": (1e6, 2.0, 1.0, 0.01, 1.21, None),
    "WIM": (8000, 5, 0.9, 0.35, 1.21, 1.21),
    "WNM": (8000, 5, 0.02, 0.35, 1.21, 1.21),
    "CNM": (50, 6, 8e-4, 30, 12, 1.21),
    "DIM": (50, 6, 1e-4, 300, 12, 1.67),
    "DC": (20, 60, 1e-6, 1e4, 29, 2.12),
}


@pytest.mark.parametrize("name", list(TABLE2))
def test_presets_match_table2(name):
    T, B, X, n, mi, mn = TABLE2[name]
    ph = PHASES[name]
    assert (ph.T, ph.B / C.uG, ph.x_i, ph.n_tot, ph.mu_i) == pytest.approx((T, B, X, n, mi))
    if mn is not None:
        assert ph.mu_n == pytest.approx(mn)
    assert ph.n_i + ph.n_n == pytest.approx(n)


def test_alfven_speeds_and_collision_rates_of_the_WNM():
    ph = PHASES["WNM"]
    rho_i = 0.02 * 0.35 * 1.21 * m_H
    assert ph.V_Ai == pytest.approx(5e-6 / np.sqrt(4 * np.pi * rho_i), rel=1e-12)
    assert ph.V_Atot == pytest.approx(5e-6 / np.sqrt(4 * np.pi * 0.35 * 1.21 * m_H), rel=1e-12)
    assert ph.nu_in == pytest.approx(0.98 * 0.35 * 1.7e-8 * 0.8**0.4, rel=1e-12)
    assert ph.nu_ni * ph.rho_n == pytest.approx(ph.nu_in * ph.rho_i, rel=1e-12)  # momentum balance
    assert 1e6 < ph.V_Ai < 2e7  # ~ 100 km/s ions alone, ~ 17 km/s whole gas
    assert ph.V_Atot == pytest.approx(16.8e5, rel=0.01)


def test_molecular_collision_rate():
    assert ion_neutral_collision_rate(100.0, 20.0, molecular=True) == pytest.approx(2.1e-7)
    assert PHASES["DC"].nu_in == pytest.approx(2.1e-9 * (1 - 1e-6) * 1e4)


def test_bad_phase_values_are_rejected_with_the_parameter_name():
    with pytest.raises(ValueError, match="x_i"):
        Phase("bad", T=1e4, B=1e-6, x_i=0.0, n_tot=1.0)
    with pytest.raises(ValueError, match="n_tot"):
        Phase("bad", T=1e4, B=1e-6, x_i=0.5, n_tot=-1.0)
    with pytest.raises(ValueError, match="unknown ISM phase"):
        get_phase("XNM")


def test_phase_sequence_along_the_tube():
    z = np.array([10, 99, 101, 179, 181, 250]) * C.pc
    idx = phase_index(z, [100 * C.pc, 180 * C.pc])
    assert list(idx) == [0, 0, 1, 1, 2, 2]
    with pytest.raises(ValueError):
        phase_index(z, [100 * C.pc, 50 * C.pc])
