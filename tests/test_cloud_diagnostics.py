"""Cloud diagnostics: Π, TM99 radius, half-life, grammage, Bell and trapping criteria, pulsar pairs."""
import numpy as np
import pytest

from crescape.analysis.grammage import linear_slab_grammage
from crescape.config import load_config
from crescape.core import constants as C
from crescape.engines.cloud import analysis as D
from crescape.engines.cloud import make_stepper
from crescape.engines.cloud.problems import build, spin_down_luminosity, tm99_age, tm99_radius


def _advance(s, t_end):
    while s.t < t_end * (1 - 1e-12):
        s.step(t_end - s.t)
        s.check()
    return s


def test_malkov_pi_of_the_initial_cloud_matches_the_nava_2016_estimate():
    """Π ≈ 3e4 at R = 10 pc, n_i = 0.1 cm^-3, E = 10 GeV, 1e50 erg, α = 2 (seed 001 §2.2.2); exact E^(1−α)."""
    deck = load_config({"engine": "cloud", "grid": {"z_max": "200 pc", "n_cells": 400},
                        "phase": {"preset": None, "T": 1e4, "B": "3 uG", "x_i": 1.0, "n_tot": 0.1, "mu_i": 1.0},
                        "source": {"a": "10 pc", "alpha": 2.0}, "cr": {"energies": ["10 GeV", "100 GeV"]}})
    su = build(deck)
    Pi = D.malkov_pi(su.Vst[:, 0], su.kappa_B[:, 0], su.P_init @ su.dz, su.B[0])
    est = D.nava_pi_estimate(1e50, 10 * C.pc, su.E, 2.0, 0.1)
    assert Pi[0] == pytest.approx(est[0], rel=0.25)  # 2.47e4 vs ≈ 3e4 (an order-of-magnitude formula)
    assert Pi[0] / Pi[1] == pytest.approx(est[0] / est[1], rel=2e-3)  # E^(1−α) scaling
    assert Pi[0] == pytest.approx(B_independent_pi(deck), rel=1e-10)


def B_independent_pi(deck):
    d = deck.model_dump()
    d["phase"]["B"] = 3e-5  # 10x stronger field: Π is independent of B
    su = build(load_config(d))
    return D.malkov_pi(su.Vst[:, 0], su.kappa_B[:, 0], su.P_init @ su.dz, su.B[0])[0]


def test_tm99_radius_joins_the_sedov_taylor_solution_continuously():
    E, M, rho = 1e51, 1.4 * C.M_sun, 0.01 * 1.4 * C.m_p
    t_ch = E**-0.5 * M ** (5 / 6) * rho ** (-1 / 3)
    R_ch = M ** (1 / 3) * rho ** (-1 / 3)
    r_lo, r_hi = tm99_radius(np.array([0.495 * (1 - 1e-9), 0.495]) * t_ch, E, M, rho) / R_ch
    assert r_lo == pytest.approx(r_hi, rel=3e-3)
    t = 1000 * t_ch
    assert tm99_radius(t, E, M, rho) == pytest.approx(1.15 * (E * t**2 / rho) ** 0.2, rel=0.01)  # ξ = 1.15
    assert tm99_age(float(tm99_radius(t, E, M, rho)), E, M, rho) == pytest.approx(t, rel=1e-9)


def test_half_life_interpolates_the_first_crossing():
    t = np.array([0.0, 1.0, 2.0, 3.0])
    f = np.array([[1.0, 0.8, 0.4, 0.6], [1.0, 0.9, 0.8, 0.7]])
    th = D.half_life(t, f)
    assert th[0] == pytest.approx(1.75)
    assert np.isnan(th[1])


def test_grammage_of_linear_diffusion_equals_the_mean_residence_time_in_the_tube():
    """Uniform cloud |z| < a in a tube |z| < L with absorbing ends: X = ρ c (L² − a²/3) / (2κ)."""
    deck = load_config({"engine": "cloud", "run": {"t_end": "400 kyr", "dt_factor": 0.01, "dt_min": "1 yr"},
                        "grid": {"z_max": "50 pc", "n_cells": 500}, "phase": {"preset": "WIM"},
                        "source": {"a": "5 pc"}, "cr": {"energies": ["10 GeV"]},
                        "waves": {"growth": False, "streaming": False}})
    s = _advance(make_stepper(deck), deck.run.t_end)
    L, a, kap = 50 * C.pc, 5 * C.pc, s.su.kappa0[0, 0]
    rho = s.su.phases[0].rho
    expected = rho * s._v[0] * (L**2 - a**2 / 3) / (2 * kap)
    assert s.grammage[0] == pytest.approx(expected, rel=0.01)
    assert linear_slab_grammage(rho, L, kap, s._v[0]) == pytest.approx(rho * s._v[0] * L**2 / (2 * kap))


def test_bell_criterion_and_trapping_condition():
    B, V_D = 3e-6, 1e8
    U_B = B**2 / (8 * np.pi)
    assert D.bell_criterion(U_B * C.c / V_D * 2, B, V_D) == pytest.approx(2.0)
    assert D.larson_sigma(8 * C.pc, 1e5, 1 / 3) == pytest.approx(2e5)
    assert D.trapping_condition(2e5 * 8 * C.pc, 8 * C.pc) == pytest.approx(1.0)


