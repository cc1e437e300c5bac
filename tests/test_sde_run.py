"""SDE engine end to end: deck → run directory (data contract), resume, plots, errors, propagation."""
import numpy as np
import pytest

from crescape.api import run as crescape_run
from crescape.config import DeckError, load_config
from crescape.engines.sde import analysis as propagation
from crescape.engines.sde import simulate
from crescape.io import open_run


def small_deck(**over):
    d = {"engine": "sde", "units": "code",
         "flow": {"kind": "planar_shock", "u1": 1.0, "compression": 4.0, "width": 0.004},
         "diffusion": {"kappa": 0.1}, "run": {"t_end": 1.0, "dt": 0.001, "seed": 9, "block_size": 16,
                                              "chunk_particles": 64, "progress": False},
         "injection": {"n_particles": 160, "p0": 1.0},
         "output": {"n_snapshots": 2, "p_min": 0.5, "p_max": 100.0, "n_p": 20, "x_lo": -3, "x_hi": 3, "n_x": 30,
                    "particles": True}}
    d.update(over)
    return d


def test_run_directory_follows_the_data_contract_and_resume_is_exact(tmp_path):
    out = crescape_run(small_deck(), tmp_path / "a")
    run = open_run(out)
    sp = run.spectra
    assert set(sp.dims) >= {"observer", "t", "p"}
    for v in ("dN_dlnp", "dN_dlnp_err", "f", "f_err"):
        assert "units" in sp[v].attrs
    snap = run.snapshots
    assert snap["x"].dims == ("t", "particle") and snap["x"].shape == (3, 160)
    assert np.all(snap["alive"].values == 1)
    assert run.config.flow.kind == "planar_shock"
    # killed after the first chunk: SIGINT during chunk 1 -> checkpoint + Interrupted; then resume
    d1 = small_deck()
    d1["injection"] = {"n_particles": 160, "p0": 1.0}
    d1["run"] = {**d1.get("run", {}), "chunk_particles": 64}
    b = tmp_path / "b"
    import os
    import signal

    from crescape.engines.sde import stepper as sde_stepper
    from crescape.errors import Interrupted

    real = sde_stepper.simulate_chunk

    def first_chunk_then_sigint(setup, start, m):
        res = real(setup, start, m)
        os.kill(os.getpid(), signal.SIGINT)
        return res

    sde_stepper.simulate_chunk = first_chunk_then_sigint
    try:
        with pytest.raises(Interrupted, match="particle 64 of 160"):
            crescape_run(d1, b)
    finally:
        sde_stepper.simulate_chunk = real
    assert not (b / "run.h5").exists()  # the SDE run file is written once, at the end
    crescape_run(None, b, resume=True)
    rb = open_run(b)
    for name in ("dN_dlnp", "dN_dlnp_err", "f", "f_err"):  # bit-identical to the uninterrupted run
        np.testing.assert_array_equal(rb.spectra[name].values, sp[name].values)
    assert np.array_equal(rb.snapshots["x"].values, snap["x"].values, equal_nan=True)


def test_sde_resume_of_a_finished_run_rebuilds_a_missing_run_file_from_the_checkpoint(tmp_path, capfd):
    out = crescape_run(small_deck(), tmp_path / "a")
    run = open_run(out)
    ref = run.spectra["dN_dlnp"].values.copy()
    np.testing.assert_array_equal(run.grid.axes["p_edge"][0], run.spectra["p_edges"].values)
    assert run.grid.rf[0] == -3 and run.grid.rf[-1] == 3 and run.grid.n == 30  # the x histogram
    crescape_run(None, out, resume=True)
    assert "run already complete (particle 160 of 160" in capfd.readouterr().err
    (out / "run.h5").unlink()
    crescape_run(None, out, resume=True)
    assert "rebuilt" in capfd.readouterr().err
    np.testing.assert_array_equal(open_run(out).spectra["dN_dlnp"].values, ref)


def test_plot_writes_the_standard_figures(tmp_path):
    from crescape.plotting import plot_run

    out = crescape_run(small_deck(), tmp_path / "r")
    files = plot_run(out)
    names = {f.name for f in files}
    assert {"spectra_shock.png", "summed.png", "xp_hist.png", "propagation.png"} <= names


