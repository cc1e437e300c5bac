"""Set-up checks and resource estimate of a CR-hydro deck (``Engine.check``, ``Engine.estimate``).

Run by ``load_config`` / ``crescape run`` before the output directory is created; no kernel
is compiled (see :mod:`crescape.config.setup_checks`, :mod:`crescape.config.estimate`).
"""
from __future__ import annotations

import math

from ...config.estimate import F8, Estimate
from ...config.setup_checks import fail, snapshot_count
from ...core.constants import k_B, m_p
from ...physics.diffusion import registered_diffusion
from .problems.gas import equilibrium_n


def _power(base: float, exponent: float) -> float:
    """``base**exponent``, inf where a float overflows (Python raises OverflowError there)."""
    try:
        return base**exponent
    except OverflowError:
        return math.inf


def check(deck, source: str):
    p = deck.problem
    if p.kind == "shimoda2025" or (p.kind == "uniform" and p.equilibrium):
        try:
            n = equilibrium_n(deck, p.T)
        except ValueError as exc:
            fail(source, "problem.T", str(exc))
        if not (math.isfinite(n) and n > 0):
            fail(source, "problem.T", f"thermal equilibrium n = Γ/Λ(T) = {n:g} cm^-3 at T = {p.T:g} K")
    if p.kind == "shimoda2025" and p.r0 <= deck.grid.r_min:
        fail(source, "problem.r0", f"the CR top-hat r0 = {p.r0:g} cm lies inside grid.r_min = {deck.grid.r_min:g} cm")
    cr = deck.cr
    if not cr.enabled:
        return
    if cr.init_E > 0 and p.kind != "shimoda2025" and cr.init_r0 <= deck.grid.r_min:
        fail(source, "cr.init_r0", f"the CR top-hat init_r0 = {cr.init_r0:g} cm holds no cell volume "
             f"(grid.r_min = {deck.grid.r_min:g} cm)")
    if cr.diffusion_model != "power_law":
        try:
            registered_diffusion(cr.diffusion_model)
        except ValueError as exc:
            fail(source, "cr.diffusion_model", str(exc))
        return
    for key, pp in (("cr.p_min", cr.p_min), ("cr.p_max", cr.p_max)):
        D = cr.D0 * _power(pp, cr.delta)
        if not (math.isfinite(D) and D > 0):
            fail(source, key, f"D(p) = D0·p^delta = {D:g} cm² s^-1 at {key.split('.')[1]} = {pp:g}: the diffusion "
                 "coefficient must be finite and positive (lower cr.D0, cr.delta or the momentum range)")


def estimate(deck) -> Estimate:
    """Memory: gas (~48 arrays of n) + CRs (~16 of n × n_p) + snapshots kept for run.h5 (× 2 while written)."""
    n = deck.grid.n_cells
    cr = deck.cr
    n_p = math.ceil(cr.bins_per_decade * math.log10(cr.p_max / cr.p_min)) if cr.enabled else 0
    n_snap, snap_key = snapshot_count(deck.output, deck.run.t_end)
    per_snap = (16 * n + n * n_p + n_p) * F8
    e = Estimate()
    e.memory_items.append(("grid.n_cells", f"gas state and work arrays ({n} cells)", 48 * n * F8))
    if n_p:
        e.memory_items.append(("grid.n_cells", f"CR state and operators ({n} cells × {n_p} bins)", 16 * n * n_p * F8))
    e.memory_items.append((snap_key if n_snap > 1000 else "grid.n_cells",
                           f"{n_snap} snapshots kept for run.h5 (× 2 while written)", 2 * n_snap * per_snap))
    e.run_file = n_snap * per_snap
    e.steps = _steps(deck)
    e.work_is_bound = deck.problem.kind not in ("riemann", "uniform", "shimoda2025")
    e.work = n * max(n_p, 1) * e.steps
    e.work_what = (f"cell-bin updates ({n} cells × {max(n_p, 1)} bins × "
                   f"{'at most run.max_steps = ' if e.work_is_bound else '~'}{e.steps:.3g} steps"
                   f"{'' if e.work_is_bound else ' from the initial signal speed: a lower bound'})")
    e.work_key = "grid.n_cells"
    return e


def _steps(deck) -> float:
    """Steps ≈ t_end / (cfl Δr_min / c) with c the largest initial signal speed (sound + flow)."""
    p, g = deck.problem, deck.gas.gamma
    if p.kind == "riemann":
        c = max(math.sqrt(g * s.P / s.rho) + abs(s.v) for s in (p.left, p.right))
    elif p.kind in ("uniform", "shimoda2025"):
        c = math.sqrt(g * k_B * p.T / (deck.gas.mu * m_p)) + abs(getattr(p, "v", 0.0))
    else:  # a blast wave: its speed is set by the energy deposit; the step count is bounded by max_steps
        return float(deck.run.max_steps)
    dx = (deck.grid.r_max - deck.grid.r_min) / deck.grid.n_cells
    if deck.grid.spacing != "uniform":
        dx = dx / 10.0  # log / stretched cells: the smallest cell is smaller than the mean
    return float(min(deck.run.max_steps, deck.run.t_end / (deck.run.cfl * dx / c)))
