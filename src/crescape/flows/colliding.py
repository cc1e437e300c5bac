"""Planar Riemann fans and two colliding planar shocks (seed 003 §4.1).

A shock launched at t = 0 from x1 with lab speed V1 into gas at rest
(ρ0, p0) leaves the state W1 (Rankine–Hugoniot); a second shock launched at
t2 from x2 with speed V2 > V1 runs into W1 and leaves W2. They meet at
t_c = (x1 - x2 + V2 t2)/(V2 - V1); the new Riemann problem (W2 | W0) at
(x_c, t_c) is solved *exactly* (:mod:`.riemann`, moving states) instead of
with a hydro code (seed 003 used Athena++): a forward shock, a contact
(no velocity jump) and a reflected rarefaction or shock. Shocks are
tanh-smoothed; rarefactions are exact linear velocity ramps between head and
tail (u is linear in x inside a centred fan, ∇·u = 2/((γ+1)(t - t_c))).
"""
from __future__ import annotations

import numpy as np

from .base import FlowSpec, offset, ramp, tanh_jump
from .compiled import FLOW_PIECEWISE
from .riemann import State, shocked_state, solve_riemann


def _fan_elements(sol, x0, t0, width, t_on=-np.inf, t_off=np.inf):
    """Elements of a Riemann fan centred at (x0, t0) (the left state's offset not included)."""
    els = []
    sp = sol.speeds
    for side, wave in (("left", sol.left_wave), ("right", sol.right_wave)):
        u_from = sol.left.u if side == "left" else sol.u_star
        u_to = sol.u_star if side == "left" else sol.right.u
        head, tail = (sp["left_head"], sp["left_tail"]) if side == "left" else (sp["right_tail"], sp["right_head"])
        if wave == "shock":
            els.append(tanh_jump(u_to - u_from, x0 - head * t0, head, width, t_on, t_off))
        else:
            els.append(ramp(u_to - u_from, x0 - head * t0, head, x0 - tail * t0, tail, t_on, t_off))
    return els


def riemann_flow(left: State, right: State, gamma: float, x0: float, width: float, t0: float = 0.0):
    """Velocity field of the exact Riemann solution (states may move) as a FlowSpec."""
    sol = solve_riemann(left, right, gamma)
    fel = [offset(left.u)] + _fan_elements(sol, x0, t0, width)
    shocks = [sp for w, sp in ((sol.left_wave, sol.speeds["left_head"]), (sol.right_wave, sol.speeds["right_head"])) if w == "shock"]
    spec = FlowSpec(FLOW_PIECEWISE, np.array([0.0]), np.array(fel), w_char=width,
                    u_char=float(max(abs(left.u), abs(right.u), abs(sol.u_star)) or 1.0),
                    shocks=lambda t: [x0 + s * (t - t0) for s in shocks], description="exact Riemann fan")
    spec.riemann = sol
    return spec


def colliding_shocks(V1: float, V2: float, t2: float, rho0: float, p0: float, width: float,
                     gamma: float = 5.0 / 3.0, x1: float = 0.0, x2: float = 0.0):
    """Two planar shocks running to +x that collide; exact post-collision Riemann solution."""
    if V2 <= V1:
        raise ValueError(f"flow.V2 ({V2:g}) must exceed flow.V1 ({V1:g}) for the shocks to collide")
    W0 = State(rho0, 0.0, p0)
    W1 = shocked_state(W0, V1, gamma)
    W2 = shocked_state(W1, V2, gamma)
    tc = (x1 - x2 + V2 * t2) / (V2 - V1)
    if tc <= t2:
        raise ValueError("the second shock starts ahead of the first: no collision")
    xc = x1 + V1 * tc
    sol = solve_riemann(W2, W0, gamma)
    fel = [
        offset(W1.u, 0.0, t2), tanh_jump(-W1.u, x1, V1, width, 0.0, tc),
        offset(W2.u, t2, np.inf), tanh_jump(W1.u - W2.u, x2 - V2 * t2, V2, width, t2, tc),
    ] + _fan_elements(sol, xc, tc, width, tc, np.inf)
    S = sol.speeds

    def shocks(t):
        if t < 0:
            return []
        if t < t2:
            return [x1 + V1 * t]
        if t < tc:
            return [x1 + V1 * t, x2 + V2 * (t - t2)]
        out = [xc + S["right_head"] * (t - tc)]
        if sol.left_wave == "shock":
            out.append(xc + S["left_head"] * (t - tc))
        return out

    spec = FlowSpec(FLOW_PIECEWISE, np.array([0.0]), np.array(fel), u_char=V2, w_char=width, shocks=shocks,
                    description=f"colliding shocks V1={V1:g} V2={V2:g}")
    spec.states = {"W0": W0, "W1": W1, "W2": W2}
    spec.t_collision, spec.x_collision, spec.riemann = tc, xc, sol
    return spec
