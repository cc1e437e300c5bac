"""Sky maps and cubes: a run at a distance → FITS map cube (lon, lat, energy) + spectrum table.

The cube holds the differential intensity I(E, lat, lon) [cm^-2 s^-1 MeV^-1 sr^-1] at the
energy nodes, on a CAR grid centred on the source (the Fermi-LAT diffuse-template layout
that gammapy reads as ``TemplateSpatialModel``: primary HDU + ``ENERGIES`` table), and a
``SPECTRUM`` table with the volume-integrated flux F(E) = L(E)/(4π d²). Each pixel holds the
exact volume integral over its column (:mod:`.projection`) divided by its true solid angle,
so Σ I Ω = F to quadrature round-off when the map covers the source.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core import constants as C
from ..io import open_run
from . import projection as prj
from .emission import default_processes, emissivity, luminosity
from .sources import Emitters, emitters

BUNIT = "cm-2 s-1 MeV-1 sr-1"


def _q(value, unit):
    """A bare number (CGS) or an astropy quantity / string with a unit → float in ``unit``."""
    import astropy.units as u

    if isinstance(value, str):
        return float(u.Quantity(value).to_value(unit))
    if hasattr(value, "to_value"):
        return value.to_value(unit)
    return value


@dataclass
class Cube:
    """A sky cube: intensity (n_E, n_lat, n_lon) [cm^-2 s^-1 MeV^-1 sr^-1] and its axes."""

    energies: np.ndarray  # [erg]
    intensity: np.ndarray
    solid_angle: np.ndarray  # (n_lat, n_lon) [sr]
    cdelt: float  # [deg]
    center: tuple  # (lon, lat) [deg]
    flux: np.ndarray  # volume-integrated F(E) [cm^-2 s^-1 MeV^-1]
    distance: float  # [cm]
    t: float  # [s]
    processes: tuple
    meta: dict = field(default_factory=dict)

    @property
    def map_flux(self):
        """Σ_pixels I Ω [cm^-2 s^-1 MeV^-1] per energy."""
        return np.einsum("eyx,yx->e", self.intensity, self.solid_angle)

    def wcs_header(self):
        ny, nx = self.solid_angle.shape
        lon0, lat0 = self.center
        return {"CTYPE1": "GLON-CAR", "CUNIT1": "deg", "CRVAL1": lon0, "CRPIX1": (nx + 1) / 2.0, "CDELT1": -self.cdelt,
                "CTYPE2": "GLAT-CAR", "CUNIT2": "deg", "CRVAL2": lat0, "CRPIX2": (ny + 1) / 2.0, "CDELT2": self.cdelt,
                "CTYPE3": "Energy", "CUNIT3": "MeV", "CRPIX3": 1.0, "CRVAL3": float(self.energies[0] / C.MeV),
                "CDELT3": 1.0}

    def write(self, path, overwrite=True):
        """FITS: primary HDU (intensity, WCS, BUNIT), ENERGIES (Energy [MeV]), SPECTRUM (Energy, flux, e2dnde)."""
        from astropy.io import fits

        hdr = fits.Header()
        for k, v in self.wcs_header().items():
            hdr[k] = v
        hdr["BUNIT"] = BUNIT
        hdr["DISTANCE"] = (self.distance / C.kpc, "source distance [kpc]")
        hdr["TIME"] = (self.t, "snapshot time [s]")
        hdr["PROCESS"] = ",".join(self.processes)
        for k, v in self.meta.items():
            hdr[k[:8].upper()] = v
        prim = fits.PrimaryHDU(self.intensity.astype(np.float64), header=hdr)
        E = self.energies / C.MeV
        en = fits.BinTableHDU.from_columns([fits.Column("Energy", "D", unit="MeV", array=E)], name="ENERGIES")
        sp = fits.BinTableHDU.from_columns([
            fits.Column("Energy", "D", unit="MeV", array=E),
            fits.Column("flux", "D", unit="cm-2 s-1 MeV-1", array=self.flux),
            fits.Column("e2dnde", "D", unit="erg cm-2 s-1", array=self.flux * E * E * C.MeV)], name="SPECTRUM")
        fits.HDUList([prim, en, sp]).writeto(path, overwrite=overwrite)
        return path


def pixel_grid(npix, cdelt_deg):
    """Pixel edges in native angle [rad] (centred) and the CAR solid angles [sr] (n, n)."""
    d = np.deg2rad(cdelt_deg)
    e = (np.arange(npix + 1) - npix / 2.0) * d
    om = d * np.diff(np.sin(e))  # Δφ (sin θ2 − sin θ1)
    return e, np.broadcast_to(om[:, None], (npix, npix)).copy()


def _geometry_matrix(em: Emitters, x_edges, y_edges):
    if em.geometry == "sphere":
        return prj.sphere_pixel_matrix(x_edges, y_edges, em.edges, n_gauss=12)
    if em.geometry == "tube":
        return prj.tube_pixel_matrix(x_edges, y_edges, em.edges, em.a)
    raise ValueError("observables: SDE observer windows have no geometry to map; use the spectra "
                     "(crescape.observables.spectrum) instead")


def _default_fov(em, distance):
    """The whole sphere (+2.5 %); for a tube its whole length, at most 20°."""
    if em.geometry == "sphere":
        return float(np.rad2deg(2.05 * em.edges[-1] / distance))
    return float(min(np.rad2deg(2.05 * em.edges[-1] / distance), 20.0))


def cube_from_emitters(em, distance, energies, t=None, processes=None, npix=101, fov=None, psf=None,
                       center=(0.0, 0.0), nuclear_enhancement=True, fields=None):
    """:class:`Cube` of ``em`` at distance [cm], energies [erg]; fov, psf (Gaussian σ) in degrees."""
    E = np.atleast_1d(np.asarray(energies, float))
    processes = tuple(processes or default_processes(em.species))
    it = em.time_index(t)
    q = sum(emissivity(em, p, E, it, nuclear_enhancement=nuclear_enhancement, fields=fields)[0] for p in processes)
    L = luminosity(em, q[None])[0]  # [s^-1 erg^-1]
    fov = _default_fov(em, distance) if fov is None else float(fov)
    cdelt = fov / npix
    ang, om = pixel_grid(npix, cdelt)
    P = _geometry_matrix(em, distance * ang, distance * ang)  # (ny, nx, n_cells) [cm³]
    Fpix = np.einsum("yxk,ke->eyx", P, q) / (4.0 * np.pi * distance**2) * C.MeV  # [cm^-2 s^-1 MeV^-1]
    if psf:
        Fpix = prj.gaussian_psf(Fpix, float(psf) / cdelt)
    return Cube(E, Fpix / om[None], om, cdelt, tuple(center), L / (4.0 * np.pi * distance**2) * C.MeV,
                float(distance), float(em.t[it]), processes, meta={"geometry": em.geometry})


def make_cube(run, distance, energies, t=None, processes=None, npix=101, fov=None, psf=None, out=None,
              center=(0.0, 0.0), nuclear_enhancement=True, fields=None, **source_kw):
    """A run (directory or :class:`crescape.io.Run`) → :class:`Cube` (and a FITS file if ``out``).

    distance: cm or a quantity ("1 kpc"); energies: erg or a quantity array; t: snapshot
    time [s] (nearest; default last); processes: e.g. ("pion",) or ("ic", "bremsstrahlung")
    (default: π⁰ for protons, IC for pairs); fov, psf: degrees (psf = Gaussian σ).
    """

    r = open_run(run) if not hasattr(run, "snapshots") else run
    em = emitters(r, **source_kw)
    d = _q(distance, "cm")
    E = _q(energies, "erg")
    cube = cube_from_emitters(em, float(d), np.asarray(E, float), t=t, processes=processes, npix=npix,
                              fov=fov, psf=psf, center=center, nuclear_enhancement=nuclear_enhancement,
                              fields=fields)
    if out is not None:
        cube.write(out)
    return cube
