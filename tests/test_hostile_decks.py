"""Regression tests of decks found hostile from outside: each is refused before anything
runs, with exit status 2, a one-line message naming the key, and no output directory."""
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from crescape.cli import main
from crescape.config import DeckError, load_config
from crescape.config.estimate import check_resources, estimate, parse_size

EX = Path(__file__).resolve().parents[1] / "examples"
BIG = "1" + "0" * 5000


def _fake_sde_run(d: Path) -> Path:
    """A run directory that holds an SDE run file (spectra, no snapshots/v)."""
    from crescape.io import write_run_file

    d.mkdir()
    ds = xr.Dataset({"f": (("p",), np.ones(3), {"units": ""})}, coords={"p": ("p", np.arange(3.0), {"units": ""})})
    write_run_file(d / "run.h5", {"spectra": ds}, {"engine": "sde", "crescape_version": "x", "config": ""})
    return d


CASES = {
    "every": ("crhydro_small.toml", ["output.every=1e-9", "run.t_end=1"], "output.every"),
    "no_equilibrium": ("crhydro_small.toml", ["problem.T=5"], "problem.T"),
    "shocks_never_collide": ("sde_colliding_shocks.toml", ["flow.V2=0.5"], "flow.V2"),
    "D_overflows": ("crhydro_small.toml", ["cr.p_max=1e300", "cr.delta=1.5"], "cr.p_max"),
    "n_snapshots_1e9": ("crhydro_small.toml", ["output.n_snapshots=1000000000"], "output.n_snapshots"),
    "n_snapshots_int64": ("crhydro_small.toml", ["output.n_snapshots=9223372036854775807"], "output.n_snapshots"),
    "n_cells_1e7_with_crs": ("crhydro_small.toml", ["grid.n_cells=10000000"], "grid.n_cells"),
    "sde_histogram_1e5": ("sde_planar_shock.toml", ["output.n_x=100000", "output.n_p=100000"], "output.n_x"),
    "sde_1e15_steps": ("sde_planar_shock.toml", ["run.t_end=1e12", "run.dt=1e-3"], "run.dt"),
    "int_4300_digits_set": ("sod.toml", [f"run.t_end={BIG}"], "run.t_end"),
    "int_beyond_float": ("sod.toml", ["run.t_end=1" + "0" * 400], "run.t_end"),
    "observer_traversal": ("sde_planar_shock.toml",
                           ['output.observers=[{name = "x/../../../../tmp/elsewhere", kind = "shock"}]'],
                           "output.observers.0.name"),
}


def _refused(capsys, tmp_path, argv, key):
    out = tmp_path / "out"
    rc = main(["run", *argv, "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"'{key}'" in err, err
    assert len(err) < 600, len(err)
    assert not out.exists()
    return err


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_deck_is_refused_naming_the_key(case, capsys, tmp_path):
    deck, sets, key = CASES[case]
    argv = [str(EX / deck)] + [a for s in sets for a in ("--set", s)]
    _refused(capsys, tmp_path, argv, key)


def test_integer_of_5000_digits_in_a_deck_names_the_key(capsys, tmp_path):
    (tmp_path / "d.toml").write_text(f'engine = "crhydro"\n[run]\nt_end = {BIG}\n')
    _refused(capsys, tmp_path, [str(tmp_path / "d.toml")], "run.t_end")


def test_200_kB_string_is_shortened_in_the_message(capsys, tmp_path):
    (tmp_path / "d.toml").write_text(f'engine = "crhydro"\n[grid]\ngeometry = "{"a" * 200_000}"\n')
    err = _refused(capsys, tmp_path, [str(tmp_path / "d.toml")], "grid.geometry")
    assert "(200002 characters)" in err


def test_hydro_replay_of_a_run_that_is_not_crhydro_names_flow_path(capsys, tmp_path):
    run = _fake_sde_run(tmp_path / "sde_run")
    (tmp_path / "d.toml").write_text(f'engine = "sde"\n[grid]\ngeometry = "spherical"\n[flow]\nkind = "hydro_run"\n'
                                     f'path = "{run}"\n[injection]\nwhere = "point"\nx0 = 0.5\n')
    err = _refused(capsys, tmp_path, [str(tmp_path / "d.toml")], "flow.path")
    assert "not a CR-hydro run" in err


def test_memory_refusal_states_the_memory_needed_and_max_memory_raises_the_limit():
    deck = load_config(EX / "crhydro_small.toml", ["grid.n_cells=1000000"])
    e = estimate(deck)
    # 1e6 cells × 50 momentum bins (5 decades × 10): N_cr alone is 400 MB per copy; the solver holds
    # ~16 such arrays and 18 snapshots are kept for run.h5
    assert 1e6 * 50 * 8 * 16 < e.memory < 1e6 * 50 * 8 * 100
    with pytest.raises(DeckError, match=r"'grid.n_cells'.*GiB of memory \(limit 1 GiB"):
        check_resources(deck, max_memory="1GiB")
    assert check_resources(deck, max_memory="64GB", max_work=1e14).memory == e.memory


def test_parse_size_units():
    assert parse_size("64GB") == 64 * 10**9
    assert parse_size("500 MiB") == 500 * 2**20
    assert parse_size("2e9") == 2 * 10**9
    with pytest.raises(ValueError):
        parse_size("lots")


def test_every_shipped_example_fits_the_default_limits():
    from helpers.hostile_fuzz import example_decks

    for name, data in example_decks():
        check_resources(load_config(data), source=name)


def test_dry_run_prints_the_estimate_and_writes_nothing(capsys, tmp_path):
    rc = main(["run", str(EX / "sde_planar_shock.toml"), "--dry-run", "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert rc == 0 and "memory (estimate)" in out and "particle steps" in out
    assert not (tmp_path / "o").exists()
    assert main(["info", str(EX / "crhydro_small.toml")]) == 0
    assert "run.h5 (estimate)" in capsys.readouterr().out


def test_unknown_kind_of_5000_characters_is_shortened():
    """Found by the long fuzz profile: the did-you-mean message quoted the whole tag."""
    with pytest.raises(DeckError) as exc:
        load_config({"engine": "crhydro", "problem": {"kind": "a" * 5000}})
    msg = str(exc.value)
    assert "'problem.kind'" in msg and "(5002 characters)" in msg and len(msg) < 300
