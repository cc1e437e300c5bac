"""The CR-hydro stepper: operator-split hydro → source modules (CRs) → thermal.

Interface for source modules (the CR half, ``crmodule.make_cr_module(deck, grid)``)
--------------------------------------------------------------------------------
The solver exposes

- ``U``: float64 array (3, n_cells) of (ρ, ρv, E), E = ½ρv² + P/(γ−1) (modify in place);
- ``grid`` (:class:`crescape.core.grid.RadialGrid`: ``rf, rc, dr, A, V, geometry``),
  ``gamma``, ``mu`` (mean mass in m_p), ``mu_mp`` (g), ``t`` [s], ``nstep``, ``deck``;
- ``primitives() -> (rho, v, P, T)`` numpy arrays (T = μ m_p P/(ρ k_B));
- ``modules``: list of source modules. A module provides
  ``step(solver, dt)`` (operator-split update after the hydro step; it changes
  ``solver.U[1]``/``solver.U[2]`` directly for forces, work and heating),
  ``max_signal_speed2(solver) -> array | None`` (extra c² per cell for the CFL, e.g. γ_cr P_cr/ρ),
  ``coords() -> {name: (dims, array, units)}``,
  ``snapshot(solver) -> {group: {var: (dims, array, units)}}``,
  ``history(solver) -> {var: (value, units)}``,
  ``state() -> (arrays, meta)`` / ``restore(arrays, meta)`` (checkpoints; meta JSON-able),
  ``energy_budget(solver) -> float | dict``: the module's share of the conserved total [erg]
  — a number is taken as that share; a dict gives it as ``E_total``, or else as
  ``E_cr + E_cr_escaped + E_cr_lost`` (missing keys count as 0; ``E_cr_lost`` is energy that
  leaves by channels other than the boundary).

Order in a step of length dt (dt = CFL step only; no diffusion limit anywhere):
1. hydro (VL2, explicit) — its boundary fluxes feed the gas outflow budget;
2. modules, in order (``step(solver, dt)``);
3. thermal: heating/cooling per cell (stiff, sub-cycled ROS2), then implicit conduction.

History (dim t): E_th, E_kin, M_gas, E_rad (radiated minus heated, cumulative),
E_gas_out / M_gas_out (cumulative through the boundaries), E_total_error
(relative change of gas + modules + escaped + radiated + boundary energy), dt.
"""
from __future__ import annotations

import numpy as np

from ...core.constants import k_B, m_p
from ...core.grid import RadialGrid
from ...errors import SimulationError
from . import diagnostics as diag
from .crmodule import make_cr_module
from .hydro import HydroWork, conserved
from .problems import initial_primitives
from .thermal import ThermalStep


def _module_energy(budget) -> float:
    """A module's contribution to the conserved total: a number is taken as that total; a
    dict gives it as ``E_total`` or as ``E_cr + E_cr_escaped + E_cr_lost``."""
    if not isinstance(budget, dict):
        return float(budget)
    if "E_total" in budget:
        return float(budget["E_total"])
    return float(budget.get("E_cr", 0.0)) + float(budget.get("E_cr_escaped", 0.0)) + float(budget.get("E_cr_lost", 0.0))


