"""Budgets and sanity checks of the gas state (raise :class:`SimulationError` with details)."""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ...core.constants import k_B
from ...errors import SimulationError


@njit(cache=True)
def first_bad_cell(U, gamma, rho_floor):
    """Index of the first cell with NaN/Inf, ρ < rho_floor or P ≤ 0; −1 if all are fine."""
    n = U.shape[1]
    for i in range(n):
        r = U[0, i]
        m = U[1, i]
        e = U[2, i]
        if not (math.isfinite(r) and math.isfinite(m) and math.isfinite(e)):
            return i
        if not r >= rho_floor:
            return i
        if not (gamma - 1.0) * (e - 0.5 * m * m / r) > 0.0:
            return i
    return -1


def describe_cell(U, i, grid, gamma, mu_mp) -> str:
    i = int(i) % U.shape[1]
    r, m, e = (float(x) for x in U[:, i])
    v = m / r if r != 0 else float("nan")
    P = (gamma - 1.0) * (e - 0.5 * r * v * v) if r != 0 else float("nan")
    T = mu_mp * P / (r * k_B) if r != 0 else float("nan")
    return (f"cell {i} (r = {grid.rc[i]:.6e} cm): rho = {r:.6e} g/cm^3, v = {v:.6e} cm/s, "
            f"P = {P:.6e} erg/cm^3, T = {T:.6e} K")


def raise_bad(what: str, U, i, grid, gamma, mu_mp, t, nstep):
    raise SimulationError(
        f"{what} at t = {t:.6e} s (step {nstep}): {describe_cell(U, i, grid, gamma, mu_mp)}"
    )


def check_state(U, grid, gamma, mu_mp, rho_floor, t, nstep):
    i = first_bad_cell(U, gamma, rho_floor)
    if i >= 0:
        raise_bad(f"unphysical gas state (NaN, rho < gas.rho_floor = {rho_floor:g} or P <= 0)",
                  U, i, grid, gamma, mu_mp, t, nstep)


def gas_budget(U, grid, gamma):
    """(E_th, E_kin, M) [erg, erg, g]: volume integrals of the gas state."""
    ekin = 0.5 * U[1] ** 2 / U[0]
    E_kin = float(np.dot(ekin, grid.V))
    E_tot = float(np.dot(U[2], grid.V))
    return E_tot - E_kin, E_kin, float(np.dot(U[0], grid.V))
