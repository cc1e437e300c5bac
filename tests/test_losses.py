"""Collisional loss rates pinned to the Mannheim & Schlickeiser (1994) fits (issue 3 numbers)."""
import numpy as np
import pytest

from crescape.core.constants import MeV, c, eV, m_p
from crescape.physics import losses

E_K = np.array([10.0, 100.0, 1000.0]) * MeV


def test_coulomb_rate_matches_mannheim_schlickeiser_fit_values():
    # n_e = 1 cm^-3, T_e = 1e4 K (issue 3 acceptance numbers)
    got = losses.coulomb_loss_rate(E_K, 1.0, 1e4)
    np.testing.assert_allclose(got, [2.126e-6, 7.193e-7, 3.520e-7], rtol=5e-4)


def test_ionisation_rate_matches_mannheim_schlickeiser_fit_values():
    got = losses.ionisation_loss_rate(E_K, 1.0)
    np.testing.assert_allclose(got, [1.211e-6, 4.184e-7, 2.075e-7], rtol=5e-4)


def test_coulomb_rate_vanishes_below_thermal_electron_speed():
    # β < x_m: Heaviside cut; x_m(1e4 K) = 0.0286 * sqrt(1/200) = 2.02e-3 -> E_k ~ 1.9 keV
    assert losses.coulomb_loss_rate(1.0 * 1e3 * eV, 1.0, 1e4) == 0.0
    assert losses.coulomb_loss_rate(3.0 * 1e3 * eV, 1.0, 1e4) > 0.0


def test_scalar_core_equals_vectorised_formula():
    p = np.geomspace(1e-3, 1e4, 40)
    b = losses.beta_of_p(p)
    Ek = losses.kinetic_energy(p)
    xm3 = losses.x_m_cubed(7000.0)
    core = np.array([losses.collisional_edot_eV(bb, 0.02, 0.18, xm3) for bb in b])
    ref = losses.coulomb_loss_rate(Ek, 0.02, 7000.0) + losses.ionisation_loss_rate(Ek, 0.18)
    # β from E_k goes through 1 − 1/γ² (cancellation ~1e-10 at p = 1e-3): same formula, round-off only
    np.testing.assert_allclose(core, ref, rtol=1e-9)


def test_momentum_loss_is_energy_loss_over_velocity():
    p = np.array([0.1, 1.0, 10.0])
    pdot = losses.momentum_loss_rate(p, 0.2, 7000.0, 0.1)
    edot = losses.collisional_loss_rate(losses.kinetic_energy(p), 0.2, 7000.0, 0.1)
    np.testing.assert_allclose(-pdot * losses.velocity(p), edot, rtol=1e-14)
    # relativistic limit: ε = pc - m_p c² ; kinetic energy without cancellation at small p
    assert losses.kinetic_energy(1e-6) == pytest.approx(0.5e-12 * m_p * c * c, rel=1e-9)


def test_ionisation_fraction_splits_electrons_and_neutrals():
    Ek = 100 * MeV
    full = losses.collisional_loss_rate(Ek, 1.0, 1e4, 1.0) / eV
    neutral = losses.collisional_loss_rate(Ek, 1.0, 1e4, 0.0) / eV
    assert full == pytest.approx(7.193e-7, rel=5e-4)
    assert neutral == pytest.approx(4.184e-7, rel=5e-4)
