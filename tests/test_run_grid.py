"""The grid travels with the run: run.h5 stores the solver's centres, faces, widths, volumes,
areas and geometry; ``open_run(DIR).grid`` returns them and the analysis uses them, so the
numbers are right on log and stretched grids with r_min > 0 too."""
import warnings

import h5py
import numpy as np
import pytest

import crescape
from crescape.core.constants import M_sun
from crescape.core.grid import cell_volumes, face_areas, make_faces
from crescape.engines.crhydro import analysis as ah
from crescape.engines.crhydro import summaries as sh
from crescape.errors import RunFileError
from crescape.io import open_run, sha256_file

R_MIN, R_MAX = 0.02, 1.0
XI0 = 1.15167  # Sedov (1959), γ = 5/3 spherical; Kamm & Timmes (2007)
T_END = (0.6 / XI0) ** 2.5  # shock at R = 0.6 for E = ρ = 1


def _sedov(tmp, spacing, n=160, stretch=1.02):
    deck = {
        "engine": "crhydro", "run": {"t_end": T_END, "progress": False},
        "grid": {"geometry": "spherical", "r_min": R_MIN, "r_max": R_MAX, "n_cells": n, "spacing": spacing,
                 "stretch": stretch},
        "gas": {"gamma": 5.0 / 3.0},
        "thermal": {"cooling": False, "heating": False, "conduction": False},
        "problem": {"kind": "sedov", "E": 1.0, "rho": 1.0, "P_ambient": 1e-5, "r_inject": 0.08},
        "output": {"times": [T_END]},
    }
    return open_run(crescape.run(deck, tmp / spacing))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grids")
    return {s: _sedov(tmp, s) for s in ("uniform", "log", "stretched")}


def test_run_file_stores_the_grid_the_solver_used(runs):
    for spacing, run in runs.items():
        g, d = run.grid, run.config.grid
        rf = make_faces(d.r_min, d.r_max, d.n_cells, d.spacing, d.stretch)
        np.testing.assert_array_equal(g.rf, rf)
        np.testing.assert_array_equal(g.V, cell_volumes(rf, "spherical"))
        np.testing.assert_array_equal(g.A, face_areas(rf, "spherical"))
        np.testing.assert_array_equal(g.rc, run.snapshots["r"].values)
        assert g.geometry == "spherical" and run.groups["grid"]["volume"].attrs["units"] == "cm3"
        assert spacing == "uniform" or np.ptp(g.dr) > 0.5 * g.dr.min()  # really non-uniform


def test_mass_inside_R_is_exact_for_the_uniform_initial_state_on_every_grid(runs):
    for run in runs.values():
        for R in (0.05, 0.3337, 0.9):  # inside the first cells, mid-cell, near the edge
            exact = 4 * np.pi / 3 * (R**3 - R_MIN**3)
            assert ah.enclosed_mass(run, R)[0] == pytest.approx(exact, rel=1e-13)
            assert sh.mass_inside(run, R)[0] == pytest.approx(exact, rel=1e-13)


def test_sedov_integrals_agree_between_uniform_log_and_stretched_grids(runs):
    """Same blast on three grids: the total energy is conserved to round-off on each, and the
    mass expelled from R = 0.4 (inside the shock at 0.6) agrees to the discretisation error."""
    expelled = {}
    for s, run in runs.items():
        h = run.history
        E = h["E_th"].values + h["E_kin"].values
        assert abs(E[-1] / E[0] - 1) < 1e-10, s
        t, dM = ah.expelled_mass(run, R=0.4)
        expelled[s] = dM[-1] * M_sun  # back to code mass units
    m0 = 4 * np.pi / 3 * (0.4**3 - R_MIN**3)
    print({k: v / m0 for k, v in expelled.items()})
    vals = np.array(list(expelled.values()))
    assert np.all(vals > 0.3 * m0)  # the swept-up shell has moved most of the mass outward
    assert np.ptp(vals) / vals.mean() < 0.005  # observed 0.1 % at 160 cells


def test_run_without_grid_group_is_rebuilt_from_its_deck_with_a_warning(runs, tmp_path):
    import shutil

    src = runs["log"].path
    old = tmp_path / "old"
    shutil.copytree(src, old)
    with h5py.File(old / "run.h5", "r+") as f:
        del f["grid"]
        f.attrs["crescape_version"] = "0.0.9"
    (old / "run.h5.sha256").write_text(sha256_file(old / "run.h5") + "\n")
    run = open_run(old)
    with pytest.warns(UserWarning, match="crescape 0.0.9 has no grid group"):
        g = run.grid
    np.testing.assert_array_equal(g.V, runs["log"].grid.V)


def test_run_without_grid_group_and_without_a_radial_deck_says_re_run(tmp_path):
    from crescape.io.rundir import Run

    run = Run(tmp_path, None, {}, {"crescape_version": "0.0.9"})
    with warnings.catch_warnings(), pytest.raises(RunFileError, match="0.0.9 has no grid group.*re-run"):
        _ = run.grid
