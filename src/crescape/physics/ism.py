"""Interstellar-medium phases for the CR-cloud engine (seed 001, Table 2).

A :class:`Phase` holds the thermodynamic state that sets the wave damping:
temperature, magnetic field, ionisation fraction, total density and the mean
ion/neutral masses (in hydrogen masses). Derived quantities (ion and neutral
densities, Alfvén speeds of the ions and of the whole gas, ion–neutral and
neutral–ion collision frequencies, ion thermal speed) are pure functions of
these numbers, CGS throughout.

Presets ``PHASES`` follow seed 001 Table 2 (Marcowith 2024, after Jean et al.
2009; Snow & McCall 2006; Neufeld et al. 2005). Where the table gives a range
(HISM: B = 0.2–2 μG) the preset takes the value used by Nava et al. (2019),
B = 2 μG. The turbulence injection scale ``L_inj`` (for turbulent damping) is
not in the table; the presets use 50 pc (Nava et al. 2019; Brahimi et al. 2020).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..core import constants as C

m_H = 1.00784 * C.m_u  # hydrogen atom mass [g]


@dataclass(frozen=True)
class Phase:
    """Thermodynamic state of one ISM phase (CGS).

    name: label; T [K]; B [G]; x_i: ionisation fraction X = n_i/(n_i + n_n);
    n_tot: total (ion + neutral) number density [cm^-3]; mu_i, mu_n: mean ion and
    neutral masses in units of m_H; molecular: use the molecular ion–neutral rate;
    L_inj: turbulence injection scale [cm]; M_A: Alfvénic Mach number at L_inj.
    """

    name: str
    T: float
    B: float
    x_i: float
    n_tot: float
    mu_i: float = 1.21
    mu_n: float = 1.21
    molecular: bool = False
    L_inj: float = 50.0 * C.pc
    M_A: float = 1.0

    def __post_init__(self):
        for key in ("T", "B", "n_tot", "mu_i", "mu_n", "L_inj", "M_A"):
            v = getattr(self, key)
            if not np.isfinite(v) or v <= 0:
                raise ValueError(f"phase {self.name!r}: {key} must be positive and finite (got {v!r})")
        if not 0 < self.x_i <= 1:
            raise ValueError(f"phase {self.name!r}: ionisation fraction x_i must be in (0, 1] (got {self.x_i!r})")

    # --- densities -------------------------------------------------------
    @property
    def n_i(self) -> float:
        return self.x_i * self.n_tot

    @property
    def n_n(self) -> float:
        return (1.0 - self.x_i) * self.n_tot

    @property
    def rho_i(self) -> float:
        return self.n_i * self.mu_i * m_H

    @property
    def rho_n(self) -> float:
        return self.n_n * self.mu_n * m_H

    @property
    def rho(self) -> float:
        return self.rho_i + self.rho_n

    # --- speeds and rates ------------------------------------------------
    @property
    def V_Ai(self) -> float:
        """Alfvén speed of the ions alone, B/sqrt(4π ρ_i) [cm/s]."""
        return alfven_speed(self.B, self.rho_i)

    @property
    def V_Atot(self) -> float:
        """Alfvén speed of the whole gas, B/sqrt(4π (ρ_i + ρ_n)) [cm/s]."""
        return alfven_speed(self.B, self.rho)

    @property
    def nu_in(self) -> float:
        return ion_neutral_collision_rate(self.n_n, self.T, self.molecular)

    @property
    def nu_ni(self) -> float:
        """Neutral–ion collision frequency, ν_ni = ν_in ρ_i/ρ_n (momentum balance)."""
        return self.nu_in * self.rho_i / self.rho_n if self.rho_n > 0 else 0.0

    @property
    def v_i(self) -> float:
        """Ion thermal speed sqrt(k_B T / m_i) [cm/s] (enters non-linear Landau damping)."""
        return float(np.sqrt(C.k_B * self.T / (self.mu_i * m_H)))

    def with_(self, **kw) -> Phase:
        return replace(self, **kw)


def alfven_speed(B, rho):
    """V_A = B / sqrt(4π ρ) [cm/s]."""
    return np.asarray(B) / np.sqrt(4.0 * np.pi * np.asarray(rho))


def ion_neutral_collision_rate(n_n, T, molecular=False):
    """Ion–neutral collision frequency ν_in [s^-1] (seed 001 §2.3.2, after Jean et al. 2009).

    Atomic phases: ν_in ≈ 1.7e-8 n_n (T / 1e4 K)^0.4 s^-1;
    molecular phases: ν_in ≈ 2.1e-9 n_n s^-1 (n_n in cm^-3).
    """
    n_n = np.asarray(n_n, dtype=float)
    if molecular:
        return 2.1e-9 * n_n
    return 1.7e-8 * n_n * (np.asarray(T, dtype=float) / 1e4) ** 0.4


PHASES: dict[str, Phase] = {
    "HISM": Phase("HISM", T=1e6, B=2.0 * C.uG, x_i=1.0, n_tot=0.01, mu_i=1.21, mu_n=1.21),
    "WIM": Phase("WIM", T=8000.0, B=5.0 * C.uG, x_i=0.9, n_tot=0.35, mu_i=1.21, mu_n=1.21),
    "WNM": Phase("WNM", T=8000.0, B=5.0 * C.uG, x_i=0.02, n_tot=0.35, mu_i=1.21, mu_n=1.21),
    "CNM": Phase("CNM", T=50.0, B=6.0 * C.uG, x_i=8e-4, n_tot=30.0, mu_i=12.0, mu_n=1.21),
    "DIM": Phase("DIM", T=50.0, B=6.0 * C.uG, x_i=1e-4, n_tot=300.0, mu_i=12.0, mu_n=1.67, molecular=True),
    "DC": Phase("DC", T=20.0, B=60.0 * C.uG, x_i=1e-6, n_tot=1e4, mu_i=29.0, mu_n=2.12, molecular=True),
}


def get_phase(name: str, **overrides) -> Phase:
    """A preset phase by name (case-insensitive), with optional field overrides."""
    key = name.upper()
    if key not in PHASES:
        raise ValueError(f"unknown ISM phase {name!r}; choose from {sorted(PHASES)}")
    ph = PHASES[key]
    kw = {k: v for k, v in overrides.items() if v is not None}
    return ph.with_(**kw) if kw else ph


def phase_index(z_centres: np.ndarray, boundaries: list[float]) -> np.ndarray:
    """Index of the phase of every cell for a sequence of phases along the tube.

    ``boundaries`` are the upper edges [cm] of all but the last phase (increasing);
    cell i belongs to phase j when boundaries[j-1] <= z_i < boundaries[j].
    """
    b = np.asarray(boundaries, dtype=float)
    if b.size and np.any(np.diff(b) <= 0):
        raise ValueError("phase boundaries along the tube must be strictly increasing")
    return np.searchsorted(b, np.asarray(z_centres), side="right")
