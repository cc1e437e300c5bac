"""Atomic file writes: write to a temporary name in the same directory, fsync, rename.

A reader (or a killed run) therefore only ever sees a complete old file or a
complete new one. Files are never written *through* a symlink: temporary files are
created with ``O_CREAT | O_EXCL`` (mkstemp), the rename replaces a link rather than its
target, and :func:`create_nofollow` / :func:`check_inside` guard the other places where a
name becomes a path (write probes, figures).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from ..errors import OutputDirError


def create_nofollow(path: str | Path, data: bytes = b""):
    """Create ``path`` as a new file and write ``data`` — never through a symlink (O_NOFOLLOW, O_EXCL).

    A symlink planted at ``path`` is removed first (the link, not its target).
    """
    path = Path(path)
    if path.is_symlink():
        path.unlink()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def check_inside(path: str | Path, root: str | Path, what: str = "file") -> Path:
    """``path`` resolved; OutputDirError if it leaves ``root`` or is a symlink (names from decks or files)."""
    path, root = Path(path), Path(root).resolve()
    if path.is_symlink():
        raise OutputDirError(f"refusing to write {what} {path}: it is a symbolic link")
    full = path.resolve()
    if not full.is_relative_to(root):
        raise OutputDirError(f"refusing to write {what} {path}: it resolves outside {root}")
    return full


@contextlib.contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path next to ``path``; on success rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a run file is as readable as any other
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    """The process umask: from /proc on Linux (thread-safe), else by setting and restoring it."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(d: Path):
    with contextlib.suppress(OSError):
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_text_atomic(path: str | Path, text: str):
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            b = fh.read(chunk)
            if not b:
                break
            h.update(b)
    return h.hexdigest()
