"""3-D SDE run files: `crescape run` path, crossing detectors (first-passage times, latitudes), resume."""
import numpy as np

import crescape
from crescape.config import load_config
from crescape.engines.sde import run


def test_sphere_detector_first_passage_time_and_isotropic_latitudes(tmp_path):
    """Isotropic diffusion from the centre: the mean first-passage time to |x| = R is R²/(6κ) (3-D Brownian
    motion), with R shifted by 0.5826·sqrt(2κΔt) for discrete monitoring (Broadie, Glasserman & Kou 1997,
    Math. Finance 7, 325); crossing points are isotropic: sin(latitude) uniform, mean 0 and variance 1/3."""
    kappa, R, dt, N = 1.0, 1.0, 1e-4, 4000
    d = load_config({"engine": "sde", "units": "code", "grid": {"geometry": "cartesian3d"},
                     "diffusion": {"kappa": kappa}, "transport3d": {"perp_ratio": 1.0},
                     "run": {"t_end": 2.0, "dt": dt, "seed": 8, "chunk_particles": 1024, "progress": False},
                     "injection": {"n_particles": N, "where": "point"},
                     "output": {"times": [2.0], "initial": False},
                     "output3d": {"detectors": [{"name": "s", "kind": "sphere", "radius": R, "absorb": True}]}})
    out = run(d, tmp_path / "fpt", progress=False)
    det = crescape.open_run(out).groups["detectors"].sel(detector="s")
    t = det["t"].values
    assert np.isfinite(t).mean() > 0.999  # P(τ > 2) ≈ e^{-π²κ·2/R²} ≈ 3e-9
    Reff = R + 0.5826 * np.sqrt(2 * kappa * dt)
    want = Reff**2 / (6 * kappa)
    assert abs(t.mean() - want) < 3 * t.std() / np.sqrt(N), (t.mean(), want)
    r = np.sqrt(det["x"] ** 2 + det["y"] ** 2 + det["z"] ** 2).values
    assert np.allclose(r, R, atol=0.05)
    s = np.sin(det["latitude"].values)
    assert abs(s.mean()) < 3 * np.sqrt(1 / 3 / N)
    assert abs(s.var() - 1 / 3) < 3 * np.sqrt(4 / 45 / N)  # Var(s²) = 1/5 − 1/9 for s uniform in [−1, 1]


def test_results_identical_for_any_thread_count_and_chunking():
    """Counter-based streams + per-block sums: 1 vs 2 threads bit-identical; chunks merge to the single run."""
    import numba

    from crescape.engines.sde.solver3d import build_setup3, merge3, simulate_chunk3

    d = load_config({"engine": "sde", "units": "code", "grid": {"geometry": "cartesian3d"},
                     "flow": {"kind": "planar_shock", "u1": 1.0, "compression": 4.0, "width": 0.01},
                     "field": {"kind": "halo", "B_poloidal": 0.3}, "diffusion": {"kind": "bohm", "kappa": 0.05},
                     "transport3d": {"perp_ratio": 0.2, "x0": [0.0, 0.5, 0.2]},
                     "momentum_diffusion": {"kind": "alfven", "V_A": 0.2},
                     "run": {"t_end": 0.5, "dt": 2e-3, "seed": 3, "block_size": 16},
                     "injection": {"n_particles": 160, "where": "shock"},
                     "output": {"n_snapshots": 2, "initial": False, "p_min": 0.5, "p_max": 10.0, "n_p": 10,
                                "particles": True,
                                "integrate": [{"name": "i", "kind": "fixed", "lo": -0.5, "hi": 0.5}]},
                     "output3d": {"detectors": [{"name": "pl", "kind": "plane", "normal": [1, 0, 0], "offset": -0.1}]}})
    st = build_setup3(d)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = simulate_chunk3(st, 0, 160)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        b = simulate_chunk3(st, 0, 160)
    finally:
        numba.set_num_threads(old)
    c = merge3(merge3(None, simulate_chunk3(st, 0, 64)), simulate_chunk3(st, 64, 96))
    assert a.arrays["counters"][0] > 0 and np.isfinite(a.arrays["DX"][0, :, 0]).any()
    for k, v in a.arrays.items():
        assert np.array_equal(v, b.arrays[k], equal_nan=True), k
        assert np.allclose(v, c.arrays[k], rtol=1e-13, atol=0, equal_nan=True), k


def test_interrupted_3d_run_resumes_bit_identically_through_the_common_driver(tmp_path, monkeypatch, capfd):
    """SIGINT after the first chunk → checkpoint + Interrupted; --resume continues with chunk 2 and the
    run file equals the uninterrupted one bit for bit; resuming the finished run does nothing."""
    import os
    import signal

    import pytest

    from crescape.engines.sde import stepper3d
    from crescape.errors import Interrupted

    deck = {"engine": "sde", "units": "code", "grid": {"geometry": "cartesian3d"},
            "diffusion": {"kappa": 1.0}, "transport3d": {"perp_ratio": 1.0},
            "run": {"t_end": 0.2, "dt": 1e-3, "seed": 3, "block_size": 16, "chunk_particles": 64, "progress": False},
            "injection": {"n_particles": 160, "where": "point"}, "output": {"times": [0.1, 0.2]}}
    ref = crescape.open_run(crescape.run(deck, tmp_path / "ref"))
    real = stepper3d.simulate_chunk3

    def chunk_then_sigint(st, pid, m):
        res = real(st, pid, m)
        os.kill(os.getpid(), signal.SIGINT)
        return res

    monkeypatch.setattr(stepper3d, "simulate_chunk3", chunk_then_sigint)
    with pytest.raises(Interrupted, match="particle 64 of 160"):
        crescape.run(deck, tmp_path / "cut")
    monkeypatch.setattr(stepper3d, "simulate_chunk3", real)
    crescape.run(None, tmp_path / "cut", resume=True)
    assert "resuming from particle 64 of 160" in capfd.readouterr().err
    got = crescape.open_run(tmp_path / "cut")
    n = 0
    for g, ds in ref.groups.items():
        for name, var in ds.data_vars.items():
            np.testing.assert_array_equal(got.groups[g][name].values, var.values, err_msg=f"{g}/{name}")
            n += 1
    assert n >= 3
    crescape.run(None, tmp_path / "cut", resume=True)
    assert "run already complete" in capfd.readouterr().err
