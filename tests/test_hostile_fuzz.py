"""Hostile fuzzing: decks mutated from every shipped example, through the loader and the CLI.

Any mutated deck must give a validated deck (with a resource estimate) or a DeckError —
no other exception, no hang; through ``crescape run`` (tiny runs, subprocess, per-run
timeout) it must exit 0, 2 (refused, no output directory left) or 3 (simulation stopped),
never print a traceback, never hang, and never write NaN or negative densities, pressures
or CR numbers without an error.

Two profiles: the default suite runs the short one (about 30 s); the long one is marked
``slow`` and sized by ``CRESCAPE_FUZZ_PROFILE`` (``long``: 12 000 loader decks, 520 CLI
runs; ``medium``: a tenth). ``CRESCAPE_FUZZ_REPORT=FILE`` writes the outcome counts as JSON.
"""
import json
import os
import signal
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crescape.config import DeckError, load_config
from crescape.config.estimate import check_resources, estimate
from helpers.hostile_fuzz import mutate, resolved_examples, run_cli, shrink

EXAMPLES = resolved_examples()
PROFILES = {"short": (120, 3), "medium": (1200, 60), "long": (12_000, 520)}
_common = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None}
SHORT = settings(max_examples=PROFILES["short"][0], derandomize=True, **_common)
SHORT_CLI = settings(max_examples=PROFILES["short"][1], derandomize=True, **_common)
_long = PROFILES[os.environ.get("CRESCAPE_FUZZ_PROFILE", "long")]
LONG = settings(max_examples=_long[0], derandomize=False, **_common)
LONG_CLI = settings(max_examples=_long[1], derandomize=False, **_common)
COUNTS: Counter = Counter()


class _Hang(Exception):
    pass


def _alarm(seconds):
    def handler(*_):
        raise _Hang(f"no answer within {seconds} s")

    signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)


def _report(kind, outcome, detail=None):
    COUNTS[f"{kind}:{outcome}"] += 1
    path = os.environ.get("CRESCAPE_FUZZ_REPORT")
    if path:
        with open(path, "a") as fh:
            fh.write(json.dumps({"kind": kind, "outcome": outcome, **(detail or {})}) + "\n")


def check_loader(data):
    _alarm(10)
    try:
        deck = load_config(data)
        e = estimate(deck)
        assert e.memory >= 0 and e.run_file >= 0
        check_resources(deck)
        outcome = "accepted"
    except DeckError as exc:
        msg = str(exc)
        assert "Traceback" not in msg and len(msg) < 3000, msg[:500]
        outcome = "refused"
    finally:
        signal.alarm(0)
    _report("loader", outcome)


@st.composite
def mutated(draw, tiny=False):
    _name, deck = EXAMPLES[draw(st.integers(0, len(EXAMPLES) - 1))]
    return mutate(draw, st, shrink(deck), n_max=2) if tiny else mutate(draw, st, deck)


@SHORT
@given(mutated())
def test_mutated_examples_give_deck_or_deckerror(data):
    check_loader(data)


def _check_cli(data, tmp_path_factory):
    res = run_cli(data, tmp_path_factory.mktemp("fz"))
    _report("cli", res["outcome"], {k: res[k] for k in ("rc", "stderr", "deck", "bad") if k in res}
            if res["outcome"] not in ("ok", "refused", "stopped", "unwritable") else None)
    assert res["outcome"] in ("ok", "refused", "stopped", "unwritable"), res


@SHORT_CLI
@given(mutated(tiny=True))
def test_mutated_tiny_runs_through_the_cli_exit_cleanly(tmp_path_factory, data):
    _check_cli(data, tmp_path_factory)


@pytest.mark.slow
@LONG
@given(mutated())
def test_long_fuzz_loader(data):
    check_loader(data)


@pytest.mark.slow
@LONG_CLI
@given(mutated(tiny=True))
def test_long_fuzz_cli(tmp_path_factory, data):
    _check_cli(data, tmp_path_factory)
