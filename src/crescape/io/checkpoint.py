"""Checkpoints: the full solver state as named numpy arrays plus scalar metadata.

Written atomically (temp file + rename) so that a run killed at any instant
leaves either the previous or the new checkpoint, never a partial one.
Everything is plain HDF5 arrays and attributes: nothing is pickled.
"""
from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

from .atomic import atomic_path

CHECKPOINT_NAME = "checkpoint.h5"


def save_checkpoint(path: str | Path, arrays: dict[str, np.ndarray], meta: dict):
    """Save ``arrays`` (name -> array; nested names with '/' allowed) and JSON-able ``meta``."""
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        for k, v in arrays.items():
            f.create_dataset(k, data=np.asarray(v))
        f.attrs["meta"] = json.dumps(meta)


def load_checkpoint(path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                arrays[name] = obj[()]

        f.visititems(visit)
        meta = json.loads(f.attrs["meta"])
    return arrays, meta
