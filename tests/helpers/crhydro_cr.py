"""Shared helpers of the CR-module tests (no tests here): a deck builder and a minimal stand-in solver."""
import numpy as np

from crescape.config import load_config
from crescape.core.constants import k_B, m_p
from crescape.core.grid import RadialGrid, make_faces
from crescape.engines.crhydro.crmodule import make_cr_module


def cr_deck(geometry="spherical", r_max="100 pc", n_cells=100, cr=None, outer="outflow"):
    base = {"enabled": True, "coulomb": False, "streaming": False, "alfven_heating": False,
            "pressure_coupling": False}
    base.update(cr or {})
    return load_config({
        "engine": "crhydro",
        "grid": {"geometry": geometry, "r_max": r_max, "n_cells": n_cells},
        "problem": {"kind": "uniform", "n": 1.0, "T": 1e4},
        "boundary": {"outer": outer},
        "cr": base,
    })


class FakeSolver:
    """Just what the CR module reads: U, grid, gamma, mu and primitives() with a prescribed v, ρ, T."""

    def __init__(self, grid, rho, v, T, gamma=5.0 / 3.0, mu=1.0):
        self.grid = grid
        self.gamma, self.mu = gamma, mu
        self.rho = np.broadcast_to(np.asarray(rho, float), grid.rc.shape).copy()
        self.v = np.broadcast_to(np.asarray(v, float), grid.rc.shape).copy()
        self.T = np.broadcast_to(np.asarray(T, float), grid.rc.shape).copy()
        P = self.rho / (mu * m_p) * k_B * self.T
        self.U = np.array([self.rho, self.rho * self.v, P / (gamma - 1) + 0.5 * self.rho * self.v**2])
        self.t, self.nstep = 0.0, 0

    def set_velocity(self, v):
        self.U[1] = self.U[0] * v

    def primitives(self):
        rho = self.U[0]
        v = self.U[1] / rho
        P = (self.gamma - 1) * (self.U[2] - 0.5 * rho * v * v)
        return rho, v, P, self.mu * m_p * P / (rho * k_B)


def build(deck, rho=m_p, v=0.0, T=1e4, D_func=None):
    grid = RadialGrid.from_faces(
        make_faces(deck.grid.r_min, deck.grid.r_max, deck.grid.n_cells), deck.grid.geometry)
    mod = make_cr_module(deck, grid, D_func=D_func)
    return grid, mod, FakeSolver(grid, rho, v, T)
