"""What a new user meets first: a deck names its engine, an empty deck is an error, an existing
run directory is not overwritten silently, run files are as readable as the umask says, and
decks built in Python accept numpy numbers."""
from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import numpy as np
import pytest

from crescape import cli
from crescape.config import DeckError, load_config

ROOT = Path(__file__).resolve().parents[1]
SOD = ROOT / "examples" / "sod.toml"
TINY = ["--set", "grid.n_cells=16", "--set", "run.t_end=0.01", "--set", "output.times=[0.01]", "-q"]


def _run(capsys, *args):
    code = cli.main(list(map(str, args)))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_deck_without_engine_is_refused_and_the_message_names_the_choices(tmp_path, capsys):
    deck = tmp_path / "dsa.toml"  # an SDE deck that forgot its first line
    deck.write_text('[flow]\nkind = "planar_shock"\n[diffusion]\nkind = "constant"\nkappa = 1.0\n')
    code, out, err = _run(capsys, "run", deck, "--out", tmp_path / "o")
    assert code == 2 and "Traceback" not in err
    assert "'engine'" in err and all(e in err for e in ("crhydro", "cloud", "sde"))
    assert len(err.strip().splitlines()) == 1  # one message, not a dozen unknown-key errors
    assert not (tmp_path / "o").exists()


def test_empty_deck_is_an_error_not_a_default_run(tmp_path, capsys):
    deck = tmp_path / "empty.toml"
    deck.write_text("# nothing yet\n")
    code, out, err = _run(capsys, "run", deck, "--out", tmp_path / "o")
    assert code == 2 and "empty" in err and "engine" in err
    assert not (tmp_path / "o").exists()


def test_python_decks_without_engine_still_say_which_engine_they_were_read_as():
    with pytest.raises(DeckError) as ei:
        load_config({"flow": {"kind": "planar_shock"}})
    assert "no 'engine' given" in str(ei.value)


def test_existing_run_directory_is_refused_unless_overwrite(tmp_path, capsys):
    out = tmp_path / "run"
    assert _run(capsys, "run", SOD, "--out", out, *TINY)[0] == 0
    (out / "figures").mkdir()
    (out / "figures" / "old.png").write_bytes(b"stale")
    (out / "notes.txt").write_text("mine")
    first = (out / "run.h5").stat().st_mtime_ns
    code, _, err = _run(capsys, "run", SOD, "--out", out, *TINY)
    assert code == 2 and "already exists" in err and "--overwrite" in err and "--resume" in err
    assert (out / "run.h5").stat().st_mtime_ns == first  # untouched
    code, _, err = _run(capsys, "run", SOD, "--out", out, "--overwrite", *TINY)
    assert code == 0, err
    assert not (out / "figures").exists()  # figures of the old run are gone with it
    assert (out / "notes.txt").read_text() == "mine"  # files that are not crescape's are kept


def test_overwrite_never_empties_a_directory_that_holds_no_run(tmp_path, capsys):
    d = tmp_path / "home"
    d.mkdir()
    (d / "thesis.tex").write_text("precious")
    code, _, err = _run(capsys, "run", SOD, "--out", d, "--overwrite", *TINY)
    assert code == 2 and "holds no crescape run" in err
    assert (d / "thesis.tex").read_text() == "precious"


def test_an_empty_existing_directory_is_fine(tmp_path, capsys):
    (tmp_path / "new").mkdir()
    assert _run(capsys, "run", SOD, "--out", tmp_path / "new", *TINY)[0] == 0


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_run_files_are_as_readable_as_the_umask_says(tmp_path, capsys, mask):
    old = os.umask(mask)
    try:
        out = tmp_path / "run"
        assert _run(capsys, "run", SOD, "--out", out, "--set", "run.checkpoint_every=1", *TINY)[0] == 0
    finally:
        os.umask(old)
    want = 0o666 & ~mask
    for name in ("config.toml", "run.h5", "run.h5.sha256", "checkpoint.h5"):
        assert stat.S_IMODE((out / name).stat().st_mode) == want, (name, oct(want))


def test_decks_built_in_python_accept_numpy_numbers():
    data = tomllib.loads(SOD.read_text())
    ref = load_config(data)
    data["run"]["t_end"] = np.float32(0.2)      # a unit field: number or string
    data["grid"]["n_cells"] = np.int32(800)
    data["gas"]["gamma"] = np.float64(1.4)
    data["thermal"]["cooling"] = np.bool_(False)
    data["output"]["times"] = np.array([0.1, 0.2])
    deck = load_config(data)
    assert deck.grid.n_cells == 800 and deck.thermal.cooling is False
    assert deck.run.t_end == pytest.approx(ref.run.t_end, rel=1e-7)  # float32 rounding only
    assert deck.output.times == ref.output.times


def test_no_machine_specific_paths_in_decks_scripts_and_docs():
    """Decks, example scripts and the README name paths a new user has (runs/…), not a developer's
    /work/… (docs/*.md may still say where a documented measurement was made)."""
    import re

    files = [*ROOT.glob("examples/**/*.toml"), *ROOT.glob("examples/**/*.py"), ROOT / "README.md"]
    bad = [f"{f.relative_to(ROOT)}:{n}" for f in files for n, line in enumerate(f.read_text().splitlines(), 1)
           if re.search(r"(?<![\w.])/(work|home|root|Users)/", line)]
    assert not bad, bad
