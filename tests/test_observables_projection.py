"""Line-of-sight projection: exact chords, pixel volumes, flux-tube geometry, PSF (crescape.observables.projection)."""
import numpy as np
import pytest

from crescape.observables import projection as prj
from crescape.observables.cube import pixel_grid
from crescape.observables.profiles import radial_psf


def test_uniform_sphere_profile_is_the_analytic_chord_to_1e_6():
    R, eps = 3.0, 2.0
    r_edges = np.sort(np.concatenate([[0.0, R], np.random.default_rng(1).uniform(0, R, 57)]))
    b = np.linspace(0.0, 1.3 * R, 301)
    I = prj.shell_profile(b, r_edges, np.full(r_edges.size - 1, eps))
    exact = eps * 2 * np.sqrt(np.clip(R * R - b * b, 0, None)) / (4 * np.pi)
    assert np.max(np.abs(I - exact)) <= 1e-6 * exact.max()


def test_chord_lengths_of_a_shell():
    L = prj.chord_lengths([0.0, 1.5, 2.5], [1.0, 2.0])
    assert L[:, 0] == pytest.approx([2.0, 2 * np.sqrt(4 - 2.25), 0.0])


def test_sphere_pixel_matrix_holds_every_shell_volume():
    r = np.array([0.0, 0.3, 0.7, 1.0])
    e = np.linspace(-1.1, 1.1, 24)
    P = prj.sphere_pixel_matrix(e, e, r)
    # quadrature in x (Gauss–Legendre, 24 nodes per piece; √ edges where the disc crosses a pixel row)
    assert P.sum(axis=(0, 1)) == pytest.approx(4 * np.pi / 3 * np.diff(r**3), rel=1e-8)
    # symmetry under x ↔ y (x: quadrature, y: closed form) and x → −x
    assert np.max(np.abs(P - P.transpose(1, 0, 2))) < 1e-7 * P.max()
    assert np.max(np.abs(P - P[:, ::-1])) < 1e-12 * P.max()


def test_sphere_pixel_matrix_single_pixel_equals_cylinder_intersection():
    """A square pixel [0, s]² and sphere R: compare the exact volume with a fine 2-D midpoint integration."""
    R, s = 1.0, 0.5
    W = prj.sphere_pixel_matrix(np.array([0.0, s]), np.array([0.0, s]), np.array([0.0, R]), n_gauss=32)[0, 0, 0]
    x = (np.arange(4000) + 0.5) * s / 4000
    X, Y = np.meshgrid(x, x)
    ref = np.sum(2 * np.sqrt(np.clip(R * R - X * X - Y * Y, 0, None))) * (s / 4000) ** 2
    assert W == pytest.approx(ref, rel=1e-6)


def test_tube_pixel_matrix_volume_and_transverse_profile():
    a = 0.5
    z = np.linspace(0.0, 4.0, 41)
    P = prj.tube_pixel_matrix(np.linspace(-5, 5, 51), np.linspace(-1, 1, 11), z, a)
    assert P.sum() == pytest.approx(np.pi * a * a * 2 * 4.0, rel=1e-12)
    col = P.sum(axis=(1, 2))  # per y row: ∫ 2√(a²−y²) dy over the row × tube length
    ye = np.clip(np.linspace(-1, 1, 11), -a, a)
    F = ye * np.sqrt(a * a - ye * ye) + a * a * np.arcsin(ye / a)
    assert col == pytest.approx(np.diff(F) * 8.0, rel=1e-12)


def test_gaussian_psf_conserves_flux_inside_the_map():
    m = np.zeros((2, 61, 61))
    m[:, 30, 30] = 1.0
    m[1, 25, 33] = 2.0
    out = prj.gaussian_psf(m, 3.0)
    assert out.sum(axis=(1, 2)) == pytest.approx(m.sum(axis=(1, 2)), rel=1e-6)
    assert out[0, 30, 30] < 1.0


def test_radial_psf_of_a_gaussian_profile_widens_in_quadrature():
    th = np.linspace(0, 10, 400)
    s0, s = 1.0, 0.75
    prof = np.exp(-(th**2) / (2 * s0**2))
    out = radial_psf(th, prof, s)
    S = np.hypot(s0, s)
    assert np.max(np.abs(out - (s0 / S) ** 2 * np.exp(-(th**2) / (2 * S**2)))) < 2e-3


def test_car_pixel_solid_angles_sum_to_the_patch():
    _, om = pixel_grid(41, 2.0)
    lat = np.deg2rad(82.0)  # 41 pixels of 2°
    assert om.sum() == pytest.approx(lat * 2 * np.sin(lat / 2), rel=1e-12)
