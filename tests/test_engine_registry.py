"""The engine registry: one table maps an engine name to its deck, run, figures and summaries."""
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import crescape
from crescape.engines import registry
from crescape.errors import DeckError
from crescape.plotting import plot_run

TESTS = Path(__file__).parent


def test_toy_engine_runs_through_crescape_run_and_plots(toy_engine, tmp_path):
    out = crescape.run({"engine": "toy", "tau": 2.0, "run": {"t_end": 4.0}}, tmp_path / "toy", progress=False)
    r = crescape.open_run(out)
    t, n = r.snapshots["t"].values, r.snapshots["N"].values
    np.testing.assert_allclose(n, np.exp(-t / 2.0), rtol=1e-14)  # exact decay
    assert math.isclose(n[-1], math.exp(-2.0), rel_tol=1e-14)
    assert r.config.tau == 2.0 and r.attrs["engine"] == "toy" == toy_engine.name
    files = plot_run(out)
    assert [f.name for f in files] == ["decay.png"] and files[0].stat().st_size > 0


def test_unknown_engine_names_the_key_and_suggests_the_closest():
    with pytest.raises(DeckError, match=r"'engine'.*did you mean 'sde'"):
        crescape.load_config({"engine": "sdee"})


def test_every_builtin_engine_exports_a_complete_descriptor():
    for name, eng in registry.engines().items():
        assert eng.name == name and eng.description
        assert eng.deck.model_fields["engine"].default == name
        assert callable(eng.run) and eng.figures and eng.summaries
        for fname, (func, units, desc) in eng.summary_table().items():
            assert callable(func) and isinstance(units, str) and desc, fname


def test_running_a_deck_never_imports_matplotlib(tmp_path):
    """The registry loads figure modules lazily: a run, and importing every engine, must not
    pull in matplotlib."""
    code = ("import sys, crescape; "
            "crescape.run({'engine': 'toy', 'run': {'t_end': 1.0}}, sys.argv[1], progress=False); "
            "import crescape.engines.crhydro, crescape.engines.sde, crescape.engines.cloud; "
            "print('matplotlib' in sys.modules)")
    pre = "from crescape.engines import registry; registry.ENGINE_MODULES['toy'] = 'helpers.toy_engine'; "
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), *os.environ.get("PYTHONPATH", "").split(os.pathsep)])}
    r = subprocess.run([sys.executable, "-c", pre + code, str(tmp_path / "o")], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
