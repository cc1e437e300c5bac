"""``crescape observe RUN --distance 1kpc --energies 1GeV:1TeV:13 --out cube.fits``."""
from __future__ import annotations

import numpy as np

from .cube import make_cube
from .figures import plot_observables


def parse_energies(text):
    """'1 GeV:1 TeV:13' (log-spaced nodes) or '1 GeV,10 GeV,100 GeV' → energies [erg]."""
    import astropy.units as u

    try:
        if ":" in text:
            lo, hi, n = text.split(":")
            return np.geomspace(u.Quantity(lo).to_value("erg"), u.Quantity(hi).to_value("erg"), int(n))
        return np.array([u.Quantity(x).to_value("erg") for x in text.split(",")])
    except (ValueError, TypeError) as exc:
        raise ValueError(f"--energies {text!r}: expected 'E1:E2:N' or 'E1,E2,…' with units ({exc})") from None


def add_parser(sub):
    o = sub.add_parser("observe", help="γ-ray / neutrino / IC sky cube (FITS) of a run at a distance")
    o.add_argument("run")
    o.add_argument("--distance", default="1 kpc", help="source distance with unit (default: 1 kpc)")
    o.add_argument("--energies", default="100 MeV:1 TeV:13", help="'E1:E2:N' log nodes or 'E1,E2,…'")
    o.add_argument("--out", "-o", default="cube.fits", help="FITS cube (default: cube.fits)")
    o.add_argument("--time", type=float, default=None, help="snapshot time [s] (nearest; default: last)")
    o.add_argument("--process", action="append", default=None,
                   help="pion | neutrino | neutrino_numu | neutrino_nue | ic | synchrotron | bremsstrahlung (repeatable)")
    o.add_argument("--npix", type=int, default=101)
    o.add_argument("--fov", type=float, default=None, help="field of view [deg] (default: the source + 2.5 %%)")
    o.add_argument("--psf", type=float, default=None, help="Gaussian PSF σ [deg]")
    o.add_argument("--center", default="0,0", help="lon,lat of the source [deg, galactic]")
    o.add_argument("--plot", action="store_true", help="also draw the observables figures into RUN/figures")
    o.set_defaults(func=run_observe)
    return o


def run_observe(args) -> int:
    import astropy.units as u


    try:
        d = u.Quantity(args.distance).to_value("cm")
        lon, lat = (float(x) for x in args.center.split(","))
        E = parse_energies(args.energies)
        cube = make_cube(args.run, d, E, t=args.time, processes=args.process, npix=args.npix, fov=args.fov,
                         psf=args.psf, out=args.out, center=(lon, lat))
    except (ValueError, u.UnitsError) as exc:
        raise SystemExit(f"crescape observe: {exc}") from None
    tot = np.trapezoid(cube.flux * cube.energies / 1.602176634e-6, np.log(cube.energies))
    print(f"cube written to {args.out}: {len(E)} energies, {args.npix}² pixels of {cube.cdelt:.4g}°, "
          f"t = {cube.t:.4g} s, source photon flux in [E1, E2] = {tot:.4g} cm^-2 s^-1")
    if args.plot:

        for f in plot_observables(args.run, distance=d):
            print(f"figure {f}")
    return 0
