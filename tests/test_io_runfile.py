"""Run files: exact round trip, units on every variable, checksum sidecar, truncation detected."""
import os

import h5py
import numpy as np
import pytest
import xarray as xr

from crescape.config import load_config
from crescape.io import (
    RUN_NAME,
    OutputDirError,
    RunFileError,
    file_attrs,
    load_checkpoint,
    open_run,
    prepare_rundir,
    read_run_file,
    save_checkpoint,
    write_run_file,
)
from crescape.io import rundir as rundir_mod


def _groups(n=50):
    rng = np.random.default_rng(1)
    r = np.linspace(0.5, 99.5, n)
    t = np.array([0.0, 1.0, 2.5])
    snaps = xr.Dataset(
        {"rho": (("t", "r"), rng.random((3, n)), {"units": "g cm-3"}),
         "P_g": (("t", "r"), rng.random((3, n)), {"units": "erg cm-3"})},
        coords={"t": ("t", t, {"units": "s"}), "r": ("r", r, {"units": "cm"})},
    )
    hist = xr.Dataset({"E_th": (("t",), rng.random(7), {"units": "erg"})},
                      coords={"t": ("t", np.linspace(0, 2.5, 7), {"units": "s"})})
    return {"snapshots": snaps, "history": hist}


def _rundir(tmp_path):
    deck = load_config({"grid": {"n_cells": 50, "r_max": 100.0}, "problem": {"kind": "riemann", "x0": 50.0}})
    out = prepare_rundir(tmp_path / "run", deck)
    write_run_file(out / RUN_NAME, _groups(), file_attrs(deck))
    return out, deck


def test_run_file_round_trip_is_exact_and_carries_units(tmp_path):
    out, deck = _rundir(tmp_path)
    run = open_run(out)
    g = _groups()
    xr.testing.assert_identical(run.snapshots, g["snapshots"])
    xr.testing.assert_identical(run.history, g["history"])
    assert run.attrs["crescape_version"] and run.attrs["engine"] == "crhydro"
    assert run.config.model_dump() == deck.model_dump()
    assert (out / "run.h5.sha256").read_text().strip() == __import__("crescape").io.sha256_file(out / RUN_NAME)


def test_truncated_run_file_is_reported_as_truncated(tmp_path):
    out, _ = _rundir(tmp_path)
    h5 = out / RUN_NAME
    size = h5.stat().st_size
    with open(h5, "r+b") as fh:
        fh.truncate(size // 2)
    with pytest.raises(RunFileError, match="truncated"):
        open_run(out)


def test_truncated_run_file_without_checksum_is_still_reported(tmp_path):
    out, _ = _rundir(tmp_path)
    (out / "run.h5.sha256").unlink()
    with open(out / RUN_NAME, "r+b") as fh:
        fh.truncate(1000)
    with pytest.raises(RunFileError, match="truncated or corrupted"):
        open_run(out)


def test_single_flipped_byte_is_detected(tmp_path):
    out, _ = _rundir(tmp_path)
    h5 = out / RUN_NAME
    data = bytearray(h5.read_bytes())
    data[len(data) // 2] ^= 0xFF
    h5.write_bytes(bytes(data))
    with pytest.raises(RunFileError, match="checksum"):
        open_run(out)


def test_missing_run_file_is_a_runfileerror(tmp_path):
    with pytest.raises(RunFileError, match="not found"):
        read_run_file(tmp_path / "run.h5")


def test_checkpoint_round_trip_is_bitwise_and_pickle_free(tmp_path):
    arrays = {"state/u": np.random.default_rng(0).random((4, 5)), "state/n": np.arange(3)}
    meta = {"t": 0.1 + 0.2, "nstep": 7, "dt": 1e-300}
    save_checkpoint(tmp_path / "c.h5", arrays, meta)
    a2, m2 = load_checkpoint(tmp_path / "c.h5")
    assert m2 == meta
    for k in arrays:
        assert np.array_equal(a2[k], arrays[k]) and a2[k].dtype == arrays[k].dtype
    kinds = []
    with h5py.File(tmp_path / "c.h5") as f:  # only plain numeric datasets: nothing pickled
        f.visititems(lambda n, o: kinds.append(o.dtype.kind) if isinstance(o, h5py.Dataset) else None)
    assert kinds and set(kinds) <= {"f", "i", "u"}


def test_atomic_write_leaves_old_file_when_writer_fails(tmp_path, monkeypatch):
    from crescape.io import hdf5

    out, _ = _rundir(tmp_path)
    before = (out / RUN_NAME).read_bytes()
    real = hdf5._write_dataset

    def dies_halfway(group, ds):
        real(group, ds)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(hdf5, "_write_dataset", dies_halfway)
    with pytest.raises(OSError, match="No space"):
        write_run_file(out / RUN_NAME, _groups(80))
    assert (out / RUN_NAME).read_bytes() == before
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]
    monkeypatch.undo()
    assert open_run(out).snapshots.sizes["r"] == 50


def test_full_disk_fails_before_anything_is_written(tmp_path, monkeypatch):
    class Usage:
        total, used, free = 10**9, 10**9 - 1000, 1000

    monkeypatch.setattr(rundir_mod.shutil, "disk_usage", lambda p: Usage)
    deck = load_config({})
    with pytest.raises(OutputDirError, match="MiB free"):
        prepare_rundir(tmp_path / "full", deck)
    assert not (tmp_path / "full" / "config.toml").exists()


def test_output_path_that_is_a_file_or_under_a_file_fails(tmp_path):
    deck = load_config({})
    f = tmp_path / "afile"
    f.write_text("x")
    with pytest.raises(OutputDirError, match="not a directory"):
        prepare_rundir(f, deck)
    with pytest.raises(OutputDirError, match="cannot create"):
        prepare_rundir(f / "sub", deck)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only directories")
def test_read_only_output_dir_fails(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(OutputDirError, match="not writable"):
            prepare_rundir(d, load_config({}))
    finally:
        d.chmod(0o700)
