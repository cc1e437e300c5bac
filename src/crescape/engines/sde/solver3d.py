"""Set-up, chunked simulation and mergeable results of the 3-D SDE transport (``grid.geometry = "cartesian3d"``).

The 1-D flows are embedded in 3-D: planar flows along n̂ (``transport3d.axis``), u = u(n̂·x) n̂,
∇·u = du/ds; spherical flows radially, u = u(r) r̂, ∇·u from the 1-D flow. Window observers
(``output.observers``, ``output.integrate``) use the embedding coordinate s = n̂·x or r, so a
spherical 3-D run with κ⊥ = κ∥ is the 1-D spherical engine's problem (tested).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from ...core import constants as C
from ...flows import FlowSpec, no_flow, uniform_divergence
from ..driver import SimulationError
from . import kernels3d as K3
from .fields import FieldModel, build_field
from .injection import _uniforms, sample_power_law_lnp, shock_position
from .observers import default_observers, windows
from .problems import build_flow

SPHERICAL_FLOWS = ("sedov", "isenberg", "hydro_run")
COUNTERS3 = ("steps", "escaped", "nan_particles", "null_field_steps", "outside_table_steps")


def embedding(deck) -> str:
    e = deck.transport3d.embedding
    if e != "auto":
        return e
    return "spherical" if deck.flow.kind in SPHERICAL_FLOWS else "planar"


def build_flow3(deck) -> FlowSpec:
    """The deck's 1-D flow for its 3-D embedding (none/uniform_divergence follow the embedding)."""

    geom = embedding(deck)
    if deck.flow.kind == "none":
        return no_flow(geom)
    if deck.flow.kind == "uniform_divergence":
        return uniform_divergence(deck.flow.div, geom)
    spec = build_flow(deck)
    spec.geometry = geom
    return spec


def _unit(v):
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


def transport_params(deck, fm: FieldModel):
    """(diffusion kind, κ0, a_B): κ∥ = κ0 g(p) (|B|/B_ref)^(−a_B); Bohm in CGS: κ0 = m_p c³/(3 e B_ref)."""
    d = deck.diffusion
    dk = {"constant": 0, "power_law": 1, "bohm": 2}[d.kind]
    aB = deck.transport3d.B_index
    if aB is None:
        aB = 1.0 if d.kind == "bohm" else 0.0
    k0 = d.kappa
    if d.kind == "bohm" and deck.units == "cgs":
        k0 = C.m_p * C.c**3 / (3.0 * C.e_charge * fm.B_ref)
    return dk, k0, aB


def _detectors(deck):
    dets = deck.output3d.detectors
    D = np.zeros((len(dets), 8))
    for k, d in enumerate(dets):
        if d.kind == "sphere":
            D[k, :2] = [K3.DET_SPHERE, d.radius]
        elif d.kind == "plane":
            D[k, :5] = [K3.DET_PLANE, *_unit(d.normal), d.offset]
        else:
            D[k, :7] = [K3.DET_BOX, *d.lo, *d.hi]
        D[k, 7] = float(d.absorb)
    return D


@dataclass
class Setup3:
    deck: object
    flow: FlowSpec
    field: FieldModel
    ip: np.ndarray
    rp: np.ndarray
    times: np.ndarray
    observers: list
    obs_lo: np.ndarray
    obs_hi: np.ndarray
    boxes: np.ndarray
    int_lo: np.ndarray
    int_hi: np.ndarray
    det: np.ndarray
    p_edges: np.ndarray
    embedding: str


