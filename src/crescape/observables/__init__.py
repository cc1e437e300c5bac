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
from .cube import Cube, make_cube
from .emission import emissivity, luminosity
from .ionisation import ionisation_rate, sigma_ion_p_H2
from .profiles import sed, sphere_profile, tube_profile
from .sources import Emitters, emitters

__all__ = ["Cube", "make_cube", "emissivity", "luminosity", "ionisation_rate", "sigma_ion_p_H2",
           "Emitters", "emitters", "sphere_profile", "tube_profile", "sed"]
