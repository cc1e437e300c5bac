"""Runs → emission, cubes, profiles: CR-hydro (spherical), cloud (flux tube), SDE windows; CLI and gammapy."""
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from crescape.core import constants as C

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _cli(*args):
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "crescape.cli", *args], check=False, capture_output=True, text=True,
                          env=env,
                          cwd=ROOT)


@pytest.fixture(scope="module")
def crhydro_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("obs") / "cr"
    r = _cli("run", "examples/crhydro_small.toml", "--out", str(out), "-q", "--set", "grid.n_cells=40",
             "--set", "run.t_end=3e11", "--set", "output.times=[1e11,3e11]", "--set", "thermal.conduction=false")
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def cloud_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("obs") / "pairs"
    r = _cli("run", "examples/cloud_pulsar_pairs.toml", "--out", str(out), "-q", "--set", "grid.n_cells=60",
             "--set", "grid.z_max=50 pc", "--set", "run.t_end=1 kyr", "--set", "output.n_snapshots=2",
             "--set", "output.t_first=0.5 kyr", "--set", "cr.bins=5")
    assert r.returncode == 0, r.stderr
    return out


def test_crhydro_cube_conserves_flux_and_loads_in_gammapy(crhydro_run, tmp_path):
    from crescape.io import open_run
    from crescape.observables import emitters, make_cube

    E = np.geomspace(1, 100, 5) * C.GeV
    cube = make_cube(crhydro_run, "1 kpc", E, out=tmp_path / "c.fits", npix=41)
    em = emitters(open_run(crhydro_run))
    assert em.volume.sum() == pytest.approx(4 * np.pi / 3 * em.edges[-1] ** 3, rel=1e-12)
    assert np.all(cube.flux > 0)
    assert np.max(np.abs(cube.map_flux / cube.flux - 1)) < 1e-3
    from astropy.io import fits

    with fits.open(tmp_path / "c.fits") as h:
        assert h[0].header["BUNIT"] == "cm-2 s-1 MeV-1 sr-1" and h[0].header["CTYPE1"] == "GLON-CAR"
        assert np.allclose(h["ENERGIES"].data["Energy"], E / C.MeV)
        assert np.allclose(h["SPECTRUM"].data["flux"], cube.flux)
    pytest.importorskip("gammapy")
    from gammapy.maps import Map
    from gammapy.modeling.models import TemplateSpatialModel

    m = Map.read(tmp_path / "c.fits")
    model = TemplateSpatialModel(m, normalize=False, filename=str(tmp_path / "c.fits"))
    flux = model.integrate_geom(m.geom).quantity.to_value("cm-2 s-1 MeV-1").sum(axis=(1, 2))
    assert np.max(np.abs(flux / cube.flux - 1)) < 1e-3


def test_psf_keeps_the_flux_of_a_covered_source(crhydro_run):
    from crescape.observables import make_cube

    E = np.array([10.0]) * C.GeV
    sharp = make_cube(crhydro_run, "1 kpc", E, npix=61, fov=60.0)
    blurred = make_cube(crhydro_run, "1 kpc", E, npix=61, fov=60.0, psf=1.5)
    assert blurred.map_flux[0] == pytest.approx(sharp.flux[0], rel=1e-3)
    assert blurred.intensity.max() < sharp.intensity.max()


def test_sphere_profile_integrates_to_the_flux(crhydro_run):
    from crescape.io import open_run
    from crescape.observables import emitters
    from crescape.observables.profiles import sed, sphere_profile

    em = emitters(open_run(crhydro_run))
    d = C.kpc
    E = np.array([3.0]) * C.GeV
    th = np.linspace(0, em.edges[-1] / d * (1 + 1e-9), 20001)
    I = sphere_profile(em, E, d, th)[0]
    flux = np.trapezoid(I * 2 * np.pi * th, th)  # flat sky: ∫ I 2πθ dθ
    ref = sed(em, E, d, t_index=[em.t.size - 1])[0, 0] / E[0] ** 2 * C.MeV
    assert flux == pytest.approx(ref, rel=1e-4)


def test_ionisation_rate_of_the_run_is_vectorised_and_positive(crhydro_run):
    from crescape.io import open_run
    from crescape.observables import emitters
    from crescape.observables.ionisation import ionisation_rate
    from crescape.observables.profiles import ionisation_profile

    em = emitters(open_run(crhydro_run))
    z = ionisation_profile(em)
    assert z.shape == em.N.shape[:2] and np.all(z >= 0) and z[-1, 0] > z[-1, -1]
    assert z[-1, 3] == pytest.approx(ionisation_rate(em.E_kin, em.N[-1, 3]), rel=1e-12)


