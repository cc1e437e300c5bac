"""Stochastic (pseudo-particle) transport and diffusive shock acceleration (seed 003).

``run(deck, out, resume, progress)`` is the engine entry point used by
``crescape run``; ``simulate_chunk`` / ``merge`` (see :mod:`.solver`) are the
building blocks for chunked or distributed ensembles.
"""
from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from ...io import (
    CHECKPOINT_NAME,
    RUN_NAME,
    file_attrs,
    load_checkpoint,
    prepare_rundir,
    save_checkpoint,
    write_run_file,
)
from ..registry import Engine
from . import checks
from .deck import SDEDeck
from .output import to_groups
from .solver import ChunkResult, Setup, build_flow, build_setup, check_constraints, merge, simulate_chunk  # noqa: F401
from .solver3d import run3

_FIELDS = ("S1", "Sb2", "W2", "I1", "Ib2", "XP", "ESC", "counters", "SB", "IB", "NB")


def simulate(deck, setup: Setup | None = None, warn: bool = True):
    """Run the whole ensemble in memory; returns (setup, ChunkResult, diagnostics)."""
    setup = setup or build_setup(deck)
    res = simulate_chunk(setup, 0, deck.injection.n_particles)
    return setup, res, check_constraints(res, setup, warn)


def _save(ckpt, res: ChunkResult, next_pid: int):
    arrays = {k: getattr(res, k) for k in _FIELDS}
    arrays.update({f"particles/{k}": v for k, v in res.particles.items()})
    save_checkpoint(ckpt, arrays, {"next_pid": next_pid, "n_blocks": res.n_blocks, "n_particles": res.n_particles})


def _load(ckpt):
    arrays, meta = load_checkpoint(ckpt)
    parts = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith("particles/")}
    res = ChunkResult(**{k: arrays[k] for k in _FIELDS}, n_blocks=meta["n_blocks"], n_particles=meta["n_particles"],
                      particles=parts)
    return res, meta["next_pid"]


def run(deck, out: Path, resume: bool = False, progress: bool = True) -> Path:
    """Run an SDE deck into the run directory ``out`` (chunked over particles, checkpoint after each chunk)."""
    if deck.grid.geometry == "cartesian3d":  # 3-D field-aligned transport (solver3d.py, docs/sde3d.md)
        return run3(deck, out, resume, progress)
    out = prepare_rundir(out, deck, resume)
    setup = build_setup(deck)
    n = deck.injection.n_particles
    bs = deck.run.block_size
    chunk = deck.run.chunk_particles or n
    chunk = max(bs, (chunk + bs - 1) // bs * bs)  # whole blocks per chunk
    ckpt = out / CHECKPOINT_NAME
    res, pid = (None, 0)
    if resume and ckpt.exists():
        res, pid = _load(ckpt)
    bar = tqdm(total=n, initial=pid, unit="particle", disable=not progress, desc="sde")
    try:
        while pid < n:
            m = min(chunk, n - pid)
            res = merge(res, simulate_chunk(setup, pid, m))
            pid += m
            _save(ckpt, res, pid)
            bar.update(m)
    finally:
        bar.close()
    diag = check_constraints(res, setup)
    write_run_file(out / RUN_NAME, to_groups(setup, res, diag), file_attrs(deck, out))
    return out


ENGINE = Engine(
    name="sde",
    description="Parker equation by pseudo-particle SDEs in time-dependent flows (diffusive shock acceleration)",
    deck=SDEDeck,
    run=run,
    figures="crescape.engines.sde.figures",
    analysis="crescape.engines.sde.analysis",
    summaries="crescape.engines.sde.summaries",
    check=checks.check,
    estimate=checks.estimate,
)
