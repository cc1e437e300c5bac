"""Thermal step of the CR-hydro engine: heating/cooling per cell and implicit conduction.

Both act at constant density and velocity on the internal energy
``e = E − ½ρv² = n k T/(γ−1)`` (n = ρ/(μ m_p)) and are stable for any time step, so the
engine's time step stays the hydro CFL step.

Heating/cooling (seed 000 eq. 3): dT/dt = (γ−1)/k · (Γ − n Λ(T)), integrated per cell
with the L-stable second-order Rosenbrock method ROS2 (Verwer et al. 1999, SIAM J. Sci.
Comput. 20, 1456; γ = 1 + 1/√2), sub-cycled so that |ΔT| ≤ ``eps`` T per sub-step, and
with h γ J ≤ ½ where dṪ/dT = J > 0 (thermally unstable branches). Near equilibrium the
rate vanishes and a single sub-step spans the whole step.

Conduction (seed 000 eq. 3): C dT/dt = (1/V) ∂(A K_eff ∂T/∂r) with C = n k/(γ−1), a
θ-scheme (θ = 1 backward Euler, θ = ½ Crank–Nicolson) in flux-conservative form
(one tridiagonal solve), K_eff lagged and refreshed by Picard iterations. Faces carry the
arithmetic mean of the cell conductivities; the boundary faces carry no heat flux. The
energy update is applied from the face heat flows of the solved temperatures, so Σ V e
is conserved to round-off whatever the conditioning of the tridiagonal system.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ...core.constants import k_B, m_p
from ...physics.conduction import T_CONTINUOUS, parker_conductivity
from ...physics.cooling import CoolingFunction, lambda_cool

ROS2_G = 1.0 + 1.0 / math.sqrt(2.0)


@njit(cache=True, inline="always")
def _tdot(T, n, gm1_k, Gamma, heat, cool, T_sw, blend, T_floor, xs, ys):
    """dT/dt = (γ−1)/k (Γ − n Λ(T)) at fixed n (heating and cooling switchable)."""
    r = Gamma if heat else 0.0
    if cool:
        r -= n * lambda_cool(T, T_sw, blend, T_floor, xs, ys)
    return gm1_k * r


@njit(cache=True)
def _integrate_cell(T, dt, n, gm1_k, Gamma, heat, cool, T_sw, blend, T_floor, xs, ys, eps, max_sub):
    """T(t + dt) by sub-cycled ROS2; returns (T, number of sub-steps) (−1 if max_sub was hit)."""
    t_left = dt
    nsub = 0
    while t_left > 0.0:
        if nsub >= max_sub:
            return T, -1
        if not (T > 0.0 and math.isfinite(T) and n > 0.0):
            return T, -1
        f = _tdot(T, n, gm1_k, Gamma, heat, cool, T_sw, blend, T_floor, xs, ys)
        if f == 0.0:
            break
        dT = 1e-6 * T
        J = (_tdot(T + dT, n, gm1_k, Gamma, heat, cool, T_sw, blend, T_floor, xs, ys)
             - _tdot(T - dT, n, gm1_k, Gamma, heat, cool, T_sw, blend, T_floor, xs, ys)) / (2.0 * dT)
        h = min(t_left, eps * T / abs(f))
        if J > 0.0:
            h = min(h, 0.5 / (ROS2_G * J))
        for _ in range(200):
            d = 1.0 - ROS2_G * h * J
            k1 = f / d
            T1 = T + h * k1
            if T1 > 0.0:
                k2 = (_tdot(T1, n, gm1_k, Gamma, heat, cool, T_sw, blend, T_floor, xs, ys) - 2.0 * k1) / d
                Tn = T + 1.5 * h * k1 + 0.5 * h * k2
                if Tn > 0.0 and abs(Tn - T) <= 0.5 * T and math.isfinite(Tn):
                    break
            h *= 0.5
        else:
            return T, -1
        T = Tn
        t_left -= h
        nsub += 1
    return T, nsub


@njit(cache=True)
def cool_heat(U, V, dt, gamma, mu_mp, Gamma, heat, cool, T_sw, blend, T_floor, xs, ys, eps, max_sub, q_out):
    """Heating/cooling of every cell over dt in place on U[2].

    q_out ← n Γ − n² Λ(T) at the start of the step [erg cm⁻³ s⁻¹] (net heating).
    Returns (Σ (e_old − e_new) V = energy radiated minus heated [erg], first failed cell or −1).
    """
    n_cells = U.shape[1]
    gm1 = gamma - 1.0
    gm1_k = gm1 / k_B
    de_rad = 0.0
    bad = -1
    for i in range(n_cells):
        rho = U[0, i]
        ekin = 0.5 * U[1, i] * U[1, i] / rho
        eth = U[2, i] - ekin
        n = rho / mu_mp
        T = eth * gm1 / (n * k_B)
        q_out[i] = n * _tdot(T, n, gm1_k, Gamma, heat, cool, T_sw, blend, T_floor, xs, ys) / gm1_k
        Tn, nsub = _integrate_cell(T, dt, n, gm1_k, Gamma, heat, cool, T_sw, blend, T_floor, xs, ys, eps, max_sub)
        if nsub < 0 and bad < 0:
            bad = i
        eth_new = n * k_B * Tn / gm1
        U[2, i] = ekin + eth_new
        de_rad += (eth - eth_new) * V[i]
    return de_rad, bad


@njit(cache=True)
def _tridiag(a, b, c, d, x, cp, dp):
    """Thomas algorithm: a_i x_{i−1} + b_i x_i + c_i x_{i+1} = d_i."""
    n = b.size
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        m = 1.0 / (b[i] - a[i] * cp[i - 1])
        cp[i] = c[i] * m
        dp[i] = (d[i] - a[i] * dp[i - 1]) * m
    x[n - 1] = dp[n - 1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]


@njit(cache=True)
def _conductances(T, rho, rc, A, G, gamma, mu_mp, T_sw, K_const, saturation, phi):
    """G_j = A_j K_eff,j/(r_j − r_{j−1}) at the interior faces j = 1..n−1 (G_0 = G_n = 0)."""
    n = T.size
    G[0] = 0.0
    G[n] = 0.0
    for j in range(1, n):
        if K_const > 0.0:
            K = K_const
        else:
            K = 0.5 * (parker_conductivity(T[j - 1], T_sw) + parker_conductivity(T[j], T_sw))
        h = rc[j] - rc[j - 1]
        if saturation:
            cs3l = (k_B * T[j - 1] / mu_mp) ** 1.5
            cs3r = (k_B * T[j] / mu_mp) ** 1.5
            qsat = 5.0 * phi * 0.5 * (rho[j - 1] * cs3l + rho[j] * cs3r)
            K = K / (1.0 + K * abs(T[j] - T[j - 1]) / (h * qsat))
        G[j] = A[j] * K / h


@njit(cache=True)
def conduct(U, rc, A, V, dt, gamma, mu_mp, T_sw, K_const, saturation, phi, theta, n_picard, W, q_out):
    """Implicit conduction over dt in place on U[2]; q_out ← Δe/dt [erg cm⁻³ s⁻¹].

    W: work array (9, n+1). K_const > 0 replaces Parker's K(T) by a constant (tests).
    """
    n = U.shape[1]
    gm1 = gamma - 1.0
    T0, T1, C, G = W[0, :n], W[1, :n], W[2, :n], W[3]
    a, b, c, d, cp = W[4, :n], W[5, :n], W[6, :n], W[7, :n], W[8, :n]
    dp = q_out  # scratch, overwritten at the end
    for i in range(n):
        rho = U[0, i]
        eth = U[2, i] - 0.5 * U[1, i] * U[1, i] / rho
        C[i] = rho / mu_mp * k_B / gm1
        T0[i] = eth / C[i]
        T1[i] = T0[i]
    for _ in range(max(n_picard, 1)):
        _conductances(T1, U[0], rc, A, G, gamma, mu_mp, T_sw, K_const, saturation, phi)
        for i in range(n):
            m = C[i] * V[i] / dt
            gl = G[i]
            gr = G[i + 1]
            a[i] = -theta * gl
            c[i] = -theta * gr
            b[i] = m + theta * (gl + gr)
            rhs = m * T0[i]
            if theta < 1.0:
                tl = T0[i - 1] if i > 0 else T0[i]
                tr = T0[i + 1] if i < n - 1 else T0[i]
                rhs += (1.0 - theta) * (gr * (tr - T0[i]) - gl * (T0[i] - tl))
            d[i] = rhs
        _tridiag(a, b, c, d, T1, cp, dp)
    # conservative update from the face heat flows of the solved T (Σ V Δe telescopes to
    # round-off even where the tridiagonal solve loses digits at extreme K contrasts)
    hl = 0.0
    for i in range(n):
        if i < n - 1:
            hr = G[i + 1] * (theta * (T1[i] - T1[i + 1]) + (1.0 - theta) * (T0[i] - T0[i + 1]))
        else:
            hr = 0.0
        de = dt * (hl - hr) / V[i]
        U[2, i] += de
        q_out[i] = de / dt
        hl = hr


class ThermalStep:
    """Heating/cooling and conduction with their parameters bound (from the deck)."""

    def __init__(self, grid, gamma: float, mu: float, thermal, K_const: float = 0.0):
        self.grid = grid
        self.gamma = float(gamma)
        self.mu_mp = float(mu) * m_p
        self.th = thermal
        self.cooling = CoolingFunction(thermal.cooling_table, thermal.T_switch_cooling,
                                       thermal.cooling_blend_dex, thermal.T_floor)
        n = grid.n
        self.q_rad = np.zeros(n)
        self.q_cond = np.zeros(n)
        self.W = np.zeros((9, n + 1))
        self.K_const = float(K_const)
        self.rc = np.ascontiguousarray(grid.rc)
        self.A = np.ascontiguousarray(grid.A)
        self.V = np.ascontiguousarray(grid.V)

    @property
    def active(self) -> bool:
        return bool(self.th.cooling or self.th.heating or self.th.conduction)

    def cool(self, U, dt) -> tuple[float, int]:
        th = self.th
        return cool_heat(U, self.V, dt, self.gamma, self.mu_mp, th.Gamma, th.heating, th.cooling,
                         *self.cooling.args, th.cooling_eps, th.cooling_max_substeps, self.q_rad)

    def conduct(self, U, dt):
        th = self.th
        conduct(U, self.rc, self.A, self.V, dt, self.gamma, self.mu_mp, th.T_switch_conduction,
                self.K_const, th.saturation, th.phi_sat, th.conduction_theta, th.picard_iterations,
                self.W, self.q_cond)


__all__ = ["ThermalStep", "cool_heat", "conduct", "T_CONTINUOUS"]
