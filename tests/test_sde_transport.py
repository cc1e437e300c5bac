"""SDE kernel: free diffusion, adiabatic momentum change, reproducibility (thread count, chunking)."""
import numba
import numpy as np
import pytest

from crescape.config import load_config
from crescape.engines.sde import build_setup, merge, simulate, simulate_chunk


def deck(**sections):
    d = {"engine": "sde", "units": "code"}
    d.update(sections)
    return load_config(d)


@pytest.mark.parametrize("geometry,dim", [("planar", 1), ("spherical", 3)])
def test_free_diffusion_mean_square_displacement(geometry, dim):
    """⟨x²⟩ = 2κt (planar) and ⟨r²⟩ = 6κt (3-D radial) within 3 Monte-Carlo σ."""
    kappa, T, N = 0.7, 1.0, 20000
    d = deck(grid={"geometry": geometry}, diffusion={"kappa": kappa},
             run={"t_end": T, "dt": 0.01, "seed": 7},
             injection={"n_particles": N, "where": "point", "x0": 0.0},
             output={"particles": True, "times": [T], "initial": False})
    _, res, _ = simulate(d)
    x = res.particles["x"][-1]
    assert np.all(np.isfinite(x))
    want = 2 * dim * kappa * T
    sigma = 2 * kappa * T * np.sqrt(2 * dim) / np.sqrt(N)  # Var(x²) of a χ²_dim variable × (2κt)²
    assert abs(np.mean(x**2) - want) < 3 * sigma, (np.mean(x**2), want, sigma)


@pytest.mark.parametrize("geometry", ["planar", "spherical"])
def test_uniform_divergence_gives_exponential_momentum_change(geometry):
    """d ln p = -(∇·u)/3 dt  ⇒  p = p0 exp(-(∇·u) t/3), to 1e-6 (here to round-off)."""
    div, T = 0.9, 2.0
    d = deck(grid={"geometry": geometry}, flow={"kind": "uniform_divergence", "div": div},
             diffusion={"kappa": 0.1}, run={"t_end": T, "dt": 0.01},
             injection={"n_particles": 500, "where": "volume", "x_lo": 0.5, "x_hi": 1.5, "p0": 3.0},
             output={"particles": True, "n_snapshots": 4, "initial": False})
    s, res, _ = simulate(d)
    p = np.exp(res.particles["lnp"])
    want = 3.0 * np.exp(-div * s.times / 3.0)
    assert np.max(np.abs(p / want[:, None] - 1.0)) < 1e-6


def _shock_deck(n=256, split=True, seed=3):
    return deck(flow={"kind": "planar_shock", "u1": 1.0, "compression": 4.0, "width": 0.004},
                diffusion={"kappa": 0.1}, run={"t_end": 2.0, "dt": 0.001, "seed": seed, "block_size": 16},
                injection={"n_particles": n, "p0": 1.0},
                splitting={"enabled": split, "expected_slope": 2.0, "n_levels": 8},
                output={"n_snapshots": 2, "p_min": 1.0, "p_max": 1e3, "n_p": 30,
                        "observers": [{"name": "sh", "kind": "shock", "lo": -0.5, "hi": 0.5}],
                        "integrate": [{"name": "i", "kind": "fixed", "lo": -0.5, "hi": 0.5}]})


def test_results_identical_for_any_thread_count_and_chunking():
    d = _shock_deck()
    setup = build_setup(d)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = simulate_chunk(setup, 0, 256)
        numba.set_num_threads(max(2, old) if numba.config.NUMBA_NUM_THREADS >= 2 else 1)
        b = simulate_chunk(setup, 0, 256)
    finally:
        numba.set_num_threads(old)
    assert a.count("splits") > 0  # splitting happened
    assert np.array_equal(a.S1, b.S1) and np.array_equal(a.I1, b.I1) and np.array_equal(a.XP, b.XP)
    c = merge(simulate_chunk(setup, 0, 96), simulate_chunk(setup, 96, 160))
    assert np.allclose(c.S1, a.S1, rtol=1e-13, atol=0) and np.allclose(c.I1, a.I1, rtol=1e-13, atol=0)
    assert np.array_equal(c.counters, a.counters)


def test_different_seeds_differ_and_weights_are_conserved_by_splitting():
    d1, d2 = _shock_deck(seed=1), _shock_deck(seed=2)
    a = simulate(d1, warn=False)[1]
    b = simulate(d2, warn=False)[1]
    assert not np.array_equal(a.S1, b.S1)
    # without escape boundaries, every snapshot holds the total weight of the injected particles
    # inside the histogram range (the (x, p) histogram covers x in [-10, 10] here)
    tot = a.XP.sum(axis=(1, 2))
    assert np.allclose(tot[1:], 1.0, rtol=1e-12)


@pytest.mark.parametrize("name", ["sde_sedov", "sde_colliding_shocks", "sde_isenberg_bohm",
                                  "sde_reacceleration_1d"])
def test_every_flow_is_identical_for_any_thread_count_and_chunking(name):
    """Shipped examples (spherical blast waves with splitting, colliding shocks with Bohm κ, momentum
    diffusion with splitting and escape):
    1 and 2 threads give bit-identical sums; chunks give bit-identical per-batch sums of every
    chunk-aligned batch and totals equal to round-off."""
    import tomllib
    from pathlib import Path

    d = tomllib.loads((Path(__file__).parents[1] / "examples" / f"{name}.toml").read_text())
    d["injection"]["n_particles"] = 48
    d["run"]["block_size"] = 8
    setup = build_setup(load_config(d))
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = simulate_chunk(setup, 0, 48)
        numba.set_num_threads(max(2, old) if numba.config.NUMBA_NUM_THREADS >= 2 else 1)
        b = simulate_chunk(setup, 0, 48)
    finally:
        numba.set_num_threads(old)
    assert a.count("steps") > 0 and a.count("nan_particles") == 0
    for f in ("S1", "Sb2", "XP", "ESC", "SB", "counters"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f
    c = merge(simulate_chunk(setup, 0, 16), simulate_chunk(setup, 16, 32))
    assert np.array_equal(c.SB, a.SB)  # 6 blocks < 64 batches: one block per batch, no reordering
    assert np.array_equal(c.counters, a.counters)
    assert np.allclose(c.S1, a.S1, rtol=1e-13, atol=0)


def test_histogram_counts_are_exact_so_one_per_lane_or_per_thread_gives_the_same_bits(monkeypatch):
    """The (x, p) histogram adds integers 2^(H-h) (w0 2^-H units), whose float64 sums are exact:
    the per-lane fallback (used when counts could exceed 2^53) and the per-thread arrays agree
    bit for bit, and every snapshot of a run without escape holds the injected weight 1."""
    from crescape.engines.sde import solver

    setup = build_setup(_shock_deck(n=240))  # w0 = 1/240 is not a power of two: raw Σw would round
    a = simulate_chunk(setup, 0, 240)
    monkeypatch.setattr(solver, "histogram_slots", lambda n, h, lanes, nth: lanes)
    b = simulate_chunk(setup, 0, 240)
    assert a.count("splits") > 0
    assert np.array_equal(a.XP, b.XP)
    assert np.allclose(a.XP.sum(axis=(1, 2))[1:], 1.0, rtol=1e-12)
