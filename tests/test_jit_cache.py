"""numba's cache of crescape's kernels follows every source file, not only the defining one.

numba stamps a cached function with the hash of the file that defines it; crescape adds the
hash of the whole package (``crescape._jitcache``). Checked on a copy of the package: a cached
flow-clock kernel is reused when nothing changed and recompiled after an edit of the module its
inlined flow functions come from — and, with the package stamp switched off, numba alone
reuses the stale code (so the check has power).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import crescape

PROBE = """
import json, numpy as np
import crescape
from crescape.flows.clock import clock_run
u, d = clock_run(0, np.zeros(1), np.zeros((1, 1)), np.zeros(1), np.zeros((1, 1)), np.zeros((1, 1)),
                 np.zeros(3), 0.0, 1.0, 3, 1.0)
s = clock_run.stats
print(json.dumps({"hits": sum(s.cache_hits.values()), "misses": sum(s.cache_misses.values())}))
"""


def _probe(root: Path, **env) -> dict:
    e = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "CRESCAPE_NUMBA_STAMP")}
    e.update(PYTHONPATH=str(root), NUMBA_NUM_THREADS="1", **env)
    out = subprocess.run([sys.executable, "-c", PROBE], env=e, capture_output=True, text=True, timeout=300,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_an_edit_of_an_inlined_dependency_recompiles_the_cached_kernel(tmp_path):
    pkg = tmp_path / "crescape"
    shutil.copytree(Path(crescape.__file__).parent, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    assert _probe(tmp_path) == {"hits": 0, "misses": 1}  # first use compiles
    assert _probe(tmp_path) == {"hits": 1, "misses": 0}  # unchanged: loaded from the cache
    dep = pkg / "flows" / "compiled.py"  # tanh_sech2/flow_eval, inlined into clock_run
    dep.write_text(dep.read_text() + "\n# edited\n")
    assert _probe(tmp_path) == {"hits": 0, "misses": 1}  # the stale entry is not used
    assert _probe(tmp_path) == {"hits": 1, "misses": 0}
    # numba's own stamp (the defining file flows/clock.py only) runs the stale code
    assert _probe(tmp_path, CRESCAPE_NUMBA_STAMP="0") == {"hits": 0, "misses": 1}  # saved with that stamp
    dep.write_text(dep.read_text() + "# edited again\n")
    assert _probe(tmp_path, CRESCAPE_NUMBA_STAMP="0") == {"hits": 1, "misses": 0}
