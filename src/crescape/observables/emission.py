"""Per-cell, per-time emissivities of a run: q(t, cell, E_out) [cm^-3 s^-1 erg^-1].

Every process is a kernel computed once (:mod:`.hadronic`, :mod:`.leptonic`) and contracted
with the spectra of all cells and times in one compiled call; the target density
multiplies per cell, the synchrotron kernel is built once per distinct field value.
"""
from __future__ import annotations

import numpy as np

from . import hadronic, leptonic

PROTON_PROCESSES = ("pion", "neutrino", "neutrino_numu", "neutrino_nue")
ELECTRON_PROCESSES = ("ic", "synchrotron", "bremsstrahlung")


def default_processes(species):
    return ("pion",) if species == "proton" else ("ic",)


def make_kernel(process, E_out, em, *, nuclear_enhancement=True, fields=None, B=None):
    """The kernel of one process for the particle range of ``em`` (an :class:`~.sources.Emitters`)."""
    E_lo, E_hi = float(em.E_kin[0]), float(em.E_kin[-1])
    if process in PROTON_PROCESSES:
        if em.species != "proton":
            raise ValueError(f"process {process!r} needs protons; this run holds {em.species}s "
                             f"(choose from {ELECTRON_PROCESSES})")
        if process == "pion":
            return hadronic.pion_kernel(E_out, E_hi + em.mc2, nuclear_enhancement=nuclear_enhancement)
        flav = {"neutrino": "all", "neutrino_numu": "numu", "neutrino_nue": "nue"}[process]
        return hadronic.neutrino_kernel(E_out, E_hi + em.mc2, flavour=flav, nuclear_enhancement=nuclear_enhancement)
    if process in ELECTRON_PROCESSES:
        if em.species != "electron":
            raise ValueError(f"process {process!r} needs electrons/pairs; this run holds {em.species}s "
                             f"(choose from {PROTON_PROCESSES})")
        if process == "ic":
            return leptonic.ic_kernel(E_out, E_lo, E_hi, fields=fields)
        if process == "synchrotron":
            return leptonic.synchrotron_kernel(E_out, E_lo, E_hi, B)
        return leptonic.bremsstrahlung_kernel(E_out, E_lo, E_hi)
    raise ValueError(f"unknown process {process!r}; choose from {PROTON_PROCESSES + ELECTRON_PROCESSES}")


def emissivity(em, process, E_out, t_index=None, *, nuclear_enhancement=True, fields=None):
    """q (n_t, n_cells, n_out) [cm^-3 s^-1 erg^-1] (window runs: [s^-1 erg^-1]) of one process.

    t_index: None (all snapshots), an int or a sequence of snapshot indices.
    """
    E_out = np.atleast_1d(np.asarray(E_out, dtype=float))
    ti = np.arange(em.t.size) if t_index is None else np.atleast_1d(t_index)
    N = em.N[ti]
    nt, nc, nE = N.shape
    flat = N.reshape(nt * nc, nE)
    if process == "synchrotron":
        Bc = em.B[ti].reshape(-1)
        q = np.zeros((nt * nc, E_out.size))
        for b in np.unique(Bc):  # one kernel per distinct field value (phases), not per cell
            sel = Bc == b
            q[sel] = make_kernel(process, E_out, em, B=float(b)).apply(em.E_kin, flat[sel])
        return q.reshape(nt, nc, E_out.size)
    k = make_kernel(process, E_out, em, nuclear_enhancement=nuclear_enhancement, fields=fields)
    q = k.apply(em.E_kin, flat).reshape(nt, nc, E_out.size)
    if k.per_density:
        q *= em.n_gas[ti][:, :, None]
    return q


def luminosity(em, q):
    """Volume-integrated emission dN/dE dt [s^-1 erg^-1] (n_t, n_out) from q (n_t, n_cells, n_out)."""
    return np.einsum("tcg,c->tg", q, em.volume)
