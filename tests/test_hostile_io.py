"""Run files and output paths under attack: non-ASCII strings, HDF5 bombs, symlinks, traversal."""
import os

import h5py
import numpy as np
import pytest
import xarray as xr

from crescape.io import (
    OutputDirError,
    RunFileError,
    prepare_rundir,
    read_run_file,
    write_run_file,
)
from crescape.io.atomic import check_inside, create_nofollow


def test_non_ascii_strings_round_trip_through_a_run_file(tmp_path):
    msg = ["ValueError: Λ(5 K) = 0 — no thermal equilibrium", "ok", "é ü 日本"]
    ds = xr.Dataset({"error": (("run",), np.asarray(msg), {"units": "", "note": "Λ — unit-less"})},
                    coords={"run": ("run", np.asarray(["a", "b", "c"]), {"units": ""})}, attrs={"title": "σ-sweep"})
    write_run_file(tmp_path / "r.h5", {"index": ds}, {"config": "name = \"Λ\""})
    groups, attrs = read_run_file(tmp_path / "r.h5")
    assert list(groups["index"]["error"].values) == msg
    assert groups["index"]["error"].attrs["note"] == "Λ — unit-less"
    assert groups["index"].attrs["title"] == "σ-sweep" and attrs["config"] == 'name = "Λ"'
    with h5py.File(tmp_path / "r.h5") as f:  # stored as UTF-8 strings, readable by any HDF5 tool
        assert h5py.check_string_dtype(f["index/error"].dtype).encoding == "utf-8"


def test_hdf5_bomb_is_refused_before_reading(tmp_path):
    """A small compressed file declaring 30 GiB: open_run must refuse it by its declared size."""
    path = tmp_path / "run.h5"
    with h5py.File(path, "w") as f:
        f.attrs["engine"] = "crhydro"
        g = f.create_group("snapshots")
        d = g.create_dataset("rho", shape=(4000, 1000, 1000), dtype="f8", chunks=(1, 1000, 1000),
                             compression="gzip", fillvalue=0.0)
        d.attrs["dims"] = "t,r,p"
    assert path.stat().st_size < 1_000_000
    from crescape.io.atomic import sha256_file

    (tmp_path / "run.h5.sha256").write_text(sha256_file(path) + "\n")  # a valid checksum does not help
    with pytest.raises(RunFileError, match="declare more than"):
        read_run_file(path)


def test_symlinked_write_probe_does_not_touch_its_target(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    run = tmp_path / "run"
    run.mkdir()
    (run / ".crescape-write-probe").symlink_to(target)
    prepare_rundir(run, None, resume=True)
    assert target.read_text() == "keep me"
    assert not (run / ".crescape-write-probe").exists()


def test_create_nofollow_never_writes_through_a_link(tmp_path):
    target = tmp_path / "t"
    target.write_text("old")
    (tmp_path / "l").symlink_to(target)
    create_nofollow(tmp_path / "l", b"new")
    assert target.read_text() == "old" and (tmp_path / "l").read_bytes() == b"new"


def test_paths_leaving_the_folder_or_symlinks_are_refused(tmp_path):
    (tmp_path / "figs").mkdir()
    with pytest.raises(OutputDirError, match="outside"):
        check_inside(tmp_path / "figs" / ".." / ".." / "elsewhere.png", tmp_path / "figs")
    os.symlink("/tmp/x.png", tmp_path / "figs" / "a.png")
    with pytest.raises(OutputDirError, match="symbolic link"):
        check_inside(tmp_path / "figs" / "a.png", tmp_path / "figs")


def test_figures_are_not_written_through_a_planted_symlink(tmp_path):
    """`crescape plot` into a figure folder holding a symlink is refused; the target is untouched."""
    from crescape.cli import main
    from test_hostile_decks import _fake_sde_run

    run = _fake_sde_run(tmp_path / "run")
    target = tmp_path / "target.png"
    target.write_bytes(b"precious")
    (run / "figures").mkdir()
    (run / "figures" / "spectra_obs.png").symlink_to(target)
    assert main(["plot", str(run)]) == 2
    assert target.read_bytes() == b"precious"


def test_observer_names_with_path_parts_are_deck_errors():
    from crescape.config import DeckError, load_config

    for name in ("x/../../../../tmp/elsewhere", "..", "/abs", "a\\b", ".hidden", "a\x00b"):
        deck = {"engine": "sde", "flow": {"kind": "planar_shock"}, "output": {"observers": [{"name": name}]}}
        with pytest.raises(DeckError, match=r"output\.observers\.0\.name"):
            load_config(deck)
    deck["output"]["observers"] = [{"name": "shock_1.5"}]
    assert load_config(deck).output.observers[0].name == "shock_1.5"
