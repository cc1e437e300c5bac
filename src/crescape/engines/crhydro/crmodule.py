"""Momentum-resolved cosmic rays as a source module of the CR-hydro solver (seed 000).

Solves seed 000 (Shimoda, Asano & Inutsuka 2025) eq. (9) for N_cr(t, r, p) and
applies its coupling to the gas, eqs. (2)–(3), (6)–(8):

- force −∂r P_cr on the gas momentum; on the gas total energy the exact negative
  of the discrete CR energy change of the adiabatic operator (≈ P_cr ∇·v) minus the
  divergence of v P_cr, i.e. −v ∂r P_cr to truncation error;
- Coulomb/ionisation heating ∫ ε ∂p[N ṗ] dp = −(discrete CR energy change of the
  collisional operator);
- Alfvén heating |V_A ∂r ε_cr| = −(discrete CR energy change of the streaming loss);

so that gas + CR (in box) + CR escaped + CR work at r_max (+ CR energy leaving above
p_max) is conserved to round-off. See ``docs/crhydro_cr.md``.

Interface (called by ``engines/crhydro/solver.py``): ``step(solver, dt)`` after the
hydro step, ``max_signal_speed2(solver)``, ``coords()``, ``snapshot(solver)``,
``history(solver)``, ``state()``/``restore()``, ``energy_budget(solver)``.
"""
from __future__ import annotations

import numpy as np

from ...core.constants import c, eV, m_p
from ...core.grid import momentum_grid
from ...physics.diffusion import face_diffusivity, registered_diffusion
from ...physics.losses import COULOMB_COEFF, IONISATION_COEFF, beta_of_p, ionisation_shape, kinetic_energy, x_m_cubed
from . import crdiffusion as kd
from . import crtransport as k
from .problems import initial_cr

ERR_FLOOR = 0.01  # error norm of a bin: vs max(its peak, ERR_FLOOR × the largest peak it has had)

# history accumulators (cumulative energies in erg, numbers); append only (checkpoints index them)
_ACC = ("E_cr_escaped", "N_cr_escaped", "W_cr_adiabatic", "W_cr_boundary", "Q_coulomb", "Q_alfven",
        "E_cr_pmax", "N_cr_plost", "E_cr_uncoupled", "E_adi_unmatched",
        "N_cr_streaming", "N_cr_pmin", "N_cr_pmax", "N_cr_injected", "n_cr_substeps", "n_cr_rejected")


