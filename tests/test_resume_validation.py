"""Files a run can trust: a damaged or foreign checkpoint, a missing or damaged run.h5 and a
missing checksum sidecar are found before a resume, with one clear message (exit 2 from the
CLI); stale temporaries of a killed run are cleaned; a finished run is not run again.

Uses the pure-numpy heat-equation engine of ``test_robustness_driver`` (grid-engine driver path).
"""
import shutil

import h5py
import numpy as np
import pytest

from crescape.config import load_config
from crescape.errors import RunFileError
from crescape.io import CHECKPOINT_NAME, RUN_NAME, load_checkpoint, open_run
from test_robustness_driver import _cli, _deck, run


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A complete run and a copy stopped half-way (checkpoint at t < t_end, run.h5 so far)."""
    tmp = tmp_path_factory.mktemp("runs")
    out = run(load_config(_deck(tmp)), tmp / "done")
    return out


def _interrupted(tmp_path, finished, monkeypatch):
    """A run stopped by max_steps after its first checkpoints (a genuine partial run directory)."""
    from crescape.errors import SimulationError

    out = tmp_path / "part"
    deck = load_config(_deck(tmp_path), ["run.max_steps=60"])
    with pytest.raises(SimulationError):
        run(deck, out)
    shutil.copy(finished / "config.toml", out / "config.toml")  # the same deck, full step budget
    return out


def _resume(out):
    return run(load_config(out / "config.toml"), out, resume=True)


def test_interrupted_run_resumes_from_its_checkpoint_bit_identically(tmp_path, finished, monkeypatch, capfd):
    out = _interrupted(tmp_path, finished, monkeypatch)
    _, meta = load_checkpoint(out / CHECKPOINT_NAME)
    assert not meta["complete"] and 0 < meta["stepper"]["solver"]["t"] < 0.06
    _resume(out)
    assert "resuming from t = " in capfd.readouterr().err
    got, ref = open_run(out), open_run(finished)
    np.testing.assert_array_equal(got.snapshots["u"].values, ref.snapshots["u"].values)
    np.testing.assert_array_equal(got.history["U"].values, ref.history["U"].values)


def test_resume_of_a_finished_run_says_so_and_changes_nothing(finished, capfd):
    before = (finished / RUN_NAME).read_bytes()
    _resume(finished)
    err = capfd.readouterr().err
    assert "run already complete (t = 6.000000e-02 s" in err and "nothing to do" in err
    assert (finished / RUN_NAME).read_bytes() == before


def _damage(path, how):
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(np.random.default_rng(1).bytes(len(data)))
    elif how == "flipped_bit":  # lowest mantissa bit of one float64 of the solver state
        with h5py.File(path, "r") as f:
            off = f["stepper/u"].id.get_offset() + 8 * 5
        b = bytearray(data)
        b[off] ^= 0x01
        path.write_bytes(bytes(b))
    elif how == "wrong_engine":
        with h5py.File(path, "r+") as f:
            f.attrs["engine"] = "sde"
    elif how == "old_format":  # no checksum at all
        with h5py.File(path, "r+") as f:
            del f.attrs["payload_sha256"]
            del f.attrs["format"]


@pytest.mark.parametrize("how,words", [
    ("truncated", "cannot be read"), ("empty", "cannot be read"), ("garbage", "cannot be read"),
    ("flipped_bit", "does not match its checksum"), ("wrong_engine", "engine 'sde'"),
    ("old_format", "no checksum"),
])
def test_damaged_or_foreign_checkpoint_is_refused(tmp_path, finished, monkeypatch, how, words):
    out = _interrupted(tmp_path, finished, monkeypatch)
    before = (out / RUN_NAME).read_bytes()
    _damage(out / CHECKPOINT_NAME, how)
    with pytest.raises(RunFileError, match=words):
        _resume(out)
    assert (out / RUN_NAME).read_bytes() == before  # nothing proceeded on bad data


def test_checkpoint_of_another_deck_is_refused(tmp_path, finished, monkeypatch):
    out = _interrupted(tmp_path, finished, monkeypatch)
    (out / "config.toml").write_text((out / "config.toml").read_text().replace("n_cells = 48", "n_cells = 50"))
    with pytest.raises(RunFileError, match="different deck"):
        _resume(out)


def test_missing_or_damaged_run_file_is_refused_for_grid_engines(tmp_path, finished, monkeypatch):
    out = _interrupted(tmp_path, finished, monkeypatch)
    (out / RUN_NAME).rename(out / "kept.h5")
    with pytest.raises(RunFileError, match="run.h5 is missing.*re-run without --resume"):
        _resume(out)
    (out / "kept.h5").rename(out / RUN_NAME)
    with open(out / RUN_NAME, "r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00\x01\x02")
    with pytest.raises(RunFileError, match="does not match its checksum"):
        _resume(out)


def test_missing_checksum_sidecar_is_reported(tmp_path, finished, monkeypatch, capfd):
    out = _interrupted(tmp_path, finished, monkeypatch)
    (out / "run.h5.sha256").unlink()
    _resume(out)
    assert "run.h5.sha256 is missing" in capfd.readouterr().err
    np.testing.assert_array_equal(open_run(out).snapshots["u"].values, open_run(finished).snapshots["u"].values)


def test_stale_temporaries_of_a_killed_run_are_cleaned_at_the_next_start(tmp_path, finished, monkeypatch, capfd):
    out = _interrupted(tmp_path, finished, monkeypatch)
    stale = [out / ".run.h5.abc123.tmp", out / ".checkpoint.h5.x9.tmp"]
    for p in stale:
        p.write_bytes(b"partial")
    keep = out / ".notes.tmp"  # not ours: left alone
    keep.write_text("x")
    _resume(out)
    assert not any(p.exists() for p in stale) and keep.exists()
    assert "removed 2 stale temporary file(s)" in capfd.readouterr().err


def test_cli_gives_one_line_and_exit_2_for_a_garbage_checkpoint(tmp_path, finished, monkeypatch):
    out = _interrupted(tmp_path, finished, monkeypatch)
    _damage(out / CHECKPOINT_NAME, "garbage")
    p = _cli(["run", "--resume", str(out), "-q"])
    _, err = p.communicate(timeout=60)
    assert p.returncode == 2, err
    assert "Traceback" not in err and "checkpoint" in err and err.strip().count("\n") == 0
