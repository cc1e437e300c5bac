"""Commands that cannot rot: every ```bash and ```python block of README.md and docs/*.md runs.

Blocks of one file run in order in one scratch directory holding a copy of ``examples/`` (the
docs run commands from the repository root), with ``crescape`` and ``python`` on PATH meaning
this interpreter (``python -m crescape``). A block that fails fails the test with its
file:line, its output and the command as run. See tests/helpers/docs_blocks.py for the markers
(``<!-- docs-test: slow -->``, ``<!-- docs-test: skip REASON -->``) and the small settings of
the default suite.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest

from helpers.docs_blocks import DOC_FILES, FAST_SETS, ROOT, RUNNABLE, extract_blocks, fast_version, prompt_commands

ALL = [b for f in DOC_FILES for b in extract_blocks(f)]
RUN_FILES = [f for f in DOC_FILES if any(b.lang in RUNNABLE for b in extract_blocks(f))]


def _workdir(tmp_path):
    """A copy of the tracked files (the docs run from the repository root) and the PATH shims."""
    try:
        files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        files = [str(p.relative_to(ROOT)) for d in ("examples", "scripts") for p in (ROOT / d).rglob("*") if p.is_file()]
        files += ["pyproject.toml", "README.md"]
    for f in files:
        if (ROOT / f).is_file() and not f.startswith(("docs/img/", "tests/")):
            (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, tmp_path / f)
    binp = tmp_path / ".bin"
    binp.mkdir(exist_ok=True)
    for name, body in (("crescape", f'exec "{sys.executable}" -m crescape "$@"'),
                       ("python", f'exec "{sys.executable}" "$@"'), ("python3", f'exec "{sys.executable}" "$@"')):
        (binp / name).write_text(f"#!/bin/sh\n{body}\n")
        (binp / name).chmod(0o755)
    src = str(ROOT / "src")
    env = dict(os.environ, PATH=f"{binp}{os.pathsep}{os.environ.get('PATH', '')}", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p),
               NUMBA_NUM_THREADS=os.environ.get("NUMBA_NUM_THREADS", "1"))
    return env


def _run_block(blk, code, cwd, env, timeout):
    if blk.lang == "python":
        script = cwd / f".block_{blk.line}.py"
        script.write_text(code)
        cmd = [sys.executable, str(script)]
    else:
        cmd = ["bash", "-e", "-o", "pipefail", "-c", code]
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        pytest.fail(f"{blk.where}: still running after {timeout} s\n{code}\n{out[-3000:]}")
    finally:
        try:
            os.killpg(p.pid, signal.SIGTERM)  # background services a block started (dask scheduler …)
        except ProcessLookupError:
            pass
    if p.returncode != 0:
        tail = out if len(out) < 6000 else out[:1500] + "\n[…]\n" + out[-4500:]
        pytest.fail(f"{blk.where}: exit status {p.returncode}\n--- as run:\n{code}\n--- output:\n{tail}")
    return out


def _run_file(doc, tmp_path, slow):
    env = _workdir(tmp_path)
    ran = 0
    for blk in extract_blocks(doc):
        if blk.lang not in RUNNABLE or blk.mode == "skip" or (blk.mode == "slow" and not slow):
            continue
        if blk.mode == "needs" and any(importlib.util.find_spec(m) is None for m in blk.reason.split()):
            continue  # optional extra not installed
        code = blk.code if slow or blk.lang == "python" else fast_version(blk.code)
        _run_block(blk, code, tmp_path, env, timeout=3600 if slow else 600)
        ran += 1
    return ran


@pytest.mark.parametrize("doc", RUN_FILES, ids=[f.name for f in RUN_FILES])
def test_documented_commands_run(doc, tmp_path):
    """Default suite: every block not marked slow/skip, runs shortened by FAST_SETS."""
    if not any(b.lang in RUNNABLE and b.mode in ("fast", "needs") for b in extract_blocks(doc)):
        pytest.skip("only slow or skipped blocks in this file")
    assert _run_file(doc, tmp_path, slow=False) > 0


@pytest.mark.slow
@pytest.mark.parametrize("doc", RUN_FILES, ids=[f.name for f in RUN_FILES])
def test_documented_commands_run_with_documented_settings(doc, tmp_path):
    """Slow suite: every block not marked skip, with the settings the docs give."""
    assert _run_file(doc, tmp_path, slow=True) > 0


def test_every_block_is_covered_and_every_skip_says_why():
    """Each ```bash/```python block runs in one of the two suites unless marked skip with a reason;
    a block without a language must be output (it cannot hide a command)."""
    runnable = [b for b in ALL if b.lang in RUNNABLE]
    skipped = [b for b in runnable if b.mode == "skip"]
    assert all(b.reason for b in skipped), [b.where for b in skipped if not b.reason]
    assert len(skipped) <= 2, [b.where for b in skipped]
    assert len(runnable) >= 15, len(runnable)
    for b in ALL:
        assert b.lang in (*RUNNABLE, "", "toml"), f"{b.where}: unknown block language {b.lang!r}"
    for b in ALL:
        if b.lang == "":  # listings: first words must not be a bare command line without its prompt
            first = b.code.lstrip().split(" ", 1)[0]
            assert first not in ("crescape", "python", "bash", "pip"), f"{b.where}: command in an output block"


def test_fast_settings_name_existing_decks_and_keys():
    """The shortened settings point at decks the docs use and at keys those decks accept."""
    from crescape.config import load_config

    text = "".join(b.code for b in ALL)
    for deck, sets in FAST_SETS.items():
        assert deck in text, f"{deck} is no longer in the docs: drop it from FAST_SETS"
        load_config(ROOT / deck, sets)


@pytest.mark.parametrize("blk", [b for b in ALL if b.lang == "" and prompt_commands(b.code)],
                         ids=lambda b: b.where)
def test_shown_command_output_is_what_the_command_prints(blk, tmp_path):
    """Listings like '$ crescape run …' followed by the message: the command prints that message."""
    env = _workdir(tmp_path)
    for cmd, shown in prompt_commands(blk.code):
        p = subprocess.run(["bash", "-c", fast_version(cmd)], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=300)
        got = (p.stdout + p.stderr).strip().splitlines()
        pattern = "^" + ".*".join(re.escape(part) for part in shown.strip().split("…")) + "$"
        assert any(re.match(pattern, g) for g in got), f"{blk.where}: shown {shown!r}, printed {got}"
