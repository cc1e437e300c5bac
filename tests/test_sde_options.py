"""SDE options: adaptive steps, energy-dependent shock width, predictor–corrector, continuous
injection in time, re-weighting."""
import numpy as np
import pytest

from crescape.config import load_config
from crescape.engines.sde import simulate
from crescape.engines.sde.observers import reweight_particles


def test_adaptive_step_restores_the_shock_constraints():
    """u·Δt = 2.5 w with the fixed step; adaptive (adv_frac = 0.25) brings it to 0.25 w."""
    base = {"engine": "sde", "flow": {"kind": "planar_shock", "u1": 1.0, "compression": 4.0, "width": 0.004},
            "diffusion": {"kappa": 0.1}, "injection": {"n_particles": 64, "p0": 1.0},
            "output": {"n_snapshots": 1}}
    fixed = load_config({**base, "run": {"t_end": 0.5, "dt": 0.01}})
    with pytest.warns(UserWarning, match="u·Δt > shock width"):
        _, _, d1 = simulate(fixed)
    assert d1["advective_violation_fraction"] > 0.99
    adapt = load_config({**base, "run": {"t_end": 0.5, "dt": 0.01, "adaptive": True, "adv_frac": 0.25}})
    _, _, d2 = simulate(adapt)
    assert d2["advective_violation_fraction"] == 0 and d2["diffusive_violation_fraction"] == 0
    assert d2["steps"] == pytest.approx(64 * 0.5 / 0.001, rel=1e-6)


def test_sqrt_energy_shock_width_keeps_diffusive_step_above_width():
    """Bohm κ ∝ p: with a fixed width the diffusive step √(2κΔt) falls below w for p < p*;
    the width w (p/p_w)^(1/2) scales like √κ, so the ratio stays constant (seed 003 §3.5)."""
    common = {"engine": "sde", "flow": {"kind": "planar_shock", "u1": 1.0, "compression": 4.0, "width": 0.01},
              "diffusion": {"kind": "bohm", "kappa": 0.01}, "injection": {"n_particles": 64, "p0": 30.0},
              "output": {"n_snapshots": 1, "p_min": 1, "p_max": 1e5}}
    run = {"t_end": 0.2, "dt": 1e-3}
    # at p0 = 30: √(2·0.3·1e-3) = 0.0245 > w = 0.01; at p = 3 it would be 0.0077 < w
    low = load_config({**common, "injection": {"n_particles": 64, "p0": 3.0}, "run": run})
    with pytest.warns(UserWarning, match="√\\(2κΔt\\) < shock width"):
        _, _, d1 = simulate(low)
    assert d1["diffusive_violation_fraction"] > 0.9
    scaled = load_config({**common, "injection": {"n_particles": 64, "p0": 3.0},
                          "run": {**run, "width_scaling": "sqrt_energy", "p_width": 30.0}})
    _, _, d2 = simulate(scaled)
    assert d2["diffusive_violation_fraction"] == 0


@pytest.mark.parametrize("scheme", ["euler", "predictor_corrector"])
def test_schemes_are_exact_for_uniform_divergence(scheme):
    d = load_config({"engine": "sde", "flow": {"kind": "uniform_divergence", "div": -0.6},
                     "diffusion": {"kappa": 0.05}, "run": {"t_end": 1.0, "dt": 0.01, "scheme": scheme},
                     "injection": {"n_particles": 50, "where": "volume", "x_lo": 1.0, "x_hi": 2.0},
                     "output": {"particles": True, "times": [1.0], "initial": False}})
    _, res, _ = simulate(d)
    assert np.allclose(np.exp(res.particles["lnp"][-1]), np.exp(0.6 / 3.0), rtol=1e-6)


def test_continuous_injection_in_time_diffuses_for_the_remaining_time():
    """Injection uniform in [0, 1], free diffusion to T = 2: ⟨x²⟩ = 2κ(T - 1/2) within 3σ."""
    kappa, N = 0.5, 20000
    d = load_config({"engine": "sde", "diffusion": {"kappa": kappa}, "run": {"t_end": 2.0, "dt": 0.01, "seed": 4},
                     "injection": {"n_particles": N, "where": "point", "t0": 0.0, "t1": 1.0},
                     "output": {"particles": True, "times": [2.0], "initial": False}})
    _, res, _ = simulate(d)
    x = res.particles["x"][-1]
    want = 2 * kappa * 1.5
    # Var(x²) = E[3(2κτ)²] - want², τ uniform in [1, 2]
    var = 3 * (2 * kappa) ** 2 * (2**3 - 1) / 3 - want**2
    assert abs(np.mean(x**2) - want) < 3 * np.sqrt(var / N)


def test_reweighting_to_another_source_index_preserves_total_weight():
    p0 = np.array([1.0, 10.0, 100.0])
    w = np.ones(3)
    w2 = reweight_particles(p0, w, index_old=1.0, index_new=2.0)
    assert w2.sum() == pytest.approx(3.0)
    assert w2[0] / w2[1] == pytest.approx(10.0) and w2[1] / w2[2] == pytest.approx(10.0)


def test_nan_particles_stop_the_run_with_a_diagnostic():
    from crescape.engines.driver import SimulationError
    from crescape.engines.sde import build_setup

    d = load_config({"engine": "sde", "flow": {"kind": "planar_shock"}, "run": {"t_end": 0.01, "dt": 0.001},
                     "injection": {"n_particles": 8}})
    setup = build_setup(d)
    setup.flow.fpar[0] = np.nan  # corrupt the flow behind the deck's back
    with pytest.raises(SimulationError, match="NaN"):
        simulate(d, setup=setup)
