"""``crescape run --resume DIR``: the deck of a restarted run, and its restart record.

A resumed run continues from its checkpoint with the deck saved in ``DIR/config.toml``;
changing that deck on restart would make ``run.h5`` disagree with the deck it claims
(``--set cr.D0=…`` gave a run whose config said 1e27 and whose data were 1e28), or
break the checkpoint (``--set grid.n_cells=…``). So ``--set`` is refused on resume,
except for the keys in :data:`RESTART_SAFE_KEYS`: ``run.t_end`` extends (never shortens)
a run, and ``run.max_steps`` raises the step budget of a run stopped by it (a budget, not
physics: the steps taken are the same). Such a change is recorded: ``config.toml`` is rewritten with the new deck (and a
comment line per restart), ``restarts.json`` lists every change, and ``run.h5`` carries
it as the root attribute ``restarts`` (JSON).
"""
from __future__ import annotations

import datetime
import json
from pathlib import Path

from ..config import dump_toml, load_config, shorten
from ..errors import DeckError
from .atomic import write_text_atomic

CONFIG_NAME = "config.toml"  # as in .rundir (which imports this module)

RESTART_SAFE_KEYS = ("run.t_end", "run.max_steps")
RESTARTS_NAME = "restarts.json"


def _key(item: str) -> str:
    return ".".join(p for p in item.split("=", 1)[0].strip().split(".") if p)


def resume_deck(out: Path, overrides: list[str] | None):
    """The deck to resume ``out`` with; DeckError for any ``--set`` outside RESTART_SAFE_KEYS."""
    out = Path(out)
    if not (out / CONFIG_NAME).is_file():
        raise DeckError(f"{out} is not a crescape run directory (no {CONFIG_NAME})")
    for item in overrides or []:
        key = _key(item)
        if key not in RESTART_SAFE_KEYS:
            raise DeckError(f"--resume takes no deck changes: --set {shorten(key)} would make the resumed run differ "
                            f"from the deck it started with ({out / CONFIG_NAME}); only "
                            f"{', '.join(RESTART_SAFE_KEYS)} may change on restart — start a new run for other changes")
    old = load_config(out / CONFIG_NAME)
    if not overrides:
        return old
    deck = load_config(out / CONFIG_NAME, overrides)
    if deck.run.t_end < old.run.t_end:
        raise DeckError(f"--set run.t_end on resume may extend a run, not shorten it "
                        f"({deck.run.t_end:g} s < {old.run.t_end:g} s in {CONFIG_NAME})")
    return deck


def record_restart(out: Path, deck, overrides: list[str] | None):
    """Write the changed deck to config.toml and append the change to restarts.json."""
    if not overrides:
        return
    out = Path(out)
    old = load_config(out / CONFIG_NAME)
    changes = {k: [_get(old, k), _get(deck, k)] for k in RESTART_SAFE_KEYS if _get(old, k) != _get(deck, k)}
    if not changes:
        return
    path = out / RESTARTS_NAME
    try:
        restarts = json.loads(path.read_text()) if path.is_file() else []
    except (OSError, ValueError):
        restarts = []
    when = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    restarts.append({"time_utc": when, "changes": changes})
    write_text_atomic(path, json.dumps(restarts, indent=1) + "\n")
    notes = "".join(f"# restarted {r['time_utc']}: " + ", ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in r["changes"].items())
                    + "\n" for r in restarts)
    write_text_atomic(out / CONFIG_NAME, notes + dump_toml(deck))


def restarts_attr(out: Path | None) -> str | None:
    """The restart record of a run directory as JSON text (root attribute of run.h5), or None."""
    if out is None:
        return None
    path = Path(out) / RESTARTS_NAME
    try:
        return path.read_text() if path.is_file() else None
    except OSError:
        return None


def _get(deck, key: str):
    node = deck
    for part in key.split("."):
        node = getattr(node, part)
    return node
