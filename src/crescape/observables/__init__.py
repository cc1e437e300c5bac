"""From a run to what telescopes see: γ rays, neutrinos, IC/synchrotron/bremsstrahlung, maps, cubes.

An analysis layer: imports io, physics and constants only; no engine imports it.

* :mod:`.hadronic` — π⁰ γ rays (Kafexhiu et al. 2014 via naima), neutrinos (Kelner et al. 2006);
* :mod:`.leptonic` — IC on grey-body fields, synchrotron, bremsstrahlung (naima's physics);
* :mod:`.kernels`, :mod:`.quadrature` — kernels computed once, contracted over all cells;
* :mod:`.sources` — particles, gas and field of CR-hydro, cloud and SDE runs;
* :mod:`.emission` — q(t, cell, E) per process; :mod:`.projection` — exact chords, pixels, PSF;
* :mod:`.cube` — FITS map cubes (gammapy-readable); :mod:`.ionisation` — ζ_CR (Padovani et al. 2009);
* :mod:`.profiles` — surface-brightness profiles; :mod:`.figures` — SED, profiles, maps (matplotlib, lazy).
"""
_API = {"Cube": "cube", "make_cube": "cube", "emissivity": "emission", "luminosity": "emission",
        "ionisation_rate": "ionisation", "sigma_ion_p_H2": "ionisation", "Emitters": "sources", "emitters": "sources",
        "sphere_profile": "profiles", "tube_profile": "profiles", "sed": "profiles"}

__all__ = list(_API)


def __getattr__(name):  # lazy: `crescape --help` does not load naima or compile anything
    if name in _API:
        import importlib

        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