def build_setup3(deck, flow: FlowSpec | None = None, fm: FieldModel | None = None) -> Setup3:
    flow = flow or build_flow3(deck)
    fm = fm or build_field(deck)
    r, o, t3, md = deck.run, deck.output, deck.transport3d, deck.momentum_diffusion
    emb = embedding(deck)
    dk, k0, aB = transport_params(deck, fm)
    ip = np.zeros(K3.N_I3, np.int64)
    ip[K3.I_FLOW], ip[K3.I_EMBED], ip[K3.I_FIELD], ip[K3.I_DIFF] = flow.kind, int(emb == "spherical"), fm.kind, dk
    ip[K3.I_MD] = {"none": 0, "alfven": 1, "power_law": 2}[md.kind]
    ip[K3.I_KEEP] = int(o.particles)
    rp = np.zeros(K3.N_R3)
    d = deck.diffusion
    rp[[K3.R_DT, K3.R_K0, K3.R_DELTA, K3.R_LNPREF, K3.R_AB, K3.R_BREF]] = [
        r.dt, k0, d.delta if d.kind == "power_law" else 0.0, np.log(d.p_ref), aB, fm.B_ref]
    rp[[K3.R_EPS, K3.R_PDELTA, K3.R_VA2, K3.R_D0, K3.R_A, K3.R_TAU]] = [
        t3.perp_ratio, t3.perp_delta, md.V_A**2 / 9.0, md.D0, md.a, t3.escape_time]
    rp[K3.R_AX:K3.R_AZ + 1] = _unit(t3.axis)
    rp[K3.R_SMIN] = deck.grid.x_min if emb == "planar" else -np.inf
    rp[K3.R_SMAX] = deck.grid.x_max
    p_edges = np.geomspace(o.p_min, o.p_max, o.n_p + 1)
    rp[K3.R_LNPMIN], rp[K3.R_DLNP] = np.log(o.p_min), np.log(o.p_max / o.p_min) / o.n_p
    times = o.snapshot_times(0.0, r.t_end)
    obs = default_observers(deck, flow)
    lo, hi = windows(obs, flow, times)
    boxes = np.array([[*b.lo, *b.hi] for b in deck.output3d.boxes], float).reshape(-1, 6)
    ilo = np.array([i.lo for i in o.integrate], float)
    ihi = np.array([i.hi for i in o.integrate], float)
    return Setup3(deck, flow, fm, ip, rp, times, obs, lo, hi, boxes, ilo, ihi, _detectors(deck), p_edges, emb)


def _directions(u1, u2):
    mu = 2.0 * u1 - 1.0
    s = np.sqrt(np.maximum(1.0 - mu * mu, 0.0))
    ph = 2.0 * np.pi * u2
    return np.stack([s * np.cos(ph), s * np.sin(ph), mu], axis=1)


def initial_states3(deck, st: Setup3, seed: int, pid0: int, n: int):
    """(X0 (n, 3), ln p0, w0, t0) from counter-based uniforms (any chunking gives the same particles)."""
    inj = deck.injection
    u = _uniforms(seed, pid0, n, 5)
    t = inj.t0 + (inj.t1 - inj.t0) * u[:, 2] if inj.t1 > inj.t0 else np.full(n, inj.t0)
    lnp = np.full(n, np.log(inj.p0)) if inj.spectrum == "mono" else sample_power_law_lnp(
        u[:, 1], inj.p_min, inj.p_max, inj.index)
    x0 = np.asarray(deck.transport3d.x0, float)
    nh = st.rp[K3.R_AX:K3.R_AZ + 1]
    if inj.where == "point":
        X = np.tile(x0, (n, 1))
    else:
        if inj.where == "volume":
            if st.embedding == "spherical":
                lo, hi = max(inj.x_lo, 0.0), max(inj.x_hi, 0.0)
                s = (lo**3 + (hi**3 - lo**3) * u[:, 0]) ** (1.0 / 3.0)
            else:
                s = inj.x_lo + (inj.x_hi - inj.x_lo) * u[:, 0]
        else:
            s = np.array([shock_position(st.flow, ti) for ti in t])
        e = _directions(u[:, 3], u[:, 4]) if st.embedding == "spherical" else np.tile(nh, (n, 1))

        def place(s):  # the point at coordinate s along the normal e (radius, or s = n̂·x through x0)
            return s[:, None] * e if st.embedding == "spherical" else x0[None, :] + (s - x0 @ nh)[:, None] * e

        if inj.where == "shock" and n:
            # spread over one step's diffusion length along the shock normal (as the 1-D engine,
            # see injection.py): at the centre of the jump the first step would take ∇·u(X_s)Δt/3
            s = s + _normal_spread(st, e, place(s), lnp, deck.run.dt) * ndtri(u[:, 0])
            if st.embedding == "spherical":
                s = np.abs(s)
        X = place(s)
    w = np.full(n, 1.0 / inj.n_particles)
    return np.ascontiguousarray(X), np.ascontiguousarray(lnp), w, np.ascontiguousarray(t)


def _normal_spread(st, e, pts, lnp, dt):
    """sqrt(2 κ_nn Δt) at the injection points ``pts`` (n, 3), e the unit shock normals there, with
    κ_nn = κ⊥ + (κ∥ − κ⊥)(b̂·e)² from the deck's field and κ∥(p)."""
    tens = K3.tensor_rows(st.ip, st.rp, st.field.fpar, st.field.tab, np.ascontiguousarray(pts),
                          np.ascontiguousarray(lnp, dtype=float))
    cos = np.sum(tens[:, :3] * e, axis=1)
    return np.sqrt(2.0 * (tens[:, 4] + (tens[:, 3] - tens[:, 4]) * cos**2) * dt)


