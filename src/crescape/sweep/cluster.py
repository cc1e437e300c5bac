"""The dask side of sweeps: a loopback LocalCluster (or a client of a running scheduler) whose
workers each run one numba/BLAS thread."""
from __future__ import annotations

import os

from ..errors import DeckError

THREAD_ENV = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1"}


def limit_threads():
    """One numba/BLAS thread per worker process (workers must not oversubscribe cores)."""
    for k, v in THREAD_ENV.items():
        os.environ[k] = v
    try:
        import numba

        numba.set_num_threads(1)
    except Exception:  # numba missing or threading layer not started: env vars suffice
        pass
    return os.getpid()


def make_client(scheduler: str | None, workers: int | None, n_runs: int):
    """(client, cluster) — a loopback LocalCluster unless a scheduler address is given."""
    from distributed import Client, LocalCluster  # heavy: imported only when a cluster is made

    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise DeckError(f"--scheduler {scheduler}: cannot connect to a dask scheduler ({exc})") from None
        client.run(limit_threads)
        return client, None
    n = workers or max(1, min(os.cpu_count() or 1, n_runs))
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, env=dict(THREAD_ENV), silence_logs=40)
    return Client(cluster), cluster
