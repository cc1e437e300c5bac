"""CGS constants agree with astropy; unit strings convert once, correctly, at load time."""
import astropy.constants as ac
import astropy.units as u
import pytest

from crescape.core import constants as C
from crescape.core.units import to_cgs


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (C.c, ac.c.cgs.value),
        (C.m_p, ac.m_p.cgs.value),
        (C.m_e, ac.m_e.cgs.value),
        (C.k_B, ac.k_B.cgs.value),
        (C.e_charge, ac.e.gauss.value),
        (C.sigma_T, ac.sigma_T.cgs.value),
        (C.G, ac.G.cgs.value),
        (C.eV, u.eV.to(u.erg)),
        (C.pc, u.pc.to(u.cm)),
        (C.yr, u.yr.to(u.s)),
        (C.M_sun, ac.M_sun.cgs.value),
    ],
)
def test_constant_matches_astropy(ours, theirs):
    assert ours == pytest.approx(theirs, rel=1e-9)


def test_unit_strings_convert_to_cgs():
    assert to_cgs("300 pc", "cm") == pytest.approx(300 * C.pc, rel=1e-12)
    assert to_cgs("10 Myr", "s") == pytest.approx(10 * C.Myr, rel=1e-12)
    assert to_cgs("1 uG", "G") == pytest.approx(1e-6, rel=1e-12)
    assert to_cgs("1e50 erg", "erg") == 1e50
    assert to_cgs("1 GeV", "erg") == pytest.approx(C.GeV, rel=1e-12)
    assert to_cgs("1e-3 kg m-3", "g cm-3") == pytest.approx(1e-6, rel=1e-12)
    assert to_cgs(2.5, "cm") == 2.5  # bare numbers are already CGS


@pytest.mark.parametrize("bad", ["3 Myr", "banana", True, [1]])
def test_bad_unit_strings_are_errors(bad):
    with pytest.raises(ValueError):
        to_cgs(bad, "cm")
