"""Driver robustness with a tiny fake engine (pure numpy heat equation, defined here):
NaN -> SimulationError with a diagnostic and the last good checkpoint kept; SIGTERM ->
checkpoint + clean exit; kill -9 and resume reproduces the uninterrupted run (<= 1e-12).

Run as a script, this file is the ``crescape`` CLI with the fake engine plugged in.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from crescape.config import load_config
from crescape.engines import registry
from crescape.engines.driver import SimulationError, run_time_loop
from crescape.io import CHECKPOINT_NAME, RUN_NAME, load_checkpoint, open_run, prepare_rundir

HERE = Path(__file__).resolve().parent


class HeatStepper:
    """u_t = D u_xx + sin(2π·step/7)·s(x) on a planar grid, explicit FTCS (pure numpy)."""

    def __init__(self, deck):
        n = deck.grid.n_cells
        self.x = (np.arange(n) + 0.5) / n * deck.grid.r_max
        self.dx = deck.grid.r_max / n
        self.u = np.exp(-((self.x - 0.5 * deck.grid.r_max) / (0.1 * deck.grid.r_max)) ** 2)
        self.src = np.sin(np.pi * self.x / deck.grid.r_max)
        self.t, self.nstep = 0.0, 0
        self.sleep = float(os.environ.get("FAKE_SLEEP", "0"))
        self.nan_at = int(os.environ.get("FAKE_NAN_AT", "-1"))

    def step(self, dt_max):
        dt = min(dt_max, 0.4 * self.dx**2)
        up = np.concatenate([[self.u[0]], self.u, [self.u[-1]]])
        self.u = self.u + dt / self.dx**2 * (up[2:] - 2 * self.u + up[:-2]) \
            + dt * np.sin(2 * np.pi * self.nstep / 7) * self.src
        self.nstep += 1
        self.t += dt
        if self.nstep == self.nan_at:
            self.u[17] = np.nan
        if self.sleep:
            time.sleep(self.sleep)
        return dt

    def coords(self):
        return {"r": (("r",), self.x, "cm")}

    def snapshot(self):
        return {"snapshots": {"u": (("r",), self.u.copy(), "1")}}

    def history(self):
        return {"U": (float(self.u.sum() * self.dx), "cm")}

    def state(self):
        return {"u": self.u}, {"t": self.t, "nstep": self.nstep}

    def restore(self, arrays, meta):
        self.u = arrays["u"].copy()
        self.t, self.nstep = meta["t"], meta["nstep"]

    def check(self):
        bad = np.nonzero(~np.isfinite(self.u))[0]
        if bad.size:
            i = int(bad[0])
            raise SimulationError(f"non-finite u at t = {self.t:.6e} s, step {self.nstep}, cell {i} "
                                  f"(r = {self.x[i]:.4g} cm): u = {self.u[i]!r}")


def run(deck, out, resume=False, progress=False):
    """Engine entry point (same signature as the real engines)."""
    out = prepare_rundir(out, deck, resume=resume)
    return run_time_loop(HeatStepper(deck), deck, out, resume=resume, progress=False)


DECK = """engine = "crhydro"
[grid]
geometry = "planar"
r_max = 1.0
n_cells = 48
[problem]
kind = "riemann"
x0 = 0.5
[run]
t_end = 0.06
checkpoint_every = 25
progress = false
[output]
n_snapshots = 6
"""


def _heat_engine():
    """The heat-equation stepper above, registered under the name "crhydro" (its deck model)."""
    return registry.Engine(name="crhydro", description="heat-equation test stepper",
                           deck=registry.get_engine("crhydro").deck, run=run)


def _deck(tmp_path):
    p = tmp_path / "heat.toml"
    p.write_text(DECK)
    return p


def _cli(args, env_extra=None, **kw):
    env = dict(os.environ, NUMBA_NUM_THREADS="1", **(env_extra or {}))
    return subprocess.Popen([sys.executable, str(HERE / "test_robustness_driver.py"), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _wait_for(path, proc, timeout=30):
    t0 = time.monotonic()
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() - t0 < timeout, "run never wrote a checkpoint"
        time.sleep(0.02)


def _max_rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ref")
    out = run(load_config(_deck(tmp)), tmp / "ref")
    return open_run(out)


def test_nan_stops_run_with_diagnostic_and_keeps_last_good_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_NAN_AT", "60")
    with pytest.raises(SimulationError) as ei:
        run(load_config(_deck(tmp_path)), tmp_path / "nan")
    msg = str(ei.value)
    assert "cell 17" in msg and "t = " in msg and "nan" in msg
    arrays, meta = load_checkpoint(tmp_path / "nan" / CHECKPOINT_NAME)
    assert 50 <= meta["stepper"]["solver"]["nstep"] < 60  # the last good one (every 25 steps and at snapshots)
    assert np.all(np.isfinite(arrays["stepper/u"]))
    assert open_run(tmp_path / "nan").snapshots.sizes["t"] >= 1  # what was recorded is readable


def test_nan_through_cli_exits_3_without_traceback(tmp_path):
    p = _cli(["run", str(_deck(tmp_path)), "--out", str(tmp_path / "o"), "-q"], {"FAKE_NAN_AT": "30"})
    _, err = p.communicate(timeout=60)
    assert p.returncode == 3, err
    assert "simulation stopped" in err and "cell 17" in err and "Traceback" not in err


def test_sigterm_writes_checkpoint_and_exits_cleanly_then_resume_matches(tmp_path, reference):
    out = tmp_path / "term"
    p = _cli(["run", str(_deck(tmp_path)), "--out", str(out), "-q"], {"FAKE_SLEEP": "0.004"})
    _wait_for(out / CHECKPOINT_NAME, p)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    assert "checkpoint written" in err and f"--resume {out}" in err and "Traceback" not in err
    _, meta = load_checkpoint(out / CHECKPOINT_NAME)
    assert 0 < meta["stepper"]["solver"]["t"] < 0.06
    p = _cli(["run", "--resume", str(out), "-q"])
    _, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    got = open_run(out)
    assert _max_rel(got.snapshots["u"], reference.snapshots["u"]) <= 1e-12
    assert _max_rel(got.history["U"], reference.history["U"]) <= 1e-12


def test_kill9_and_resume_reproduces_uninterrupted_run(tmp_path, reference):
    out = tmp_path / "kill"
    p = _cli(["run", str(_deck(tmp_path)), "--out", str(out), "-q"], {"FAKE_SLEEP": "0.004"})
    _wait_for(out / CHECKPOINT_NAME, p)
    time.sleep(0.3)
    p.kill()
    p.communicate(timeout=30)
    assert p.returncode == -signal.SIGKILL
    _, meta = load_checkpoint(out / CHECKPOINT_NAME)
    t_kill = meta["stepper"]["solver"]["t"]
    assert 0 < t_kill < 0.06
    p = _cli(["run", "--resume", str(out), "-q"])
    _, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    got = open_run(out)
    np.testing.assert_array_equal(got.snapshots["t"], reference.snapshots["t"])
    assert _max_rel(got.snapshots["u"], reference.snapshots["u"]) <= 1e-12
    np.testing.assert_array_equal(got.history["t"], reference.history["t"])
    assert _max_rel(got.history["U"], reference.history["U"]) <= 1e-12


def test_full_disk_fails_before_the_run_starts(tmp_path, monkeypatch):
    from crescape import cli
    from crescape.io import rundir

    class Usage:
        total, used, free = 10**9, 10**9, 4096

    monkeypatch.setitem(registry._ENGINES, "crhydro", _heat_engine())
    monkeypatch.setattr(rundir.shutil, "disk_usage", lambda p: Usage)
    monkeypatch.setattr(HeatStepper, "__init__", lambda *a: pytest.fail("stepper built on a full disk"))
    assert cli.main(["run", str(_deck(tmp_path)), "--out", str(tmp_path / "o"), "-q"]) == 2
    assert not (tmp_path / "o" / RUN_NAME).exists()


if __name__ == "__main__":
    from crescape import cli as _cli_mod

    registry.register(_heat_engine())
    sys.exit(_cli_mod.main(sys.argv[1:]))
