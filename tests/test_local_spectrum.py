"""Local proton spectrum: J = vN/4π, force-field modulation, interpolation of runs in t and r."""
import math

import numpy as np
import pytest

from crescape.analysis.crdata import M_P_GEV
from crescape.analysis.local_spectrum import (
    SourceSpectra,
    broken_power_law_rigidity,
    force_field,
    intensity_from_density,
    kinetic_energy_gev,
    power_law_rigidity,
)
from crescape.analysis.local_spectrum_standin import tophat_diffusion_density
from crescape.core.constants import GeV, Myr, c, m_p_c2, pc


def test_kinetic_energy_of_p_equal_mc_is_sqrt2_minus_1_rest_energies():
    assert kinetic_energy_gev(1.0) == pytest.approx((math.sqrt(2) - 1) * 0.93827208816, rel=1e-9)
    assert kinetic_energy_gev(1e-4) == pytest.approx(0.5e-8 * M_P_GEV, rel=1e-6)  # non-relativistic p²/2m


def test_intensity_of_power_law_density_matches_hand_computation():
    # N = dn/d(p/m_p c) = 1e-10 p^-2.3 cm^-3 at p = 10: J = v/(4π) dn/dε, dε/dp = m_p c² β
    p, A = 10.0, 1e-10
    N = A * p**-2.3
    beta = p / math.sqrt(1 + p * p)
    dn_dE = N / (m_p_c2 * beta)  # per erg
    J_hand = beta * c * dn_dE / (4 * math.pi) * 1e4 * GeV  # per m² s sr GeV
    assert intensity_from_density(p, N) == pytest.approx(J_hand, rel=1e-12)
    # numerically: 5.0119e-13 cm^-3 × c/(4π × 1.50328e-3 erg) × 1e4 × 1.602177e-3
    assert intensity_from_density(p, N) == pytest.approx(
        5.011872336e-13 * 2.99792458e10 / (4 * math.pi * 1.50327759e-3) * 1e4 * 1.602176634e-3, rel=1e-6
    )


def test_intensity_integrates_back_to_the_number_density():
    # n(p1<p<p2) = ∫ N dp = ∫ (4π/v) J dε
    p = np.geomspace(0.03, 3e3, 20001)
    N = 1e-9 * p**-2.3
    E = kinetic_energy_gev(p)
    v = c * p / np.sqrt(1 + p * p)
    J_cgs = intensity_from_density(p, N) / (1e4 * GeV)  # per cm² s sr erg
    n_from_J = np.trapezoid(4 * math.pi / v * J_cgs, E * GeV)
    assert n_from_J == pytest.approx(np.trapezoid(N, p), rel=1e-6)


def _momentum(E):
    return np.sqrt(E * (E + 2 * M_P_GEV))


def test_force_field_conserves_phase_space_density_along_the_shift():
    lis = lambda E: 1.8e4 * _momentum(E) ** -2.8 / (E + M_P_GEV) * _momentum(E)  # any smooth LIS
    E = np.geomspace(1e-3, 1e3, 60)
    for phi in (0.3, 0.6, 1.0):
        J = force_field(E, lis, phi)
        # f ∝ J/p² is the same at E (Earth) and E + Φ (outside), Gleeson & Axford 1968
        np.testing.assert_allclose(J / _momentum(E) ** 2, lis(E + phi) / _momentum(E + phi) ** 2, rtol=1e-12)
    np.testing.assert_allclose(force_field(E, lis, 0.0), lis(E), rtol=1e-14)


