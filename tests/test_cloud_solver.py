"""Cloud engine: exact solutions, conservation, positivity and steady states (issue 6 acceptance)."""
import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import erf

from crescape.config import DeckError, load_config
from crescape.core import constants as C
from crescape.engines.cloud import kernels as K
from crescape.engines.cloud import make_stepper
from helpers.cloud import advance, cloud_deck


def _deck(**sections):
    return cloud_deck(**sections)


_advance = advance


def _tophat_fraction(t, a, kappa):
    """Fraction of a top-hat still in |z| < a: erf(x) + (e^{-x²} − 1)/(x √π), x = a/√(κt)."""
    x = a / np.sqrt(kappa * t)
    return erf(x) + (np.exp(-x * x) - 1.0) / (x * np.sqrt(np.pi))


def test_growth_off_profile_equals_erf_solution_to_1_percent_per_bin():
    deck = _deck(waves={"growth": False, "streaming": False})
    s = _advance(make_stepper(deck), deck.run.t_end)
    su = s.su
    a, z = su.a, su.zc
    for e in range(su.E.size):
        kap, P0 = su.kappa0[e, 0], su.P_init[e, 0]
        sq = np.sqrt(4 * kap * s.t)
        exact = 0.5 * P0 * (erf((a - z) / sq) + erf((a + z) / sq))
        err = np.max(np.abs(s.P[e] - exact)) / exact.max()
        assert err < 0.01, f"bin {e}: max error {err:.2e} of the peak"
        assert s.frac[-1][e] == pytest.approx(_tophat_fraction(s.t, a, kap), rel=0.01)


def test_growth_off_half_life_equals_the_diffusive_one():
    deck = _deck(waves={"growth": False, "streaming": False}, run={"t_end": "3 kyr", "dt_factor": 0.005})
    s = _advance(make_stepper(deck), deck.run.t_end)
    for e in range(s.su.E.size):
        kap = s.su.kappa0[e, 0]
        x_half = brentq(lambda x: _tophat_fraction(1.0, x, 1.0) - 0.5, 0.1, 10.0)
        t_exact = (s.su.a / x_half) ** 2 / kap
        assert s.t_half[e] == pytest.approx(t_exact, rel=0.01)


def test_cr_energy_is_conserved_to_1e_10_with_reflecting_ends_and_nonlinear_waves():
    deck = _deck(grid={"outer": "reflecting", "z_max": "100 pc", "n_cells": 400},
                 run={"t_end": "20 kyr", "dt_factor": 0.05}, phase={"preset": "HISM"})
    s = make_stepper(deck)
    col0 = s.P @ s.su.dz
    _advance(s, deck.run.t_end)
    assert np.all(s.I > s.su.I0 * (1 - 1e-12))  # waves were generated
    assert np.max(s.I / s.su.I0) > 10
    rel = np.abs(s.P @ s.su.dz - col0) / col0
    assert rel.max() < 1e-10
    assert s.history()["E_cr_error"][0] < 1e-10


def test_waves_stay_positive_and_kappa_above_bohm_under_extreme_gradients():
    deck = _deck(source={"a": "0.5 pc", "E_total": "1e55 erg"}, grid={"z_max": "50 pc", "n_cells": 100},
                 run={"t_end": "1 kyr", "dt_factor": 0.5, "dt_min": "100 yr"}, phase={"preset": "CNM"})
    s = _advance(make_stepper(deck), deck.run.t_end)
    assert np.all(np.isfinite(s.I)) and np.all(s.I > 0)
    assert np.all(s.kappa() >= s.su.kappa_B * (1 - 1e-12))
    assert np.all(s.P >= 0)


def test_wave_update_holds_the_growth_damping_steady_state():
    """G = 2 (Γ + c I*)(I* − I0) is a fixed point of the implicit update for any dt."""
    rng = np.random.default_rng(1)
    shape = (4, 50)
    I0 = 10 ** rng.uniform(-8, -3, shape)
    Is = I0 * 10 ** rng.uniform(0.5, 4, shape)
    gam = 10 ** rng.uniform(-14, -8, shape)
    cnl = 10 ** rng.uniform(-12, -9, shape)
    G = 2 * (gam + cnl * Is) * (Is - I0)
    I = Is.copy()
    active = np.ones(shape, dtype=np.bool_)
    for dt in (1e6, 1e10, 1e14):
        K.wave_source_update(I, G, gam, cnl, I0, dt, active)
    assert np.max(np.abs(I / Is - 1)) < 1e-10


