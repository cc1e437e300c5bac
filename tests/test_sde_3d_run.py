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
