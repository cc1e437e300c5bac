"""Shared fixtures. Test helpers live in ``tests/helpers/`` and are imported as ``helpers.*``
(pyproject sets pytest's ``pythonpath = ["tests"]``; no test edits ``sys.path``)."""
import pytest

from crescape.engines import registry


@pytest.fixture
def toy_engine(monkeypatch):
    """The toy decay engine of ``tests/helpers/toy_engine``, registered with its one registry line."""
    monkeypatch.setitem(registry.ENGINE_MODULES, "toy", "helpers.toy_engine")
    return registry.get_engine("toy")
