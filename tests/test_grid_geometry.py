"""Radial and momentum grids: exact geometric volumes and areas, spacing rules."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crescape.config import load_config
from crescape.core.grid import RadialGrid, make_faces, momentum_grid


@pytest.mark.parametrize("geometry,total", [
    ("planar", lambda a, b: b - a),
    ("cylindrical", lambda a, b: np.pi * (b * b - a * a)),
    ("spherical", lambda a, b: 4 * np.pi / 3 * (b**3 - a**3)),
])
@pytest.mark.parametrize("spacing", ["uniform", "log", "stretched"])
def test_cell_volumes_sum_to_the_exact_shell_volume(geometry, total, spacing):
    r0 = 0.5 if spacing == "log" else 0.0
    rf = make_faces(r0, 3.0, 97, spacing, 1.03)
    g = RadialGrid.from_faces(rf, geometry)
    assert g.V.sum() == pytest.approx(total(r0, 3.0), rel=1e-13)
    assert np.all(g.V > 0) and np.all(g.dr > 0)
    assert g.rf[0] == r0 and g.rf[-1] == 3.0 and g.rc.size == 97 and g.A.size == 98


def test_face_areas_are_the_derivative_of_the_volume():
    g = RadialGrid.from_faces(np.linspace(0, 2, 2001), "spherical")
    # mean-value theorem: dV/dr = A(r) somewhere inside the cell
    assert np.all(g.A[:-1] <= g.V / g.dr) and np.all(g.V / g.dr <= g.A[1:])
    far = g.rc > 100 * g.dr  # V/Δr = 4π(r_c² + Δr²/12): relative offset < 1e-5 there
    assert np.allclose(g.V[far] / g.dr[far], 4 * np.pi * g.rc[far] ** 2, rtol=1e-5)
    assert g.A[0] == 0.0 and g.A[-1] == pytest.approx(16 * np.pi)
    c = RadialGrid.from_faces(np.array([0.0, 1.0]), "cylindrical")
    assert c.A[-1] == pytest.approx(2 * np.pi) and c.V[0] == pytest.approx(np.pi)


def test_stretched_and_log_spacing_rules():
    rf = make_faces(0.0, 1.0, 50, "stretched", 1.05)
    assert np.allclose(np.diff(rf)[1:] / np.diff(rf)[:-1], 1.05, rtol=1e-10)
    rl = make_faces(1.0, 1000.0, 30, "log")
    assert np.allclose(rl[1:] / rl[:-1], 10 ** 0.1, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(lo=st.floats(1e-3, 10), span=st.floats(1e-2, 1e3), n=st.integers(4, 300))
def test_grid_from_deck_is_monotonic_for_any_valid_range(lo, span, n):
    d = load_config({"engine": "crhydro", "grid": {"r_min": lo, "r_max": lo + span, "n_cells": n, "spacing": "log"},
                     "problem": {"kind": "uniform", "n": 1.0, "T": 1e4}})
    g = RadialGrid.from_section(d.grid)
    assert np.all(np.diff(g.rf) > 0) and g.n == n


def test_momentum_grid_is_log_spaced_with_requested_bins_per_decade():
    e, c = momentum_grid(10**-1.5, 10**3.5, 10)
    assert e.size == 51 and c.size == 50
    assert e[0] == 10**-1.5 and e[-1] == 10**3.5
    assert np.allclose(np.diff(np.log10(e)), 0.1, rtol=1e-10)
    assert np.allclose(c, np.sqrt(e[1:] * e[:-1]))
    with pytest.raises(ValueError, match="p_min < p_max"):
        momentum_grid(1.0, 0.5, 10)
