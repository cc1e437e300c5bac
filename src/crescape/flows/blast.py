"""Spherical self-similar blast waves, tanh-smoothed at the shock (seed 003 §2.4, §3.1).

Sedov–Taylor (Sedov 1946; Taylor 1950), uniform ambient density ρ0:
    R(t) = ξ0 (E t²/ρ0)^(1/5),  V = dR/dt = 2R/(5t)                    (seed 003 eqs. 6–7)
interior velocity (x = r/R) in the form u = V x [a + b x^n] with a = 1/γ (the
exact central limit u → r/(γ t)·(2/5)·(5/2)... i.e. Sedov's V(0) = 1/γ) and
a + b = 2/(γ+1) (the Rankine–Hugoniot post-shock speed u2 = 3V/4 for γ = 5/3);
n (default 5) shapes the rise between them, an approximation in the spirit of
Kahn (1975) / Drury (1983) (seed 003 eq. 8). ξ0 = 1.15167 (γ = 5/3) and
1.03275 (γ = 1.4) from the exact solution (Kamm & Timmes 2007).

Isenberg (1977) critical solution for ρ = A r^-ω with ω = (7-γ)/(γ+1)
(ω = 2 for γ = 5/3): the flow is homologous, u = 2/(γ+1) V r/R exactly,
ρ ∝ r^k with k = (3β - ω)/(1 - β), β = 2/(γ+1), zero central pressure, and the
energy integral gives in closed form (derived here from the similarity ODEs)
    E = 4π A R^(5-ω)/t² · (γ+1)/(γ-1) · [β²α²/2 + βα(1-βα)/((γ-1)(k+2))]/(k+5),
α = 2/(5-ω) the expansion index, R ∝ t^α, V = αR/t (seed 003 eqs. 11–13).
"""
from __future__ import annotations

import numpy as np

from .base import FlowSpec
from .compiled import FLOW_BLAST

XI0 = {5.0 / 3.0: 1.15167, 1.4: 1.03275}


def _spec(t0, A, alpha, a, b, n, width, desc):
    def shocks(t):
        te = t - t0
        return [A * te ** alpha] if te > 0 else []

    fpar = np.array([t0, A, alpha, a, b, n, width, 0.0])
    return FlowSpec(FLOW_BLAST, fpar, geometry="spherical", w_char=width, shocks=shocks, description=desc)


def shock_speed(spec, t):
    """V(t) = α R/(t - t0) of a blast-wave FlowSpec."""
    t0, A, alpha = spec.fpar[:3]
    te = t - t0
    return alpha * A * te ** alpha / te


def sedov(E: float, rho: float, width: float, gamma: float = 5.0 / 3.0, t0: float = 0.0,
          xi0: float | None = None, n_profile: float = 5.0) -> FlowSpec:
    """Sedov–Taylor blast wave of energy ``E`` into uniform density ``rho`` (CGS or code units)."""
    if E <= 0 or rho <= 0 or width <= 0:
        raise ValueError("flow.E, flow.rho and flow.width must be > 0")
    if xi0 is None:
        xi0 = next((v for g, v in XI0.items() if abs(g - gamma) < 1e-9), None)
        if xi0 is None:
            raise ValueError(f"flow.xi0 is needed for gamma = {gamma} (tabulated only for 5/3 and 1.4)")
    A = xi0 * (E / rho) ** 0.2
    a = 1.0 / gamma
    b = 2.0 / (gamma + 1.0) - a
    return _spec(t0, A, 0.4, a, b, n_profile, width, f"Sedov-Taylor E={E:g} rho={rho:g}")


def isenberg_omega(gamma: float) -> float:
    """Critical density index ω = (7-γ)/(γ+1) of Isenberg's (1977) closed-form solution."""
    return (7.0 - gamma) / (gamma + 1.0)


def isenberg_constant(gamma: float) -> float:
    """C with E = 4π C A R^(5-ω)/t² for the critical solution (see module docstring)."""
    w = isenberg_omega(gamma)
    beta = 2.0 / (gamma + 1.0)
    alpha = 2.0 / (5.0 - w)
    k = (3.0 * beta - w) / (1.0 - beta)
    ba = beta * alpha
    bracket = 0.5 * ba * ba + ba * (1.0 - ba) / ((gamma - 1.0) * (k + 2.0))
    return (gamma + 1.0) / (gamma - 1.0) * bracket / (k + 5.0)


def isenberg(E: float, rho_ref: float, r_ref: float, width: float, gamma: float = 5.0 / 3.0,
             t0: float = 0.0) -> FlowSpec:
    """Isenberg (1977) blast wave into ρ = rho_ref (r/r_ref)^-ω, ω = (7-γ)/(γ+1) (critical solution)."""
    if E <= 0 or rho_ref <= 0 or r_ref <= 0 or width <= 0:
        raise ValueError("flow.E, flow.rho, flow.r_ref and flow.width must be > 0")
    w = isenberg_omega(gamma)
    A_rho = rho_ref * r_ref ** w
    C = isenberg_constant(gamma)
    alpha = 2.0 / (5.0 - w)
    Ar = (E / (4.0 * np.pi * C * A_rho)) ** (1.0 / (5.0 - w))  # R = Ar t^alpha
    return _spec(t0, Ar, alpha, 2.0 / (gamma + 1.0), 0.0, 1.0, width,
                 f"Isenberg critical blast wave omega={w:g} E={E:g}")