@dataclass
class ChunkResult3:
    """Mergeable sums of one chunk: ``arrays`` add (sums) or concatenate (per particle, last axis 1)."""

    arrays: dict
    n_blocks: int
    n_particles: int
    per_particle: tuple = field(default=("DX", "PX"))


def simulate_chunk3(deck_or_setup, pid0: int, n: int, seed: int | None = None) -> ChunkResult3:
    st = deck_or_setup if isinstance(deck_or_setup, Setup3) else build_setup3(deck_or_setup)
    deck = st.deck
    seed = deck.run.seed if seed is None else int(seed)
    X0, lnp0, w0, tb0 = initial_states3(deck, st, seed, pid0, n)
    if not (np.all(np.isfinite(X0)) and np.all(np.isfinite(lnp0))):
        raise ValueError("injection produced non-finite initial states (check injection.* and the flow)")
    bs = deck.run.block_size
    nblk = (pid0 + n - 1) // bs - pid0 // bs + 1
    K_t, n_p = len(st.times), len(st.p_edges) - 1
    n_win = st.obs_lo.shape[1] + st.boxes.shape[0]
    S = np.zeros((nblk, K_t, n_win, n_p))
    S2 = np.zeros_like(S)
    I = np.zeros((nblk, len(st.int_lo), n_p))
    IT = np.zeros_like(I)
    DX = np.full((st.det.shape[0], n, 6), np.nan)
    PX = np.full((K_t, n, 5), np.nan) if deck.output.particles else np.zeros((0, 0, 5))
    CNT = np.zeros((nblk, K3.N_C3))
    f = st.flow
    K3.run_ensemble3(st.ip, st.rp, f.fpar, f.fel, f.ttab, f.utab, f.dtab, st.field.fpar, st.field.tab, X0, lnp0, w0,
                     tb0, int(pid0), int(seed), int(bs), st.times, st.det, st.obs_lo, st.obs_hi, st.boxes, st.int_lo,
                     st.int_hi, S, S2, I, IT, DX, PX, CNT)
    a = {"S1": S.sum(0), "Sb2": (S**2).sum(0), "W2": S2.sum(0), "I1": I.sum(0), "Ib2": (I**2).sum(0),
         "IT1": IT.sum(0), "ITb2": (IT**2).sum(0), "IIT": (I * IT).sum(0), "counters": CNT.sum(0),
         "DX": DX, "PX": PX, "p0": np.exp(lnp0)[None, :]}
    return ChunkResult3(a, nblk, n, ("DX", "PX", "p0"))


def merge3(a: ChunkResult3 | None, b: ChunkResult3) -> ChunkResult3:
    if a is None:
        return b
    out = {}
    for k, v in a.arrays.items():
        out[k] = np.concatenate([v, b.arrays[k]], axis=1) if k in a.per_particle else v + b.arrays[k]
    return ChunkResult3(out, a.n_blocks + b.n_blocks, a.n_particles + b.n_particles, a.per_particle)


def simulate3(deck, setup: Setup3 | None = None, warn: bool = True):
    """Whole ensemble in memory: (setup, ChunkResult3, diagnostics)."""
    setup = setup or build_setup3(deck)
    res = simulate_chunk3(setup, 0, deck.injection.n_particles)
    return setup, res, diagnostics3(res, warn)


def diagnostics3(res: ChunkResult3, warn: bool = True) -> dict:

    c = dict(zip(COUNTERS3, res.arrays["counters"].tolist()))
    if c["nan_particles"] > 0:

        raise SimulationError(f"SDE 3-D: {int(c['nan_particles'])} pseudo-particles became NaN (check [field], "
                              "diffusion.*, the flow and run.dt); no spectra were written")
    if warn and c["null_field_steps"] > 0:
        warnings.warn(f"SDE 3-D: {int(c['null_field_steps'])} steps at |B| = 0 (b̂ undefined): b̂ = ẑ and no drift used there",
                      stacklevel=2)
    if warn and c["outside_table_steps"] > 0:
        frac = c["outside_table_steps"] / max(c["steps"], 1.0)
        warnings.warn(f"SDE 3-D: {100 * frac:.2g} % of steps outside the field table (boundary values used)",
                      stacklevel=2)
    return c
