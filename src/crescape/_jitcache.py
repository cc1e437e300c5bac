"""numba's on-disk cache for crescape's kernels, invalidated by any change of crescape's source.

numba (0.59–0.68) checks a cached function only against the file that defines it: the
machine code of ``engines/sde/kernels.py:_run_lane`` stays valid in its eyes after an edit of
``fixed_steps.py``, whose loops are compiled into it, or of the constants in ``slots.py`` that it
froze at compile time — and the stale code is loaded and run. For crescape's own functions
this module makes the freshness stamp the pair (hash of the defining file, hash of every
``.py`` file of the installed package), so any source change recompiles on first use and
overwrites the stale entry (numba's usual behaviour for a changed file). The cache stays where
numba puts it (``NUMBA_CACHE_DIR`` if set, else ``__pycache__`` next to the source, else the
user-wide cache directory); functions of other packages are not affected.

It works by putting three subclasses of numba's file-backed cache locators first in numba's
locator list (``CacheImpl._locator_classes``); a numba without that list leaves the default
behaviour in place. ``NUMBA_CACHE_LOCATOR_CLASSES``, if set, overrides the list as usual;
``CRESCAPE_NUMBA_STAMP=0`` keeps numba's own stamp (``tests/test_jit_cache.py`` uses it to show
the stale reuse). Cost: one read of the package's sources (≈ 1.5 MB) at the first kernel import.
"""
from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def package_hash(root: str = str(PACKAGE_DIR)) -> str:
    """SHA-256 over the relative paths and bytes of every ``.py`` file under ``root``."""
    h = hashlib.sha256()
    for p in sorted(Path(root).rglob("*.py")):
        if "__pycache__" in p.parts:
            continue
        h.update(str(p.relative_to(root)).encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _inside(py_file: str) -> bool:
    try:
        return Path(py_file).resolve().is_relative_to(PACKAGE_DIR)
    except (OSError, ValueError):
        return False


def _package_stamped(base):
    """A subclass of numba locator ``base`` that applies to crescape's files only and stamps them
    with the package hash as well as their own."""

    class Locator(base):
        _crescape = True

        @classmethod
        def from_function(cls, py_func, py_file):
            if not _inside(py_file):
                return None
            return super().from_function(py_func, py_file)

        def get_source_stamp(self):
            return (super().get_source_stamp(), package_hash())

    Locator.__name__ = Locator.__qualname__ = "Crescape" + base.__name__.lstrip("_")
    return Locator


def install() -> bool:
    """Put the package-stamped locators first in numba's list (idempotent). False where this numba
    has no such list."""
    from numba.core import caching

    impl = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl", None)
    classes = getattr(impl, "_locator_classes", None)
    if not isinstance(classes, list):
        return False
    if any(getattr(c, "_crescape", False) for c in classes):
        return True
    bases = [getattr(caching, n, None) or getattr(caching, "_" + n, None)
             for n in ("UserProvidedCacheLocator", "InTreeCacheLocator", "UserWideCacheLocator")]
    classes[:0] = [_package_stamped(b) for b in bases if b is not None]
    return True


if os.environ.get("CRESCAPE_NUMBA_STAMP", "1") != "0":
    install()
