"""Radiative kernels on naima's particle-energy nodes, computed once, applied to all cells.

A :class:`Kernel` holds K(E_out, E) on the nodes E (total particle energy, erg) so that the
emissivity of any particle distribution N(E) [cm^-3 erg^-1] is

    q(E_out) = ∫ K(E_out, E) N(E) dE      [photons (or neutrinos) cm^-3 s^-1 erg^-1],

contracted with naima's own log-log trapezoid (:func:`quadrature.loglog_contract`) over
every cell at once. Kernels per unit target density (π⁰, ν, bremsstrahlung) carry
``per_density = True`` and are multiplied by n per cell by the caller.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import constants as C
from .quadrature import loglog_contract, resample_loglog


@dataclass(frozen=True)
class Kernel:
    """K (n_out, n_nodes) on nodes E_tot [erg] of a particle of rest energy ``mc2`` [erg]."""

    name: str
    E_out: np.ndarray
    E_tot: np.ndarray
    K: np.ndarray
    mc2: float
    per_density: bool = False

    @property
    def E_kin(self):
        return self.E_tot - self.mc2

    def apply(self, E_kin, N):
        """Emissivity (n_cells, n_out) of spectra N (n_cells, n_E) per unit kinetic energy at E_kin [erg].

        The spectra are resampled log-log in total energy onto the kernel nodes (zero
        outside the range of E_kin: nothing is extrapolated), then contracted with naima's rule.
        """
        Nn = resample_loglog(N, np.asarray(E_kin, float) + self.mc2, self.E_tot)
        return loglog_contract(self.K, Nn, self.E_tot)


def log_nodes(E_min, E_max, per_decade):
    """naima's node rule: logspace(log10 E_min, log10 E_max, max(10, int(per_decade · decades)))."""
    dec = np.log10(E_max / E_min)
    return np.logspace(np.log10(E_min), np.log10(E_max), max(10, int(per_decade * dec)))


def electron_nodes(E_kin_min, E_kin_max, per_decade=100):
    """naima's electron nodes γ m_e c² [erg] (``BaseElectron._gam``) for kinetic energies E_kin [erg]."""
    import astropy.units as u

    g0 = (E_kin_min + C.m_e_c2) / C.m_e_c2
    g1 = (E_kin_max + C.m_e_c2) / C.m_e_c2
    gmin = np.log10((g0 * C.m_e_c2 * u.erg) / (C.m_e_c2 * u.erg))  # as naima: log10(Eemin / mec2)
    gmax = np.log10(g1)
    return np.logspace(float(gmin), gmax, max(10, int(per_decade * (gmax - float(gmin))))) * C.m_e_c2


@dataclass(frozen=True)
class KernelSum:
    """Sum of kernels contracted separately (naima sums seed fields after its log-log integral)."""

    name: str
    parts: tuple

    @property
    def E_out(self):
        return self.parts[0].E_out

    @property
    def per_density(self):
        return self.parts[0].per_density

    @property
    def mc2(self):
        return self.parts[0].mc2

    def apply(self, E_kin, N):
        return sum(k.apply(E_kin, N) for k in self.parts)
