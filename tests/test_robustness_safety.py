"""Safety: decks and run files are data. Nothing in crescape evaluates or unpickles them,
and sweep run names cannot escape the sweep directory."""
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "crescape"
FORBIDDEN = [
    (r"(?<![\w.])eval\s*\(", "eval()"),
    (r"(?<![\w.])exec\s*\(", "exec()"),
    (r"\bimport\s+pickle\b|\bfrom\s+pickle\b|\bpickle\.loads?\b", "pickle"),
    (r"\bcloudpickle\b|\bdill\b|\bmarshal\.loads?\b|\bshelve\b", "pickle-like deserialisers"),
    (r"allow_pickle\s*=\s*True", "numpy allow_pickle=True"),
    (r"yaml\.load\s*\((?![^)]*SafeLoader)", "yaml.load without SafeLoader"),
    (r"(?<![\w.])__import__\s*\(", "__import__()"),
    (r"\bcompile\s*\([^)]*['\"]exec['\"]", "compile(..., 'exec')"),
    (r"pandas\.read_pickle|pd\.read_pickle", "pandas.read_pickle"),
]


def _sources():
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("pattern, what", FORBIDDEN, ids=[w for _, w in FORBIDDEN])
def test_no_code_evaluates_or_unpickles_data(pattern, what):
    rx = re.compile(pattern)
    hits = []
    for p in _sources():
        for i, line in enumerate(p.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if rx.search(code):
                hits.append(f"{p.relative_to(SRC)}:{i}: {line.strip()}")
    assert not hits, f"{what} found:\n" + "\n".join(hits)


def test_modules_are_imported_only_from_fixed_tables_never_from_deck_strings():
    """Decks must not name code to import (issue 7, item 5: user callables only from Python,
    never from TOML). importlib may only be fed a literal 'crescape.*' name or an entry of an
    UPPER_CASE table inside crescape (ENGINE_MODULES, …), or a module-path field of an engine
    descriptor (``getattr(self, what)`` with ``what`` checked against an UPPER_CASE tuple): those
    descriptors are built in Python by the engine packages."""
    rx = re.compile(r"import_module\(([^)]*)\)")
    table = re.compile(r"^([A-Z_][A-Z0-9_]*\[.*\]|f?[\"']crescape\.[\w.{}]*[\"'])$")
    # a local name is fine when that file fills it from an UPPER_CASE table on the same line
    hits = []
    for p in _sources():
        text = p.read_text()
        for m in rx.finditer(text):
            arg = m.group(1).strip()
            if table.match(arg):
                continue
            if re.search(rf"^\s*{re.escape(arg)}\s*(,\s*\w+\s*)?=\s*[A-Z_][A-Z0-9_]*\[", text, re.M):
                continue
            if (re.search(rf"^\s*{re.escape(arg)}\s*=\s*getattr\(self, what\)", text, re.M)
                    and re.search(r"if what not in [A-Z_][A-Z0-9_]*:", text)):
                continue
            hits.append(f"{p.relative_to(SRC)}: import_module({arg})")
    assert not hits, "modules imported from names that may come from a deck:\n" + "\n".join(hits)


def test_deck_strings_are_never_executed(tmp_path):
    from crescape.config import DeckError, load_config

    marker = tmp_path / "pwned"
    payloads = [f"__import__('os').system('touch {marker}')", f"!!python/object/apply:os.system ['touch {marker}']"]
    for pl in payloads:
        for deck in ({"grid": {"r_max": pl}}, {"engine": pl}, {"problem": {"kind": pl}}):
            with pytest.raises(DeckError):
                load_config(deck)
    assert not marker.exists()