@pytest.mark.parametrize("bad,key,words", [
    ({"flow": {"kind": "sedov"}}, "(top level)", ["spherical"]),
    ({"flow": {"kind": "planar_shock", "compression": 0.5}}, "flow.planar_shock.compression", ["greater than 1"]),
    ({"splitting": {"enabled": True}, "output": {"particles": True}}, "(top level)", ["particles", "splitting"]),
    ({"injection": {"spectrum": "power_law", "p_min": 10.0, "p_max": 1.0}}, "injection", ["p_max"]),
    ({"flow": {"kind": "none"}}, "(top level)", ["injection.where = 'shock'"]),
    ({"run": {"dt": 2.0, "t_end": 1.0}}, "(top level)", ["run.dt"]),
])
def test_bad_decks_name_the_parameter(bad, key, words):
    d = {"engine": "sde", "flow": {"kind": "planar_shock"}}
    d.update(bad)
    with pytest.raises(DeckError) as exc:
        load_config(d)
    msg = str(exc.value)
    assert key in msg and all(w in msg for w in words), msg


def test_under_resolved_shock_warns():
    d = load_config(small_deck(run={"t_end": 0.2, "dt": 0.02, "seed": 1, "progress": False},
                               output={"n_snapshots": 1}))
    with pytest.warns(UserWarning, match="shock width"):
        simulate(d)


def test_green_function_propagation_matches_closed_form_and_histogram_route():
    """All weight at x = L: n(0, τ) = exp(-L²/4κτ)/sqrt(4πκτ) (seed 003 eq. 21); histogram route agrees."""
    L, kappa = 3.0, 0.5
    pe = np.geomspace(1, 10, 5)
    x = np.full(1000, L)
    p = np.full(1000, 2.0)
    w = np.full(1000, 1e-3)
    taus = [0.5, 2.0, 8.0]
    out = propagation.spectrum_from_particles(x, p, w, taus, lambda q: kappa, pe)
    dlnp = np.log(pe[1] / pe[0])
    want = np.exp(-(L**2) / (4 * kappa * np.array(taus))) / np.sqrt(4 * np.pi * kappa * np.array(taus)) / dlnp
    assert np.allclose(out[:, 1], want, rtol=1e-12)  # p = 2 lies in the second bin
    xc = np.linspace(-10, 10, 2001)
    H = np.zeros((xc.size, 1))
    H[np.argmin(abs(xc - L)), 0] = 1.0 / (xc[1] - xc[0]) / dlnp
    hist = propagation.spectrum_from_histogram(xc, [2.0], H, taus, lambda q: kappa)
    assert np.allclose(hist[:, 0], want, rtol=1e-9)


def test_hydro_run_replay_drives_adiabatic_cooling(tmp_path):
    """Replay of a synthetic CR-hydro run with v = a r (spherical): ∇·v = 3a everywhere, so every
    pseudo-particle has p = p0 exp(-a t) exactly (to 1e-6)."""
    import xarray as xr

    from crescape.io import write_run_file

    a = 0.2
    t = np.array([0.0, 1.0, 2.0])
    r = np.linspace(0.0, 50.0, 101)
    snap = xr.Dataset({"v": (("t", "r"), np.tile(a * r, (3, 1)), {"units": "cm s-1"})},
                      coords={"t": ("t", t, {"units": "s"}), "r": ("r", r, {"units": "cm"})})
    hydro = tmp_path / "hydro"
    hydro.mkdir()
    write_run_file(hydro / "run.h5", {"snapshots": snap},
                   {"crescape_version": "test", "engine": "crhydro",
                    "config": 'engine = "crhydro"\n[grid]\ngeometry = "spherical"\nr_max = 50.0\n'})
    d = load_config({"engine": "sde", "grid": {"geometry": "spherical", "x_max": 1e9},
                     "flow": {"kind": "hydro_run", "path": str(hydro)}, "diffusion": {"kappa": 0.01},
                     "run": {"t_end": 2.0, "dt": 0.01}, "injection": {"n_particles": 40, "where": "volume",
                                                                        "x_lo": 1.0, "x_hi": 3.0, "p0": 2.0},
                     "output": {"particles": True, "times": [1.0, 2.0], "initial": False}})
    _, res, _ = simulate(d)
    p = np.exp(res.particles["lnp"])
    assert np.allclose(p, 2.0 * np.exp(-a * np.array([1.0, 2.0]))[:, None], rtol=1e-6)
