"""End-to-end crhydro runs: run directory contract, bit-for-bit re-runs, kill/resume, deck errors."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import crescape
from crescape.config import DeckError, load_config

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "examples" / "snr_radiative.toml"


def small_sod(n=100):
    return {
        "engine": "crhydro",
        "run": {"t_end": 0.2, "progress": False},
        "grid": {"geometry": "planar", "r_max": 1.0, "n_cells": n},
        "gas": {"gamma": 1.4},
        "thermal": {"cooling": False, "heating": False, "conduction": False},
        "problem": {"kind": "riemann", "x0": 0.5, "left": {"rho": 1.0, "P": 1.0},
                    "right": {"rho": 0.125, "P": 0.1}},
        "output": {"times": [0.1, 0.2]},
    }


def test_run_directory_follows_the_data_contract(tmp_path):
    out = crescape.run(load_config(QUICKSTART, ["run.t_end=\"50 kyr\"", "grid.n_cells=100"]), tmp_path / "qs",
                       progress=False)
    run = crescape.open_run(out)
    s, h = run.snapshots, run.history
    units = {"rho": "g cm-3", "n": "cm-3", "v": "cm s-1", "P_g": "erg cm-3", "T": "K",
             "q_rad": "erg cm-3 s-1", "q_cond": "erg cm-3 s-1"}
    for name, u in units.items():
        assert s[name].dims == ("t", "r") and s[name].attrs["units"] == u
    assert s["r"].attrs["units"] == "cm" and s["t"].attrs["units"] == "s"
    for name in ("E_th", "E_kin", "M_gas", "E_rad", "E_total_error", "E_gas_out", "M_gas_out"):
        assert name in h and "units" in h[name].attrs
    # all physics on (cooling, heating, saturated conduction): energy closes to round-off
    assert np.max(np.abs(h["E_total_error"].values)) < 1e-12
    assert h["E_rad"].values[-1] > 0  # the remnant radiates
    n0 = s["n"].values[0, -1]
    assert n0 == pytest.approx(0.2044, rel=1e-4)
    assert (out / "config.toml").exists()
    from crescape.plotting import plot_run

    files = plot_run(out)
    names = {f.name for f in files}
    assert {"gas_profiles.png", "history.png"} <= names and all(f.stat().st_size > 10_000 for f in files)


def _assert_runs_equal(a, b, rtol=0.0):
    ra, rb = crescape.open_run(a), crescape.open_run(b)
    np.testing.assert_array_equal(ra.snapshots["t"].values, rb.snapshots["t"].values)
    for name in ra.snapshots.data_vars:
        x, y = ra.snapshots[name].values, rb.snapshots[name].values
        if rtol == 0.0:
            np.testing.assert_array_equal(x, y, err_msg=name)
        else:
            rel = np.max(np.abs(x - y) / np.maximum(np.abs(x), 1e-300))
            assert rel <= rtol, (name, rel)


def test_resolved_deck_rerun_reproduces_the_run_bit_for_bit(tmp_path):
    first = crescape.run(small_sod(), tmp_path / "a", progress=False)
    again = crescape.run(first / "config.toml", tmp_path / "b", progress=False)
    _assert_runs_equal(first, again)
    assert (first / "config.toml").read_text() == (again / "config.toml").read_text()


def _crescape(*args):
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, "-m", "crescape.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True)


def test_killed_run_resumes_to_the_uninterrupted_result(tmp_path):
    sets = ["--set", "run.checkpoint_every=40", "--set", "grid.n_cells=400", "--set", "run.t_end=\"300 kyr\""]
    ref = _crescape("run", str(QUICKSTART), "--out", str(tmp_path / "ref"), "-q", *sets)
    assert ref.wait(timeout=300) == 0, ref.stderr.read()

    p = _crescape("run", str(QUICKSTART), "--out", str(tmp_path / "killed"), "-q", *sets)
    ckpt = tmp_path / "killed" / "checkpoint.h5"
    t0 = time.monotonic()
    while not ckpt.exists() and p.poll() is None and time.monotonic() - t0 < 120:
        time.sleep(0.02)
    time.sleep(0.3)
    still_running = p.poll() is None
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    assert still_running, "the run finished before it could be killed; make it longer"
    assert p.returncode == -signal.SIGKILL

    r = _crescape("run", "--resume", str(tmp_path / "killed"), "-q")
    assert r.wait(timeout=300) == 0, r.stderr.read()
    assert "resuming from t = " in r.stderr.read()
    _assert_runs_equal(tmp_path / "ref", tmp_path / "killed")  # bit-identical through the one driver
    hr = crescape.open_run(tmp_path / "ref").history
    hk = crescape.open_run(tmp_path / "killed").history
    for name in hr.data_vars:
        np.testing.assert_array_equal(hk[name].values, hr[name].values, err_msg=name)
    np.testing.assert_array_equal(crescape.open_run(tmp_path / "killed").grid.V, crescape.open_run(tmp_path / "ref").grid.V)


@pytest.mark.parametrize("override,key", [
    ("problem.rho=-1.0", "problem.sedov.rho"),
    ("grid.r_max=0.0", "grid.r_max"),
    ("run.cfl=1.0", "run.cfl"),
    ("hydro.limiter=\"superbee\"", "hydro.limiter"),
    ("thermal.conduction_theta=0.2", "thermal.conduction_theta"),
    ("thermal.coolling=true", "thermal.coolling"),
    ("grid.n_cells=\"many\"", "grid.n_cells"),
])
def test_bad_deck_values_fail_with_a_message_naming_the_key(override, key):
    with pytest.raises(DeckError) as exc:
        load_config(QUICKSTART, [override])
    assert key in str(exc.value)


def test_cli_reports_a_deck_error_without_traceback(tmp_path):
    p = _crescape("run", str(QUICKSTART), "--out", str(tmp_path / "x"), "--set", "gas.gamma=0.9")
    out, err = p.communicate(timeout=120)
    assert p.returncode == 2
    assert "gas.gamma" in err + out and "Traceback" not in err + out