def test_anisotropy_growth_rate_changes_sign_at_threshold():
    a, VA = 4.5, 1e6
    zeta_c = (a * a - 1) / (3 * a * (a - 2)) * VA / C.c
    args = dict(a=a, n_cr_above=1e-9, n_g=1.0, B=3e-6, V_A=VA)
    assert D.anisotropy_growth_rate(zeta=zeta_c, **args) == pytest.approx(0.0, abs=1e-20)
    assert D.anisotropy_growth_rate(zeta=2 * zeta_c, **args) > 0 > D.anisotropy_growth_rate(zeta=0.5 * zeta_c, **args)


def _pulsar_deck(**over):
    d = {"engine": "cloud", "run": {"t_end": "50 kyr", "dt_factor": 0.05, "dt_min": "10 yr"},
         "grid": {"z_max": "300 pc", "n_cells": 300}, "phase": {"preset": "WIM", "x_i": 1.0},
         "source": {"kind": "pulsar", "L0": "1e37 erg/s", "tau0": "10 kyr", "alpha": 1.5, "a": "1 pc"},
         "cr": {"species": "electron", "E_min": "1 TeV", "E_max": "100 TeV", "bins": 5},
         "waves": {"ion_neutral": False}, "losses": {"sync_ic": True}}
    for k, v in over.items():
        d[k].update(v)
    return load_config(d)


def test_pulsar_injection_follows_the_spin_down_power_and_energy_is_accounted():
    s = make_stepper(_pulsar_deck(losses={"sync_ic": False}, waves={"growth": False}))
    _advance(s, 50 * C.kyr)
    # injected column per ln E ∝ ∫ L dt = L0 τ0 (1 − 1/(1 + t/τ0))
    s2 = make_stepper(_pulsar_deck(losses={"sync_ic": False}, waves={"growth": False}))
    _advance(s2, 10 * C.kyr)
    ratio = s.injected[0] / s2.injected[0]
    expected = (1 - 1 / 6.0) / (1 - 1 / 2.0)
    assert ratio == pytest.approx(expected, rel=0.02)  # backward-Euler source: first order in dt
    assert spin_down_luminosity(10 * C.kyr, 1.0, 10 * C.kyr) == pytest.approx(0.25)
    assert s.history()["E_cr_error"][0] < 1e-10


def test_pair_losses_are_accounted_and_self_confinement_lowers_kappa_at_5_and_10_pc():
    s = _advance(make_stepper(_pulsar_deck()), 50 * C.kyr)
    assert s.history()["E_cr_error"][0] < 1e-9
    dy = np.diff(s._lnE_edges)
    assert np.sum(s.lost * dy) > 0  # synchrotron + IC took energy (moving pairs to lower bins)
    assert s.lost[-1] > 0
    e10 = np.argmin(np.abs(s.su.E - 10 * C.TeV))
    for z in (5 * C.pc, 10 * C.pc):
        i = np.argmin(np.abs(s.su.zc - z))
        assert s.kappa()[e10, i] < 0.5 * s.su.kappa0[e10, i]


def test_drift_form_grows_fewer_waves_than_the_gradient_form_but_still_confines_pairs():
    k = {}
    for form in ("gradient", "drift"):
        s = _advance(make_stepper(_pulsar_deck(waves={"ion_neutral": False, "growth_form": form})), 20 * C.kyr)
        k[form] = s.kappa()
    chi_d, chi_g = np.min(k["drift"] / s.su.kappa0), np.min(k["gradient"] / s.su.kappa0)
    assert chi_g < chi_d < 0.5  # threshold V_d > V_A removes part of the growth; still self-confined


def test_low_energy_protons_lose_energy_to_coulomb_and_ionisation_at_the_tabulated_rate():
    """100 MeV protons in the WNM: −dE/dt = Coulomb(n_i) + ionisation(n_n) (Mannheim & Schlickeiser 1994)."""
    from crescape.physics.losses import coulomb_loss_rate, ionisation_loss_rate

    deck = load_config({"engine": "cloud", "grid": {"z_max": "100 pc", "n_cells": 50},
                        "source": {"a": "5 pc"}, "cr": {"E_min": "10 MeV", "E_max": "1 GeV", "bins": 5},
                        "waves": {"kappa_10": 1e28}, "losses": {"coulomb_ionisation": True}})
    su = build(deck)
    ph = su.phases[0]
    e = 2  # 100 MeV
    expected = C.eV * (coulomb_loss_rate(su.E[e], ph.n_i, ph.T) + ionisation_loss_rate(su.E[e], ph.n_n))
    assert -su.loss_rate[e, 0] == pytest.approx(expected, rel=1e-12)
    s = _advance(make_stepper(deck), 20 * C.kyr)
    assert s.history()["E_cr_error"][0] < 1e-10


def test_tm99_release_radius_is_used_for_the_cloud():
    deck = load_config({"engine": "cloud", "phase": {"preset": "HISM"},
                        "source": {"a_mode": "tm99", "t_escape": "15 kyr", "a_frac": 1.0},
                        "grid": {"z_max": "1 kpc", "n_cells": 100}})
    su = build(deck)
    assert su.a == pytest.approx(float(tm99_radius(15 * C.kyr, 1e51, 1.4 * C.M_sun, su.phases[0].rho)))
    assert 25 * C.pc < su.a < 50 * C.pc
