"""Deck mutation for the hostile fuzz suite: every shipped example, mutated leaf by leaf.

The mutations are those that broke crescape from outside: zero, negative, tiny and huge
numbers, integers beyond a float or beyond 4300 digits, NaN/Inf, wrong types, long and
non-ASCII strings, path-like names, deleted and unknown keys, swapped kinds.
"""
from __future__ import annotations

import glob
import json
import math
import os
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def example_decks() -> list[tuple[str, dict]]:
    """(name, raw dict) of every shipped deck (sweep files contribute their inline base deck)."""
    out = []
    for f in sorted(glob.glob(str(ROOT / "examples" / "*.toml"))):
        data = tomllib.loads(Path(f).read_text())
        if "engine" in data:
            out.append((Path(f).name, data))
        elif isinstance(data.get("base"), dict):
            out.append((Path(f).name + ":base", data["base"]))
    return out


def resolved_examples() -> list[tuple[str, dict]]:
    """Every example as its fully resolved deck (all keys present, CGS): more leaves to mutate."""
    from crescape.config import load_config, resolved_dict

    return [(n, resolved_dict(load_config(d))) for n, d in example_decks()]


def leaves(d, prefix=()):
    """Paths to every leaf (and every list element) of a nested dict."""
    if isinstance(d, dict):
        for k, v in d.items():
            yield from leaves(v, (*prefix, k))
    elif isinstance(d, list) and d:
        for i, v in enumerate(d):
            yield from leaves(v, (*prefix, i))
    yield prefix


def set_path(d, path, value):
    node = d
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def del_path(d, path):
    node = d
    for p in path[:-1]:
        node = node[p]
    if isinstance(node, dict):
        node.pop(path[-1], None)
    elif isinstance(node, list):
        node.pop(path[-1])


def get_path(d, path):
    node = d
    for p in path:
        node = node[p]
    return node


HOSTILE_STRINGS = ["", " ", "x/../../../../tmp/elsewhere", "..", "/etc/passwd", "a\x00b", "Λ—é", "1e400 pc",
                   "-1 cm", "nan", "inf", "3 parsnips", "1 pc s", "1 Myr", "1e-30 s", "hydro_run", "__import__('os')",
                   "!!python/object", "a" * 5000, "0x10"]
KINDS = ["riemann", "sedov", "uniform", "shimoda2025", "planar_shock", "colliding_shocks", "hydro_run", "isenberg",
         "none", "uniform_divergence", "constant", "power_law", "bohm", "shock", "fixed"]


def hostile_values(draw, st, old):
    """A hostile replacement for the leaf value ``old``."""
    num = st.one_of(
        st.sampled_from([0, -1, 1, 2, 3, 1e-300, 1e-30, 1e30, 1e300, -1e300, 2**63 - 1, -(2**63), 10**400,
                         math.nan, math.inf, -math.inf, 1e9, 10**7, 100_000, 0.5, -0.0]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(2**70), max_value=2**70),
    )
    other = st.one_of(st.booleans(), st.sampled_from(HOSTILE_STRINGS), st.sampled_from(KINDS),
                      st.text(max_size=20), st.just([]), st.just({}), st.just([1, "a"]), st.just({"kind": "x"}))
    if isinstance(old, (int, float)) and not isinstance(old, bool):
        scaled = st.sampled_from([10.0**k for k in (-30, -12, -6, -3, -1, 1, 3, 6, 12, 30)]).map(lambda f: old * f)
        mild = st.sampled_from([0.5, 0.9, 1.1, 2.0, -1.0]).map(lambda f: type(old)(old * f))
        return draw(st.one_of(num, num, scaled, mild, mild, other))
    if isinstance(old, bool):
        return draw(st.one_of(st.just(not old), st.just(not old), other, num))
    return draw(st.one_of(other, num))


def mutate(draw, st, deck: dict, n_max: int = 4) -> dict:
    """Apply 1..n_max hostile mutations to a deep copy of ``deck``."""
    deck = json.loads(json.dumps(deck))
    for _ in range(draw(st.integers(1, n_max))):
        paths = [p for p in leaves(deck) if p]
        if not paths:
            break
        path = paths[draw(st.integers(0, len(paths) - 1))]
        op = draw(st.sampled_from(["set", "set", "set", "set", "delete", "unknown"]))
        if op == "delete":
            del_path(deck, path)
        elif op == "unknown":
            parent = get_path(deck, path[:-1])
            if isinstance(parent, dict):
                parent[draw(st.sampled_from(["n_cels", "tend", "Λ", "x" * 300, "kind2"]))] = 1
        else:
            set_path(deck, path, hostile_values(draw, st, get_path(deck, path)))
    return deck


