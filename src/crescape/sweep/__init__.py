"""Parameter sweeps and distributed SDE ensembles on dask.distributed (``crescape sweep``).

:mod:`.spec` (the sweep file: axes, points), :mod:`.cluster` (LocalCluster / scheduler client),
:mod:`.execute` (one run per point, skip finished runs, index), :mod:`.ensemble` (one SDE
ensemble split over workers), :mod:`.index` (index.csv / index.h5), :mod:`.summaries`
(scalar summaries from each engine's ``summaries`` module in the registry).
"""
from .cluster import THREAD_ENV, limit_threads, make_client
from .ensemble import chunk_bounds, run_sde_distributed
from .execute import DONE_NAME, STATUS_NAME, cli_sweep, finished_status, run_point, run_sweep
from .index import SweepIndexError, build_index, read_index, write_index
from .spec import AxisRange, EnsembleSpec, Point, SweepSpec, expand_points, fingerprint, load_sweep, sanitize
from .summaries import compute_summaries, describe, engine_summaries

__all__ = [
    "THREAD_ENV", "limit_threads", "make_client", "chunk_bounds", "run_sde_distributed", "DONE_NAME",
    "STATUS_NAME", "cli_sweep", "finished_status", "run_point", "run_sweep", "build_index", "read_index",
    "write_index", "SweepIndexError", "AxisRange", "EnsembleSpec", "Point", "SweepSpec", "expand_points", "fingerprint",
    "load_sweep", "sanitize", "compute_summaries", "describe", "engine_summaries",
]