def test_wave_update_relaxes_to_background_at_the_damping_rate():
    I0, gam, dt = np.full((1, 1), 1e-6), np.full((1, 1), 1e-10), 1e7
    I = np.full((1, 1), 1e-3)
    n = 2000
    for _ in range(n):
        K.wave_source_update(I, np.zeros((1, 1)), gam, np.zeros((1, 1)), I0, dt, np.ones((1, 1), dtype=np.bool_))
    exact = 1e-6 + (1e-3 - 1e-6) * np.exp(-2 * 1e-10 * n * dt)
    assert I[0, 0] == pytest.approx(exact, rel=0.01)  # backward Euler, 2Γdt = 2e-3 per step


def test_implicit_transport_conserves_and_keeps_positivity_with_streaming():
    rng = np.random.default_rng(3)
    n = 200
    U = rng.uniform(0, 1, (3, n)) ** 8
    dx = rng.uniform(0.5, 2.0, n)
    Vf = rng.normal(0, 1, (3, n + 1))
    Df = rng.uniform(0, 10, (3, n + 1))
    tot = U @ dx
    fl = K.implicit_transport(U, Vf, Df, dx, 10.0, False, np.zeros(3), False, np.zeros(3), np.zeros((3, n)))
    assert np.all(U >= 0)
    assert np.allclose(U @ dx, tot, rtol=1e-12)
    assert np.all(fl == 0)


def test_streaming_only_moves_the_cloud_edge_at_the_alfven_speed():
    """With κ → Bohm-negligible diffusion switched to background and V_A streaming, mass leaves |z|<a
    no faster than the upwind flux V_A P0 allows: the source column drops by at most V_A P0 t."""
    deck = _deck(waves={"growth": False, "streaming": True, "kappa_10": 1e26}, phase={"preset": "HISM"},
                 run={"t_end": "50 kyr"}, grid={"z_max": "200 pc", "n_cells": 2000})
    s = make_stepper(deck)
    _advance(s, deck.run.t_end)
    VA = s.su.Vst[0, 0]
    lost = 1 - s.frac[-1][0]
    diff_only = 1 - _tophat_fraction(s.t, s.su.a, s.su.kappa0[0, 0])
    assert lost > diff_only  # streaming adds escape
    assert lost < diff_only + VA * s.t / s.su.a * 1.05


def test_deck_errors_name_the_parameter():
    with pytest.raises(DeckError, match="source.a"):
        _deck(source={"a": "700 pc"})
    with pytest.raises(DeckError, match="waves.kappa_10"):
        load_config({"engine": "cloud", "waves": {"kappa_10": -1}})
    with pytest.raises(DeckError, match="phase.preset"):
        load_config({"engine": "cloud", "phase": {"preset": "XYZ"}})
    with pytest.raises(DeckError, match="E_max"):
        load_config({"engine": "cloud", "cr": {"E_min": "1 TeV", "E_max": "1 GeV"}})
    with pytest.raises(DeckError, match="kappa_10"):
        make_stepper(_deck(waves={"kappa_10": 1e20}))  # below the Bohm limit


def test_run_writes_the_data_contract(tmp_path):
    import crescape
    from crescape.io import open_run

    deck = _deck(run={"t_end": "2 kyr", "dt_factor": 0.1, "progress": False}, grid={"n_cells": 100},
                 output={"n_snapshots": 2})
    out = crescape.run(deck, tmp_path / "r")
    run = open_run(out)
    snap = run.snapshots
    assert snap["P_cr"].dims == ("t", "z", "E")
    assert snap["W"].dims == ("t", "z", "k")
    assert snap["kappa"].dims == ("t", "z", "E")
    for v in ("P_cr", "W", "kappa", "chi"):
        assert "units" in snap[v].attrs
    assert snap.sizes["t"] == 3
    assert "t_half" in run.halflife
    assert run.history["E_cr_error"].values.max() < 1e-10