def test_force_field_on_power_law_gives_analytic_high_and_low_energy_limits():
    gam, phi = 2.7, 0.5
    lis = lambda E: 1e4 * E**-gam
    # E ≫ m, Φ: J_mod/J_LIS = (1 + Φ/E)^-(γ+2) up to O(mΦ/E²)
    E = np.array([300.0, 1e3, 3e3])
    ratio = force_field(E, lis, phi) / lis(E)
    np.testing.assert_allclose(ratio, (1 + phi / E) ** -(gam + 2), rtol=3 * M_P_GEV * phi / E[0] ** 2)
    # E ≪ Φ: J_mod = J_LIS(Φ) · 2 m E/(Φ (Φ + 2m)) — linear in E
    E = np.array([1e-7, 2e-7])  # corrections O(γ E/Φ) ~ 1e-6
    J = force_field(E, lis, phi)
    np.testing.assert_allclose(J, lis(phi) * 2 * M_P_GEV * E / (phi * (phi + 2 * M_P_GEV)), rtol=1e-5)
    assert J[1] / J[0] == pytest.approx(2.0, rel=1e-5)


def test_distant_power_law_in_rigidity():
    R0, K = 10.0, 450.0
    E0 = math.sqrt(R0**2 + M_P_GEV**2) - M_P_GEV  # kinetic energy at R0
    beta0 = R0 / (E0 + M_P_GEV)
    assert power_law_rigidity(E0, K, 2.8, R0) == pytest.approx(K / beta0, rel=1e-12)
    E = np.geomspace(0.1, 1e4, 9)
    R = np.sqrt(E * (E + 2 * M_P_GEV))
    dJdR = power_law_rigidity(E, K, 2.8, R0) * R / (E + M_P_GEV)  # × β = dE/dR
    slope = np.diff(np.log(dJdR)) / np.diff(np.log(R))
    np.testing.assert_allclose(slope, -2.8, rtol=1e-10)
    # broken power law: index γ well below the break, γ2 well above
    R = np.array([20.0, 40.0, 2e5, 4e5])
    E = np.sqrt(R**2 + M_P_GEV**2) - M_P_GEV
    dJdR = broken_power_law_rigidity(E, K, 2.85, 2.6, 500.0, 0.05, R0) * R / (E + M_P_GEV)
    assert math.log(dJdR[1] / dJdR[0]) / math.log(2) == pytest.approx(-2.85, abs=1e-6)
    assert math.log(dJdR[3] / dJdR[2]) / math.log(2) == pytest.approx(-2.6, abs=1e-6)


def test_tophat_diffusion_conserves_particles_and_is_regular_at_origin():
    from scipy.integrate import quad

    r0, D = 5 * pc, 1e26
    for t in (1e10, 3e13, 3e14):
        tot = quad(lambda r: 4 * math.pi * r * r * tophat_diffusion_density(r, t, r0, D), 0, 2000 * pc, limit=400)[0]
        assert tot == pytest.approx(4 / 3 * math.pi * r0**3, rel=1e-8)
        n = tophat_diffusion_density(np.array([0.0, 1e-3 * pc]), t, r0, D)
        assert n[1] == pytest.approx(n[0], rel=1e-6)


# ---------------------------------------------------------------------------------------------
# interpolation of the run in t and r against the exact diffusion solution
# ---------------------------------------------------------------------------------------------
P = np.logspace(-1.5, 5.5, 36)
DIFF = 1e26 * P ** (1 / 3)
R0 = 5 * pc


def _exact(t, d):
    return intensity_from_density(P, P**-2.3 * tophat_diffusion_density(d, t, R0, DIFF))


def _spectra(dt, dr, tmax, rmax=300 * pc):
    t = np.arange(dt, tmax + dt / 2, dt)
    r = (np.arange(int(round(rmax / dr))) + 0.5) * dr
    N = P**-2.3 * tophat_diffusion_density(r[None, :, None], t[:, None, None], R0, DIFF[None, None, :])
    return SourceSpectra(t, r, P, N)


def _err(s, t, d):
    J, Je = s.intensity(t, d), _exact(t, d)
    w = kinetic_energy_gev(P) ** 2.7 * Je
    m = w >= 1e-3 * w.max()  # where the source matters on an E^2.7 plot
    return np.max(np.abs(J[m] / Je[m] - 1))