class CRModule:
    """State and operators of the CR half of the CR-hydro solver."""

    def __init__(self, deck, grid, D_func=None):
        cr = deck.cr
        self.deck = deck
        self.grid = grid
        self.p_f, self.p_c = momentum_grid(cr.p_min, cr.p_max, cr.bins_per_decade)
        self.M = self.p_c.size
        self.dlnp = float(np.log(self.p_f[1] / self.p_f[0]))
        self.dp = np.diff(self.p_f)  # in m_p c
        self.eps = kinetic_energy(self.p_c)  # erg
        self.eps_top = float(kinetic_energy(self.p_c[-1] * np.exp(self.dlnp)))  # one bin above the grid
        self.pv3 = self.p_c * m_p * c * beta_of_p(self.p_c) * c / 3.0  # p v / 3 [erg]
        self.beta_f = beta_of_p(self.p_f)
        # collisional velocities in ln p per face (seed 000 §2; physics/losses.py):
        # ṗ/p = −(dE/dt)/(v p) = −[n_e kc/(β³ + x_m³) + n_HI ki]
        vp = self.beta_f * c * self.p_f * m_p * c
        self.kc = COULOMB_COEFF * eV * self.beta_f**2 / vp
        self.b3 = self.beta_f**3
        self.ki = IONISATION_COEFF * eV * np.array([ionisation_shape(b) for b in self.beta_f]) / vp
        if D_func is None and cr.diffusion_model != "power_law":
            D_func = registered_diffusion(cr.diffusion_model)
        self.Dface = np.ascontiguousarray(face_diffusivity(self.p_c, grid.rf, cr.D0, cr.delta, D_func))
        self.absorbing = cr.outer_bc == "absorbing"
        self.x_e = cr.ionisation_fraction
        self.n = np.zeros((grid.rc.size, self.M))
        self._init_state(deck)
        self.esc = np.zeros(self.M)  # escaped number per bin
        self.acc = np.zeros(len(_ACC))
        self.q_alfven = np.zeros(grid.rc.size)
        self.q_coulomb = np.zeros(grid.rc.size)
        self._cp = np.zeros_like(self.n)
        self._dp = np.zeros_like(self.n)
        self._zeros = np.zeros(grid.rc.size)
        self._dn_a = np.zeros_like(self.n)
        self._a = {name: i for i, name in enumerate(_ACC)}
        self.n_unmatched = 0
        self.E_cr_initial = self.energy_in_box()
        self.acc[self._a["N_cr_injected"]] = self.number_in_box()
        self._am, self._ap = kd.face_factors(grid.A, grid.rc, grid.rf, self.absorbing)
        self._W = np.zeros((8,) + self.n.shape)
        self._lam = np.zeros_like(self.n)
        self._dnst = np.zeros_like(self.n)
        self._desc = np.zeros(self.M)
        self._stats = np.zeros(2, dtype=np.int64)
        self.h_cr = 0.0  # proposed CR sub-step [s] (TR-BDF2 error control), carried between steps
        self._peak = np.abs(self.n).max(axis=0)  # largest peak of each bin so far (error-norm floor)

    # ------------------------------------------------------------------ set-up
    def _init_state(self, deck):
        self.n[:] = initial_cr(deck, self.grid, self.p_f, self.p_c, self.eps)

    # ------------------------------------------------------------------ moments
    def pressure(self):
        """P_cr = Σ_j (p v/3)_j n_j [erg cm^-3] (seed 000 eq. 6)."""
        return k.moments(self.n, self.pv3)

    def energy_density(self):
        """ε_cr = Σ_j ε_j n_j [erg cm^-3] (seed 000 eq. 6)."""
        return k.moments(self.n, self.eps)

    def energy_in_box(self):
        return float(np.dot(self.grid.V, self.energy_density()))

    def reset_ledger(self):
        """Take the present state as the injected one (after setting ``n`` by hand)."""
        self.acc[:] = 0.0
        self.esc[:] = 0.0
        self.E_cr_initial = self.energy_in_box()
        self.acc[self._a["N_cr_injected"]] = self.number_in_box()
        self._peak = np.abs(self.n).max(axis=0)

    def number_in_box(self):
        return float(np.dot(self.grid.V, self.n.sum(axis=1)))

    def N_cr(self):
        """dn/d(p/m_p c) [cm^-3] at the bin centres."""
        return self.n / self.dp[None, :]

    # ------------------------------------------------------------------ step
    def _face_velocity(self, v):
        g = self.grid
        vf = np.empty(g.rf.size)
        vf[1:-1] = 0.5 * (v[:-1] + v[1:])
        vf[0] = 0.0  # origin / reflecting inner wall
        vf[-1] = 0.0 if self.deck.boundary.outer == "reflecting" else v[-1]
        return vf

    def _gradient(self, P):
        """Summation-by-parts gradient: V_i G_i = ½[A₊(P_{i+1}−P_i) + A₋(P_i−P_{i−1})],
        zero-gradient ghost at r_max; Σ V v G = −Σ V P ∇·v + boundary (discrete identity)."""
        g = self.grid
        Pg = np.concatenate([[P[0]], P, [P[-1]]])
        return 0.5 * (g.A[1:] * (Pg[2:] - Pg[1:-1]) + g.A[:-1] * (Pg[1:-1] - Pg[:-2])) / g.V

    def step(self, solver, dt):
        """Advance N_cr by dt and apply force, work and heating to solver.U (in place).

        Order: CR-pressure kick on the gas (−∂r P_cr; the gas total energy gets exactly the
        kinetic-energy change −Δt v̄ G, v̄ the time-centred velocity, so the thermal energy is
        untouched) → adiabatic term with ∇·v̄, its CR energy change matched cell by cell to
        −Δt P_cr ∇·v̄ (the summation-by-parts partner of Σ V v̄ G) → advection with v̄ →
        Coulomb/ionisation → implicit diffusion + streaming. Coulomb and streaming losses heat
        the gas by exactly the CR energy they remove.
        """
        cr = self.deck.cr
        g = self.grid
        nr = g.rc.size
        U = solver.U
        rho = U[0]
        v_old = U[1] / rho
        P0 = self.pressure()
        if cr.pressure_coupling:
            G = self._gradient(P0)
            U[1] -= dt * G
            vbar = 0.5 * (v_old + U[1] / rho)
            U[2] -= dt * vbar * G
        else:
            vbar = v_old
        vf = self._face_velocity(vbar)
        divv = (g.A[1:] * vf[1:] - g.A[:-1] * vf[:-1]) / g.V
        esc_before = self.esc.copy()
        dE_top = np.zeros(nr)
        dE_topA = np.zeros(nr)
        nlost = np.zeros((nr, 4))  # below p_min (adiabatic, collisional), above p_max (adiabatic, collisional)
        # 1. adiabatic (w = −∇·v̄/3) + collisional terms: one explicit pass in ln p. The adiabatic
        #    increments are then rescaled so their energy change is −Δt P ∇·v̄ in every cell.
        dE_adi = np.zeros(nr)
        dE_C = np.zeros(nr)
        dn_a = self._dn_a
        dn_a[:] = 0.0
        if cr.coulomb:
            _rho, _v, _P, T = solver.primitives()
            n_gas = rho / (self.deck.gas.mu * m_p)
            n_e, n_HI = self.x_e * n_gas, max(1.0 - self.x_e, 0.0) * n_gas
            xm3 = x_m_cubed(np.maximum(T, 0.0))
        else:
            n_e = n_HI = xm3 = self._zeros
        k.momentum_update(self.n, -divv / 3.0, self.dlnp, self.eps, self.eps_top, self.kc, self.b3, self.ki,
                          n_e, n_HI, xm3, dt, cr.coulomb, dE_adi, dE_C, dE_top, nlost, dn_a, dE_topA)
        mismatch = np.zeros(nr)
        if cr.pressure_coupling:
            dE_top -= dE_topA
            self.n_unmatched += k.match_energy(self.n, dn_a, dE_adi, -dt * P0 * divv, dE_topA, 0.5, 2.0, mismatch,
                                               nlost)
            dE_top += dE_topA
        # 2. advection with the gas (explicit, flux form)
        k.advect_r(self.n, vf, g.A, g.V, g.rc, g.rf, dt, self.absorbing, self.esc)
        # 3. implicit diffusion + streaming loss
        vA = cr.B / np.sqrt(4.0 * np.pi * rho) if cr.streaming else self._zeros
        dE_st, dN_st = self._diffuse(vA, dt)
        # 4. gas heating: exactly the CR energy removed by each loss operator
        self._book(solver, dt, self.esc - esc_before, dE_adi, dE_C, dE_st, dE_top, nlost, mismatch,
                   vf[-1] * P0[-1], dN_st)

    def _diffuse(self, vA, dt):
        """Diffusion + streaming over dt: TR-BDF2 sub-cycled under ``cr.dt_tolerance``
        (crdiffusion.py) or one backward-Euler step. Returns the energy and number density
        removed by streaming per cell."""
        cr, g = self.deck.cr, self.grid
        nr = g.rc.size
        dE_st = np.zeros(nr)
        dN_st = np.zeros(nr)
        if cr.time_scheme == "backward_euler":
            n_before = self.n.sum(axis=1) * g.V
            esc0 = float(self.esc.sum())
            k.diffuse_stream(self.n, self.Dface, g.A, g.V, g.rc, g.rf, vA, dt, self.absorbing, cr.streaming,
                             self.eps, self.esc, dE_st, self._cp, self._dp)
            # the BE kernel books only energy: the streamed number is what neither stayed nor escaped
            dN_st[:] = (n_before - self.n.sum(axis=1) * g.V) / g.V
            dN_st[-1] -= (float(self.esc.sum()) - esc0) / g.V[-1]
            self.acc[self._a["n_cr_substeps"]] += 1
            return dE_st, dN_st
        self._stats[:] = 0
        np.maximum(self._peak, np.abs(self.n).max(axis=0), out=self._peak)
        h = kd.diffuse_stream_adaptive(self.n, self.Dface, self._am, self._ap, g.V, g.rc, vA, dt, cr.streaming,
                                       self.eps, cr.dt_tolerance, ERR_FLOOR * self._peak, self.h_cr, self.esc,
                                       dE_st, dN_st, self._W, self._lam, self._desc, self._dnst, self._stats)
        if h <= 0.0:
            raise RuntimeError(f"CR diffusion: TR-BDF2 sub-step fell below 1e-12 of the hydro step {dt:.3e} s "
                               f"with cr.dt_tolerance = {cr.dt_tolerance:g}")
        self.h_cr = h
        self.acc[self._a["n_cr_substeps"]] += float(self._stats[0])
        self.acc[self._a["n_cr_rejected"]] += float(self._stats[1])
        return dE_st, dN_st

    def _book(self, solver, dt, de_esc, dE_adi, dE_C, dE_st, dE_top, nlost, mismatch, vP_out, dN_st):
        """Heat the gas by the CR energy each loss operator removed and update the ledger."""
        cr, g, a, acc = self.deck.cr, self.grid, self._a, self.acc
        nr = g.rc.size
        acc[a["E_cr_escaped"]] += float(np.dot(de_esc, self.eps))
        acc[a["N_cr_escaped"]] += float(de_esc.sum())
        acc[a["E_cr_pmax"]] += float(np.dot(g.V, dE_top))
        N_pmin = float(np.dot(g.V, nlost[:, 0] + nlost[:, 1]))
        N_pmax = float(np.dot(g.V, nlost[:, 2] + nlost[:, 3]))
        acc[a["N_cr_pmin"]] += N_pmin
        acc[a["N_cr_pmax"]] += N_pmax
        acc[a["N_cr_plost"]] += N_pmin + N_pmax
        acc[a["N_cr_streaming"]] += float(np.dot(g.V, dN_st))
        acc[a["Q_coulomb"]] -= float(np.dot(g.V, dE_C))
        acc[a["Q_alfven"]] += float(np.dot(g.V, dE_st))
        acc[a["E_adi_unmatched"]] += float(np.dot(g.V, mismatch))
        self.q_coulomb = -dE_C / dt
        self.q_alfven = dE_st / dt
        heat = -dE_C - mismatch
        if cr.alfven_heating:
            heat += dE_st
        else:
            acc[a["E_cr_uncoupled"]] += float(np.dot(g.V, dE_st))
            self.q_alfven = np.zeros(nr)
        if cr.pressure_coupling:
            acc[a["W_cr_adiabatic"]] -= float(np.dot(g.V, dE_adi))
            acc[a["W_cr_boundary"]] += dt * g.A[-1] * vP_out
        else:
            acc[a["E_cr_uncoupled"]] -= float(np.dot(g.V, dE_adi))
        solver.U[2] += heat

    # ------------------------------------------------------------------ solver hooks
    def max_signal_speed2(self, solver):
        """Extra squared signal speed per cell for the CFL condition: (4/3) P_cr/ρ."""
        if not self.deck.cr.pressure_coupling:
            return np.zeros(self.grid.rc.size)
        return (4.0 / 3.0) * self.pressure() / solver.U[0]

    def coords(self):
        return {"p": (("p",), self.p_c, "")}

    def snapshot(self, solver):
        return {
            "snapshots": {
                "N_cr": (("r", "p"), self.N_cr(), "cm-3"),
                "P_cr": (("r",), self.pressure(), "erg cm-3"),
                "e_cr": (("r",), self.energy_density(), "erg cm-3"),
                "q_alfven": (("r",), self.q_alfven.copy(), "erg cm-3 s-1"),
                "q_coulomb": (("r",), self.q_coulomb.copy(), "erg cm-3 s-1"),
            },
            "escaped": {"escaped": (("p",), self.esc / self.dp, "")},
        }

    def history(self, solver):
        out = {"E_cr": (self.energy_in_box(), "erg"), "N_cr": (self.number_in_box(), "1")}
        for name, val in zip(_ACC, self.acc):
            out[name] = (float(val), "1" if name[0] in "Nn" else "erg")
        out["E_cr_budget"] = (self.energy_budget(solver), "erg")
        out["N_cr_error"] = (self.number_error(), "1")
        return out

    def number_error(self):
        """(N_cr + escaped + streamed + below p_min + above p_max − injected)/injected: the CR
        number ledger (0 to round-off; 0 when nothing was injected)."""
        a = dict(zip(_ACC, self.acc))
        inj = a["N_cr_injected"]
        if inj == 0.0:
            return 0.0
        tot = self.number_in_box() + a["N_cr_escaped"] + a["N_cr_streaming"] + a["N_cr_pmin"] + a["N_cr_pmax"]
        return (tot - inj) / inj

    def energy_budget(self, solver=None):
        """CR energy in the box plus all CR energy that left the system without reaching the
        gas (escaped, CR-pressure work through r_max, losses above p_max, uncoupled terms).
        E_gas + energy_budget (+ radiated, + gas boundary fluxes) is conserved to round-off."""
        a = dict(zip(_ACC, self.acc))
        return (self.energy_in_box() + a["E_cr_escaped"] + a["W_cr_boundary"] + a["E_cr_pmax"]
                + a["E_cr_uncoupled"])

    def state(self):
        return ({"cr_n": self.n.copy(), "cr_esc": self.esc.copy(), "cr_acc": self.acc.copy(),
                 "cr_peak": self._peak.copy(), "cr_h": np.array([self.h_cr]),
                 "cr_qA": self.q_alfven.copy(), "cr_qC": self.q_coulomb.copy()},
                {"cr_E_initial": self.E_cr_initial})

    def restore(self, arrays, meta=None):
        self.n[:] = arrays["cr_n"]
        if "cr_peak" in arrays:
            self._peak[:] = arrays["cr_peak"]
            self.h_cr = float(arrays["cr_h"][0])
        self.esc[:] = arrays["cr_esc"]
        acc = np.asarray(arrays["cr_acc"])
        self.acc[:] = 0.0
        self.acc[:acc.size] = acc  # checkpoints written before the number ledger have fewer entries
        self.q_alfven = np.array(arrays["cr_qA"])
        self.q_coulomb = np.array(arrays["cr_qC"])
        if meta and "cr_E_initial" in meta:
            self.E_cr_initial = float(meta["cr_E_initial"])


def make_cr_module(deck, grid, D_func=None) -> CRModule:
    """Build the CR source module for ``solver`` (see module docstring for the interface)."""
    return CRModule(deck, grid, D_func=D_func)


__all__ = ["CRModule", "make_cr_module"]