def test_mixed_phase_tube_accounts_energy_and_holds_evanescent_waves_at_background():
    """WNM | CNM | DIM (seed 001 §2.3.6): adiabatic terms on; DIM cells at 30 GeV (evanescent band) keep W = W0."""
    deck = load_config({
        "engine": "cloud", "run": {"t_end": "20 kyr", "dt_factor": 0.02, "dt_min": "1 yr"},
        "grid": {"z_max": "300 pc", "n_cells": 600},
        "phase": {"sequence": [{"preset": "WNM", "z_end": "100 pc"}, {"preset": "CNM", "z_end": "180 pc"},
                               {"preset": "DIM", "z_end": "200 pc"}, {"preset": "WNM"}]},
        "source": {"a": "14 pc"}, "cr": {"E_min": "10 GeV", "E_max": "1 TeV", "bins": 5}})
    s = _advance(make_stepper(deck), deck.run.t_end)
    assert s._energy_terms
    assert s.history()["E_cr_error"][0] < 1e-10
    e30 = np.argmin(np.abs(s.su.E - 31.6 * C.GeV))
    dim = (s.su.zc > 180 * C.pc) & (s.su.zc < 200 * C.pc)
    assert not s.su.active[e30, dim].any()
    assert np.array_equal(s.I[e30, dim], s.su.I0[e30, dim])
    assert np.all(s.I > 0) and np.all(s.P >= 0)


@pytest.mark.parametrize("name", ["hism", "wim", "wnm", "cnm", "mixed_wnm_cnm_dim", "pulsar_pairs"])
def test_example_decks_validate_and_build(name):
    from pathlib import Path

    from crescape.engines.cloud.problems import build

    deck = load_config(Path(__file__).parents[1] / "examples" / f"cloud_{name}.toml")
    su = build(deck)
    assert np.all(su.I0 > 0) and np.all(np.isfinite(su.P_init))


def test_cloud_figures_are_written(tmp_path):
    import crescape
    from crescape.plotting import plot_run

    deck = _deck(run={"t_end": "2 kyr", "dt_factor": 0.1, "progress": False}, grid={"n_cells": 100},
                 output={"n_snapshots": 4, "spacing": "log", "t_first": "100 yr"})
    out = crescape.run(deck, tmp_path / "r")
    paths = plot_run(out) + plot_run(out, figure="cloud_gamma")
    assert len(paths) == 4 and all(p.stat().st_size > 1000 for p in paths)


def test_resumed_run_is_bit_identical_to_an_uninterrupted_one(tmp_path):
    import crescape
    from crescape.engines.driver import SimulationError
    from crescape.io import open_run

    d = {"engine": "cloud", "run": {"t_end": "20 kyr", "dt_factor": 0.05, "dt_min": "1 yr", "progress": False},
         "grid": {"z_max": "300 pc", "n_cells": 300}, "phase": {"preset": "CNM"}, "source": {"a": "3 pc"},
         "cr": {"bins": 3}, "output": {"n_snapshots": 4}}
    full = crescape.run(load_config(d), tmp_path / "full")
    part = dict(d, run=dict(d["run"], max_steps=150))
    with pytest.raises(SimulationError, match="max_steps"):
        crescape.run(load_config(part), tmp_path / "part")
    # a resume takes no deck changes: give the stopped run the full step budget in its saved deck
    (tmp_path / "part" / "config.toml").write_text((tmp_path / "full" / "config.toml").read_text())
    res = crescape.run(None, tmp_path / "part", resume=True)
    a, b = open_run(full), open_run(res)
    for v in ("P_cr", "W", "kappa"):
        assert np.array_equal(a.snapshots[v].values, b.snapshots[v].values)
    assert np.array_equal(a.halflife["t_half"].values, b.halflife["t_half"].values, equal_nan=True)
    # the flux-tube grid travels with the run: planar z cells, volumes = widths (per unit area)
    g = b.grid
    assert g.coord == "z" and g.geometry == "planar"
    np.testing.assert_array_equal(g.rc, a.snapshots["z"].values)
    np.testing.assert_array_equal(g.V, np.diff(g.rf))
    np.testing.assert_array_equal(g.axes["E"][0], a.snapshots["E"].values)
