"""Set-up of the compiled ensemble from a deck, chunked simulation and mergeable results.

``simulate_chunk(deck_or_setup, particle_id_start, n, seed)`` runs particles
``particle_id_start … +n-1`` and returns a :class:`ChunkResult` of sums that
merge by addition (``merge``): a large ensemble split into chunks (e.g. over
dask workers) gives the same histograms as one process with the same seed,
because every particle's random stream depends only on (seed, particle id).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numba
import numpy as np

from ...core import constants as C
from ...errors import SimulationError
from ...flows import FlowSpec
from . import kernels as K
from .batches import batch_particles, block_sums, fold_blocks
from .cooling import loss_params
from .injection import initial_states
from .kappa import kappa_values
from .momentum import md_params
from .observers import default_observers, windows
from .problems import build_flow
from .slots import histogram_slots
from .splitting import split_lnp

COUNTERS = K.COUNTERS


def diffusion_params(deck):
    d = deck.diffusion
    if d.kind == "constant":
        dk, k0 = K.DIFF_CONST, d.kappa
    elif d.kind == "power_law":
        dk, k0 = K.DIFF_POWER, d.kappa
    else:
        dk = K.DIFF_BOHM
        k0 = C.m_p * C.c**3 / (3.0 * C.e_charge * d.B0) if (deck.units == "cgs" or d.B0 > 0) else d.kappa
    if dk == K.DIFF_CONST and d.b_index != 0.0:
        dk = K.DIFF_POWER
    delta = d.delta if d.kind == "power_law" else 0.0
    return dk, np.array([k0, delta, np.log(d.p_ref), d.b_index, d.r0]), np.zeros((2, 2))


@dataclass
class Setup:
    deck: object
    flow: FlowSpec
    ip: np.ndarray
    rp: np.ndarray
    dpar: np.ndarray
    ktab: np.ndarray
    times: np.ndarray
    observers: list
    obs_lo: np.ndarray
    obs_hi: np.ndarray
    integrators: list
    int_lo: np.ndarray
    int_hi: np.ndarray
    split: np.ndarray
    p_edges: np.ndarray
    x_edges: np.ndarray

    def kappa(self, x, lnp):
        """κ(x, ln p) of the deck (arrays; code or CGS units as the deck)."""
        return kappa_values(int(self.ip[K.IP_DIFF]), self.dpar, self.ktab, np.asarray(x, float),
                            np.asarray(lnp, float))


def build_setup(deck, flow: FlowSpec | None = None) -> Setup:
    flow = flow or build_flow(deck)
    r, o = deck.run, deck.output
    dk, dpar, ktab = diffusion_params(deck)
    ip = np.zeros(K.N_IP, np.int64)
    ip[K.IP_GEOM] = 0 if deck.grid.geometry == "planar" else 1
    ip[K.IP_FLOW], ip[K.IP_DIFF] = flow.kind, dk
    ip[K.IP_SCHEME] = 1 if r.scheme == "predictor_corrector" else 0
    ip[K.IP_ADAPT] = int(r.adaptive)
    ip[K.IP_WSCALE] = int(r.width_scaling == "sqrt_energy")
    ip[K.IP_NSTACK] = r.max_splits_stack
    rp = np.zeros(K.N_RP)
    rp[K.RP_DT], rp[K.RP_ADVFRAC], rp[K.RP_DSTEPMAX] = r.dt, r.adv_frac, r.diff_step_max
    # the defaults ∓1e300 mean "no boundary": as ∓inf the step loops drop their escape test
    rp[K.RP_XMIN] = deck.grid.x_min if deck.grid.geometry == "planar" and deck.grid.x_min > -1e300 else -np.inf
    rp[K.RP_XMAX] = deck.grid.x_max if deck.grid.x_max < 1e300 else np.inf
    p_edges = np.geomspace(o.p_min, o.p_max, o.n_p + 1)
    x_edges = np.linspace(o.x_lo, o.x_hi, o.n_x + 1)
    rp[K.RP_LNPMIN], rp[K.RP_DLNP] = np.log(o.p_min), np.log(o.p_max / o.p_min) / o.n_p
    rp[K.RP_XHMIN], rp[K.RP_DXH] = o.x_lo, (o.x_hi - o.x_lo) / o.n_x
    rp[K.RP_UCHAR], rp[K.RP_WCHAR], rp[K.RP_LNPW] = flow.u_char, flow.w_char, np.log(r.p_width)
    ip[K.IP_LOSS], lv = loss_params(deck)
    ip[K.IP_MD], mv = md_params(deck)
    for slot, v in {**lv, **mv}.items():
        rp[slot] = v
    times = o.snapshot_times(0.0, r.t_end)
    obs = default_observers(deck, flow)
    lo, hi = windows(obs, flow, times)
    integ = list(o.integrate)
    ilo = np.array([i.lo for i in integ], float)
    ihi = np.array([i.hi for i in integ], float)
    return Setup(deck, flow, ip, rp, dpar, ktab, times, obs, lo, hi, integ, ilo, ihi, split_lnp(deck), p_edges, x_edges)


@dataclass
class ChunkResult:
    """Mergeable sums of one chunk (add them up: :func:`merge`)."""

    S1: np.ndarray  # (t, observer, p) Σw
    Sb2: np.ndarray  # (t, observer, p) Σ_blocks (Σw)²
    W2: np.ndarray  # (t, observer, p) Σw²
    I1: np.ndarray  # (integrator, p) Σ w dt
    Ib2: np.ndarray  # (integrator, p) Σ_blocks (Σ w dt)²
    XP: np.ndarray  # (t, x, p) Σw
    ESC: np.ndarray  # (side, t, p) Σw of escaped particles
    counters: np.ndarray  # COUNTERS
    n_blocks: int
    n_particles: int
    particles: dict = field(default_factory=dict)  # x, lnp, w (t, particle), p0 (particle)
    SB: np.ndarray | None = None  # (batch, t, observer, p) Σw per batch of blocks (see batches.py)
    IB: np.ndarray | None = None  # (batch, integrator, p) Σ w dt per batch
    NB: np.ndarray | None = None  # (batch,) root particles per batch

    def count(self, name: str) -> float:
        """Run counter ``name`` (one of :data:`COUNTERS`), summed over lanes and chunks."""
        return float(self.counters[COUNTERS.index(name)])


def simulate_chunk(deck_or_setup, particle_id_start: int, n: int, seed: int | None = None) -> ChunkResult:
    """Simulate particles ``particle_id_start … particle_id_start+n-1`` (see module docstring)."""
    st = deck_or_setup if isinstance(deck_or_setup, Setup) else build_setup(deck_or_setup)
    deck = st.deck
    seed = deck.run.seed if seed is None else int(seed)
    n_total = deck.injection.n_particles
    x0, lnp0, w0, tb0 = initial_states(deck.injection, st.flow, seed, particle_id_start, n, n_total,
                                       kappa=st.kappa, dt=deck.run.dt)
    if not (np.all(np.isfinite(x0)) and np.all(np.isfinite(lnp0))):
        raise ValueError("injection produced non-finite initial states (check injection.* and the flow)")
    if n and not np.all(w0 == w0[0]):
        raise ValueError("the SDE kernels need one injected weight for all particles of a chunk")
    bs = deck.run.block_size
    nblk = (particle_id_start + n - 1) // bs - particle_id_start // bs + 1
    K_t, n_obs, n_p = len(st.times), len(st.observers), len(st.p_edges) - 1
    lanes = min(deck.run.n_lanes, nblk)
    S = np.zeros((nblk, K_t, n_obs, n_p))
    S2 = np.zeros((lanes, K_t, n_obs, n_p))  # Σw²: per lane (only the total is kept), not per block
    H = len(st.split)
    nth = max(1, min(numba.get_num_threads(), lanes))
    slots = histogram_slots(n, H, lanes, nth)
    XP = np.zeros((slots, K_t, len(st.x_edges) - 1, n_p))  # counts in units of w0 2^-H (kernels docstring)
    I = np.zeros((nblk, len(st.integrators), n_p))
    ESC = np.zeros((lanes, 2, K_t, n_p))  # per lane, like S2
    keep = deck.output.particles
    PX = np.full((K_t, n), np.nan) if keep else np.zeros((0, 0))
    PP = np.full((K_t, n), np.nan) if keep else np.zeros((0, 0))
    PW = np.zeros((K_t, n)) if keep else np.zeros((0, 0))
    CNT = np.zeros((lanes, len(COUNTERS)))
    K.run_ensemble(st.ip, st.rp, st.flow.arrays, (st.dpar, st.ktab), (x0, lnp0, w0, tb0), particle_id_start, seed,
                   bs, (st.times, st.obs_lo, st.obs_hi, st.int_lo, st.int_hi, st.split),
                   (S, S2, XP, I, ESC, PX, PP, PW, CNT), n_threads=nth)
    XP = np.ldexp(XP.sum(0) * (w0[0] if n else 0.0), -H)
    parts = {"x": PX, "lnp": PP, "w": PW, "p0": np.exp(lnp0)} if keep else {}
    b0 = particle_id_start // bs
    S1, Sb2 = block_sums(S)
    return ChunkResult(S1, Sb2, S2.sum(0), I.sum(0), (I**2).sum(0), XP, ESC.sum(0),
                       CNT.sum(0), nblk, n, parts, fold_blocks(S, b0), fold_blocks(I, b0),
                       batch_particles(particle_id_start, n, bs))


def merge(a: ChunkResult | None, b: ChunkResult) -> ChunkResult:
    if a is None:
        return b
    parts = {}
    if a.particles:
        parts = {k: np.concatenate([a.particles[k], b.particles[k]], axis=-1) for k in a.particles}
    return ChunkResult(a.S1 + b.S1, a.Sb2 + b.Sb2, a.W2 + b.W2, a.I1 + b.I1, a.Ib2 + b.Ib2, a.XP + b.XP,
                       a.ESC + b.ESC, a.counters + b.counters, a.n_blocks + b.n_blocks,
                       a.n_particles + b.n_particles, parts, a.SB + b.SB, a.IB + b.IB, a.NB + b.NB)


def check_constraints(res: ChunkResult, setup: Setup, warn=True) -> dict:
    """Fractions of steps violating u·Δt < w (advective) and √(2κΔt) > w (diffusive); warn if > 1 %."""
    c = dict(zip(COUNTERS, res.counters.tolist()))
    steps = max(c["steps"], 1.0)
    out = {"advective_violation_fraction": c["advective_violations"] / steps,
           "diffusive_violation_fraction": c["diffusive_violations"] / steps, **c}
    if warn and setup.flow.w_char > 0:
        if out["advective_violation_fraction"] > 0.01:
            warnings.warn(f"SDE: {100 * out['advective_violation_fraction']:.1f} % of steps have u·Δt > shock width "
                          "(Kruells & Achterberg 1994): the shock is under-resolved, spectra too steep; "
                          "lower run.dt or use run.adaptive", stacklevel=2)
        if out["diffusive_violation_fraction"] > 0.01:
            warnings.warn(f"SDE: {100 * out['diffusive_violation_fraction']:.1f} % of steps have √(2κΔt) < shock width: "
                          "particles see a smooth flow, spectra too steep; raise run.dt, narrow the shock or "
                          "use run.width_scaling", stacklevel=2)
    if c["nan_particles"] > 0:
        raise SimulationError(f"SDE: {int(c['nan_particles'])} pseudo-particles became NaN (check the flow, "
                              "diffusion.* and run.dt); no spectra were written")
    if c["stack_overflows"] > 0:
        warnings.warn(f"SDE: {int(c['stack_overflows'])} splits refused (run.max_splits_stack too small); "
                      "statistics stay unbiased but high-p sampling is poorer", stacklevel=2)
    return out


def threads_info() -> int:
    return numba.get_num_threads()
