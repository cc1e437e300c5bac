"""Background flows of the SDE engine, chosen by the deck's ``flow.kind`` (problem set-up kept
apart from the solver). Each builder maps the validated ``[flow]`` section to a
:class:`crescape.flows.FlowSpec`; blast waves also get their characteristic shock speed."""
from __future__ import annotations

from ....flows import (
    FlowSpec,
    colliding_shocks,
    hydro_replay,
    isenberg,
    no_flow,
    planar_shock,
    sedov,
    uniform_divergence,
)
from ....flows.blast import shock_speed


def _blast(deck, spec: FlowSpec) -> FlowSpec:
    """A blast wave's u_char: its shock speed at the injection time (or one step)."""
    t_ref = max(deck.injection.t0, deck.run.dt) - spec.fpar[0]
    spec.u_char = float(shock_speed(spec, spec.fpar[0] + t_ref))
    return spec


FLOWS = {
    "none": lambda f, deck: no_flow(deck.grid.geometry),
    "uniform_divergence": lambda f, deck: uniform_divergence(f.div, deck.grid.geometry),
    "planar_shock": lambda f, deck: planar_shock(f.u1, f.compression, f.width, f.frame, f.x0, f.direction),
    "sedov": lambda f, deck: _blast(deck, sedov(f.E, f.rho, f.width, f.gamma, f.t0, n_profile=f.n_profile)),
    "isenberg": lambda f, deck: _blast(deck, isenberg(f.E, f.rho_ref, f.r_ref, f.width, f.gamma, f.t0)),
    "colliding_shocks": lambda f, deck: colliding_shocks(f.V1, f.V2, f.t2, f.rho0, f.p0, f.width, f.gamma, f.x1, f.x2),
    "hydro_run": lambda f, deck: hydro_replay(f.path, f.n_r or None),
}


def build_flow(deck) -> FlowSpec:
    """The :class:`FlowSpec` of ``deck.flow.kind``."""
    return FLOWS[deck.flow.kind](deck.flow, deck)


__all__ = ["FLOWS", "build_flow"]
