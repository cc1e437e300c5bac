"""Shared fixtures. Test helpers live in ``tests/helpers/`` and are imported as ``helpers.*``
(pyproject sets pytest's ``pythonpath = ["tests"]``; no test edits ``sys.path``)."""
import os
import time

import pytest

from crescape.engines import registry


def pytest_sessionstart(session):
    """Parallel runs (``-n N``, the default suite): compile the engines' numba kernels once before
    the workers start (``helpers.warm_kernels``), instead of in every worker and subprocess at once.
    ``CRESCAPE_NO_WARMUP=1`` skips it; with a warm cache it only loads the kernels (seconds)."""
    cfg = session.config
    if hasattr(cfg, "workerinput") or not getattr(cfg.option, "numprocesses", None) \
            or os.environ.get("CRESCAPE_NO_WARMUP") == "1":
        return
    from helpers.warm_kernels import warm

    tr = cfg.pluginmanager.get_plugin("terminalreporter")
    t0 = time.monotonic()
    warm()
    if tr is not None:
        tr.write_line(f"crescape: numba kernels compiled or loaded from the cache in {time.monotonic() - t0:.0f} s")


@pytest.fixture
def toy_engine(monkeypatch):
    """The toy decay engine of ``tests/helpers/toy_engine``, registered with its one registry line."""
    monkeypatch.setitem(registry.ENGINE_MODULES, "toy", "helpers.toy_engine")
    return registry.get_engine("toy")