def test_time_interpolation_converges_at_second_order():
    ages = np.linspace(1.0, 2.0, 21) * Myr
    errs = []
    for dt in (0.4, 0.2, 0.1):
        s = _spectra(dt * Myr, 0.5 * pc, 2.5 * Myr)
        errs.append(max(_err(s, t, 228.7 * pc) for t in ages))
    order = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(order > 1.7), (errs, order)


def test_radial_interpolation_converges_at_second_order():
    ds = np.linspace(200, 210, 21) * pc
    errs = []
    for dr in (4.0, 2.0, 1.0):
        s = _spectra(0.1 * Myr, dr * pc, 1.5 * Myr)
        errs.append(max(_err(s, 1.2 * Myr, d) for d in ds))
    order = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    np.testing.assert_allclose(order, 2.0, atol=0.1)


@pytest.mark.parametrize("t_age, d", [(1.23, 228.75), (2.93, 41.25), (6.63, 2.25), (1.27, 100.25)])
def test_interpolation_error_below_5_percent_at_0p1_Myr_cadence(t_age, d):
    s = _spectra(0.1 * Myr, 0.5 * pc, 7.0 * Myr)
    assert _err(s, t_age * Myr, d * pc) < 0.05
    # at a cell centre only the time interpolation errs: the leave-one-out estimate bounds it
    assert s.cadence_error(t_age * Myr, d * pc) >= _err(s, t_age * Myr, d * pc)


def test_snapshot_nodes_are_reproduced_exactly_and_out_of_range_is_an_error():
    s = _spectra(0.5 * Myr, 2.0 * pc, 3.0 * Myr)
    i, j = 3, 17
    np.testing.assert_allclose(s.density(s.t[i], s.r[j]), s.N[i, j], rtol=1e-12)
    np.testing.assert_allclose(s.density(s.t[i], 0.0), s.N[i, 0], rtol=1e-12)  # symmetric origin
    with pytest.raises(ValueError, match=r"t_age = 4 Myr is outside"):
        s.density(4.0 * Myr, 10 * pc)
    with pytest.raises(ValueError, match=r"d = 400 pc is outside"):
        s.density(1.0 * Myr, 400 * pc)
    with pytest.raises(ValueError, match="negative values down to 1 of its maximum"):
        SourceSpectra(s.t, s.r, s.p, -s.N)
    N = s.N.copy()
    N[2, 5, 3] = -1e-14 * N.max()
    with pytest.warns(UserWarning, match="1 round-off negative values"):
        assert SourceSpectra(s.t, s.r, s.p, N).density(s.t[2], s.r[5])[3] == 0.0
    N[2, 5, 3] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        SourceSpectra(s.t, s.r, s.p, N)


@pytest.mark.parametrize("t_age, d", [(1.2, 228.75), (2.9, 41.25), (6.6, 2.25)])
def test_interpolation_error_below_5_percent_at_the_D26_deck_cadence(t_age, d):
    # the D26 deck's output: 40 log-spaced snapshots from 100 yr to 10 Myr + 0.5 kyr, 10 kyr,
    # 0.1, 1, 2, 4, 6, 8, 10 Myr (ratio ≈ 1.34 between snapshots at Myr ages)
    from crescape.config.base import OutputSection

    out = OutputSection(times=[s * Myr for s in (5e-4, 0.01, 0.1, 1, 2, 4, 6, 8, 10)],
                        n_snapshots=40, spacing="log", t_first=1e-4 * Myr)
    t = out.snapshot_times(0.0, 10 * Myr)[1:]
    r = (np.arange(600) + 0.5) * 0.5 * pc
    N = P**-2.3 * tophat_diffusion_density(r[None, :, None], t[:, None, None], R0, DIFF[None, None, :])
    s = SourceSpectra(t, r, P, N)
    assert _err(s, t_age * Myr, d * pc) < 0.05  # measured: 3.8 %, 0.5 %, 3e-5
