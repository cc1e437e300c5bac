"""Background flows u(x, t), ∇·u(x, t) for the SDE engine (and tests, other engines).

:mod:`.base` holds :class:`FlowSpec` and the planar flows; :mod:`.blast` the spherical blast
waves, :mod:`.colliding` colliding shocks and Riemann fans, :mod:`.hydro` the replay of a
CR-hydro run. This package only re-exports them.
"""
from .base import FlowSpec, evaluate, no_flow, offset, planar_shock, ramp, tanh_jump, uniform_divergence
from .blast import isenberg, sedov
from .colliding import colliding_shocks, riemann_flow
from .hydro import hydro_replay

__all__ = ["FlowSpec", "no_flow", "uniform_divergence", "planar_shock", "sedov", "isenberg",
           "colliding_shocks", "riemann_flow", "hydro_replay", "tanh_jump", "offset", "ramp", "evaluate"]
