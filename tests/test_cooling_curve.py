"""Cooling/heating functions: constants pinned to Koyama & Inutsuka (2002) and Schure et al. (2009)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from crescape.physics.cooling import (
    GAMMA_KI,
    T_SWITCH,
    CoolingFunction,
    equilibrium_density,
    lambda_ki2002,
    load_cie_table,
)


def test_ki2002_equilibrium_density_at_7000K_is_0p2044():
    """Typo-corrected KI2002: n_eq(7000 K) = Γ/Λ = 0.2044 cm^-3 (the 1.148e5 / '14' variants give
    0.1425 / 8.6e-4 cm^-3, so this pins the constants)."""
    n = equilibrium_density(7000.0)
    assert n == pytest.approx(0.2044, abs=5e-5)
    lam = lambda_ki2002(7000.0)
    direct = 2e-26 * (1e7 * math.exp(-1.184e5 / 8000.0) + 1.4e-2 * math.sqrt(7000.0) * math.exp(-92.0 / 7000.0))
    assert lam == pytest.approx(direct, rel=1e-14)
    assert GAMMA_KI == 2e-26


def test_composite_curve_is_continuous_at_both_ends_of_the_join():
    c = CoolingFunction()
    for T in (T_SWITCH, T_SWITCH * 10**0.1):
        lo, hi = c(T * (1 - 1e-9)), c(T * (1 + 1e-9))
        assert hi == pytest.approx(lo, rel=1e-6)
    # below the switch it is exactly KI2002
    assert c(5000.0) == lambda_ki2002(5000.0)


def test_cie_branch_reproduces_schure_table2_in_nH2_convention():
    """Schure et al. (2009) Table 2 at log T = 6.0: Λ_hd = 10^-21.7073 erg cm^3 s^-1, and
    Λ_hd = (n_e/n_H) Λ_N row by row (to the 4-digit rounding of the table)."""
    c = CoolingFunction()
    assert c(1e6) == pytest.approx(10**-21.7073, rel=1e-10)
    a = np.loadtxt(__import__("importlib").resources.files("crescape").joinpath(
        "data", "cooling", "schure_table_2.txt").open())
    hi = a[:, 0] >= 4.4  # where n_e/n_H is given with enough digits
    assert np.allclose(a[hi, 2], a[hi, 1] + np.log10(a[hi, 3]), atol=2e-4)


@pytest.mark.parametrize("table", ["sutherland_dopita1993", "gnat_sternberg2007"])
def test_alternative_tables_agree_with_schure_within_a_factor_two_at_1e6K(table):
    x, y = load_cie_table(table)
    assert np.all(np.diff(x) > 0)
    c = CoolingFunction(table)
    ratio = c(1e6) / CoolingFunction()(1e6)
    assert 0.5 < ratio < 2.0


def test_heating_only_below_floor_and_free_free_extrapolation():
    c = CoolingFunction(T_floor=50.0)
    assert c(40.0) == 0.0
    x, y = load_cie_table("schure2009")
    T_end = 10 ** x[-1]
    assert c(4 * T_end) / c(T_end) == pytest.approx(2.0, rel=1e-12)  # Λ ∝ T^1/2 beyond the table