# ----------------------------------------------------------------------------- tiny runs
def shrink(deck: dict) -> dict:
    """A deck small enough for a run of seconds (the mutations come after and may undo it)."""
    d = json.loads(json.dumps(deck))
    eng = d.get("engine", "crhydro")
    d.setdefault("run", {})["progress"] = False
    out = d.setdefault("output", {})
    out["times"] = []
    out["n_snapshots"] = 2
    out["every"] = 0.0
    if eng == "crhydro":
        d.setdefault("grid", {})["n_cells"] = 24
        d["run"]["max_steps"] = 3000
        cr = d.setdefault("cr", {})
        if cr.get("enabled"):
            cr.update(p_min=1.0, p_max=10.0, bins_per_decade=10)
        if d.get("problem", {}).get("kind") in ("shimoda2025",) or cr.get("enabled"):
            d["run"]["t_end"] = 3.15576e11  # 10 kyr
    elif eng == "sde":
        t_end = float(d["run"].get("t_end", 1.0)) if isinstance(d["run"].get("t_end", 1.0), (int, float)) else 1.0
        d["run"]["dt"] = t_end / 400
        d["run"]["chunk_particles"] = 0
        d.setdefault("injection", {})["n_particles"] = 64
        out.update(n_p=16, n_x=16)
        d.setdefault("splitting", {})["n_levels"] = min(3, d["splitting"].get("n_levels", 3))
    elif eng == "cloud":
        d.setdefault("grid", {})["n_cells"] = 16
        c = d.setdefault("cr", {})
        c["bins"] = 3
        c["energies"] = []
        d["run"].update(t_end=3.15576e10, dt_min=3.15576e8, dt_max=3.15576e9)
    return d


CLI_LIMITS = ["--max-work", "3e7", "--max-memory", "300MB"]


# densities, pressures and numbers that a finished run must hold finite and non-negative
# (Monte-Carlo errors and window edges of SDE runs are NaN where undefined, by design)
MUST_BE_NON_NEGATIVE = {
    "snapshots": ("rho", "n", "P_g", "T", "N_cr", "P_cr", "e_cr", "W", "kappa"),
    "spectra": ("dN_dlnp",),
    "escaped": ("dN_dlnp",),
    "xp_hist": ("dN_dlnp_dx",),
}


def bad_values(out: Path) -> str | None:
    """The first NaN/Inf or negative density, pressure or N in a finished run, else None."""
    from crescape.io import open_run

    run = open_run(out)
    for group, names in MUST_BE_NON_NEGATIVE.items():
        ds = run.groups.get(group)
        if ds is None:
            continue
        for name in names:
            if name not in ds:
                continue
            a = np.asarray(ds[name].values, dtype=float)
            if a.size and not np.all(np.isfinite(a)):
                return f"{group}.{name} holds NaN/Inf"
            if a.size and np.any(a < 0):
                return f"{group}.{name} is negative (min {a.min():g})"
    return None


def run_cli(deck: dict, tmp: Path, timeout: float = 90.0) -> dict:
    """``crescape run`` of ``deck`` in a subprocess; classify the outcome."""
    import tomli_w

    tmp.mkdir(parents=True, exist_ok=True)
    try:
        text = tomli_w.dumps(deck)
    except (TypeError, ValueError):  # NaN is fine in TOML; other values tomli_w cannot write are skipped
        return {"outcome": "unwritable"}
    path = tmp / "deck.toml"
    path.write_text(text)
    out = tmp / "out"
    env = dict(os.environ, PYTHONPATH=str(SRC), NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "crescape.cli", "run", str(path), "--out", str(out), "-q", *CLI_LIMITS]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        _o, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"outcome": "hang", "deck": text[:2000]}
    res = {"rc": proc.returncode, "stderr": err[-2000:], "deck": text[:2000]}
    if "Traceback" in err or proc.returncode not in (0, 2, 3):
        res["outcome"] = "traceback"
    elif proc.returncode == 2:
        res["outcome"] = "refused" if not out.exists() else "refused_dir_left"
    elif proc.returncode == 3:
        res["outcome"] = "stopped"
    else:
        bad = bad_values(out)
        res["outcome"] = "silent_bad" if bad else "ok"
        if bad:
            res["bad"] = bad
    return res
