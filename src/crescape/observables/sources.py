"""Emitting particles of a run: geometry, particle spectra per unit energy, gas and field per cell.

One :class:`Emitters` per run, whatever the engine:

* CR-hydro (spherical runs): shells between the cell faces, N(E) = N_cr / (m_p c v) from
  ``N_cr`` (t, r, p) = dn/d(p/m_p c), target n = ``n`` (t, r), B = ``cr.B`` of the deck.
* cloud: the flux tube of radius a = ``source.a`` (cross-section π a², |z| ≤ z_max, symmetric
  about the source, README "Cloud" and docs/cloud.md), N(E) = 3 P_cr/(p v E) from the
  pressure per ln E of protons or pairs (``cr.species``); n = n_tot and B of the phase (or
  of each phase of ``phase.sequence``).
* SDE: one "cell" per observer window holding the particles of that window, dN/dE =
  (dN/dln p)/(p v) × ``particles_per_weight`` (the runs are per injected particle), with the
  target density and field given in the call (the SDE flows carry no gas density).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import constants as C
from ..physics.ism import phase_index


@dataclass
class Emitters:
    """Particles of one run, on (t, cell, E); every array in CGS."""

    geometry: str  # "sphere" | "tube" | "window"
    t: np.ndarray  # (n_t,) [s]
    edges: np.ndarray  # (n_cells + 1,) [cm]: shell radii (sphere) or |z| faces (tube); window: index
    volume: np.ndarray  # (n_cells,) [cm³]; window: 1 (N is a number, not a density)
    E_kin: np.ndarray  # (n_E,) [erg]
    N: np.ndarray  # (n_t, n_cells, n_E) [cm^-3 erg^-1] (window: [erg^-1])
    n_gas: np.ndarray  # (n_t, n_cells) [cm^-3]
    B: np.ndarray  # (n_t, n_cells) [G]
    species: str  # "proton" | "electron"
    a: float = 0.0  # tube radius [cm]
    labels: tuple = ()

    @property
    def mc2(self):
        return C.m_p_c2 if self.species == "proton" else C.m_e_c2

    def time_index(self, t=None):
        """Index of the snapshot nearest to t [s] (default: the last one)."""
        if t is None:
            return self.t.size - 1
        return int(np.argmin(np.abs(self.t - float(t))))


def _speed_pv(E_kin, mc2):
    pc = np.sqrt(E_kin * (E_kin + 2 * mc2))
    v = C.c * pc / (E_kin + mc2)
    return v, pc * v / C.c


def from_crhydro(run):
    """Emitters of a spherical CR-hydro run (protons)."""
    deck = run.config
    if deck.grid.geometry != "spherical":
        raise ValueError(f"observables: CR-hydro run has grid.geometry = {deck.grid.geometry!r}; "
                         "projections need a spherical run")
    s = run.snapshots
    if "N_cr" not in s:
        raise ValueError("observables: the CR-hydro run has no N_cr (cr.enabled = false?)")
    p = np.asarray(s["p"].values, float)
    E = C.m_p_c2 * (np.sqrt(1.0 + p * p) - 1.0)
    v = C.c * p / np.sqrt(1.0 + p * p)
    N = np.asarray(s["N_cr"].values, float) / (C.m_p * C.c * v)[None, None, :]
    grid = run.grid  # the faces and exact shell volumes the solver used (run file ``grid`` group)
    rf = grid.rf
    if rf.size - 1 != s["r"].size:
        raise ValueError("observables: the run's cell centres do not match its grid")
    n = np.asarray(s["n"].values, float)
    return Emitters("sphere", np.asarray(s["t"].values, float), rf, grid.V, E,
                    np.clip(N, 0.0, None), n, np.full_like(n, float(deck.cr.B)), "proton")


def from_cloud(run):
    """Emitters of a cloud run: the flux tube, protons or pairs."""

    deck = run.config
    s = run.snapshots
    E = np.asarray(s["E"].values, float)
    species = "proton" if deck.cr.species == "proton" else "electron"
    mc2 = C.m_p_c2 if species == "proton" else C.m_e_c2
    _, pv = _speed_pv(E, mc2)
    P = np.asarray(s["P_cr"].transpose("t", "z", "E").values, float)
    N = np.clip(3.0 * P / (pv * E)[None, None, :], 0.0, None)
    zf, zc = run.grid.rf, run.grid.rc  # the flux-tube faces the solver used (run file ``grid`` group)
    if zc.size != s["z"].size:
        raise ValueError("observables: the run's z centres do not match its grid")
    ph = deck.phase
    if ph.sequence:
        phases = [q.build() for q in ph.sequence]
        idx = phase_index(zc, [q.z_end for q in ph.sequence[:-1]])
    else:
        phases, idx = [ph.build()], np.zeros(zc.size, dtype=int)
    n = np.array([phases[j].n_tot for j in idx])
    B = np.array([phases[j].B for j in idx])
    a = float(deck.source.a)
    if "a" in run.history:  # growing tube (source.radius = 'snr'): a(t) per snapshot is not stored
        raise ValueError("observables: cloud runs with a growing tube (source.radius = 'snr') are not supported")
    nt = P.shape[0]
    return Emitters("tube", np.asarray(s["t"].values, float), zf, 2.0 * np.pi * a * a * np.diff(zf), E, N,
                    np.broadcast_to(n, (nt, zc.size)).copy(), np.broadcast_to(B, (nt, zc.size)).copy(),
                    species, a=a)


def from_sde(run, n_gas=1.0, B=3e-6, particles_per_weight=1.0, species="proton"):
    """Emitters of an SDE run: one cell per observer window, particle numbers (not densities).

    n_gas [cm^-3] and B [G]: assumed target density and field (scalars or per observer);
    particles_per_weight: real particles per unit pseudo-particle weight (the spectra are
    per injected particle).
    """
    sp = run.spectra
    if run.config.units != "cgs":
        raise ValueError("observables: the SDE run is in code units; emission needs a CGS run")
    p = np.asarray(sp["p"].values, float)
    mass = C.m_p if species == "proton" else C.m_e
    mc2 = mass * C.c**2
    pc = p * C.m_p * C.c * C.c  # p is in units of m_p c
    E = np.sqrt(pc * pc + mc2 * mc2) - mc2
    v = C.c * pc / (E + mc2)
    dn = np.asarray(sp["dN_dlnp"].transpose("t", "observer", "p").values, float)
    N = np.clip(dn / (pc * v / C.c)[None, None, :], 0.0, None) * float(particles_per_weight)
    nt, no = N.shape[:2]
    n = np.broadcast_to(np.asarray(n_gas, float), (no,))
    Bv = np.broadcast_to(np.asarray(B, float), (no,))
    return Emitters("window", np.asarray(sp["t"].values, float), np.arange(no + 1.0), np.ones(no), E, N,
                    np.broadcast_to(n, (nt, no)).copy(), np.broadcast_to(Bv, (nt, no)).copy(), species,
                    labels=tuple(str(o) for o in sp["observer"].values))


def emitters(run, **kw):
    """Emitters of any run (CR-hydro, cloud; SDE with n_gas, B, particles_per_weight in kw)."""
    eng = run.attrs.get("engine", getattr(run.config, "engine", None))
    if eng == "crhydro":
        return from_crhydro(run)
    if eng == "cloud":
        return from_cloud(run)
    if eng == "sde":
        return from_sde(run, **kw)
    raise ValueError(f"observables: unknown engine {eng!r}")
