"""Background flows: profiles, jump conditions, blast-wave similarity, hydro-run replay."""
import numpy as np
import pytest
import xarray as xr

from crescape.flows import colliding_shocks, hydro_replay, isenberg, planar_shock, sedov, uniform_divergence
from crescape.flows.blast import isenberg_constant, isenberg_omega, shock_speed
from crescape.flows.riemann import shocked_state


def test_planar_shock_profile_limits_and_integrated_divergence():
    f = planar_shock(1.0, 4.0, 0.02, "shock", direction=-1)  # CRPropa layout: upstream at x < 0
    x = np.linspace(-2, 2, 400001)
    u, d = f(x, 0.0)
    assert abs(u[0] - 1.0) < 1e-12 and abs(u[-1] - 0.25) < 1e-12
    assert abs(np.trapezoid(d, x) - (0.25 - 1.0)) < 1e-9  # ∫∇·u dx = Δu
    assert np.allclose(np.gradient(u, x)[1:-1], d[1:-1], atol=2e-4)


def test_lab_frame_shock_is_the_galilean_transform_of_the_shock_frame():
    sh = planar_shock(1.0, 4.0, 0.05, "shock", direction=1)
    lab = planar_shock(1.0, 4.0, 0.05, "lab", direction=1)
    t = 3.3
    xs = np.linspace(-1, 1, 101)
    us, ds = sh(xs, t)
    ul, dl = lab(xs + 1.0 * t, t)  # shock at X = u1 t in the lab
    assert np.allclose(ul, us + 1.0, atol=1e-13) and np.allclose(dl, ds, atol=1e-12)
    assert lab.shocks(t) == [pytest.approx(3.3)]


def test_uniform_divergence_flow():
    for geom, dim in (("planar", 1), ("spherical", 3)):
        f = uniform_divergence(0.7, geom)
        u, d = f(np.array([0.5, 2.0]), 1.0)
        assert np.allclose(d, 0.7) and np.allclose(u, 0.7 / dim * np.array([0.5, 2.0]))


def test_sedov_radius_speed_and_divergence():
    f = sedov(E=1.0, rho=1.0, width=1e-3)
    t = np.array([0.5, 1.0, 2.0])
    R = np.array([f.shocks(ti)[0] for ti in t])
    assert np.allclose(R, 1.15167 * t**0.4, rtol=1e-12)  # seed 003 eq. 6 with ξ0(γ=5/3)
    assert np.allclose(shock_speed(f, t), 0.4 * R / t, rtol=1e-12)  # eq. 7
    r = np.linspace(0.05, 0.9, 2001) * R[1]
    u, d = f(r, 1.0)
    num = np.gradient(r**2 * u, r) / r**2
    assert np.allclose(num[2:-2], d[2:-2], rtol=1e-4)
    V = shock_speed(f, 1.0)
    u_in, _ = f(np.array([R[1] * (1 - 0.02)]), 1.0)
    assert abs(u_in[0] / V - 0.75 * 0.98 * (0.6 + 0.15 * 0.98**5) / 0.75) < 1e-3  # u2 → 3V/4 at the shock


