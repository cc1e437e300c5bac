"""crescape.observables is an analysis layer: it imports io, physics, constants (and the grid helpers) only,
and no engine, flow or physics module imports it."""
import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "crescape"
ALLOWED = {"io", "physics", "constants", "grid", "core"}


def _crescape_imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            pkg = path.relative_to(SRC).parts
            base = ["crescape", *pkg[: len(pkg) - node.level]]
            mods = [node.module] if node.module else [a.name for a in node.names]  # from .. import constants
            for m in mods:
                yield ".".join([*base, *m.split(".")]).removeprefix("crescape").strip(".")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crescape"):
            yield node.module.removeprefix("crescape.").removeprefix("crescape")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("crescape."):
                    yield a.name.removeprefix("crescape.")


def test_observables_import_only_io_physics_constants():
    for f in (SRC / "observables").glob("*.py"):
        for mod in _crescape_imports(f):
            top = mod.split(".")[0]
            assert top == "observables" or top in ALLOWED, f"{f.name} imports crescape.{mod}"


def test_engines_flows_physics_never_import_observables():
    for sub in ("engines", "flows", "physics"):
        for f in (SRC / sub).rglob("*.py"):
            assert not any(m.startswith("observables") for m in _crescape_imports(f)), f
