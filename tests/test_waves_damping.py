"""Wave growth and damping rates equal their formulas in each regime (seed 001 §2.3.2, eqs. 3–7)."""
import numpy as np
import pytest

from crescape.core import constants as C
from crescape.physics import waves as W
from crescape.physics.ism import PHASES


def _in_args(ph):
    return ph.V_Ai, ph.V_Atot, ph.nu_in, ph.nu_ni, ph.rho_i, ph.rho_n


def test_bohm_coefficient_is_4_over_3pi_E_c_over_qB_for_relativistic_protons():
    E, B = 1.0 * C.TeV, 3e-6  # kinetic energy; the seed's E is the total energy (= pc to 5e-7 here)
    expected = 4.0 / (3.0 * np.pi) * (E + C.m_p_c2) * C.c / (C.e_charge * B)  # seed 001 below eq. 4
    assert W.bohm_coefficient(E, B) == pytest.approx(expected, rel=1e-6)


def test_diffusion_respects_bohm_limit_and_background_level_gives_kappa0():
    kB = W.bohm_coefficient(10 * C.GeV, 5e-6)
    k0 = W.kappa_background(10 * C.GeV)
    assert k0 == pytest.approx(3e28)
    I0 = W.background_wave_level(k0, kB)
    assert W.diffusion_from_waves(I0, kB) == pytest.approx(k0, rel=1e-12)
    assert W.diffusion_from_waves(50.0, kB) == pytest.approx(kB)  # δB/B > 1 cannot scatter faster than Bohm


def test_decoupled_regime_rate_is_half_nu_in_eq6():
    ph = PHASES["CNM"]
    k = 10.0 * ph.nu_in / ph.V_Ai  # ω = k V_Ai ≫ ν_in
    g, v, reg = W.ion_neutral_damping(k, *_in_args(ph))
    assert reg[0] == W.DECOUPLED
    assert g[0] == pytest.approx(0.5 * ph.nu_in, rel=1e-14)
    assert v[0] == pytest.approx(ph.V_Ai)


def test_coupled_regime_rate_is_k2_VA2_over_2nu_ni_eq7():
    ph = PHASES["CNM"]
    k = 1e-3 * ph.nu_ni / ph.V_Atot  # ω ≪ ν_ni
    g, v, reg = W.ion_neutral_damping(k, *_in_args(ph))
    xi_n = ph.rho_n / ph.rho
    assert reg[0] == W.COUPLED
    assert g[0] == pytest.approx(xi_n * k**2 * ph.V_Atot**2 / (2 * ph.nu_ni), rel=1e-14)
    assert v[0] == pytest.approx(ph.V_Atot)


@pytest.mark.parametrize("name", ["WNM", "CNM", "DIM", "DC"])
def test_asymptotic_rates_agree_with_exact_dispersion_relation_far_from_the_band(name):
    """Kulsrud & Pearce (1969) cubic vs eqs. 6–7: 1 % one decade away from the band edges."""
    ph = PHASES[name]
    k1, k2 = W.evanescent_band(ph.V_Ai, ph.V_Atot, ph.nu_in, ph.nu_ni, ph.rho_i, ph.rho_n)
    for k in (0.03 * min(k1, k2), 30.0 * max(k1, k2)):
        g_asym, v_asym, _ = W.ion_neutral_damping(k, *_in_args(ph))
        omr, g_ex = W.ion_neutral_dispersion(k, ph.V_Ai, ph.nu_in, ph.nu_ni)
        assert g_ex[0] == pytest.approx(g_asym[0], rel=0.01)
        assert omr[0] / k == pytest.approx(v_asym[0], rel=0.01)


def test_evanescent_band_of_DIM_covers_10_to_100_GeV_as_in_Brahimi_2020():
    """Seed 001 §2.3.4: in the DIM, waves resonant with 10–100 GeV protons are evanescent."""
    ph = PHASES["DIM"]
    E = np.array([5.0, 20.0, 50.0, 90.0, 300.0]) * C.GeV
    _, _, reg = W.ion_neutral_damping(W.resonant_wavenumber(E, ph.B), *_in_args(ph))
    assert list(reg) == [W.DECOUPLED, W.EVANESCENT, W.EVANESCENT, W.EVANESCENT, W.COUPLED]
    k = W.resonant_wavenumber(50 * C.GeV, ph.B)
    omr, _ = W.ion_neutral_dispersion(k, ph.V_Ai, ph.nu_in, ph.nu_ni)
    assert omr[0] == 0.0  # the exact relation has no propagating root there either


