"""The Quickstart commands on a fresh clone: they set up and use a project-local ``.venv`` unless
a virtual environment is active, work on a Python that refuses global installs (PEP 668), and
leave ``git status`` clean. The fresh-clone runs download the dependencies (slow suite)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = [*(ROOT / "scripts" / n for n in ("quickstart.sh", "test.sh", "_venv.sh")), ROOT / ".ci" / "run"]


def test_scripts_install_only_into_a_virtual_environment():
    """Every pip call goes through the chosen environment's python ("$PY" -m pip), never a bare
    pip/python of whatever is on PATH, and the environment is a venv (stdlib) or the active one."""
    for p in SCRIPTS:
        for n, line in enumerate(p.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(r"\bpip3?\b\s+install", code):
                assert '"$PY" -m pip install' in code, f"{p.name}:{n}: {line.strip()}"
            assert not re.match(r"\s*(python3?|pip3?)\s", code), f"{p.name}:{n}: bare {line.strip()}"
    venv = (ROOT / "scripts" / "_venv.sh").read_text()
    assert '-m venv .venv' in venv and "VIRTUAL_ENV" in venv
    assert ".venv/" in (ROOT / ".gitignore").read_text().splitlines()


def _externally_managed_python():
    for cand in ("/usr/bin/python3", shutil.which("python3") or ""):
        if not cand or not Path(cand).exists():
            continue
        out = subprocess.run([cand, "-c", "import sys, sysconfig, os; print(sys.version_info >= (3, 11), "
                              "os.path.exists(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))"],
                             capture_output=True, text=True)
        if out.stdout.split() == ["True", "True"]:
            return cand
    return None


def _fresh_clone(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    return clone


def _clean_env(python_dir=None):
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "CONDA_PREFIX")}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p]
    if python_dir:  # only the system directories: python3 is the externally-managed one
        path = [python_dir, "/bin"]
    env["PATH"] = os.pathsep.join(path)
    return env


@pytest.mark.slow
@pytest.mark.parametrize("which", ["default", "externally_managed"])
def test_quickstart_on_a_fresh_clone(tmp_path, which):
    py = _externally_managed_python() if which == "externally_managed" else None
    if which == "externally_managed" and py is None:
        pytest.skip("no externally-managed Python >= 3.11 on this machine (e.g. Debian's python3)")
    if which == "default" and sysconfig.get_config_var("EXTERNALLY_MANAGED"):
        pytest.skip("covered by the externally-managed case")
    clone = _fresh_clone(tmp_path)
    env = _clean_env(str(Path(py).parent) if py else None)
    if py:
        bare = subprocess.run([py, "-m", "pip", "install", "--dry-run", "tomli-w"], capture_output=True, text=True, env=env)
        assert bare.returncode != 0 and "externally-managed" in bare.stdout + bare.stderr  # PEP 668 in force
    p = subprocess.run(["bash", "scripts/quickstart.sh"], cwd=clone, env=env, capture_output=True, text=True,
                       timeout=3600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert (clone / ".venv" / "bin" / "python").exists() and (clone / "quickstart-run" / "run.h5").exists()
    assert len(p.stdout.strip().splitlines()) <= 8, p.stdout  # a few lines, no pip noise
    t = subprocess.run(["bash", "scripts/test.sh", "-q", "tests/test_newcomer.py"], cwd=clone, env=env,
                       capture_output=True, text=True, timeout=3600)
    assert t.returncode == 0, t.stdout[-3000:] + t.stderr[-3000:]
    status = subprocess.run(["git", "status", "--porcelain", "--ignored=no"], cwd=clone, capture_output=True,
                            text=True).stdout
    assert status == "", status  # run output and .venv are ignored
