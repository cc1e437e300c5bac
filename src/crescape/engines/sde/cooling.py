"""Compiled electron loss step of the SDE kernels and its parameters from the deck.

Synchrotron + inverse-Compton losses of ultra-relativistic electrons (formulas and
references: :mod:`crescape.physics.radiative`), dP/dt = −b P² with P = p/(m_p c),
b = b_B s(x) + b_rad f_KN(P). The coefficients live in slots of the kernels' float
parameter array ``rp`` (no extra kernel arguments or specialisations); ``ip[IP_LOSS]``
switches the term on, and with it off (protons) the momentum update is untouched.
"""
from __future__ import annotations

import math

import numba as nb

from ...core.constants import m_e, m_p
from ...physics import radiative as R

RP_BB, RP_QB, RP_XB, RP_BRAD, RP_KN = range(12, 17)  # rp slots (kernels.N_RP = 17)


@nb.njit(inline="always")
def _cool(rp, x, lnp, dt):
    """ln p after a step Δt of synchrotron + IC losses dP/dt = −b P² (``physics.radiative``).

    b = b_B s(x) + b_rad f_KN with s = (|x|/x_B)^q_B (q_B = −2a for B ∝ r^−a; q_B = 0: uniform)
    and f_KN = (1 + κ_KN P)^−3/2 (κ_KN = 4 ε0 m_p/m_e; 0: Thomson). The step is the exact
    solution P/(1 + b P Δt) for b frozen at the start of the step (exact in the Thomson limit
    with a uniform field); it is applied after the adiabatic part (operator splitting).
    """
    b = rp[RP_BB]
    if rp[RP_QB] != 0.0:
        b *= (max(abs(x), 1e-12 * rp[RP_XB]) / rp[RP_XB]) ** rp[RP_QB]
    p = math.exp(lnp)
    if rp[RP_KN] > 0.0:
        b += rp[RP_BRAD] * (1.0 + rp[RP_KN] * p) ** -1.5
    else:
        b += rp[RP_BRAD]
    return lnp - math.log1p(b * p * dt)


def loss_params(deck):
    """(on, {rp slot: value}) of ``deck.losses`` for ``injection.species = "electron"``."""
    if deck.injection.species != "electron":
        return 0, {}
    L = deck.losses
    if deck.units == "code":
        b_B, b_rad, kn = L.b_code, 0.0, 0.0
    else:
        b_B = float(R.loss_coefficient(R.magnetic_energy_density(L.B)))
        b_rad = float(R.loss_coefficient(L.u_rad))
        kn = 4.0 * float(R.kn_epsilon0(L.T_rad)) * m_p / m_e if L.klein_nishina else 0.0
    vals = {RP_BB: b_B, RP_QB: -2.0 * L.B_index, RP_XB: L.r0, RP_BRAD: b_rad, RP_KN: kn}
    return 1, vals
