"""CR spectra from CR-hydro runs (seed 000 Figs. 3, 4, 9).

Conventions: ``N_cr`` = dn/d(p/m_p c) [cm^-3] on bin centres ``p`` [m_p c]; the kinetic
energy ε(p) and speed v(p) are seed 000 eqs. (7)–(8) (:mod:`crescape.physics.losses`).
"""
from __future__ import annotations

import numpy as np

from ..core.constants import GeV, c, m_p
from ..physics.losses import kinetic_energy

M2_PER_CM2 = 1e4


def differential_energy_density(p, N):
    """ε p N [erg cm^-3]: CR energy per unit ln p (seed 000 Fig. 3), N = dn/d(p/m_p c)."""
    return kinetic_energy(p) * np.asarray(p) * np.asarray(N)


def volume_average(N_rp, V):
    """Σ_i V_i N(r_i, p) / Σ V — volume-averaged spectrum over the box (seed 000 Fig. 4)."""
    V = np.asarray(V, dtype=float)
    return np.tensordot(V, np.asarray(N_rp), axes=(0, 0)) / V.sum()


def spectral_index(p, N, p_lo, p_hi):
    """Least-squares slope s of N ∝ p^-s between p_lo and p_hi (bin centres inside)."""
    p = np.asarray(p)
    m = (p >= p_lo) & (p <= p_hi) & (np.asarray(N) > 0)
    if m.sum() < 2:
        raise ValueError(f"fewer than two populated bins in [{p_lo}, {p_hi}] m_p c")
    return -np.polyfit(np.log(p[m]), np.log(np.asarray(N)[m]), 1)[0]


def intensity(p, N):
    """Differential intensity j(ε) = v N_ε/(4π) = (dn/dp)/(4π) of an isotropic population.

    Returns (ε [GeV], j [m^-2 s^-1 sr^-1 GeV^-1]) for N = dn/d(p/m_p c) [cm^-3].
    """
    p = np.asarray(p, dtype=float)
    dn_dp = np.asarray(N) / (m_p * c)  # per (g cm s^-1)
    j = dn_dp / (4.0 * np.pi)  # cm^-2 s^-1 sr^-1 erg^-1 (since dn/dε · v = dn/dp)
    return kinetic_energy(p) / GeV, j * M2_PER_CM2 * GeV


def interpolate_radius(r, N_rp, r0):
    """N(p) at radius r0 by linear interpolation between cell centres."""
    r = np.asarray(r)
    i = int(np.clip(np.searchsorted(r, r0) - 1, 0, r.size - 2))
    w = np.clip((r0 - r[i]) / (r[i + 1] - r[i]), 0.0, 1.0)
    return (1 - w) * np.asarray(N_rp)[i] + w * np.asarray(N_rp)[i + 1]