def test_isenberg_critical_solution_closes_and_conserves_energy():
    """Integrate the momentum equation of the homologous flow inward from the post-shock pressure:
    the central pressure vanishes (critical ω = (7-γ)/(γ+1)) and the energy integral equals E."""
    g = 5.0 / 3.0
    w = isenberg_omega(g)
    assert w == pytest.approx(2.0)
    E, rho_ref, r_ref, t = 3.0, 2.0, 1.0, 1.7
    f = isenberg(E, rho_ref, r_ref, 1e-4, g)
    R = f.shocks(t)[0]
    V = shock_speed(f, t)
    alpha = 2.0 / (5.0 - w)
    beta = 2.0 / (g + 1.0)
    k = (3 * beta - w) / (1 - beta)
    rho2 = (g + 1) / (g - 1) * rho_ref * (R / r_ref) ** (-w)
    p2 = 2.0 / (g + 1) * rho_ref * (R / r_ref) ** (-w) * V**2
    r = np.linspace(0, R, 20001)
    rho = rho2 * (r / R) ** k
    v = beta * V * r / R
    u_num, _ = f(r[1:-200], t)
    assert np.allclose(u_num, v[1:-200], rtol=1e-9)
    dvdt = -beta * alpha * r / t**2 + (beta * alpha) ** 2 * r / t**2  # ∂v/∂t + v ∂v/∂r, v = βα r/t
    dp = -rho * dvdt
    P = p2 - (np.trapezoid(dp, r) - np.concatenate([[0.0], np.cumsum(0.5 * (dp[1:] + dp[:-1]) * np.diff(r))]))
    assert abs(P[0]) < 1e-6 * p2
    e = 0.5 * rho * v**2 + P / (g - 1)
    E_num = np.trapezoid(e * 4 * np.pi * r**2, r)
    assert abs(E_num / E - 1) < 1e-6
    assert isenberg_constant(g) == pytest.approx(1.0 / 6.0)


def test_colliding_shocks_states_timing_and_continuity():
    f = colliding_shocks(V1=1.0, V2=2.0, t2=2.0, rho0=1.0, p0=1e-4, width=1e-3)
    W0, W1, W2 = f.states["W0"], f.states["W1"], f.states["W2"]
    assert W1 == shocked_state(W0, 1.0, 5 / 3)
    assert f.t_collision == pytest.approx(4.0) and f.x_collision == pytest.approx(4.0)
    # just before the collision: W2 | W1 | W0 ; just after: the exact Riemann fan of (W2 | W0)
    u, _ = f(np.array([-5.0, 2.5, 10.0]), 3.0)  # shock 2 at x = 2, shock 1 at x = 3
    assert np.allclose(u, [W2.u, W1.u, 0.0], atol=1e-9)
    sol = f.riemann
    assert sol.right_wave == "shock" and sol.speeds["right_head"] > 2.0  # the merged shock is faster
    tt = 6.0
    xs = 4.0 + sol.speeds["contact"] * (tt - 4.0)
    u, d = f(np.array([xs]), tt)
    assert u[0] == pytest.approx(sol.u_star, rel=1e-9)
    if sol.left_wave == "rarefaction":
        xm = 4.0 + 0.5 * (sol.speeds["left_head"] + sol.speeds["left_tail"]) * (tt - 4.0)
        _, d = f(np.array([xm]), tt)
        assert d[0] == pytest.approx(2.0 / ((5 / 3 + 1) * (tt - 4.0)), rel=1e-9)  # centred fan
    with pytest.raises(ValueError, match="must exceed"):
        colliding_shocks(V1=2.0, V2=1.0, t2=1.0, rho0=1.0, p0=1e-4, width=1e-3)


def test_hydro_replay_of_a_synthetic_run_file(tmp_path):
    from crescape.io import write_run_file

    t = np.array([1.0, 2.0, 3.0])
    r = np.linspace(0.5, 10.0, 64)
    a = 0.3
    v = a * t[:, None] * r[None, :]  # homologous: ∇·v = 3 a t in spherical geometry
    snap = xr.Dataset({"v": (("t", "r"), v, {"units": "cm s-1"})},
                      coords={"t": ("t", t, {"units": "s"}), "r": ("r", r, {"units": "cm"})})
    write_run_file(tmp_path / "run.h5", {"snapshots": snap},
                   {"crescape_version": "test", "engine": "crhydro", "config": 'engine = "crhydro"\n[grid]\ngeometry = "spherical"\nr_max = 20.0\n'})
    f = hydro_replay(tmp_path)
    x = np.array([1.0, 4.2, 9.0])
    u, d = f(x, 1.5)
    assert np.allclose(u, a * 1.5 * x, rtol=1e-12)
    assert np.allclose(d, 3 * a * 1.5, rtol=1e-9)