def test_exact_damping_is_continuous_in_k_when_there_is_no_band():
    """WIM (χ = ρn/ρi ≈ 0.1): no evanescent band; Γ(k) and V_st(k) vary smoothly across ω ~ ν."""
    ph = PHASES["WIM"]
    k1, k2 = W.evanescent_band(ph.V_Ai, ph.V_Atot, ph.nu_in, ph.nu_ni, ph.rho_i, ph.rho_n)
    assert k1 >= k2
    k = np.geomspace(1e-4, 1e4, 2001) * ph.nu_ni / ph.V_Atot
    g, v, _ = W.ion_neutral_damping(k, *_in_args(ph))
    dlg = np.abs(np.diff(np.log(g)))
    assert dlg.max() < 0.03  # max |Δ ln Γ| per 0.4 % step in k: no jumps (Γ ∝ k² at most → 0.0092)
    assert np.abs(np.diff(np.log(v))).max() < 1e-3


def test_coupled_rate_printed_with_nu_in_in_seed_001_would_be_off_by_rho_n_over_rho_i():
    """Documented correction: seed eq. 7 with ν_in disagrees with the exact relation by ≈ ρn/ρi."""
    ph = PHASES["CNM"]
    k = 1e-3 * ph.nu_ni / ph.V_Atot
    _, g_ex = W.ion_neutral_dispersion(k, ph.V_Ai, ph.nu_in, ph.nu_ni)
    seed_form = ph.V_Atot**2 * k**2 / (2 * ph.nu_in)
    assert g_ex[0] / seed_form == pytest.approx(ph.rho_n**2 / (ph.rho_i * ph.rho), rel=0.01)


def test_nlld_rate_formula_and_linearity_in_wave_energy():
    k, vi = 1e-13, 1e7
    g = W.nlld_rate(k, 0.01, vi)
    assert g == pytest.approx(0.5 * np.sqrt(np.pi / 2) * k * vi * 0.01, rel=1e-15)
    assert W.nlld_rate(k, 0.02, vi) == pytest.approx(2 * g, rel=1e-15)


def test_turbulent_damping_farmer_goldreich_scaling():
    VA, L = 1e6, 50 * C.pc
    k = np.array([1e-14, 4e-14])
    g = W.turbulent_damping_rate(k, VA, L)
    assert g[0] == pytest.approx(VA * np.sqrt(1e-14 / L), rel=1e-15)
    assert g[1] / g[0] == pytest.approx(2.0)  # ∝ k^1/2
    with pytest.raises(ValueError, match="M_A"):
        W.turbulent_damping_rate(k, VA, L, M_A=2.0)


def test_streaming_growth_rate_eq4_normalisation():
    B, I, VA, dPdz = 5e-6, 1e-3, 1e6, 1e-30
    Wtot = B**2 / (4 * np.pi)  # energy conservation: d(I B²/4π)/dt = 2Γ I B²/4π = V_A |∂z P|
    assert W.streaming_growth_rate(VA, -dPdz, I, B) == pytest.approx(VA * dPdz / (2 * I * Wtot), rel=1e-14)
    assert W.streaming_growth_rate(VA, dPdz, I, B, "magnetic") == pytest.approx(
        2 * W.streaming_growth_rate(VA, dPdz, I, B), rel=1e-14)


def test_drift_growth_rate_vanishes_below_the_alfven_speed_and_scales_with_beam_density():
    args = dict(k=1e-15, V_A=1e6, n_gas=1.0, B=3e-6, a=4.2, r_l0=1e13)
    assert W.drift_growth_rate(V_d=0.5e6, n_cr_above=1e-9, **args) == 0.0
    g1 = W.drift_growth_rate(V_d=3e6, n_cr_above=1e-9, **args)
    g2 = W.drift_growth_rate(V_d=3e6, n_cr_above=2e-9, **args)
    assert g1 > 0 and g2 == pytest.approx(2 * g1)
