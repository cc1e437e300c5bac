"""One large SDE ensemble spread over a dask cluster.

The SDE engine draws every pseudo-particle from a counter-based RNG stream keyed
by (seed, particle id), so particles ``a … b`` give the same paths whichever
process simulates them. :func:`run_sde_distributed` cuts ``injection.n_particles``
into chunks aligned to ``run.block_size`` (the batch-means blocks of the Monte
Carlo errors are never split), simulates them on the workers with
``crescape.engines.sde.simulate_chunk`` and merges the histograms in particle
order — the result equals a single-process run of the same deck with
``run.chunk_particles`` set to the same chunk size (bit for bit), and a
one-chunk run to round-off of the summation order.

Only decks (plain dicts) and numpy arrays travel between processes.
"""
from __future__ import annotations

from pathlib import Path

from ..config import load_config, resolved_dict
from ..engines.sde import build_setup, check_constraints, merge, simulate_chunk
from ..engines.sde.stepper import run_groups
from ..errors import DeckError
from ..io import RUN_NAME, file_attrs, prepare_rundir, write_run_file
from .cluster import limit_threads, make_client


def chunk_bounds(n: int, block_size: int, n_chunks: int) -> list[tuple[int, int]]:
    """[(start, count)] covering 0…n-1 with chunk sizes a multiple of ``block_size``."""
    if n < 1 or block_size < 1 or n_chunks < 1:
        raise ValueError("n, block_size and n_chunks must be positive")
    per = -(-n // n_chunks)
    per = max(block_size, -(-per // block_size) * block_size)
    return [(s, min(per, n - s)) for s in range(0, n, per)]


def _simulate_chunk_task(deck_dict: dict, start: int, count: int):
    limit_threads()
    return simulate_chunk(load_config(deck_dict), start, count)


def run_sde_distributed(deck, out, client=None, n_chunks: int | None = None, scheduler: str | None = None,
                        workers: int | None = None, progress: bool = False) -> Path:
    """Run an SDE deck with its particles spread over a dask cluster; write the run directory ``out``.

    ``client``: an existing ``distributed.Client``; otherwise one is made for ``scheduler``
    (``tcp://HOST:PORT``) or a loopback LocalCluster. ``n_chunks`` defaults to 4 per worker.
    """
    if not hasattr(deck, "model_dump"):
        deck = load_config(deck)
    if deck.engine != "sde":
        raise DeckError(f"distributed ensembles need engine = 'sde' (got {deck.engine!r})")
    out = prepare_rundir(out, deck)
    own = client is None
    cluster = None
    if own:
        client, cluster = make_client(scheduler, workers, 1 << 30)
    try:
        nw = max(1, len(client.scheduler_info()["workers"]))
        bounds = chunk_bounds(deck.injection.n_particles, deck.run.block_size, n_chunks or 4 * nw)
        dd = resolved_dict(deck)
        futures = [client.submit(_simulate_chunk_task, dd, s, c, pure=False) for s, c in bounds]
        res = None
        for fut in futures:  # merge in particle order: deterministic summation
            res = merge(res, fut.result())
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
    setup = build_setup(deck)
    diag = check_constraints(res, setup)
    write_run_file(out / RUN_NAME, run_groups(setup, res, diag), file_attrs(deck))
    return out
