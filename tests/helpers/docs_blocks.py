"""Fenced code blocks of README.md and docs/*.md, and how tests/test_docs_commands.py runs them.

A block is run as written, with two exceptions that the documentation itself shows:

* ``<!-- docs-test: slow -->`` on the line before a block: run only in the slow suite
  (``pytest -m slow``), with the documented settings;
* ``<!-- docs-test: skip REASON -->``: not runnable on a test machine (the reason is required
  and reported);
* ``<!-- docs-test: needs MODULE -->``: runs in both suites when the optional MODULE is
  installed (an optional extra), else is skipped.

In the default suite, ``crescape run DECK`` commands get the ``--set`` overrides of
:data:`FAST_SETS` (small grids, short times), so that every command still runs end to end.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUNNABLE = ("bash", "python")
MARKER = re.compile(r"^<!--\s*docs-test:\s*(slow|skip|needs)\b\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^```(\S*)\s*$")

# deck -> overrides used by the default suite; the slow suite runs the decks as documented.
FAST_SETS = {
    "examples/crhydro_small.toml": ["grid.n_cells=48"],
    "examples/shimoda2025_D27.toml": ["grid.n_cells=48", 'run.t_end="2 Myr"',
                                      'output.times=["0.5 kyr", "10 kyr", "100 kyr", "1 Myr", "2 Myr"]',
                                      "output.n_snapshots=6"],
    "examples/snr_radiative.toml": ["grid.n_cells=100", 'run.t_end="100 kyr"'],
    "examples/sde_planar_shock.toml": ["injection.n_particles=200", "run.t_end=10.0", "run.dt=0.01"],
    "examples/sde3d_oblique_shock.toml": ["injection.n_particles=64", "run.t_end=2.0", "output.times=[2.0]"],
    "examples/sde3d_sedov_spiral.toml": ["injection.n_particles=64", "output.times=[2.0, 3.5, 5.0]"],
    "examples/sde3d_reacceleration.toml": ["injection.n_particles=64", "run.t_end=10.0", "output.times=[10.0]"],
    "examples/cloud_cnm.toml": ["grid.n_cells=200", 'run.t_end="20 kyr"', "cr.bins=3", "output.n_snapshots=8"],
}


@dataclasses.dataclass
class Block:
    path: Path
    line: int          # 1-based line of the opening fence
    lang: str
    code: str
    mode: str = "fast"  # fast | slow | skip | needs
    reason: str = ""

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def extract_blocks(path: Path) -> list[Block]:
    """All fenced blocks of a Markdown file, in order, with their docs-test marker."""
    lines = path.read_text().splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, lang = i, m.group(1)
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != "```":
            j += 1
        blk = Block(path, start + 1, lang, "\n".join(lines[start + 1:j]) + "\n")
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        mk = MARKER.match(lines[k].strip()) if k >= 0 else None
        if mk:
            blk.mode, blk.reason = mk.group(1), mk.group(2)
        blocks.append(blk)
        i = j + 1
    return blocks


def fast_version(code: str) -> str:
    """Append the FAST_SETS overrides to every ``crescape run DECK`` of a shell block."""
    def add(m):
        deck, rest = m.group(2), m.group(3).rstrip()
        sets = "".join(f" --set '{s}'" for s in FAST_SETS.get(deck, []))
        return f"{m.group(1)}{deck}{rest}{sets} "  # last --set wins: the short settings

    code = code.replace("\\\n", " ")  # continuation lines: one command
    return re.sub(r"(crescape run\s+)(examples/\S+\.toml)([^#&|;\n]*)", add, code)


def prompt_commands(code: str) -> list[tuple[str, str]]:
    """``$ command`` lines of an output listing with the line the docs show right after it."""
    lines = code.splitlines()
    return [(ln[2:], lines[n + 1] if n + 1 < len(lines) else "") for n, ln in enumerate(lines) if ln.startswith("$ ")]
