"""Hypothesis fuzzing of the deck loader: any input gives a deck or a DeckError — never
another exception, never a hang."""
import signal
import string

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crescape.config import DeckError, load_config

KEYS = ["engine", "run", "grid", "gas", "thermal", "cr", "problem", "output", "boundary", "t_end", "cfl",
        "n_cells", "r_max", "r_min", "kind", "left", "right", "x0", "gamma", "times", "spacing", "E", "rho",
        "n", "T", "D0", "B", "p_min", "p_max", "seed", "equilibrium", "stretch", "geometry", "flow",
        "injection", "diffusion", "kappa", "n_particles"]
WORDS = ["300 pc", "1 uG", "1e50 erg", "10 Myr", "1e400 pc", "nan", "inf", "-1 cm", "1 G", "pc", "1 pc s",
         "spherical", "log", "riemann", "sedov", "uniform", "shimoda2025", "crhydro", "sde", "cloud", "3 km/s",
         "1e-3 cm-3", "1 Jy", "1e", "", " ", "__import__('os')", "!!python/object"]
SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(WORDS),
)
KEY = st.one_of(st.sampled_from(KEYS), st.text(alphabet=string.ascii_letters + "_.-", min_size=1, max_size=6))
TREE = st.recursive(
    SCALARS,
    lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(KEY, c, max_size=5)),
    max_leaves=25,
)
DECKS = st.dictionaries(KEY, TREE, max_size=7)
# decks close to valid: a good skeleton with a few fuzzed leaves
NEAR = st.fixed_dictionaries({
    "engine": st.sampled_from(["crhydro", "sde", "cloud", "crhydro"]),
    "grid": st.fixed_dictionaries({"n_cells": SCALARS, "r_max": SCALARS, "geometry": SCALARS}),
    "problem": st.fixed_dictionaries({"kind": st.sampled_from(["riemann", "sedov", "uniform", "shimoda2025", "x"]),
                                      "E": SCALARS}),
    "run": st.dictionaries(st.sampled_from(["t_end", "cfl", "seed", "max_steps"]), SCALARS, max_size=3),
})


class _Hang(Exception):
    pass


def _load_with_alarm(source, overrides=None):
    """Load with a 5 s wall-clock alarm: a hang is a failure, not a stuck test run."""
    def handler(*_):
        raise _Hang("load_config did not return within 5 s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(5)
    try:
        load_config(source, overrides)
    except DeckError:
        pass
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@FUZZ
@given(DECKS)
def test_random_nested_dicts_give_deck_or_deckerror(data):
    _load_with_alarm(data)


@FUZZ
@given(NEAR)
def test_near_valid_decks_give_deck_or_deckerror(data):
    _load_with_alarm(data)


@FUZZ
@given(DECKS)
def test_random_toml_files_give_deck_or_deckerror(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "deck.toml"
    try:
        path.write_text(tomli_w.dumps(data))
    except (TypeError, ValueError):  # not representable in TOML (e.g. unicode surrogates)
        return
    _load_with_alarm(path)


@FUZZ
@given(st.text(max_size=200))
def test_random_text_files_give_deck_or_deckerror(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "deck.toml"
    try:
        path.write_text(text)
    except UnicodeEncodeError:
        return
    _load_with_alarm(path)


@FUZZ
@given(st.lists(st.text(alphabet=string.printable, max_size=30), max_size=4))
def test_random_set_overrides_give_deck_or_deckerror(overrides):
    _load_with_alarm({"grid": {"n_cells": 16}}, overrides)


SWEEPS = st.fixed_dictionaries(
    {"base": st.one_of(st.fixed_dictionaries({"engine": st.sampled_from(["crhydro", "sde", "cloud"]),
                                              "grid": st.dictionaries(KEY, SCALARS, max_size=2)}),
                       st.sampled_from(["nowhere.toml", "../etc/passwd", ""])),
     "axes": st.dictionaries(st.sampled_from(["gas.gamma", "grid.n_cells", "cr.D0", "run.t_end", "x", "a.b.c"]),
                             st.one_of(st.lists(SCALARS, max_size=3),
                                       st.fixed_dictionaries({"log": st.lists(SCALARS, max_size=3),
                                                              "num": st.integers(-2, 5)})), max_size=2)},
    optional={"mode": st.sampled_from(["product", "zip", "cartesian"]), "summaries": st.lists(st.text(max_size=8)),
              "max_runs": st.integers(-1, 10)},
)


@FUZZ
@given(SWEEPS)
def test_random_sweep_files_give_points_or_deckerror(tmp_path_factory, data):
    from crescape.sweep import expand_points, load_sweep

    path = tmp_path_factory.mktemp("sweepfuzz") / "s.toml"
    try:
        path.write_text(tomli_w.dumps(data))
    except (TypeError, ValueError):
        return

    def handler(*_):
        raise _Hang("sweep expansion did not return within 10 s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(10)
    try:
        pts = expand_points(*load_sweep(path))
        for p in pts:
            assert "/" not in p.name and not p.name.startswith(".")
    except DeckError:
        pass
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
