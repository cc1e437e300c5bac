"""Deck errors: every class of bad input gives one readable DeckError naming the key."""
import math

import pytest

from crescape.config import DeckError, dump_toml, load_config
from crescape.core.constants import pc

BAD_DECKS = [
    # (deck, key named in the message, words that must appear)
    ({"grid": {"n_cels": 64}}, "grid.n_cels", ["unknown key", "did you mean 'n_cells'"]),
    ({"thermal": {"coolin": False}}, "thermal.coolin", ["did you mean 'cooling'"]),
    ({"grid": {"n_cells": "many"}}, "grid.n_cells", ["integer", "many"]),
    ({"run": {"t_end": [1, 2]}}, "run.t_end", ["expected a number"]),
    ({"gas": {"gamma": 0.5}}, "gas.gamma", ["greater than 1", "0.5"]),
    ({"run": {"t_end": -1.0}}, "run.t_end", ["greater than 0"]),
    ({"grid": {"r_min": 2.0, "r_max": 1.0}}, "grid", ["r_max", "must be larger than", "r_min"]),
    ({"grid": {"n_cells": 2}}, "grid.n_cells", ["greater than or equal to 4"]),
    ({"grid": {"spacing": "log", "r_min": 0.0}}, "grid", ["r_min > 0"]),
    ({"grid": {"r_max": "300 parsnips"}}, "grid.r_max", ["cannot parse", "parsnips"]),
    ({"grid": {"r_max": "300 s"}}, "grid.r_max", ["cannot be converted to cm"]),
    ({"grid": {"r_max": float("inf")}}, "grid.r_max", ["finite"]),
    ({"grid": {"r_max": "1e400 pc"}}, "grid.r_max", ["finite"]),
    ({"problem": {"kind": "riemann", "left": {"v": float("nan")}}}, "problem.left.v", ["finite"]),
    ({"problem": {"kind": "riemann", "left": {"rho": -1.0}}}, "problem.riemann.left.rho", ["greater than 0"]),
    ({"problem": {"kind": "riemann", "x0": 5.0}, "grid": {"r_max": 1.0}}, "(top level)", ["x0", "inside the grid"]),
    ({"problem": {"kind": "sedv"}}, "problem.kind", ["unknown kind 'sedv'", "did you mean 'sedov'"]),
    ({"problem": {"x0": 0.3}}, "problem.kind", ["missing 'kind'"]),
    ({"cr": {"p_min": 10.0, "p_max": 1.0}}, "cr", ["p_max", "p_min"]),
    ({"engine": "crhydr"}, "engine", ["did you mean 'crhydro'"]),
    ({"engine": 3}, "engine", ["expected a string"]),
]


@pytest.mark.parametrize("deck, key, words", BAD_DECKS, ids=[b[1] + "-" + str(i) for i, b in enumerate(BAD_DECKS)])
def test_bad_deck_message_names_the_key(deck, key, words):
    with pytest.raises(DeckError) as ei:
        load_config(deck)
    msg = str(ei.value)
    assert f"'{key}'" in msg, msg
    for w in words:
        assert w in msg, f"{w!r} missing from: {msg}"
    assert "Traceback" not in msg and len(msg) < 1200
    assert "https://errors.pydantic.dev" not in msg


def test_each_error_is_reported_once_per_bad_key():
    with pytest.raises(DeckError) as ei:
        load_config({"grid": {"n_cels": 4, "geometri": "planar"}})
    lines = str(ei.value).splitlines()
    assert len(lines) == 2
    assert any("did you mean 'geometry'" in ln for ln in lines)


def test_unit_strings_are_converted_once_to_cgs():
    deck = load_config({"grid": {"r_max": "300 pc"}, "cr": {"B": "3 uG", "D0": "1e28 cm2 / s"},
                        "run": {"t_end": "1 kyr"}})
    assert deck.grid.r_max == pytest.approx(300 * pc, rel=1e-12)
    assert deck.cr.B == pytest.approx(3e-6, rel=1e-12)
    assert deck.cr.D0 == pytest.approx(1e28, rel=1e-12)
    assert deck.run.t_end == pytest.approx(1e3 * 365.25 * 86400, rel=1e-9)


def test_resolved_deck_round_trips_through_toml(tmp_path):
    deck = load_config({"grid": {"r_max": "200 pc", "n_cells": 64}, "problem": {"kind": "sedov", "E": "1e51 erg"}})
    p = tmp_path / "config.toml"
    p.write_text(dump_toml(deck))
    again = load_config(p)
    assert again.model_dump() == deck.model_dump()
    assert again.problem.E == 1e51


def test_set_overrides_and_their_errors():
    deck = load_config({"grid": {"n_cells": 64}}, ["grid.n_cells=128", "run.t_end=2.5", "grid.geometry=planar"])
    assert (deck.grid.n_cells, deck.run.t_end, deck.grid.geometry) == (128, 2.5, "planar")
    with pytest.raises(DeckError, match="expected section.key=value"):
        load_config({}, ["grid.n_cells"])
    with pytest.raises(DeckError, match="'run' is a value"):
        load_config({"run": 3}, ["run.t_end=1"])
    with pytest.raises(DeckError, match="grid.n_celss"):
        load_config({}, ["grid.n_celss=3"])


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(DeckError, match="not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[grid\nn_cells = 3")
    with pytest.raises(DeckError, match="not valid TOML"):
        load_config(bad)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DeckError):
        load_config(binary)


def test_no_parameter_default_is_nan_for_any_engine():
    from crescape.config import deck_model, iter_parameters
    from crescape.engines.registry import engine_names

    for eng in engine_names():
        for key, default, _unit, _desc in iter_parameters(deck_model(eng)):
            vals = default if isinstance(default, (list, tuple)) else [default]
            for v in vals:
                assert not (isinstance(v, float) and math.isnan(v)), f"{eng}: {key} defaults to NaN"
