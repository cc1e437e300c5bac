"""Sweeps with faults: a run failing with a non-ASCII message, an index that cannot be
written, a dask worker killed mid-sweep on a separately started scheduler."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import helpers.hostile_preload  # noqa: F401  (registers the failing "boom" diffusion in this process too)
from crescape.sweep import DONE_NAME, read_index, run_sweep
from helpers.hostile_preload import BOOM_MESSAGE

TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src"
ENV = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONPATH=f"{SRC}{os.pathsep}{TESTS}")


def _sweep(tmp, n_cells, enabled):
    """Zipped sweep of Sod tubes; points with cr.enabled = true fail in the 'boom' diffusion."""
    k = len(enabled)
    p = tmp / "sweep.toml"
    p.write_text(f"""mode = "zip"
summaries = ["history.E_kin.last", "snapshots.rho.max"]
[base]
engine = "crhydro"
run = {{ t_end = 0.2, progress = false }}
grid = {{ geometry = "planar", r_max = 1.0, n_cells = {n_cells} }}
gas = {{ gamma = 1.4 }}
thermal = {{ cooling = false, heating = false, conduction = false }}
cr = {{ diffusion_model = "boom" }}
problem = {{ kind = "riemann", x0 = 0.5, left = {{ rho = 1.0, P = 1.0 }}, right = {{ rho = 0.125, P = 0.1 }} }}
output = {{ n_snapshots = 3 }}
[axes]
"cr.enabled" = {json.dumps(enabled)}
"problem.right.P" = {json.dumps([round(0.1 - 0.01 * i, 3) for i in range(k)])}
""")
    return p


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def _check_index_matches_disk(out: Path, n_total: int):
    idx = read_index(out)
    names = list(idx["run"].values)
    runs = sorted(d.name for d in (out / "runs").iterdir())
    assert len(names) == len(set(names)) == n_total and sorted(names) == runs
    for name, status in zip(names, idx["status"].values):
        done = (out / "runs" / name / DONE_NAME).exists()
        assert (str(status) == "done") == done, name
    return idx


def test_failed_run_with_non_ascii_message_is_kept_in_the_index(tmp_path, client):
    res = run_sweep(_sweep(tmp_path, 32, [False, True, False]), tmp_path / "out", client=client, progress=False)
    assert (res["done"], res["failed"]) == (2, 1)
    idx = _check_index_matches_disk(tmp_path / "out", 3)
    err = str(idx["error"].sel(run=res["failed_runs"][0]).values)
    assert BOOM_MESSAGE in err
    assert BOOM_MESSAGE in (tmp_path / "out" / "index.csv").read_text(encoding="utf-8")


def test_sweep_whose_index_cannot_be_written_keeps_its_runs_and_resumes(tmp_path, client, monkeypatch, capsys):
    import crescape.sweep as sw
    from crescape.cli import main

    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sw.index, "write_index", broken)
    with pytest.raises(sw.SweepIndexError, match="every finished run is kept"):
        run_sweep(_sweep(tmp_path, 32, [False, False]), tmp_path / "out", client=client, progress=False)
    runs = sorted((tmp_path / "out" / "runs").iterdir())
    assert len(runs) == 2 and all((r / DONE_NAME).exists() for r in runs)
    mtimes = [(r / "run.h5").stat().st_mtime_ns for r in runs]
    monkeypatch.undo()
    assert main(["sweep", "--resume", str(tmp_path / "out"), "--workers", "1"]) == 0
    assert "2/2 runs done (2 already finished" in capsys.readouterr().out
    assert [(r / "run.h5").stat().st_mtime_ns for r in runs] == mtimes  # not redone
    _check_index_matches_disk(tmp_path / "out", 2)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args):
    return subprocess.Popen([sys.executable, "-m", *args], env=ENV, cwd=TESTS, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _stop(procs):
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


@pytest.mark.slow  # ~60 s: a scheduler and two worker processes start, each loading the compiled kernels
def test_sweep_survives_a_killed_worker_and_a_failing_non_ascii_run(tmp_path):
    """Scheduler and 2 workers started separately; one worker is SIGKILLed once the first run
    has finished. The sweep completes; every run is listed once; the failing one with its message."""
    from distributed import Client

    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    procs = [_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"])]
    out = tmp_path / "out"
    try:
        workers = [_start(["distributed.cli.dask_worker", addr, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1",
                           "--no-dashboard", "--preload", str(TESTS / "helpers" / "hostile_preload.py")]) for _ in range(2)]
        procs += workers
        with Client(addr, timeout="30s") as c:
            c.wait_for_workers(2, timeout=90)
        killed = {}

        def killer():
            t0 = time.monotonic()
            while time.monotonic() - t0 < 300:
                done = list((out / "runs").glob(f"*/{DONE_NAME}")) if (out / "runs").exists() else []
                if done:
                    killed["n_done"] = len(done)
                    os.killpg(workers[0].pid, signal.SIGKILL)
                    return
                time.sleep(0.05)

        th = threading.Thread(target=killer)
        th.start()
        enabled = [False, False, False, True, False, False, False, False]
        res = run_sweep(_sweep(tmp_path, 3000, enabled), out, scheduler=addr, progress=False)
        th.join()
        assert "n_done" in killed and killed["n_done"] < len(enabled)  # the kill landed mid-sweep
        assert workers[0].wait(timeout=10) == -signal.SIGKILL
        assert (res["total"], res["done"], res["failed"]) == (8, 7, 1)
        idx = _check_index_matches_disk(out, 8)
        assert BOOM_MESSAGE in str(idx["error"].sel(run=res["failed_runs"][0]).values)
        for name in idx["run"].values:  # each finished run holds exactly one intact, opened-once run file
            if str(idx["status"].sel(run=name).values) == "done":
                st = json.loads((out / "runs" / str(name) / "status.json").read_text())
                assert st["status"] == "done" and (out / "runs" / str(name) / "run.h5").exists()
    finally:
        _stop(procs)
