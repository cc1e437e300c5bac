"""Exact solution of the two-fluid (gas + cosmic-ray) Riemann problem in the advective limit.

Pfrommer, Springel, Enßlin & Jubelgas (2006, MNRAS 367, 113, the shock-tube test and its
appendix): a γ_g = 5/3 gas and a γ_c = 4/3 CR fluid moving with it, no CR diffusion, no
CR acceleration at the shock. Then

- in rarefactions both fluids are adiabatic: P_g ∝ ρ^γg, P_c ∝ ρ^γc, and the Riemann
  invariant u ± ∫ c dρ/ρ is constant, c² = (γg P_g + γc P_c)/ρ (composite sound speed);
- across a shock the CRs are compressed adiabatically, P_c2 = P_c1 (ρ2/ρ1)^γc, while mass,
  total momentum and total energy are conserved: with total P = P_g + P_c and total specific
  enthalpy h = [γg/(γg−1) P_g + γc/(γc−1) P_c]/ρ the Hugoniot is
  h2 − h1 = ½ (P2 − P1)(1/ρ1 + 1/ρ2), and m² = (P2 − P1)/(1/ρ1 − 1/ρ2);
- at the contact the total pressure and the velocity are continuous.

The star pressure P* solves f_L(P*) + f_R(P*) + u_R − u_L = 0 with f_K the velocity jump of
the wave into state K (Toro 2009, ch. 4, for the structure), found by bracketing (brentq).
Pure functions of scalars/arrays; no state.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq


@dataclass(frozen=True)
class TwoFluidState:
    rho: float
    u: float
    P_g: float
    P_c: float


def _adiabat(s, rho, gg, gc):
    """Gas and CR pressure of state s compressed/expanded adiabatically to density rho."""
    x = rho / s.rho
    return s.P_g * x**gg, s.P_c * x**gc


def sound_speed(rho, P_g, P_c, gg=5.0 / 3.0, gc=4.0 / 3.0):
    """Composite adiabatic sound speed c = √((γg P_g + γc P_c)/ρ)."""
    return np.sqrt((gg * P_g + gc * P_c) / rho)


def _rarefaction_du(s, rho, gg, gc):
    """∫_rho^{ρ_K} c(ρ')/ρ' dρ' along the adiabat of s (≥ 0 for rho ≤ ρ_K)."""
    def f(lnr):
        r = np.exp(lnr)
        pg, pc = _adiabat(s, r, gg, gc)
        return sound_speed(r, pg, pc, gg, gc)
    return quad(f, np.log(rho), np.log(s.rho), epsabs=0.0, epsrel=1e-12, limit=200)[0]


def shock_state(s, P_star, gg=5.0 / 3.0, gc=4.0 / 3.0):
    """Post-shock (ρ2, P_g2, P_c2) for a shock into state s with total post-shock pressure P_star."""
    P1 = s.P_g + s.P_c
    h1 = (gg / (gg - 1) * s.P_g + gc / (gc - 1) * s.P_c) / s.rho

    def gas_pressure(rho2):
        Pc2 = s.P_c * (rho2 / s.rho) ** gc
        a = 0.5 * (1.0 / s.rho + 1.0 / rho2)
        coef = gg / (gg - 1) / rho2 - a
        return (h1 - gc / (gc - 1) * Pc2 / rho2 + (Pc2 - P1) * a) / coef, Pc2

    def resid(rho2):
        pg, pc = gas_pressure(rho2)
        return pg + pc - P_star

    rmax = s.rho * (gg + 1) / (gg - 1) * (1 - 1e-12)  # the gas's compression limit bounds the shock
    rho2 = brentq(resid, s.rho * (1 + 1e-14), rmax, xtol=1e-15 * s.rho, rtol=1e-14, maxiter=500)
    pg, pc = gas_pressure(rho2)
    return rho2, pg, pc


def _wave(s, P_star, gg, gc):
    """(f_K, ρ*, P_g*, P_c*): velocity jump function and the star state behind the wave into s."""
    P_K = s.P_g + s.P_c
    if P_star > P_K:
        rho2, pg, pc = shock_state(s, P_star, gg, gc)
        return np.sqrt((P_star - P_K) * (1.0 / s.rho - 1.0 / rho2)), rho2, pg, pc

    def resid(r):
        pg, pc = _adiabat(s, r, gg, gc)
        return pg + pc - P_star

    rho2 = brentq(resid, s.rho * 1e-12, s.rho, xtol=1e-16 * s.rho, rtol=1e-14, maxiter=500)
    pg, pc = _adiabat(s, rho2, gg, gc)
    return -_rarefaction_du(s, rho2, gg, gc), rho2, pg, pc


@dataclass(frozen=True)
class TwoFluidSolution:
    left: TwoFluidState
    right: TwoFluidState
    P_star: float
    u_star: float
    star_left: TwoFluidState
    star_right: TwoFluidState
    gg: float
    gc: float

    def wave_speeds(self):
        """(left-wave head, left-wave tail, contact, right-wave tail, right-wave head)."""
        out = []
        for side, sgn in ((self.left, -1.0), (self.right, 1.0)):
            st = self.star_left if sgn < 0 else self.star_right
            if self.P_star > side.P_g + side.P_c:
                m = np.sqrt((self.P_star - side.P_g - side.P_c) / (1.0 / side.rho - 1.0 / st.rho))
                S = side.u + sgn * m / side.rho
                out.append((S, S))
            else:
                out.append((side.u + sgn * sound_speed(side.rho, side.P_g, side.P_c, self.gg, self.gc),
                            self.u_star + sgn * sound_speed(st.rho, st.P_g, st.P_c, self.gg, self.gc)))
        (lh, lt), (rh, rt) = out
        return lh, lt, self.u_star, rt, rh


def solve_two_fluid(left: TwoFluidState, right: TwoFluidState, gg=5.0 / 3.0, gc=4.0 / 3.0) -> TwoFluidSolution:
    """Star state of the two-fluid Riemann problem (see module docstring)."""
    def F(P):
        return _wave(left, P, gg, gc)[0] + _wave(right, P, gg, gc)[0] + right.u - left.u

    lo = 1e-10 * min(left.P_g + left.P_c, right.P_g + right.P_c)
    hi = 10.0 * max(left.P_g + left.P_c, right.P_g + right.P_c)
    while F(hi) < 0:
        hi *= 10.0
    P = brentq(F, lo, hi, xtol=1e-14 * hi, rtol=1e-14, maxiter=500)
    fL, rL, pgL, pcL = _wave(left, P, gg, gc)
    fR, rR, pgR, pcR = _wave(right, P, gg, gc)
    u = 0.5 * (left.u + right.u) + 0.5 * (fR - fL)
    return TwoFluidSolution(left, right, P, u, TwoFluidState(rL, u, pgL, pcL), TwoFluidState(rR, u, pgR, pcR), gg, gc)


def _fan(sol, side, sgn, xi):
    """(ρ, u, P_g, P_c) inside a rarefaction fan at ξ = x/t (sgn = −1 left, +1 right)."""
    st = sol.star_left if sgn < 0 else sol.star_right
    rho = np.geomspace(st.rho, side.rho, 2001)
    du = np.array([_rarefaction_du(side, r, sol.gg, sol.gc) for r in rho])
    u = side.u + (-sgn) * du
    pg, pc = _adiabat(side, rho, sol.gg, sol.gc)
    lam = u + sgn * sound_speed(rho, pg, pc, sol.gg, sol.gc)
    order = np.argsort(lam)
    r = np.exp(np.interp(xi, lam[order], np.log(rho[order])))
    uu = np.interp(xi, lam[order], u[order])
    pg, pc = _adiabat(side, r, sol.gg, sol.gc)
    return r, uu, pg, pc


def sample(sol: TwoFluidSolution, x, t, x0=0.0):
    """(ρ, u, P_g, P_c) arrays of the exact solution at positions x and time t > 0."""
    xi = (np.asarray(x, float) - x0) / t
    lh, lt, uc, rt, rh = sol.wave_speeds()
    out = np.empty((4, xi.size))
    regions = [
        (xi < lh, sol.left), ((xi >= lt) & (xi < uc), sol.star_left),
        ((xi >= uc) & (xi < rt), sol.star_right), (xi >= rh, sol.right),
    ]
    for mask, s in regions:
        out[:, mask] = np.array([s.rho, s.u, s.P_g, s.P_c])[:, None]
    for (a, b, side, sgn) in ((lh, lt, sol.left, -1.0), (rt, rh, sol.right, 1.0)):
        m = (xi >= a) & (xi < b)
        if b > a and m.any():
            out[:, m] = np.array(_fan(sol, side, sgn, xi[m]))
    return out


__all__ = ["TwoFluidSolution", "TwoFluidState", "sample", "shock_state", "solve_two_fluid", "sound_speed"]