class CRHydroSolver:
    """Gas state + operator-split step; satisfies the stepper protocol of ``engines.driver``."""

    def __init__(self, deck, modules=None, K_const: float = 0.0):
        self.deck = deck
        self.grid = RadialGrid.from_section(deck.grid)
        self.gamma = float(deck.gas.gamma)
        self.mu = float(deck.gas.mu)
        self.mu_mp = self.mu * m_p
        self.cfl = float(deck.run.cfl)
        rho, v, P = initial_primitives(deck, self.grid)
        self.U = np.ascontiguousarray(conserved(rho, v, P, self.gamma))
        fixed = np.array([rho[-1], v[-1], P[-1]])
        self.hydro = HydroWork(self.grid, self.gamma, deck.boundary.outer, deck.hydro.limiter, fixed)
        self.thermal = ThermalStep(self.grid, self.gamma, self.mu, deck.thermal, K_const=K_const)
        self.t = 0.0
        self.nstep = 0
        self.dt_last = 0.0
        self.E_rad = 0.0
        self.E_out = 0.0
        self.M_out = 0.0
        if modules is None:
            modules = []
            if deck.cr.enabled:
                modules.append(make_cr_module(deck, self.grid))
        self.modules = list(modules)
        self.E0 = self.total_energy()

    # ---- state ---------------------------------------------------------------
    def primitives(self):
        rho = self.U[0].copy()
        v = self.U[1] / rho
        P = (self.gamma - 1.0) * (self.U[2] - 0.5 * rho * v * v)
        return rho, v, P, self.mu_mp * P / (rho * k_B)

    def total_energy(self) -> float:
        """Gas in the box + modules (in box, escaped, lost) + gas through boundaries + radiated."""
        E = float(np.dot(self.U[2], self.grid.V)) + self.E_out + self.E_rad
        for m in self.modules:
            E += _module_energy(m.energy_budget(self))
        return E

    # ---- stepping --------------------------------------------------------------
    def compute_dt(self) -> float:
        extra = None
        for m in self.modules:
            c2 = m.max_signal_speed2(self)
            if c2 is not None:
                extra = c2 if extra is None else extra + c2
        rate = self.hydro.signal_rate(self.U, extra)
        if not np.isfinite(rate) or rate <= 0:
            self.check()
            raise SimulationError(f"no valid CFL time step at t = {self.t:.6e} s (signal rate {rate!r})")
        return self.cfl / rate

    def step(self, dt_max: float) -> float:
        dt = min(self.compute_dt(), dt_max)
        if dt <= 0:
            raise SimulationError(f"non-positive time step {dt!r} at t = {self.t:.6e} s")
        U = self.U
        bad = self.hydro.step(U, dt)
        if bad >= 0:
            stage = "predictor" if bad < self.grid.n else "corrector"
            diag.raise_bad(f"hydro {stage} produced rho <= 0, P <= 0 or NaN (dt = {dt:.3e} s)",
                           U, bad, self.grid, self.gamma, self.mu_mp, self.t, self.nstep)
        F, A = self.hydro.F, self.grid.A
        self.E_out += dt * (A[-1] * F[2, -1] - A[0] * F[2, 0])
        self.M_out += dt * (A[-1] * F[0, -1] - A[0] * F[0, 0])
        for m in self.modules:
            m.step(self, dt)
            i = diag.first_bad_cell(U, self.gamma, 0.0)
            if i >= 0:
                diag.raise_bad(f"source module {type(m).__name__} left an unphysical gas state (dt = {dt:.3e} s)",
                               U, i, self.grid, self.gamma, self.mu_mp, self.t, self.nstep)
        self._thermal(dt)
        self.t += dt
        self.nstep += 1
        self.dt_last = dt
        return dt

    def _thermal(self, dt):
        th = self.deck.thermal
        if th.cooling or th.heating:
            de, bad = self.thermal.cool(self.U, dt)
            if bad >= 0:
                diag.raise_bad(f"cooling needed more than thermal.cooling_max_substeps = {th.cooling_max_substeps} sub-steps",
                               self.U, bad, self.grid, self.gamma, self.mu_mp, self.t, self.nstep)
            self.E_rad += de
        if th.conduction:
            self.thermal.conduct(self.U, dt)

    def check(self):
        diag.check_state(self.U, self.grid, self.gamma, self.mu_mp, self.deck.gas.rho_floor, self.t, self.nstep)

    # ---- output ----------------------------------------------------------------
    def run_grid(self):
        """The spatial grid (run file ``grid`` group), with the momentum bin edges of the CR modules."""
        axes = {}
        for m in self.modules:
            if hasattr(m, "p_f"):
                axes["p_face"] = (m.p_f, "")
        return self.grid if not axes else type(self.grid).from_faces(self.grid.rf, self.grid.geometry, axes=axes)

    def coords(self):
        c = {"r": (("r",), self.grid.rc, "cm"), "r_face": (("r_face",), self.grid.rf, "cm")}
        for m in self.modules:
            c.update(m.coords())
        return c

    def snapshot(self):
        rho, v, P, T = self.primitives()
        snap = {
            "rho": (("r",), rho, "g cm-3"),
            "n": (("r",), rho / self.mu_mp, "cm-3"),
            "v": (("r",), v, "cm s-1"),
            "P_g": (("r",), P, "erg cm-3"),
            "T": (("r",), T, "K"),
            "q_rad": (("r",), self.thermal.q_rad.copy(), "erg cm-3 s-1"),
            "q_cond": (("r",), self.thermal.q_cond.copy(), "erg cm-3 s-1"),
        }
        out = {"snapshots": snap}
        for m in self.modules:
            for g, vars_ in m.snapshot(self).items():
                out.setdefault(g, {}).update(vars_)
        return out

    def history(self):
        E_th, E_kin, M = diag.gas_budget(self.U, self.grid, self.gamma)
        h = {
            "E_th": (E_th, "erg"),
            "E_kin": (E_kin, "erg"),
            "M_gas": (M, "g"),
            "E_rad": (self.E_rad, "erg"),
            "E_gas_out": (self.E_out, "erg"),
            "M_gas_out": (self.M_out, "g"),
            "dt": (self.dt_last, "s"),
        }
        for m in self.modules:
            h.update(m.history(self))
        E = self.total_energy()
        h["E_total_error"] = ((E - self.E0) / abs(self.E0) if self.E0 != 0 else E, "")
        return h

    def state(self):
        arrays = {"U": self.U.copy(), "q_rad": self.thermal.q_rad.copy(), "q_cond": self.thermal.q_cond.copy()}
        meta = {"t": self.t, "nstep": self.nstep, "dt_last": self.dt_last, "E_rad": self.E_rad,
                "E_out": self.E_out, "M_out": self.M_out, "E0": self.E0, "modules": []}
        for k, m in enumerate(self.modules):
            a, mm = m.state()
            arrays.update({f"module{k}/{name}": v for name, v in a.items()})
            meta["modules"].append(mm)
        return arrays, meta

    def restore(self, arrays, meta):
        self.U[...] = arrays["U"]
        self.thermal.q_rad[...] = arrays["q_rad"]
        self.thermal.q_cond[...] = arrays["q_cond"]
        for key in ("t", "dt_last", "E_rad", "E_out", "M_out", "E0"):
            setattr(self, key, float(meta[key]))
        self.nstep = int(meta["nstep"])
        for k, m in enumerate(self.modules):
            pre = f"module{k}/"
            m.restore({name[len(pre):]: v for name, v in arrays.items() if name.startswith(pre)}, meta["modules"][k])
