"""Background flows u(x, t), ∇·u(x, t) for the SDE engine (and tests, other engines).

Each constructor returns a :class:`FlowSpec`: an integer kind plus float arrays
that the compiled kernels evaluate (:mod:`crescape.flows.compiled`), the
geometry, the characteristic speed and width used for step control, and the
shock trajectories ``shocks(t)`` for shock-comoving observers.

- :func:`no_flow`, :func:`uniform_divergence` — verification flows;
- :func:`planar_shock` — tanh-smoothed planar shock in the shock or lab frame;
- :func:`sedov` / :func:`isenberg` — spherical blast waves (:mod:`.blast`);
- :func:`colliding_shocks` — two planar shocks and their exact Riemann
  aftermath (:mod:`.colliding`); :func:`riemann_flow` — any Riemann fan;
- :func:`hydro_replay` — tabulated u(r, t) of a crescape CR-hydro run (:mod:`.hydro`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .compiled import FLOW_LINEAR, FLOW_NONE, FLOW_SHOCK, evaluate

_EMPTY2 = np.zeros((1, 2))


@dataclass
class FlowSpec:
    kind: int
    fpar: np.ndarray
    fel: np.ndarray = field(default_factory=lambda: np.zeros((0, 9)))
    ttab: np.ndarray = field(default_factory=lambda: np.zeros(1))
    utab: np.ndarray = field(default_factory=lambda: _EMPTY2.copy())
    dtab: np.ndarray = field(default_factory=lambda: _EMPTY2.copy())
    geometry: str = "planar"
    u_char: float = 0.0  # speed of the flow relative to its shocks (advective step control)
    w_char: float = 0.0  # smoothing width of its shocks (0: no shock)
    shocks: Callable[[float], list] = field(default=lambda t: [])
    description: str = ""

    def __call__(self, x, t, wfac=1.0):
        """(u, ∇·u) at points ``x`` and time ``t``."""
        return evaluate(self, x, t, wfac)

    @property
    def arrays(self):
        """(fpar, fel, ttab, utab, dtab): the flow bundle the compiled kernels take."""
        return self.fpar, self.fel, self.ttab, self.utab, self.dtab

    def __post_init__(self):
        # writable C-contiguous float64 copies: one compiled kernel signature for every flow
        self.fpar = np.array(self.fpar, dtype=float, order="C")
        self.fel = np.array(self.fel, dtype=float, order="C").reshape(-1, 9)
        self.ttab = np.array(self.ttab, dtype=float, order="C")
        self.utab = np.array(self.utab, dtype=float, order="C")
        self.dtab = np.array(self.dtab, dtype=float, order="C")


def no_flow(geometry="planar") -> FlowSpec:
    return FlowSpec(FLOW_NONE, np.zeros(2), geometry=geometry, description="no flow")


def uniform_divergence(div: float, geometry="planar") -> FlowSpec:
    """Homologous flow with constant ∇·u = ``div``: u = div·x (planar) or div·r/3 (spherical)."""
    dim = 1.0 if geometry == "planar" else 3.0
    return FlowSpec(FLOW_LINEAR, np.array([div / dim, dim]), geometry=geometry, description=f"uniform divergence {div:g}")


def tanh_jump(u_jump, X0, V, width, t_on=-np.inf, t_off=np.inf):
    """Element row: tanh step of ``u_jump`` (left → right) at X(t) = X0 + V t."""
    return [0.0, t_on, t_off, X0, V, 0.0, 0.0, width, u_jump]


def offset(u, t_on=-np.inf, t_off=np.inf):
    """Element row: constant velocity ``u`` (the state left of all jumps)."""
    return [2.0, t_on, t_off, 0.0, 0.0, 0.0, 0.0, 1.0, u]


def ramp(u_jump, xa0, Va, xb0, Vb, t_on=-np.inf, t_off=np.inf):
    """Element row: linear rise of ``u_jump`` between a(t) = xa0 + Va t and b(t) = xb0 + Vb t (a < b)."""
    return [1.0, t_on, t_off, xa0, Va, xb0, Vb, 1.0, u_jump]


def planar_shock(u1: float, compression: float, width: float, frame: str = "shock", x0: float = 0.0,
                 direction: int = 1) -> FlowSpec:
    """Planar shock smoothed by tanh (Kruells & Achterberg 1994; seed 003 §2.3).

    ``u1`` is the upstream speed in the shock frame, ``compression`` r = u1/u2.
    ``direction`` = +1: the shock runs towards +x (upstream at x > X); -1: towards
    -x (upstream at x < X, the CRPropa DSA example). ``frame = "shock"``: the
    shock sits at X = x0 and the gas flows through it; ``"lab"``: the upstream
    gas is at rest and the shock moves, X(t) = x0 + direction·u1·t.
    u(x) = u_L + (u_R - u_L)(1 + tanh((x - X)/w))/2.
    """
    if compression <= 1.0:
        raise ValueError(f"flow.compression must be > 1 (got {compression})")
    if u1 <= 0 or width <= 0:
        raise ValueError("flow.u1 and flow.width must be > 0")
    d = 1 if direction >= 0 else -1
    u_up, u_dn = -d * u1, -d * u1 / compression  # shock frame
    V = 0.0
    if frame == "lab":
        u_up, u_dn, V = 0.0, u_dn + d * u1, d * u1
    elif frame != "shock":
        raise ValueError(f"flow.frame must be 'shock' or 'lab' (got {frame!r})")
    uL, uR = (u_dn, u_up) if d > 0 else (u_up, u_dn)
    fel = np.array([offset(uL), tanh_jump(uR - uL, x0, V, width)])  # the same flow as elements
    return FlowSpec(FLOW_SHOCK, np.array([uL, uR - uL, x0, V, width]), fel, u_char=u1, w_char=width,
                    shocks=lambda t: [x0 + V * t], description=f"planar shock r={compression:g} ({frame} frame)")
