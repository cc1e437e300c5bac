"""The documentation site builds in strict mode (a warning is an error) with its notebooks executed.

One pass for both: the notebooks of docs/notebooks/ are executed with nbclient in a copy of
docs/ (a failing cell fails the test), then ``mkdocs build --strict`` renders that copy —
executed notebooks, the API reference from the docstrings and the deck reference generated
from the deck models (docs/hooks.py). Needs the ``docs`` extra (``pip install -e ".[docs]"``;
scripts/test.sh installs it).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))
ENGINES = ("crhydro", "sde", "cloud")

pytest.importorskip("mkdocs", reason="docs extra not installed (pip install -e '.[docs]')")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def test_one_notebook_per_engine():
    assert sorted(p.stem for p in NOTEBOOKS) == sorted(ENGINES)


def _execute(nb_path: Path, cwd: Path):
    nb = nbformat.read(nb_path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{nb_path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    nbformat.write(nb, nb_path)
    return nb


def test_site_builds_strict_with_executed_notebooks(tmp_path, monkeypatch):
    src = str(ROOT / "src")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel shows figures inline
    docs = tmp_path / "repo" / "docs"
    shutil.copytree(ROOT / "docs", docs)
    shutil.copytree(ROOT / "examples", tmp_path / "repo" / "examples")
    t0 = time.perf_counter()
    for nb_path in sorted((docs / "notebooks").glob("*.ipynb")):
        nb = _execute(nb_path, nb_path.parent)
        assert any(o.output_type == "display_data" and "image/png" in o.get("data", {})
                   for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])), f"{nb_path.name}: no figure"
    t_nb = time.perf_counter() - t0
    cfg = (ROOT / "mkdocs.yml").read_text()
    cfg = cfg.replace("docs_dir: docs", f"docs_dir: {docs}").replace("site_dir: site", f"site_dir: {tmp_path / 'site'}")
    cfg = cfg.replace("  - docs/hooks.py", f"  - {ROOT / 'docs' / 'hooks.py'}").replace("paths: [src]", f"paths: [{src}]")
    (tmp_path / "repo" / "mkdocs.yml").write_text(cfg)
    t1 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp_path / "repo" / "mkdocs.yml")],
                       capture_output=True, text=True, timeout=600, cwd=tmp_path)  # mkdocs-jupyter caches in cwd
    t_build = time.perf_counter() - t1
    log = p.stdout + p.stderr
    assert p.returncode == 0 and "WARNING" not in log, log[-5000:]
    site = tmp_path / "site"
    print(f"notebooks executed in {t_nb:.1f} s, site built in {t_build:.1f} s")
    decks = (site / "reference" / "decks.html").read_text()
    for key in ("grid.n_cells", "injection.n_particles", "waves.kappa_10"):  # one per engine, generated
        assert key in decks
    api = (site / "reference" / "api.html").read_text()
    assert "open_run" in api and "load_config" in api
    for eng in ENGINES:
        html = (site / "notebooks" / f"{eng}.html").read_text()
        assert "$$" in html and "katex-init.js" in html and "data:image/png" in html  # equations, figures
    assert "arithmatex" in (site / "sde.html").read_text()  # LaTeX in the Markdown pages
    assert (site / "verification.html").exists() and (site / "assets" / "katex" / "katex.min.js").exists()
