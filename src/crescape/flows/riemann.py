"""Exact Riemann solver for the 1D Euler equations of an ideal gas (moving states allowed).

Toro, *Riemann Solvers and Numerical Methods for Fluid Dynamics*, 3rd ed. (2009), ch. 4:
the star pressure p* is the root of (Toro eq. 4.5)

    f(p) = f_L(p; W_L) + f_R(p; W_R) + (u_R - u_L) = 0,

    f_K = (p - p_K) sqrt(A_K / (p + B_K)),  A_K = 2/((γ+1)ρ_K), B_K = (γ-1)/(γ+1) p_K   (shock, p > p_K)
    f_K = 2 c_K/(γ-1) [(p/p_K)^((γ-1)/2γ) - 1]                                          (rarefaction)

solved by Newton–Raphson from the PVRS guess (eq. 4.47) to a relative change of
1e-14; u* = (u_L + u_R)/2 + (f_R - f_L)/2 (eq. 4.9). Star densities from the
shock adiabat (eqs. 4.50, 4.57) or the isentrope (4.53, 4.60); wave speeds
(4.52, 4.55, 4.59, 4.62) and the fan solution (4.56, 4.63) for sampling.
States may move (u_L, u_R ≠ 0): this is what the colliding-shock flow needs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class State:
    rho: float
    u: float
    p: float


@dataclass(frozen=True)
class RiemannSolution:
    """Star state and wave structure; ``left_wave``/``right_wave`` are 'shock' or 'rarefaction'."""

    left: State
    right: State
    gamma: float
    p_star: float
    u_star: float
    rho_star_left: float
    rho_star_right: float
    left_wave: str
    right_wave: str
    speeds: dict  # 'left_head', 'left_tail', 'right_tail', 'right_head', 'contact' (equal head/tail for shocks)

    def sample(self, xi):
        """(rho, u, p) at similarity coordinates ``xi = (x - x0)/t`` (vectorised)."""
        return _sample(self, np.asarray(xi, dtype=float))


def _sound(s: State, g):
    return np.sqrt(g * s.p / s.rho)


def _fk(p, s: State, g):
    c = _sound(s, g)
    if p > s.p:
        A = 2.0 / ((g + 1.0) * s.rho)
        B = (g - 1.0) / (g + 1.0) * s.p
        q = np.sqrt(A / (p + B))
        return (p - s.p) * q, q * (1.0 - 0.5 * (p - s.p) / (B + p))
    r = p / s.p
    return 2.0 * c / (g - 1.0) * (r ** ((g - 1.0) / (2.0 * g)) - 1.0), r ** (-(g + 1.0) / (2.0 * g)) / (s.rho * c)


def solve_riemann(left: State, right: State, gamma: float = 1.4, tol: float = 1e-14, max_iter: int = 100) -> RiemannSolution:
    """Exact solution of the Riemann problem (Toro 2009, ch. 4). Raises ValueError on bad input/vacuum."""
    g = float(gamma)
    for name, s in (("left", left), ("right", right)):
        if not (s.rho > 0 and s.p > 0 and np.isfinite(s.u)):
            raise ValueError(f"riemann {name} state needs rho > 0, p > 0 and finite u (got {s})")
    if g <= 1.0:
        raise ValueError(f"gamma must be > 1 (got {g})")
    cL, cR = _sound(left, g), _sound(right, g)
    du = right.u - left.u
    if 2.0 / (g - 1.0) * (cL + cR) <= du:
        raise ValueError("the states generate vacuum (Toro eq. 4.40): no star region")
    ppv = 0.5 * (left.p + right.p) - 0.125 * du * (left.rho + right.rho) * (cL + cR)
    p = max(ppv, 1e-8 * min(left.p, right.p))
    for _ in range(max_iter):
        fL, dL = _fk(p, left, g)
        fR, dR = _fk(p, right, g)
        p_new = p - (fL + fR + du) / (dL + dR)
        if p_new <= 0:
            p_new = 0.5 * p
        change = abs(p_new - p) / (0.5 * (p_new + p))
        p = p_new
        if change < tol:
            break
    else:
        raise RuntimeError("exact Riemann solver: Newton iteration did not converge")
    fL, _ = _fk(p, left, g)
    fR, _ = _fk(p, right, g)
    us = 0.5 * (left.u + right.u) + 0.5 * (fR - fL)
    gm = (g - 1.0) / (g + 1.0)
    sp = {"contact": us}
    if p > left.p:
        rL = left.rho * (p / left.p + gm) / (gm * p / left.p + 1.0)
        S = left.u - cL * np.sqrt((g + 1.0) / (2 * g) * p / left.p + (g - 1.0) / (2 * g))
        sp["left_head"] = sp["left_tail"] = S
        lw = "shock"
    else:
        rL = left.rho * (p / left.p) ** (1.0 / g)
        sp["left_head"] = left.u - cL
        sp["left_tail"] = us - cL * (p / left.p) ** ((g - 1.0) / (2 * g))
        lw = "rarefaction"
    if p > right.p:
        rR = right.rho * (p / right.p + gm) / (gm * p / right.p + 1.0)
        S = right.u + cR * np.sqrt((g + 1.0) / (2 * g) * p / right.p + (g - 1.0) / (2 * g))
        sp["right_head"] = sp["right_tail"] = S
        rw = "shock"
    else:
        rR = right.rho * (p / right.p) ** (1.0 / g)
        sp["right_head"] = right.u + cR
        sp["right_tail"] = us + cR * (p / right.p) ** ((g - 1.0) / (2 * g))
        rw = "rarefaction"
    return RiemannSolution(left, right, g, float(p), float(us), float(rL), float(rR), lw, rw, sp)


def _sample(sol: RiemannSolution, xi):
    g = sol.gamma
    L, R = sol.left, sol.right
    cL, cR = _sound(L, g), _sound(R, g)
    sp = sol.speeds
    rho = np.empty_like(xi)
    u = np.empty_like(xi)
    p = np.empty_like(xi)
    regions = [
        (xi < sp["left_head"], (L.rho, L.u, L.p)),
        ((xi >= sp["left_tail"]) & (xi < sp["contact"]), (sol.rho_star_left, sol.u_star, sol.p_star)),
        ((xi >= sp["contact"]) & (xi < sp["right_tail"]), (sol.rho_star_right, sol.u_star, sol.p_star)),
        (xi >= sp["right_head"], (R.rho, R.u, R.p)),
    ]
    for m, (a, b, c) in regions:
        rho[m], u[m], p[m] = a, b, c
    fan = (xi >= sp["left_head"]) & (xi < sp["left_tail"])
    if sol.left_wave == "rarefaction" and fan.any():
        base = 2.0 / (g + 1.0) + (g - 1.0) / ((g + 1.0) * cL) * (L.u - xi[fan])
        rho[fan] = L.rho * base ** (2.0 / (g - 1.0))
        u[fan] = 2.0 / (g + 1.0) * (cL + 0.5 * (g - 1.0) * L.u + xi[fan])
        p[fan] = L.p * base ** (2.0 * g / (g - 1.0))
    fan = (xi >= sp["right_tail"]) & (xi < sp["right_head"])
    if sol.right_wave == "rarefaction" and fan.any():
        base = 2.0 / (g + 1.0) - (g - 1.0) / ((g + 1.0) * cR) * (R.u - xi[fan])
        rho[fan] = R.rho * base ** (2.0 / (g - 1.0))
        u[fan] = 2.0 / (g + 1.0) * (-cR + 0.5 * (g - 1.0) * R.u + xi[fan])
        p[fan] = R.p * base ** (2.0 * g / (g - 1.0))
    return rho, u, p


def shocked_state(upstream: State, shock_speed: float, gamma: float, direction: int = 1) -> State:
    """Downstream state of a shock moving at lab speed ``shock_speed`` into ``upstream``.

    Rankine–Hugoniot for an ideal gas with the upstream Mach number
    M = |V - u_1|/c_1 (Landau & Lifshitz §89; Toro eqs. 3.57–3.62):
    ρ2/ρ1 = (γ+1)M²/((γ-1)M² + 2), p2/p1 = (2γM² - (γ-1))/(γ+1), mass flux conserved.
    ``direction`` = +1 for a shock running towards +x (upstream on the right).
    """
    g = gamma
    w1 = direction * (shock_speed - upstream.u)  # upstream speed relative to the shock, > 0
    c1 = np.sqrt(g * upstream.p / upstream.rho)
    M = w1 / c1
    if M <= 1.0:
        raise ValueError(f"shock speed {shock_speed:g} gives Mach number {M:.4g} <= 1 relative to its upstream: not a shock")
    ratio = (g + 1.0) * M * M / ((g - 1.0) * M * M + 2.0)
    p2 = upstream.p * (2.0 * g * M * M - (g - 1.0)) / (g + 1.0)
    u2 = shock_speed - direction * w1 / ratio
    return State(upstream.rho * ratio, float(u2), float(p2))
