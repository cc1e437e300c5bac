"""MkDocs hook: pages generated at build time from the code, never copied by hand.

* ``reference/decks.md`` — every deck parameter of every engine (and of the local-spectrum fit
  config) with default, unit and meaning, from the pydantic models, as ``crescape info`` prints
  them;
* ``reference/api.md`` — the API reference: one mkdocstrings block per public module found in
  ``src/crescape`` (so a module that moves or appears is documented without editing this file).
"""
from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


class _UnitBrackets(logging.Filter):
    """Docstrings write units in brackets after a name (``n[i, j] [cm^-3]``), which Markdown reads
    as a reference link ``[text][target]``. A target that is a unit is not a missing API
    cross-reference: drop that one warning; every other unresolved reference still fails the build."""

    pattern = re.compile(r"Could not find cross-reference target '([^']*)'")

    def filter(self, record: logging.LogRecord) -> bool:
        m = self.pattern.search(record.getMessage())
        if not m or "." in m.group(1):
            return True
        try:
            import astropy.units as u

            u.Unit(m.group(1).replace("^", ""), format="generic")
        except (ValueError, TypeError):
            return True
        return False


logging.getLogger("mkdocs.plugins.mkdocs_autorefs._internal.plugin").addFilter(_UnitBrackets())


def _cell(x) -> str:
    return str(x).replace("|", "\\|").replace("\n", " ")


def _deck_models():
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    from crescape.analysis.local_spectrum_config import LocalSpectrumConfig
    from crescape.config import deck_model
    from crescape.engines.registry import engine_names

    for eng in sorted(engine_names()):
        yield f'engine = "{eng}"', deck_model(eng)
    yield "crescape fit local-spectrum CONFIG", LocalSpectrumConfig


def decks_page() -> str:
    from crescape.config import iter_parameters

    out = ["# Deck parameters", "",
           "Generated from the deck models when the site is built (the same table as `crescape info ENGINE`).",
           "A bare number is CGS; a string with a unit (`\"300 pc\"`, `\"10 Myr\"`) is converted at load time.",
           "`required` marks a parameter without default.", ""]
    for title, model in _deck_models():
        doc = (model.__doc__ or "").strip().splitlines()
        out += [f"## `{title}`", "", doc[0] if doc else "", "",
                "| parameter | default | unit | meaning |", "|---|---|---|---|"]
        for key, default, unit, desc in iter_parameters(model):
            if key == "engine":
                continue
            d = f"{default:.6g}" if isinstance(default, float) else repr(default)
            out.append(f"| `{_cell(key)}` | `{_cell(d)}` | {_cell(unit)} | {_cell(desc)} |")
        out.append("")
    return "\n".join(out)


def public_modules() -> list[str]:
    mods = []
    for p in sorted((SRC / "crescape").rglob("*.py")):
        rel = p.relative_to(SRC).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(x.startswith("_") for x in parts) or parts[-1] == "__main__":
            continue
        mods.append(".".join(parts))
    return mods


def api_page() -> str:
    out = ["# API reference", "",
           "Generated from the docstrings. The stable entry points are `crescape.load_config`, "
           "`crescape.run` and `crescape.open_run`; the run-file layout is the data contract of the README.", ""]
    for mod in public_modules():
        out += [f"::: {mod}", "    options:", "      show_submodules: false", ""]
    return "\n".join(out)


def on_files(files, config):
    for uri, text in (("reference/decks.md", decks_page()), ("reference/api.md", api_page())):
        files.append(File.generated(config, uri, content=text))
    return files
