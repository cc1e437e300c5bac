"""Time stepper of the cloud engine (seed 001 eqs. 1–4; Nava et al. 2016; Brahimi et al. 2020).

One step of length dt (operator split, each part implicit):

1. CR transport per energy bin along z: backward Euler, conservative fluxes
   F = V_st P − κ ∂z P with κ = κ_B / min(I, 1) from the current waves,
   streaming down the CR gradient at the Alfvén speed of the local regime,
   reflecting at z = 0, outer end held at the background (or reflecting);
   one tridiagonal solve per bin; the escaped flux is accumulated.
2. Energy-space terms (optional): synchrotron/IC/pp losses and the adiabatic
   term −(1/3) ∂z|V_st| from a varying Alfvén speed, implicit upwind in ln E
   on the number density per ln E.
3. Waves: the self-generated excess I − I0 is advected at V_st (implicit upwind,
   conservative: seed 001 eq. 2 without the b·∇(b·V) term), then the local growth
   (seed 001 eq. 4 with P_w = I B²/8π) and damping are applied by the exact
   backward-Euler root of :func:`kernels.wave_source_update` — I stays > 0.
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from ...core import constants as C
from ...core.grid import Grid
from ...errors import SimulationError
from ...physics import waves as Wv
from . import kernels as K
from .problems import CloudSetup, snr_tube_radius, spin_down_luminosity


class CloudStepper:
    """State (P per ln E, I per ln k on (E, z)) and the step of the cloud engine (driver protocol)."""

    def __init__(self, deck, su: CloudSetup):
        self.deck, self.su = deck, su
        self.t = 0.0
        self.nstep = 0
        self.P = su.P_init.copy()
        self.I = su.I0.copy()
        nE, nz = self.P.shape
        self.a = su.a  # tube radius = source half-length; grows with source.radius = 'snr'
        self._grow = su.snr is not None
        self.area_ratio = 1.0  # (a / a(0))²: columns below are per unit area of the initial tube
        self.escaped = np.zeros(nE)  # ∫ flux dt through the outer end [erg cm^-2 per ln E]
        self.injected = np.zeros(nE)  # ∫∫ source dz dt [erg cm^-2 per ln E]
        self.lost = np.zeros(nE)  # column change by the energy-space terms (losses, adiabatic)
        self.Phi0 = self._column(self.P)  # initial column ∫ P dz over the tube (per ln E)
        self.src0 = self._source_column(self.P)
        self.frac_t: list[float] = [0.0]
        self.frac: list[np.ndarray] = [np.ones(nE)]
        self.t_half = np.full(nE, np.nan)
        self.grammage = np.zeros(nE)  # ∫ ρ v (N_tube / N_injected) dt [g cm^-2] (D'Angelo et al. 2016)
        self._rho = np.array([su.phases[j].rho for j in su.pidx])
        self._v = Wv.speed(su.E, su.mass)
        self._zero = np.zeros((nE, nz))
        self._w = Wv.momentum_c(su.E, su.mass) * Wv.speed(su.E, su.mass) / C.c / 3.0  # P = w n per ln E
        self._lnE_edges = self._edges(np.log(su.E))
        self._energy_terms = su.loss_rate is not None or (
            deck.waves.adiabatic and deck.waves.streaming and len(su.phases) > 1 and su.E.size > 1)

    # --- helpers -------------------------------------------------------------
    @staticmethod
    def _edges(y):
        if y.size == 1:
            return np.array([y[0] - 0.5, y[0] + 0.5])
        mid = 0.5 * (y[1:] + y[:-1])
        return np.concatenate([[2 * y[0] - mid[0]], mid, [2 * y[-1] - mid[-1]]])

    def _column(self, P):
        return (P - self.su.P_bg[:, None]) @ self.su.dz

    def _source_column(self, P):
        su = self.su
        frac = np.clip((self.a - su.zf[:-1]) / su.dz, 0.0, 1.0)
        return (P - su.P_bg[:, None]) @ (su.dz * frac)

    def kappa(self):
        return self.su.kappa_B / np.minimum(self.I, 1.0)

    def _dt(self, dt_max):
        r = self.deck.run
        return min(dt_max, r.dt_max, max(r.dt_min, r.dt_factor * self.t))

    # --- the step --------------------------------------------------------------
    def step(self, dt_max: float) -> float:
        su, wv = self.su, self.deck.waves
        dt = self._dt(dt_max)
        nE, nz = self.P.shape
        if self._grow:
            self._widen(self.t + dt)
        kap = self.kappa()
        Df = np.zeros((nE, nz + 1))
        Df[:, 1:-1] = 2.0 / (1.0 / kap[:, 1:] + 1.0 / kap[:, :-1]) / np.diff(su.zc)
        outer = self.deck.grid.outer == "background"
        if outer:
            Df[:, -1] = kap[:, -1] / (0.5 * su.dz[-1])
        Vf = K.face_streaming(self.P, su.Vst) if wv.streaming else np.zeros((nE, nz + 1))
        src = self._zero
        if su.source_rate is not None:
            s = self.deck.source
            L = spin_down_luminosity(self.t + dt, s.L0, s.tau0) * s.eta
            src = su.source_rate * L
            self.injected += (src @ su.dz) * dt
        fl = K.implicit_transport(self.P, Vf, Df, su.dz, dt, False, np.zeros(nE), outer, su.P_bg.copy(), src)
        self.escaped += fl[:, 1] * self.area_ratio if self._grow else fl[:, 1]
        if self._energy_terms:
            before = self._column(self.P)
            self._energy_step(dt, Vf)
            self.lost += (before - self._column(self.P)) * (self.area_ratio if self._grow else 1.0)
        if wv.growth:
            self._wave_step(dt, Vf)
        self.t += dt
        self.nstep += 1
        self._track_source()
        tot = self.Phi0 + self.injected
        held = ((self.P - su.P_bg[:, None]) * self._rho[None, :]) @ su.dz
        if self._grow:
            held = held * self.area_ratio
        self.grammage += self._v * np.where(tot > 0, held / np.where(tot > 0, tot, 1.0), 0.0) * dt
        return dt

    def _widen(self, t_new):
        """Grow the tube to a(t_new) = a_frac R_sh (source.radius = 'snr'), keeping every energy.

        The CR excess P − P_bg and the wave excess I − I0 spread over the larger
        cross-section π a²: both are multiplied by (a_old/a_new)², so the total CR
        (and self-generated wave) energy of the tube is unchanged by the widening.
        """
        su = self.su
        a_new = snr_tube_radius(t_new, su.snr)
        if a_new >= su.zf[-1]:
            raise SimulationError(f"cloud: source.radius = 'snr': a(t) = {a_new / C.pc:.4g} pc reached grid.z_max "
                                  f"= {su.zf[-1] / C.pc:.4g} pc at t = {t_new:.6e} s; enlarge grid.z_max")
        f = (self.a / a_new) ** 2
        self.P = su.P_bg[:, None] + (self.P - su.P_bg[:, None]) * f
        self.I = su.I0 + (self.I - su.I0) * f
        self.a = a_new
        self.area_ratio = (a_new / su.a) ** 2

    def _wave_step(self, dt, Vf):
        su = self.su
        nE, nz = self.I.shape
        if self.deck.waves.advect_waves:
            X = self.I - su.I0
            K.implicit_transport(X, Vf, np.zeros((nE, nz + 1)), su.dz, dt, False, np.zeros(nE), True,
                                 np.zeros(nE), self._zero)
            self.I = su.I0 + X
        vst = su.Vst * su.active
        G = K.growth_source(self.P, vst, su.PB, su.zc)
        if self.deck.waves.growth_form == "drift":
            # Evoli et al. (2018) drift form per bin: Γ ∝ (V_d/V_A − 1), V_d = κ|∂zP|/P, i.e.
            # V_A (|∂zP| − V_A P/κ) / W_n: no growth unless the CRs drift faster than the waves.
            G = np.maximum(G - vst**2 * (self.P - su.P_bg[:, None]) / self.kappa() / su.PB[None, :], 0.0)
        K.wave_source_update(self.I, G, su.gam_lin, su.cnl, su.I0, dt, su.active)

    def _energy_step(self, dt, Vf):
        """Losses and adiabatic term, implicit upwind in ln E on n = P / w (number per ln E)."""
        su = self.su
        nE, nz = self.P.shape
        u = np.zeros((nE, nz))  # d ln E / dt
        if su.loss_rate is not None:
            u += su.loss_rate / su.E[:, None]
        if self._energy_terms and len(su.phases) > 1 and self.deck.waves.adiabatic:
            vmag = su.Vst
            sgn = np.sign(Vf[:, 1:] + Vf[:, :-1])
            dv = np.gradient(vmag, su.zc, axis=1)
            etot = su.E + su.mass * C.c**2
            dlnE_dlnp = Wv.momentum_c(su.E, su.mass) ** 2 / (etot * su.E)
            u += -(1.0 / 3.0) * sgn * dv * dlnE_dlnp[:, None]
        n = (self.P / self._w[:, None]).T.copy()  # (nz, nE)
        uf = np.zeros((nz, nE + 1))
        uf[:, 1:-1] = 0.5 * (u[1:, :] + u[:-1, :]).T
        uf[:, 0] = u[0, :]
        uf[:, -1] = u[-1, :]
        dy = np.diff(self._lnE_edges)
        K.implicit_transport(n, uf, np.zeros((nz, nE + 1)), dy, dt, True, np.zeros(nz), True, np.zeros(nz),
                             np.zeros((nz, nE)))
        self.P = n.T * self._w[:, None]

    def _track_source(self):
        f = self._source_column(self.P) / np.where(self.src0 > 0, self.src0, np.nan)
        if self._grow:  # energy in the widened source region (π a(t)², |z| < a(t)) over its initial value
            f = f * self.area_ratio
        self.frac_t.append(self.t)
        self.frac.append(f)
        prev = self.frac[-2]
        cross = np.isnan(self.t_half) & (prev > 0.5) & (f <= 0.5)
        if np.any(cross):
            t0 = self.frac_t[-2]
            w = (prev[cross] - 0.5) / (prev[cross] - f[cross])
            self.t_half[cross] = t0 + w * (self.t - t0)

    # --- driver protocol -----------------------------------------------------
    def run_grid(self):
        """The flux-tube grid (planar in z) with the energy grid, for the run file's ``grid`` group."""
        return Grid.from_faces(self.su.zf, "planar", coord="z", axes={"E": (self.su.E, "erg")})

    def coords(self):
        su = self.su
        return {
            "z": (("z",), su.zc, "cm"),
            "E": (("E",), su.E, "erg"),
            "k": (("k",), su.kres[:, 0], "cm-1"),
        }

    def snapshot(self):
        su = self.su
        kap = self.kappa()
        dP = np.gradient(self.P, su.zc, axis=1)
        return {"snapshots": {
            "P_cr": (("z", "E"), self.P.T.copy(), "erg cm-3"),
            "dPdz": (("z", "E"), dP.T.copy(), "erg cm-4"),
            "W": (("z", "k"), self.I.T.copy(), ""),
            "kappa": (("z", "E"), kap.T.copy(), "cm2 s-1"),
            "chi": (("z", "E"), (kap / su.kappa0).T.copy(), ""),
        }}

    def history(self):
        su = self.su
        area = np.pi * su.a**2  # escaped/lost columns are per unit area of the initial tube
        col = self._column(self.P)
        src = self._source_column(self.P)
        if self._grow:
            col, src = col * self.area_ratio, src * self.area_ratio
        out = {}
        for i in range(su.E.size):
            out[f"E_src_{i:03d}"] = (6.0 * area * src[i], "erg")  # 2 halves x u = 3P
            out[f"E_tube_{i:03d}"] = (6.0 * area * col[i], "erg")
            out[f"E_esc_{i:03d}"] = (6.0 * area * self.escaped[i], "erg")
        total0 = self.Phi0 + self.injected
        err = np.max(np.abs(col + self.escaped + self.lost - total0) / np.maximum(np.abs(total0), 1e-300))
        out["E_cr_error"] = (float(err), "")  # relative: (tube + escaped + lost − initial − injected)
        for i in range(su.E.size):
            out[f"E_lost_{i:03d}"] = (6.0 * area * self.lost[i], "erg")
        if self._grow:
            out["a"] = (self.a, "cm")  # current tube radius = source half-length
        return out

    def extra_groups(self):
        su = self.su
        hl = xr.Dataset(
            {"t_half": xr.Variable(("E",), self.t_half, attrs={
                "units": "s", "definition": "time when the CR energy in |z| < a has halved (Nava et al. 2016)"}),
             "source_fraction": xr.Variable(("ts", "E"), np.asarray(self.frac), attrs={"units": ""}),
             "grammage": xr.Variable(("E",), self.grammage, attrs={
                 "units": "g cm-2", "definition": "∫ ρ v N_tube/N_injected dt (D'Angelo et al. 2016)"}),
             "a": xr.Variable((), su.a, attrs={"units": "cm"})},
            coords={"E": xr.Variable(("E",), su.E, attrs={"units": "erg"}),
                    "ts": xr.Variable(("ts",), np.asarray(self.frac_t), attrs={"units": "s"})})
        return {"halflife": hl}

    def state(self):
        arrays = {"P": self.P, "I": self.I, "escaped": self.escaped, "injected": self.injected, "lost": self.lost,
                  "frac_t": np.asarray(self.frac_t), "frac": np.asarray(self.frac), "t_half": self.t_half,
                  "grammage": self.grammage}
        meta = {"t": self.t, "nstep": self.nstep}
        if self._grow:
            meta["a"] = self.a
        return arrays, meta

    def restore(self, arrays, meta):
        self.P, self.I = arrays["P"].copy(), arrays["I"].copy()
        self.escaped, self.injected = arrays["escaped"].copy(), arrays["injected"].copy()
        self.lost = arrays["lost"].copy()
        self.frac_t = list(arrays["frac_t"])
        self.frac = list(arrays["frac"])
        self.t_half = arrays["t_half"].copy()
        self.grammage = arrays["grammage"].copy()
        self.t, self.nstep = float(meta["t"]), int(meta["nstep"])
        if self._grow:
            self.a = float(meta["a"])
            self.area_ratio = (self.a / self.su.a) ** 2

    def check(self):
        for name, arr, positive in (("P_cr", self.P, False), ("W", self.I, True)):
            bad = ~np.isfinite(arr) | ((arr <= 0) if positive else (arr < 0))
            if np.any(bad):
                e, i = np.argwhere(bad)[0]
                raise SimulationError(
                    f"cloud: {name} = {arr[e, i]!r} at t = {self.t:.6e} s, z = {self.su.zc[i]:.4e} cm, "
                    f"E = {self.su.E[e] / C.GeV:.4g} GeV (step {self.nstep})")
