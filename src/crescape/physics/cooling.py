"""Radiative cooling Λ(T) and photo-electric heating Γ of the ISM (pure functions).

Density convention
------------------
The gas of seed 000 is pure hydrogen with ``n = ρ/(μ m_p)``; the net heating rate per
volume is (seed 000 eq. 3)

    L(n, T) = n Γ − n² Λ(T)            [erg cm⁻³ s⁻¹]

so Λ here is in the **n_H² convention** (Schure et al. 2009 call it Λ_hd):
``n_H² Λ_hd = n_e n_H Λ_N``.

Branches
--------
* T ≤ T_sw = 10^4.238 K: Koyama & Inutsuka (2002, ApJ 564, L97) fit, typo-corrected
  (see Vázquez-Semadeni et al. 2007, ApJ 657, 870, eq. 5):
  Λ/Γ₀ = 1e7 exp(−1.184e5/(T + 1000)) + 1.4e-2 √T exp(−92/T) cm³, Γ₀ = 2e-26 erg s⁻¹.
  (KI2002 as printed has "2e26"; public codes also carry 1.148e5 / "14" variants.)
  Γ₀ is the constant of the fit: Λ does not change when the deck's heating Γ changes.
* T ≥ T_sw·10^Δ: a CIE table (default Schure et al. 2009 Table 2, Λ_hd), interpolated
  linearly in (log T, log Λ); above the table end Λ ∝ T^½ (free–free).
* Join: on T_sw < T < T_sw·10^Δ (Δ = ``blend_dex``, default 0.1 dex) log Λ is the
  linear blend (in log T) of the two branches, so Λ(T) is continuous at both ends.
  At T_sw the KI2002 fit is 3.10e-22 and Schure's Λ_hd 3.40e-22 erg cm³ s⁻¹ (0.04 dex apart).
* Below ``T_floor`` Λ = 0 (cooling switched off).
"""
from __future__ import annotations

import math
from functools import cache
from importlib import resources

import numpy as np
from numba import njit

GAMMA_KI = 2e-26  # erg s^-1, Koyama & Inutsuka (2002)
T_SWITCH = 10**4.238  # K, seed 000 §2
TABLES = ("schure2009", "sutherland_dopita1993", "gnat_sternberg2007")


@njit(cache=True)
def lambda_ki2002(T):
    """Λ(T) [erg cm³ s⁻¹] of Koyama & Inutsuka (2002), typo-corrected:
    Λ = 2e-26 [1e7 exp(−1.184e5/(T+1000)) + 1.4e-2 √T exp(−92/T)]."""
    return GAMMA_KI * (1e7 * math.exp(-1.184e5 / (T + 1000.0)) + 1.4e-2 * math.sqrt(T) * math.exp(-92.0 / T))


def _read_columns(name: str, skip_comment: bool = True):
    text = resources.files("crescape").joinpath("data", "cooling", name).read_text()
    rows = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        try:
            rows.append([float(x) for x in s.split()])
        except ValueError:
            continue
    return rows


@cache
def load_cie_table(name: str = "schure2009") -> tuple[np.ndarray, np.ndarray]:
    """(log10 T [K], log10 Λ_hd [erg cm³ s⁻¹]) of a CIE cooling curve in the n_H² convention."""
    if name == "schure2009":
        a = np.array(_read_columns("schure_table_2.txt"))
        return a[:, 0].copy(), a[:, 2].copy()
    if name == "sutherland_dopita1993":
        a = np.array([r for r in _read_columns("sutherland_dopita_table_6.txt") if len(r) == 6])
        return a[:, 0].copy(), a[:, 4].copy()  # Λ_net at n_H = 1 -> n_H² convention
    if name == "gnat_sternberg2007":
        rows = [r for r in _read_columns("gnat_sternberg_cie_table.txt") if len(r) == 6]
        a = np.array(rows)
        logT = np.log10(a[:, 0])
        s = np.array(_read_columns("schure_table_2.txt"))
        ne_nh = np.interp(logT, s[:, 0], s[:, 3])  # Schure+09 Table 2 ionisation state
        return logT, np.log10(a[:, 4] * ne_nh)
    raise ValueError(f"thermal.cooling_table must be one of {TABLES}, got {name!r}")


@njit(cache=True)
def _interp_log(logT, xs, ys):
    n = xs.size
    if logT >= xs[n - 1]:
        return ys[n - 1] + 0.5 * (logT - xs[n - 1])  # free–free Λ ∝ T^½ beyond the table
    if logT <= xs[0]:
        return ys[0]
    j = np.searchsorted(xs, logT) - 1
    w = (logT - xs[j]) / (xs[j + 1] - xs[j])
    return ys[j] + w * (ys[j + 1] - ys[j])


@njit(cache=True)
def lambda_cool(T, T_sw, blend_dex, T_floor, xs, ys):
    """Composite Λ(T) [erg cm³ s⁻¹], n_H² convention: KI2002 below T_sw, CIE table above,
    log-linear blend over ``blend_dex`` dex above T_sw; 0 below T_floor."""
    if T_floor > T:
        return 0.0
    if T_sw >= T:
        return lambda_ki2002(T)
    lt = math.log10(T)
    lc = _interp_log(lt, xs, ys)
    lsw = math.log10(T_sw)
    if blend_dex > 0.0 and lt < lsw + blend_dex:
        w = (lt - lsw) / blend_dex
        lk = math.log10(lambda_ki2002(T))
        return 10.0 ** ((1.0 - w) * lk + w * lc)
    return 10.0**lc


class CoolingFunction:
    """Λ(T) with its parameters bound (vectorised ``__call__``; numba kernels use ``args``)."""

    def __init__(self, table: str = "schure2009", T_switch: float = T_SWITCH, blend_dex: float = 0.1,
                 T_floor: float = 10.0):
        self.table = table
        xs, ys = load_cie_table(table)
        self.xs = np.ascontiguousarray(xs)
        self.ys = np.ascontiguousarray(ys)
        self.T_switch = float(T_switch)
        self.blend_dex = float(blend_dex)
        self.T_floor = float(T_floor)

    @property
    def args(self):
        return (self.T_switch, self.blend_dex, self.T_floor, self.xs, self.ys)

    def __call__(self, T):
        T = np.asarray(T, dtype=float)
        out = np.array([lambda_cool(t, *self.args) for t in T.ravel()])
        return out.reshape(T.shape) if T.ndim else float(out[0])


def equilibrium_density(T: float, Gamma: float = GAMMA_KI, cooling: CoolingFunction | None = None) -> float:
    """Thermal-equilibrium number density n = Γ/Λ(T) [cm⁻³] (seed 000 §3: ≈ 0.2 cm⁻³ at 7000 K)."""
    lam = (cooling or CoolingFunction())(float(T))
    if lam <= 0:
        raise ValueError(f"Λ({T:g} K) = 0: no thermal equilibrium (T below thermal.T_floor?)")
    return Gamma / lam


def net_heating_rate(n, T, Gamma: float = GAMMA_KI, cooling: CoolingFunction | None = None):
    """L = n Γ − n² Λ(T) [erg cm⁻³ s⁻¹] (seed 000 eq. 3), positive when the gas heats."""
    lam = (cooling or CoolingFunction())(T)
    return np.asarray(n) * Gamma - np.asarray(n) ** 2 * lam
