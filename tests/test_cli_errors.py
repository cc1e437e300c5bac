"""The ``crescape`` command: user errors are one short message on stderr, exit status 2,
never a traceback."""
import os
import subprocess
import sys

import pytest

BAD = {
    "unknown_key": ("[grid]\nn_cels = 64\n", ["grid.n_cels", "did you mean 'n_cells'"]),
    "wrong_type": ("[grid]\nn_cells = \"many\"\n", ["grid.n_cells", "integer"]),
    "unphysical": ("[gas]\ngamma = 0.5\n", ["gas.gamma", "greater than 1"]),
    "inverted_grid": ("[grid]\nr_min = 2.0\nr_max = 1.0\n", ["'grid'", "must be larger than"]),
    "empty_grid": ("[grid]\nn_cells = 0\n", ["grid.n_cells", "greater than or equal to 4"]),
    "bad_unit": ("[grid]\nr_max = \"300 parsnips\"\n", ["grid.r_max", "parsnips"]),
    "wrong_dimension": ("[run]\nt_end = \"3 pc\"\n", ["run.t_end", "cannot be converted to s"]),
    "not_finite": ("[run]\nt_end = inf\n", ["run.t_end", "finite"]),
    "bad_engine": ("engine = \"sdee\"\n", ["'engine'", "did you mean 'sde'"]),
    "bad_toml": ("[grid\n", ["not valid TOML"]),
}


def _crescape(*args, cwd=None):
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "crescape.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env)


def _check_bad_deck_output(code, out, err, words, outdir):
    assert code == 2, err
    assert "Traceback" not in err and out == ""
    assert err.startswith("crescape: ")
    assert "\n\n" not in err.strip() and len(err) < 1500
    for w in words:
        assert w in err, err
    assert not outdir.exists()  # nothing created for a bad deck


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_deck_exit_2_one_paragraph_no_traceback(tmp_path, case, capsys):
    """Every class through crescape.cli.main (in-process: exit status and stderr as the shell sees them)."""
    from crescape import cli

    text, words = BAD[case]
    deck = tmp_path / "bad.toml"
    deck.write_text(text if text.startswith("engine") else 'engine = "crhydro"\n' + text)
    code = cli.main(["run", str(deck), "--out", str(tmp_path / "out")])
    cap = capsys.readouterr()
    _check_bad_deck_output(code, cap.out, cap.err, words, tmp_path / "out")


@pytest.mark.parametrize("case", ["unknown_key", "bad_unit", "inverted_grid"])
def test_bad_deck_through_the_crescape_command(tmp_path, case):
    """The same from a shell: `crescape run bad.toml` in a subprocess."""
    text, words = BAD[case]
    deck = tmp_path / "bad.toml"
    deck.write_text(text if text.startswith("engine") else 'engine = "crhydro"\n' + text)
    r = _crescape("run", str(deck), "--out", str(tmp_path / "out"))
    _check_bad_deck_output(r.returncode, r.stdout, r.stderr, words, tmp_path / "out")


def test_bad_set_override_exit_2(tmp_path):
    deck = tmp_path / "ok.toml"
    deck.write_text("engine = \"crhydro\"\n[grid]\nn_cells = 64\n")
    r = _crescape("run", str(deck), "--set", "grid.n_cells=-5", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "grid.n_cells" in r.stderr and "Traceback" not in r.stderr


def test_resume_of_a_non_run_directory_exit_2(tmp_path):
    r = _crescape("run", "--resume", str(tmp_path))
    assert r.returncode == 2 and "not a crescape run directory" in r.stderr and "Traceback" not in r.stderr


def test_plot_of_missing_run_exit_2(tmp_path):
    r = _crescape("plot", str(tmp_path / "nothing"))
    assert r.returncode == 2 and "not found" in r.stderr and "Traceback" not in r.stderr


def test_truncated_run_reported_by_cli(tmp_path):
    import numpy as np
    import xarray as xr

    from crescape.config import load_config
    from crescape.io import file_attrs, prepare_rundir, write_run_file

    deck = load_config({"grid": {"n_cells": 8}})
    out = prepare_rundir(tmp_path / "r", deck)
    write_run_file(out / "run.h5", {"history": xr.Dataset({"E_th": ("t", np.ones(400), {"units": "erg"})})},
                   file_attrs(deck))
    with open(out / "run.h5", "r+b") as fh:
        fh.truncate(800)
    r = _crescape("plot", str(out))
    assert r.returncode == 2 and "truncated" in r.stderr and "Traceback" not in r.stderr


def test_info_lists_every_parameter_with_unit():
    r = _crescape("info", "crhydro")
    assert r.returncode == 0, r.stderr
    for key in ("grid.n_cells", "grid.r_max", "run.t_end", "cr.D0", "gas.gamma"):
        assert key in r.stdout
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("grid.r_max"))
    assert " cm " in line


def test_info_lists_the_fit_config_with_required_keys_and_inherited_meanings():
    r = _crescape("info", "local-spectrum")
    assert r.returncode == 0, r.stderr
    lines = {ln.split()[0]: ln for ln in r.stdout.splitlines() if ln and not ln.startswith("#")}
    assert "required" in lines["run"] and "required" in lines["sources.d.value"]
    assert " cm " in lines["sources.d.value"] and "distance of the source" in lines["sources.d.value"]
    assert "sources.run" in lines and "data.phi.value" in lines and " GV " in lines["data.phi.value"]
    assert "PydanticUndefined" not in r.stdout


def test_version():
    from crescape import __version__

    r = _crescape("--version")
    assert r.returncode == 0 and __version__ in r.stdout


@pytest.mark.parametrize("text, words", [
    ('[axes]\n"gas.gamma" = [1.4]\n', ["base", "Field required"]),
    ('base = "missing.toml"\n[axes]\n"gas.gamma" = [1.4]\n', ["'base'", "not found"]),
    ('mdoe = "zip"\n[base]\nengine = "crhydro"\n[axes]\n"gas.gamma" = [1.4]\n', ["did you mean 'mode'"]),
    ('[base]\nengine = "crhydro"\n[axes]\n"gas.gamma" = [1.4, 0.9]\n', ["point 1", "gas.gamma"]),
])
def test_bad_sweep_file_exit_2_before_any_run(tmp_path, text, words, capsys):
    from crescape import cli

    sweep = tmp_path / "s.toml"
    sweep.write_text(text)
    code = cli.main(["sweep", str(sweep), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    for w in words:
        assert w in err, err
    assert not (tmp_path / "out").exists()


def test_bad_sweep_through_the_crescape_command(tmp_path):
    sweep = tmp_path / "s.toml"
    sweep.write_text('[base]\nengine = "crhydro"\n[axes]\n"gas.gama" = [1.4]\n')
    r = _crescape("sweep", str(sweep), "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and "did you mean 'gamma'" in r.stderr and "Traceback" not in r.stderr
