"""Checkpoints: the full solver state as named numpy arrays plus JSON metadata, self-validating.

Written atomically (temp file + rename) so that a run killed at any instant
leaves either the previous or the new checkpoint, never a partial one.
Everything is plain HDF5 arrays and attributes: nothing is pickled.

Every checkpoint carries, as root attributes,

- ``format`` (:data:`CHECKPOINT_FORMAT`), ``engine``, ``crescape_version``;
- ``deck_sha256``: SHA-256 of the resolved deck (:func:`deck_hash`, without the keys
  that do not change the result: progress bar, step limit, checkpoint cadence);
- ``payload_sha256``: SHA-256 over every array (name, dtype, shape, bytes) and the
  metadata text, so that one flipped bit anywhere in the payload is detected.

:func:`load_checkpoint` checks all of it (given the expected engine and deck hash)
and raises one :class:`~crescape.errors.RunFileError` naming the problem: a resume
never proceeds on a damaged or foreign checkpoint.
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import h5py
import numpy as np

from .._version import __version__
from ..config import dump_toml
from ..errors import RunFileError
from .atomic import atomic_path

CHECKPOINT_NAME = "checkpoint.h5"
CHECKPOINT_FORMAT = 2
# [run] keys that only steer the bookkeeping, not the numbers
_NEUTRAL_RUN_KEYS = ("progress", "max_steps", "checkpoint_every", "checkpoint_wall")


def deck_hash(deck, restart_safe: tuple[str, ...] = ()) -> str:
    """SHA-256 of the resolved deck (TOML text), without the bookkeeping-only [run] keys and the
    ``restart_safe`` keys ("section.key") an engine allows to change on resume (e.g. ``run.t_end``)."""
    d = tomllib.loads(dump_toml(deck))
    for k in _NEUTRAL_RUN_KEYS:
        d.get("run", {}).pop(k, None)
    for key in restart_safe:
        section, _, name = key.partition(".")
        d.get(section, {}).pop(name, None)
    return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()


def payload_hash(arrays: dict[str, np.ndarray], meta_text: str) -> str:
    """SHA-256 over the arrays (sorted by name: name, dtype, shape, raw bytes) and the metadata text."""
    h = hashlib.sha256()
    for k in sorted(arrays):
        a = np.ascontiguousarray(arrays[k])
        h.update(f"{k}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    h.update(meta_text.encode())
    return h.hexdigest()


def save_checkpoint(path: str | Path, arrays: dict[str, np.ndarray], meta: dict,
                    engine: str = "", deck_sha256: str = ""):
    """Save ``arrays`` (name -> array; nested names with '/' allowed) and JSON-able ``meta``."""
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    meta_text = json.dumps(meta)
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        for k, v in arrays.items():
            f.create_dataset(k, data=v)
        f.attrs["meta"] = meta_text
        f.attrs["format"] = CHECKPOINT_FORMAT
        f.attrs["engine"] = engine
        f.attrs["crescape_version"] = __version__
        f.attrs["deck_sha256"] = deck_sha256
        f.attrs["payload_sha256"] = payload_hash(arrays, meta_text)


def _read(path: Path):
    arrays: dict[str, np.ndarray] = {}
    try:
        with h5py.File(path, "r") as f:
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    arrays[name] = obj[()]

            f.visititems(visit)
            attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    except (OSError, KeyError, ValueError, RuntimeError) as exc:
        raise RunFileError(f"checkpoint {path} cannot be read (empty, truncated or not HDF5): {exc}") from None
    return arrays, attrs


def load_checkpoint(path: str | Path, engine: str | None = None,
                    deck_sha256: str | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Read and validate a checkpoint; returns (arrays, meta).

    Raises :class:`RunFileError` if the file is missing, unreadable, written by an older
    format, fails its payload checksum, or (when given) belongs to another engine or deck.
    """
    path = Path(path)
    if not path.is_file():
        raise RunFileError(f"checkpoint not found: {path}")
    arrays, attrs = _read(path)
    fmt = attrs.get("format")
    if fmt != CHECKPOINT_FORMAT or "payload_sha256" not in attrs or "meta" not in attrs:
        raise RunFileError(
            f"checkpoint {path} has no checksum or an unknown format ({fmt!r}; this crescape "
            f"{__version__} writes format {CHECKPOINT_FORMAT}): it was written by an older crescape "
            "or is not a crescape checkpoint; re-run without --resume")
    if payload_hash(arrays, attrs["meta"]) != attrs["payload_sha256"]:
        raise RunFileError(f"checkpoint {path} does not match its checksum: the file is corrupted; "
                           "re-run without --resume")
    if engine is not None and attrs.get("engine") != engine:
        raise RunFileError(f"checkpoint {path} was written by engine {attrs.get('engine')!r}, "
                           f"not {engine!r}: it belongs to another run")
    if deck_sha256 is not None and attrs.get("deck_sha256") != deck_sha256:
        raise RunFileError(f"checkpoint {path} was written for a different deck than {path.parent}/config.toml "
                           "(resolved decks differ): it belongs to another run")
    try:
        meta = json.loads(attrs["meta"])
    except json.JSONDecodeError as exc:  # only reachable if written so: the checksum covers the text
        raise RunFileError(f"checkpoint {path}: metadata is not JSON ({exc})") from None
    return arrays, meta
