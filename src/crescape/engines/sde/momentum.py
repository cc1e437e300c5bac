"""Compiled momentum diffusion (stochastic re-acceleration, second-order Fermi) of the SDE engines.

Fokker–Planck term ∂f/∂t = (1/p²) ∂p(p² D_pp ∂p f) (Skilling 1975, MNRAS 172, 557; Schlickeiser
2002, *Cosmic Ray Astrophysics*, §13). Its Itô SDE in p is

    dp = [(1/p²) ∂p(p² D_pp) − (∇·u) p/3] dt + sqrt(2 D_pp) dW

and, by Itô's lemma (d ln p = dp/p − (dp)²/(2p²)), with D̃ = D_pp/p² and s = ∂ln D̃/∂ln p,

    d ln p = [−(∇·u)/3 + D̃ (3 + s)] dt + sqrt(2 D̃ dt) ξ,   ξ ~ N(0, 1)

(derivation and the Green's function of D_pp ∝ p²: docs/sde3d.md). Models (``md``):

* 1, ``alfven``: D_pp = p² V_A²/(9 κ∥) (Skilling 1975), D̃ = V_A²/(9κ∥), s = −∂ln κ∥/∂ln p;
* 2, ``power_law``: D_pp = D0 p^a (p in m_p c), D̃ = D0 p^(a−2), s = a − 2.

One definition serves both engines: the 3-D kernel passes κ∥ of the field-aligned tensor, the
1-D kernel the local κ(x, p) of ``kappa.kappa_eval`` and ∂ln κ/∂ln p of the diffusion kind
(:func:`dlnkappa_dlnp`). In the 1-D kernel the coefficients sit in the rp slots below
(``kernels.N_RP``) and ``ip[IP_MD]`` switches the term on.
"""
from __future__ import annotations

import math

import numba as nb

from .kappa import kappa_eval

MD_KINDS = {"none": 0, "alfven": 1, "power_law": 2}
RP_VA2, RP_D0, RP_A, RP_DLNPMAX = range(17, 21)  # 1-D rp slots (kernels.N_RP = 21)


@nb.njit(inline="always")
def momentum_drift_diff(md, va2, d0, a, lnp, kpar, dlnk):
    """(drift, D̃) of d ln p from momentum diffusion: D̃ = D_pp/p², drift = D̃ (3 + ∂ln D̃/∂ln p).

    md = 1: D_pp = p² V_A²/(9 κ∥), ``va2`` = V_A²/9, D̃ = va2/κ∥, ∂ln D̃/∂ln p = −``dlnk`` (= ∂ln κ∥/∂ln p).
    md = 2: D_pp = d0 p^a, D̃ = d0 p^(a−2). md = 0: (0, 0).
    """
    if md == 0:
        return 0.0, 0.0
    if md == 1:
        Dt = va2 / kpar
        return Dt * (3.0 - dlnk), Dt
    Dt = d0 * math.exp((a - 2.0) * lnp)
    return Dt * (a + 1.0), Dt


@nb.njit(inline="always")
def dlnkappa_dlnp(dk, dpar, ktab, x, lnp):
    """∂ln κ/∂ln p of the 1-D diffusion kinds (``kappa.kappa_eval``): 0 (constant), δ (power law),
    ∂ln(p²/sqrt(1+p²))/∂ln p = 1 + 1/(1 + p²) (Bohm), a central difference over one ln p cell (table)."""
    if dk == 0:
        return 0.0
    if dk == 1:
        return dpar[1]
    if dk == 2:
        return 1.0 + 1.0 / (1.0 + math.exp(2.0 * lnp))
    h = 0.5 * dpar[3]
    k_hi = kappa_eval(dk, dpar, ktab, x, lnp + h)[0]
    k_lo = kappa_eval(dk, dpar, ktab, x, lnp - h)[0]
    return math.log(k_hi / k_lo) / (2.0 * h)


@nb.njit(inline="always")
def md_local(md, dk, rp, dpar, ktab, x, lnp):
    """(drift, D̃) of the 1-D kernel at (x, ln p): κ and ∂ln κ/∂ln p from the diffusion kind ``dk``."""
    if md == 1:
        k = kappa_eval(dk, dpar, ktab, x, lnp)[0]
        return momentum_drift_diff(md, rp[RP_VA2], 0.0, 0.0, lnp, k, dlnkappa_dlnp(dk, dpar, ktab, x, lnp))
    return momentum_drift_diff(md, 0.0, rp[RP_D0], rp[RP_A], lnp, 1.0, 0.0)


@nb.njit(inline="always")
def md_dtmax(rp, Dt):
    """Adaptive-step bound of the 1-D kernel: sqrt(2 D̃ Δt) <= ``run.dlnp_step_max`` (inf when off)."""
    if Dt > 0.0 and rp[RP_DLNPMAX] > 0.0:
        return rp[RP_DLNPMAX] ** 2 / (2.0 * Dt)
    return math.inf


@nb.njit(inline="always")
def md_increment(md, dk, rp, dpar, ktab, xp, lnp, div, amd, Dt, dt, z, heun):
    """Momentum-diffusion part of Δ ln p over Δt in the 1-D kernel (0 for md = 0).

    Euler–Maruyama: amd Δt + sqrt(2 D̃ Δt) z with (amd, D̃) = :func:`md_local` at the start point.
    ``heun`` (``run.scheme = "predictor_corrector"``): the drift is the average of amd and its value at
    the predictor (xp, ln p + (amd − ∇·u/3) Δt + sqrt(2 D̃ Δt) z); the noise keeps the start-point D̃,
    as for the spatial step (Itô-consistent, weak order 1).
    """
    if md == 0:
        return 0.0
    sn = math.sqrt(2.0 * Dt * dt) * z
    if heun:
        a2 = md_local(md, dk, rp, dpar, ktab, xp, lnp + (amd - div / 3.0) * dt + sn)[0]
        amd = 0.5 * (amd + a2)
    return amd * dt + sn


def md_params(deck) -> tuple[int, dict]:
    """(ip[IP_MD], {rp slot: value}) of ``[momentum_diffusion]`` for the 1-D kernel (code units or CGS
    as the deck: V_A in cm s⁻¹, κ in cm² s⁻¹, D0 in (m_p c)^(2−a) s⁻¹)."""
    md = deck.momentum_diffusion
    return MD_KINDS[md.kind], {RP_VA2: md.V_A**2 / 9.0, RP_D0: md.D0, RP_A: md.a,
                               RP_DLNPMAX: deck.run.dlnp_step_max}
