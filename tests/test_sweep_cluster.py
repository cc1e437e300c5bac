"""Sweeps of real CR-hydro runs on dask.distributed (acceptance tests of issue 7):
8 runs on a LocalCluster; the same sweep on a separately started `dask scheduler` +
2 `dask worker` processes on 127.0.0.1 gives identical summaries; a failing run is
recorded and does not stop the others; a sweep killed midway resumes without redoing
finished runs."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from crescape.sweep import read_index, run_sweep

ENV = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
CR_SMALL = Path(__file__).resolve().parents[1] / "examples" / "crhydro_small.toml"

# Tiny CR-hydro runs: a planar blast (Sod-like) with gas only, 64 cells.
BASE = """
[base]
engine = "crhydro"
run = {{ t_end = {t_end}, progress = false }}
grid = {{ geometry = "planar", r_max = 1.0, n_cells = {n} }}
gas = {{ gamma = 1.4 }}
thermal = {{ cooling = false, heating = false, conduction = false }}
problem = {{ kind = "riemann", x0 = 0.5, left = {{ rho = 1.0, P = 1.0 }}, right = {{ rho = 0.125, P = 0.1 }} }}
output = {{ n_snapshots = 4 }}
"""
SUMMARIES = 'summaries = ["history.E_kin.last", "history.E_th.last", "history.M_gas.last", "snapshots.rho.max", ' \
            '"E_total_error_max", "M_expelled_200pc"]\n'
AXES = '[axes]\n"problem.right.P" = { log = [0.01, 0.1], num = 4 }\n"gas.gamma" = [1.4, 1.6]\n'


def _sweep_file(tmp, n=64, t_end=0.1, axes=AXES, extra=""):
    p = tmp / "sweep.toml"
    p.write_text(SUMMARIES + extra + BASE.format(n=n, t_end=t_end) + axes)
    return p


CR_SUMMARIES = ["f_escaped", "E_cr_final", "M_expelled_200pc", "dQ_cr_w", "E_kin_max", "E_total_error_max",
                "history.E_cr_escaped.last"]


def _cr_sweep_file(tmp):
    """8 small CR-hydro runs (seed-000 set-up, 64 cells, 0.5 Myr): D0 (4, log) x B (2)."""
    import tomli_w

    from crescape.config import load_config, resolved_dict

    base = load_config(CR_SMALL, ["grid.n_cells=64", 'run.t_end="0.5 Myr"', "output.times=[]",
                                  "output.n_snapshots=3", 'output.spacing="linear"', "run.progress=false"])
    p = tmp / "cr_sweep.toml"
    p.write_text(tomli_w.dumps({"summaries": CR_SUMMARIES, "base": resolved_dict(base),
                                "axes": {"cr.D0": {"log": ["1e26 cm2/s", "1e28 cm2/s"], "num": 4},
                                         "cr.B": ["1 uG", "3 uG"]}}))
    return p


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def client():
    """The LocalCluster exactly as `crescape sweep` makes it (2 workers on 127.0.0.1)."""
    from crescape.sweep import make_client

    c, cluster = make_client(None, 2, 8)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def local_sweep(tmp_path_factory, client):
    tmp = tmp_path_factory.mktemp("local")
    res = run_sweep(_cr_sweep_file(tmp), tmp / "out", client=client, progress=False)
    return res, read_index(tmp / "out"), tmp / "out"


def test_sweep_of_8_cr_hydro_runs_completes_on_local_cluster(local_sweep):
    res, idx, out = local_sweep
    assert res["total"] == 8 and res["done"] == 8 and res["failed"] == 0
    assert list(idx["status"].values) == ["done"] * 8
    for k in CR_SUMMARIES:
        assert np.all(np.isfinite(idx[k].values)), k
    # energy bookkeeping of every run: total-energy error at round-off level
    assert np.all(idx["E_total_error_max"].values < 1e-10)
    # faster diffusion -> more CR energy escapes through r_max by 0.5 Myr (seed 000 Fig. 4 trend)
    d0 = idx["cr.D0"].values
    np.testing.assert_allclose(np.unique(d0), [1e26, 10**26.666666666667, 10**27.333333333333, 1e28], rtol=1e-9)
    for b in (1e-6, 3e-6):
        sel = np.isclose(idx["cr.B"].values, b, rtol=1e-9)
        order = np.argsort(d0[sel])
        assert np.all(np.diff(idx["f_escaped"].values[sel][order]) > 0)
    assert np.all((idx["f_escaped"].values > 0) & (idx["f_escaped"].values < 1))
    assert idx["M_expelled_200pc"].attrs["units"] == "g" and idx["cr.D0"].attrs["units"] == "cm2 s-1"
    csv = (out / "index.csv").read_text().splitlines()
    assert len(csv) == 9 and set(csv[0].split(",")[:3]) == {"run", "cr.D0", "cr.B"}
    for d in (out / "runs").iterdir():
        assert (d / "DONE").exists() and (d / "run.h5").exists()


def test_workers_run_single_threaded_on_loopback(client):
    def probe():
        import numba

        return os.environ.get("NUMBA_NUM_THREADS"), os.environ.get("OMP_NUM_THREADS"), numba.config.NUMBA_NUM_THREADS

    got = client.run(probe)
    assert len(got) == 2 and set(got.values()) == {("1", "1", 1)}
    assert all(addr.startswith("tcp://127.0.0.1:") for addr in got)
    assert client.scheduler.address.startswith("tcp://127.0.0.1:")
    assert client.dashboard_link is None or "127.0.0.1" in client.dashboard_link


def test_failing_run_is_recorded_and_others_finish(tmp_path, client):
    axes = '[axes]\n"run.max_steps" = [5, 100000, 100000]\n"gas.gamma" = [1.4, 1.5, 1.6]\n'
    res = run_sweep(_sweep_file(tmp_path, axes=axes, extra='mode = "zip"\n'), tmp_path / "out",
                    client=client, progress=False)
    assert (res["done"], res["failed"]) == (2, 1)
    idx = read_index(tmp_path / "out")
    assert list(idx["status"].values) == ["failed", "done", "done"]
    assert "SimulationError" in str(idx["error"].values[0]) and "max_steps" in str(idx["error"].values[0])
    assert np.isnan(idx["history.E_kin.last"].values[0]) and np.all(np.isfinite(idx["history.E_kin.last"].values[1:]))


def test_external_scheduler_gives_identical_summaries(tmp_path, local_sweep):
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", addr, "--nthreads", "1", "--nworkers", "1",
                                           "--host", "127.0.0.1", "--no-dashboard"], env=ENV,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True))
        from distributed import Client

        with Client(addr, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
            workers = c.scheduler_info()["workers"]
            assert len(workers) == 2 and all(w.startswith("tcp://127.0.0.1:") for w in workers)
        res = run_sweep(_cr_sweep_file(tmp_path), tmp_path / "out", scheduler=addr, progress=False)
        assert res["done"] == 8
        idx = read_index(tmp_path / "out")
        _, ref, _ = local_sweep
        assert list(idx["run"].values) == list(ref["run"].values)
        for k in json.loads(ref.attrs["summaries"]):
            np.testing.assert_array_equal(idx[k].values, ref[k].values, err_msg=k)
        pids = {json.loads((d / "status.json").read_text())["pid"] for d in (tmp_path / "out" / "runs").iterdir()}
        assert len(pids) == 2  # both external workers took part
    finally:
        _teardown(addr, procs)


def _teardown(addr, procs):
    """Shut the external cluster down through the scheduler, then make sure every process
    group this test started (scheduler, nannies and their worker children) is gone."""
    from distributed import Client

    try:
        with Client(addr, timeout="5s") as c:
            c.shutdown()
    except Exception:
        pass
    for p in procs:
        try:
            p.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(p.pid, signal.SIGKILL)  # the group of a process started by this test
        except ProcessLookupError:
            pass
        p.wait(timeout=10)


def test_killed_sweep_resumes_without_redoing_finished_runs(tmp_path, client):
    sweep = _sweep_file(tmp_path, n=1200, t_end=0.2)  # ~0.4 s per run: the kill lands mid-sweep
    out = tmp_path / "out"
    inherited = signal.getsignal(signal.SIGINT)
    # Ctrl-C as from a terminal: a child inherits an ignored SIGINT (Python then keeps ignoring it)
    p = subprocess.Popen([sys.executable, "-m", "crescape.cli", "sweep", str(sweep), "--out", str(out),
                          "--workers", "1"], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    t0 = time.monotonic()
    while len(list(out.glob("runs/*/DONE"))) < 2:
        assert p.poll() is None, p.communicate()
        assert time.monotonic() - t0 < 60, "sweep made no progress"
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, f"SIGINT in the test process: {inherited!r}\n{err}"
    assert "interrupted" in err and "Traceback" not in err
    finished = {d.parent.name: (d.parent / "run.h5").stat().st_mtime_ns for d in out.glob("runs/*/DONE")}
    assert 2 <= len(finished) < 8
    res = run_sweep(sweep, out, client=client, progress=False)
    assert res["skipped"] == len(finished) and res["done"] == 8
    for name, mtime in finished.items():
        assert (out / "runs" / name / "run.h5").stat().st_mtime_ns == mtime, f"{name} was redone"
    idx = read_index(out)
    assert list(idx["status"].values) == ["done"] * 8
    np.testing.assert_allclose(idx["history.M_gas.last"], 0.5625, rtol=1e-12)


def _sde_deck(chunk=0):
    from crescape.config import load_config

    return load_config({
        "engine": "sde", "units": "code",
        "flow": {"kind": "planar_shock", "u1": 1.0, "compression": 4.0, "width": 0.004},
        "diffusion": {"kappa": 0.1},
        "run": {"t_end": 1.0, "dt": 0.001, "seed": 11, "block_size": 16, "chunk_particles": chunk, "progress": False},
        "injection": {"n_particles": 1000, "p0": 1.0},
        "splitting": {"enabled": True, "expected_slope": 2.0, "n_levels": 6},
        "output": {"n_snapshots": 2, "p_min": 1.0, "p_max": 1e3, "n_p": 24,
                   "observers": [{"name": "sh", "kind": "shock", "lo": -0.5, "hi": 0.5}]},
    })


def test_sde_ensemble_spread_over_cluster_equals_single_process(tmp_path, client):
    """Chunks with independent counter-based RNG streams on 2 workers, merged in particle order:
    identical (bit for bit) to one process with the same chunking, and to the one-chunk run
    within round-off of the summation order."""
    from crescape import open_run, run
    from crescape.sweep.ensemble import chunk_bounds, run_sde_distributed

    bounds = chunk_bounds(1000, 16, 4)
    assert bounds == [(0, 256), (256, 256), (512, 256), (768, 232)]
    dist = open_run(run_sde_distributed(_sde_deck(), tmp_path / "dist", client=client, n_chunks=4))
    same = open_run(run(_sde_deck(chunk=256), tmp_path / "single", progress=False))
    one = open_run(run(_sde_deck(chunk=0), tmp_path / "one", progress=False))
    assert set(dist.groups) == set(same.groups)
    n_checked = 0
    for g in dist.groups:
        for name, var in dist.groups[g].data_vars.items():
            a, b, c = var.values, same.groups[g][name].values, one.groups[g][name].values
            if a.dtype.kind != "f":
                continue
            np.testing.assert_array_equal(a, b, err_msg=f"{g}/{name}")
            np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-300, err_msg=f"{g}/{name}")
            n_checked += 1
    assert n_checked >= 2
    assert np.any(dist.spectra[list(dist.spectra.data_vars)[0]].values > 0)


def test_sweep_file_with_ensemble_section_runs_distributed_sde(tmp_path, client):
    import tomli_w

    from crescape import open_run
    from crescape.config import resolved_dict

    sweep = tmp_path / "ens.toml"
    sweep.write_text(tomli_w.dumps({"ensemble": {"n_chunks": 4}, "base": resolved_dict(_sde_deck())}))
    res = run_sweep(sweep, tmp_path / "ens", client=client, progress=False)
    assert res["ensemble"] and res["done"] == 1
    got = open_run(tmp_path / "ens")
    ref = open_run(__import__("crescape").run(_sde_deck(chunk=256), tmp_path / "ref", progress=False))
    for name, var in got.spectra.data_vars.items():
        np.testing.assert_array_equal(var.values, ref.spectra[name].values, err_msg=name)
