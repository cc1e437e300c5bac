"""Gamma-ray halos: pion emissivity vs naima, diffusion solutions, profile fit of χ and δ."""
import astropy.units as u
import numpy as np
import pytest
from scipy.integrate import quad

from crescape.analysis import gamma as G
from crescape.core import constants as C


def test_emissivity_of_a_power_law_table_matches_naima_power_law_to_1_percent():
    """Our table (kinetic energies, per cm^3) against naima's analytic PowerLaw in total energy."""
    from naima.models import PionDecay, PowerLaw

    alpha, E0, amp = 2.4, 1.0 * u.TeV, 1e-20  # dN/dE_tot [cm^-3 eV^-1] at E0
    E_kin = np.geomspace(0.05 * C.GeV, 5e7 * C.GeV, 600)
    E_tot_eV = (E_kin + C.m_p_c2) / C.eV
    N_kin = amp * (E_tot_eV / 1e12) ** -alpha / C.eV  # per erg of kinetic (= total) energy
    Eg = np.geomspace(1 * C.GeV, 100 * C.TeV, 9)
    ours = G.pion_emissivity(Eg, E_kin, N_kin, n_H=1.0)
    ref = PionDecay(PowerLaw(amp / u.eV, E0, alpha), nh=1 * u.cm**-3).flux(Eg * u.erg, distance=0).to_value(
        "1/(erg s)")
    assert np.max(np.abs(ours / ref - 1)) < 0.01


def test_emissivity_is_recomputed_for_a_new_distribution_and_ignores_zeros():
    """naima memoization pitfall: a second call with another spectrum must not return the first result."""
    E = np.geomspace(1 * C.GeV, 1e6 * C.GeV, 300)
    N1 = E ** -2.2
    N2 = 3.0 * N1
    N2[:20] = 0.0  # zeros would give log(0) inside naima
    Eg = np.array([100.0, 1000.0]) * C.GeV
    q1 = G.pion_emissivity(Eg, E, N1)
    q2 = G.pion_emissivity(Eg, E, N2)
    assert np.all(np.isfinite(q2))
    assert q2 == pytest.approx(3.0 * q1, rel=0.02)  # high-E photons come from E_p ≫ E[20]


def test_burst_solution_conserves_particles_and_continuous_one_is_Q_over_4pi_kappa_r():
    kap, t = 1e28, 3e11
    tot = quad(lambda r: 4 * np.pi * r * r * G.burst_solution(r, t, kap), 0, 20 * np.sqrt(4 * kap * t))[0]
    assert tot == pytest.approx(1.0, rel=1e-8)
    r = 1e17  # r ≪ √(4κt): erfc → 1
    assert G.continuous_solution(r, t, kap) == pytest.approx(1 / (4 * np.pi * kap * r), rel=1e-3)


def test_projected_profile_of_a_gaussian_is_a_gaussian():
    """∫ exp(−(b²+l²)/s²) dl = √π s exp(−b²/s²)."""
    s, d = 3 * C.pc, 1 * C.kpc
    theta = np.array([0.5, 2.0, 5.0]) * C.pc / d
    S = G.projected_profile(theta, d, lambda r: np.exp(-(r / s) ** 2), r_max=20 * s, n_los=3000)
    b = d * np.tan(theta)
    assert S == pytest.approx(np.sqrt(np.pi) * s * np.exp(-(b / s) ** 2), rel=2e-3)


@pytest.mark.parametrize("kind", ["burst", "continuous"])
def test_profile_fit_recovers_injected_chi_and_delta_to_5_percent(kind):
    d, t = 1.0 * C.kpc, 20 * C.kyr
    theta = np.geomspace(0.3, 30, 15) * C.pc / d
    E = np.array([10, 100, 1000]) * C.GeV
    chi, delta = 0.05, 0.4
    prof = G.model_profiles(theta, d, E, t, chi, delta, kind=kind)
    rng = np.random.default_rng(7)
    prof *= 1 + 0.01 * rng.normal(size=prof.shape)  # 1 % noise
    fit = G.fit_chi_delta(theta, d, E, prof, t, kind=kind, chi0=0.3, delta0=0.6)
    assert fit["success"]
    assert fit["chi"] == pytest.approx(chi, rel=0.05)
    assert fit["delta"] == pytest.approx(delta, rel=0.05)


def test_density_from_pressure_inverts_the_pressure_definition():
    from crescape.engines.cloud.problems import pressure_per_lnE

    E = np.geomspace(1, 1e4, 5) * C.GeV
    N = E ** -2.3
    assert G.density_from_pressure(E, pressure_per_lnE(E, N, C.m_p)) == pytest.approx(N, rel=1e-12)
