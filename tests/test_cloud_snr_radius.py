"""Cloud engine with a tube radius growing with the SNR, a(t) = a_frac R_sh(t) (issue 6, item 3).

R_sh is the Truelove & McKee (1999) forward shock, uniform ejecta (n = 0), Table 5:
ejecta-dominated R* = 2.01 t* (1 + 1.72 t*^{3/2})^{-2/3} (t* < 0.495), Sedov–Taylor
R* = (1.42 t* − 0.254)^{2/5}, R_ch = M_ej^{1/3} ρ0^{-1/3}, t_ch = E^{-1/2} M_ej^{5/6} ρ0^{-1/3}.
Widening dilutes the CR excess by (a_old/a_new)², so the CR energy 6π a² ∫(P − P_bg) dz is kept.
"""

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import erf

from crescape.config import DeckError, load_config
from crescape.core import constants as C
from crescape.engines.cloud import make_stepper
from crescape.engines.driver import SimulationError
from helpers.cloud import advance, cloud_deck


def _deck(**sections):
    return cloud_deck(t_end="5 kyr", dt_factor=0.05, z_max="200 pc", n_cells=200, **sections)


_advance = advance


def _tm99(t, E=1e51, M=1.4 * C.M_sun, rho=C.m_p):
    """TM99 Table 5, n = 0, written out independently of the engine."""
    R_ch, t_ch = M ** (1 / 3) * rho ** (-1 / 3), E**-0.5 * M ** (5 / 6) * rho ** (-1 / 3)
    ts = t / t_ch
    Rs = 2.01 * ts * (1 + 1.72 * ts**1.5) ** (-2 / 3) if ts < 0.495 else (1.42 * ts - 0.254) ** 0.4
    return R_ch * Rs


@pytest.mark.parametrize("source", [{"radius": "snr", "a": "2 pc"},  # released in the ejecta-dominated phase
                                    {"radius": "snr", "a_mode": "tm99", "t_escape": "2 kyr", "a_frac": 0.8}])
def test_tube_radius_follows_truelove_mckee_1999(source):
    deck = _deck(source=source, run={"t_end": "40 kyr"}, grid={"z_max": "400 pc"})
    s = make_stepper(deck)
    rho = s.su.phases[0].rho
    af = deck.source.a_frac
    if deck.source.a_mode == "tm99":
        t_rel = deck.source.t_escape
    else:
        t_rel = brentq(lambda t: af * _tm99(t, rho=rho) - deck.source.a, 1e7, 1e14, rtol=1e-14)
    assert s.a == pytest.approx(af * _tm99(t_rel, rho=rho), rel=1e-9)
    t_ch = 1e51**-0.5 * (1.4 * C.M_sun) ** (5 / 6) * rho ** (-1 / 3)
    branches = set()
    for t in (10 * C.yr, 300 * C.yr, 3 * C.kyr, 40 * C.kyr):
        _advance(s, t)
        assert s.a == pytest.approx(af * _tm99(t_rel + t, rho=rho), rel=1e-6)
        branches.add((t_rel + t) / t_ch < 0.495)
    assert s.a > 1.5 * s.su.a  # the remnant did grow
    if deck.source.a_mode == "fixed":
        assert branches == {True, False}  # both TM99 branches (ED and ST) were exercised


def test_cr_energy_is_conserved_to_1e_10_while_the_tube_widens():
    deck = _deck(source={"radius": "snr", "a": "5 pc"}, phase={"preset": "HISM"},
                 grid={"outer": "reflecting", "z_max": "100 pc", "n_cells": 400},
                 run={"t_end": "20 kyr"})
    s = make_stepper(deck)
    e0 = s.su.a**2 * (s.P @ s.su.dz)
    _advance(s, deck.run.t_end)
    assert s.a / s.su.a > 2.0
    assert np.max(s.I / s.su.I0) > 2  # self-generated waves present
    e1 = s.a**2 * (s.P @ s.su.dz)
    assert np.max(np.abs(e1 - e0) / e0) < 1e-10
    h = s.history()
    assert h["E_cr_error"][0] < 1e-10
    assert h["a"][0] == s.a
    tot = sum(h[f"E_tube_{i:03d}"][0] for i in range(s.su.E.size))
    assert tot == pytest.approx(6 * np.pi * e0.sum(), rel=1e-10)  # 6π a² ∫P dz: the initial energy


def test_growth_off_profile_is_the_erf_solution_diluted_by_the_area():
    """Diffusion and dilution are linear: P(z, t) = erf-top-hat(a0, κ0 t) × (a0 / a(t))²."""
    deck = _deck(source={"radius": "snr", "a": "10 pc"}, waves={"growth": False, "streaming": False},
                 grid={"z_max": "600 pc", "n_cells": 1200}, run={"t_end": "10 kyr", "dt_factor": 0.01})
    s = _advance(make_stepper(deck), deck.run.t_end)
    a0, z = s.su.a, s.su.zc
    for e in range(s.su.E.size):
        sq = np.sqrt(4 * s.su.kappa0[e, 0] * s.t)
        exact = 0.5 * s.su.P_init[e, 0] * (erf((a0 - z) / sq) + erf((a0 + z) / sq)) * (a0 / s.a) ** 2
        assert np.max(np.abs(s.P[e] - exact)) / exact.max() < 0.01


def test_snr_radius_errors_name_the_parameter():
    with pytest.raises(DeckError, match="source.radius"):
        _deck(source={"radius": "snr", "kind": "pulsar"})
    deck = _deck(source={"radius": "snr", "a": "10 pc"}, grid={"z_max": "12 pc", "n_cells": 24},
                 run={"t_end": "50 kyr"})
    with pytest.raises(SimulationError, match="grid.z_max"):
        _advance(make_stepper(deck), deck.run.t_end)


def test_restored_state_continues_bit_identically_with_a_growing_radius():
    deck = _deck(source={"radius": "snr", "a": "10 pc"})
    ref = _advance(_advance(make_stepper(deck), 1 * C.kyr), deck.run.t_end)  # same step sequence
    s = _advance(make_stepper(deck), 1 * C.kyr)
    arrays, meta = s.state()
    r = make_stepper(deck)
    r.restore(arrays, meta)
    _advance(r, deck.run.t_end)
    assert r.a == ref.a and np.array_equal(r.P, ref.P) and np.array_equal(r.I, ref.I)
    assert np.array_equal(r.t_half, ref.t_half, equal_nan=True)


def test_example_deck_releases_at_14_pc_and_grows_with_the_remnant():
    from pathlib import Path

    deck = load_config(Path(__file__).parents[1] / "examples" / "cloud_wnm_snr_radius.toml")
    s = make_stepper(deck)
    assert deck.source.radius == "snr" and s.a == pytest.approx(14 * C.pc, rel=1e-12)
    rho = s.su.phases[0].rho
    t_rel = brentq(lambda t: _tm99(t, rho=rho) - 14 * C.pc, 1e7, 1e14, rtol=1e-14)
    assert s.su.snr[0] == pytest.approx(t_rel, rel=1e-8)