def test_cloud_pairs_tube_ic_profile_and_cube(cloud_run):
    from crescape.io import open_run
    from crescape.observables import emitters
    from crescape.observables.cube import cube_from_emitters
    from crescape.observables.profiles import tube_profile

    run = open_run(cloud_run)
    em = emitters(run)
    assert em.species == "electron" and em.geometry == "tube"
    assert em.a == pytest.approx(C.pc) and np.allclose(em.B, 3 * C.uG)
    # P per ln E = (1/3) p v E N(E)
    P = run.snapshots["P_cr"].isel(t=-1).transpose("z", "E").values
    pv = em.E_kin * (em.E_kin + 2 * C.m_e_c2) / (em.E_kin + C.m_e_c2)  # p v = (pc)² / E_total
    assert np.allclose(em.N[-1] * pv * em.E_kin / 3.0, P, rtol=1e-12)
    d = 0.25 * C.kpc
    E = np.array([1.0, 10.0]) * C.TeV
    th = np.geomspace(0.3 * C.pc / d, 40 * C.pc / d, 50)
    ring = tube_profile(em, E, d, th, kind="ring")
    assert np.all(ring[:, 0] > ring[:, -1])
    fov = np.rad2deg(2 * 50 * C.pc / d) * 1.02
    cube = cube_from_emitters(em, d, E, npix=101, fov=fov)
    assert np.max(np.abs(cube.map_flux / cube.flux - 1)) < 1e-3  # the whole tube is inside the map
    # ring profile integrated over the sky = flux
    th2 = np.linspace(1e-9, 50 * C.pc / d, 200001)
    ring2 = tube_profile(em, E, d, th2, kind="ring")
    assert np.trapezoid(ring2 * 2 * np.pi * th2, th2, axis=1) == pytest.approx(cube.flux, rel=1e-3)
    with pytest.raises(ValueError, match="needs protons"):
        cube_from_emitters(em, d, E, processes=("pion",))


def test_sde_windows_use_the_given_density_and_field():
    from crescape.observables.emission import emissivity
    from crescape.observables.hadronic import pion_kernel
    from crescape.observables.sources import from_sde

    p = np.geomspace(1.0, 1e4, 41)
    dn = np.stack([p**-1.0, 2 * p**-1.0])[:, None, :]  # (observer, t, p): f ∝ p^-4 per ln p
    sp = xr.Dataset({"dN_dlnp": (("observer", "t", "p"), dn)},
                    coords={"observer": ["up", "down"], "t": [1.0], "p": p})
    run = types.SimpleNamespace(spectra=sp, config=types.SimpleNamespace(units="cgs"), attrs={"engine": "sde"})
    em = from_sde(run, n_gas=[1.0, 4.0], particles_per_weight=1e50)
    E = np.array([10.0, 100.0]) * C.GeV
    q = emissivity(em, "pion", E)[0]
    assert q[1] == pytest.approx(8.0 * q[0], rel=1e-12)  # twice the particles, four times the gas
    pc = p * C.m_p * C.c**2
    Ek = np.sqrt(pc**2 + C.m_p_c2**2) - C.m_p_c2
    N = 1e50 * p**-1.0 / (pc * (C.c * pc / (Ek + C.m_p_c2)) / C.c)
    ref = pion_kernel(E, Ek[-1] + C.m_p_c2).apply(Ek, N[None])[0]
    assert q[0] == pytest.approx(ref, rel=1e-12)
    with pytest.raises(ValueError, match="code units"):
        from_sde(types.SimpleNamespace(spectra=sp, config=types.SimpleNamespace(units="code")))


def test_cli_observe_writes_a_cube_and_rejects_bad_energies(crhydro_run, tmp_path):
    out = tmp_path / "cli.fits"
    r = _cli("observe", str(crhydro_run), "--distance", "2 kpc", "--energies", "1 GeV:100 GeV:3", "--out", str(out),
             "--npix", "21")
    assert r.returncode == 0, r.stderr
    assert out.exists() and "cube written" in r.stdout
    r = _cli("observe", str(crhydro_run), "--energies", "1 parsec:2 GeV:3", "--out", str(tmp_path / "x.fits"))
    assert r.returncode != 0 and "--energies" in r.stderr


def test_plot_hook_draws_the_sed(crhydro_run, tmp_path):
    pytest.importorskip("matplotlib")
    r = _cli("plot", str(crhydro_run), "--figure", "sed", "--outdir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "obs_sed.png").exists()
