"""Initial conditions of the CR-hydro problem kinds (deck ``[problem]``).

Problem set-up is kept apart from the solver (as in pyro2/Dedalus): each function
returns cell-averaged primitives (ρ [g cm⁻³], v [cm s⁻¹], P [erg cm⁻³]) on the grid.
"""
from __future__ import annotations

import numpy as np

from ....core.constants import k_B, m_p
from ....physics.cooling import CoolingFunction, equilibrium_density


def _cooling(deck) -> CoolingFunction:
    th = deck.thermal
    return CoolingFunction(th.cooling_table, th.T_switch_cooling, th.cooling_blend_dex, th.T_floor)


def equilibrium_n(deck, T: float) -> float:
    """n = Γ/Λ(T) with the deck's Γ and cooling curve (seed 000 §3: ≈ 0.2 cm⁻³ at 7000 K)."""
    return equilibrium_density(T, deck.thermal.Gamma, _cooling(deck))


def riemann(deck, grid):
    p = deck.problem
    left = grid.rc < p.x0
    rho = np.where(left, p.left.rho, p.right.rho)
    v = np.where(left, p.left.v, p.right.v)
    P = np.where(left, p.left.P, p.right.P)
    return rho, v, P


def sedov(deck, grid):
    """Uniform ρ, P_ambient; the energy E is added as thermal energy to the cells with
    r_c < r_inject (default: the first 3 cells), uniformly per volume."""
    p = deck.problem
    gm1 = deck.gas.gamma - 1.0
    rho = np.full(grid.n, p.rho)
    v = np.zeros(grid.n)
    P = np.full(grid.n, p.P_ambient)
    inj = grid.rc < p.r_inject if p.r_inject > 0 else np.arange(grid.n) < 3
    if not inj.any():
        inj[0] = True
    P[inj] += gm1 * p.E / grid.V[inj].sum()
    return rho, v, P


def uniform(deck, grid):
    p = deck.problem
    mu_mp = deck.gas.mu * m_p
    if p.equilibrium:
        n = equilibrium_n(deck, p.T)
        rho = n * mu_mp
    elif p.n is not None:
        rho = p.n * mu_mp
    else:
        rho = p.rho
    P = rho / mu_mp * k_B * p.T
    return np.full(grid.n, rho), np.full(grid.n, p.v), np.full(grid.n, P)


def shimoda2025(deck, grid):
    """Seed 000 §3: uniform ISM at rest, T = 7000 K, n = Γ/Λ(T) computed (not typed in)."""
    p = deck.problem
    mu_mp = deck.gas.mu * m_p
    n = equilibrium_n(deck, p.T)
    rho = n * mu_mp
    return np.full(grid.n, rho), np.zeros(grid.n), np.full(grid.n, n * k_B * p.T)


PROBLEMS = {"riemann": riemann, "sedov": sedov, "uniform": uniform, "shimoda2025": shimoda2025}


def initial_primitives(deck, grid):
    """(ρ, v, P) arrays for ``deck.problem.kind``."""
    kind = deck.problem.kind
    if kind not in PROBLEMS:
        raise ValueError(f"problem.kind {kind!r} is not known to the crhydro engine (choose from {sorted(PROBLEMS)})")
    rho, v, P = PROBLEMS[kind](deck, grid)
    return (np.ascontiguousarray(rho, dtype=float), np.ascontiguousarray(v, dtype=float),
            np.ascontiguousarray(P, dtype=float))
