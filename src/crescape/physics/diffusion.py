"""Spatial diffusion coefficient of cosmic rays.

Seed 000 (Shimoda, Asano & Inutsuka 2025) eq. (11)::

    D(p) = D0 (p / m_p c)^a,   a = 1/3 (Kolmogorov),

spatially uniform, D0 = 1e26 – 1e28 cm² s^-1.

A user may replace it by any D(p, r) written in Python: register it from Python
code with :func:`register_diffusion` ``("my_model", func)`` and select it in the
deck with ``cr.diffusion_model = "my_model"`` (or pass ``D_func=`` to
:func:`crescape.engines.crhydro.crmodule.make_cr_module`). Decks only *name* a
function that Python code registered in this process: nothing in a deck is
imported or evaluated (a deck naming an unregistered model is an error). The function is
called once, at set-up, as ``D = func(p, r)`` with ``p`` in units of m_p c and
``r`` in cm, broadcast to shape (n_faces, n_p); it must return positive, finite
values in cm² s^-1 (checked here). D is static in time.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np


def power_law_diffusion(p, D0, a):
    """D(p) = D0 (p/m_p c)^a [cm² s^-1] (seed 000 eq. 11); p in units of m_p c."""
    return D0 * np.asarray(p, dtype=float) ** a


_REGISTRY: dict[str, Callable] = {}


def register_diffusion(name: str, func: Callable) -> None:
    """Make ``func(p [m_p c], r [cm]) -> D [cm² s^-1]`` selectable as ``cr.diffusion_model = name``.

    Call it from Python before ``crescape.run`` (and again before ``--resume`` in a
    new process): registrations live in the running process only.
    """
    if not callable(func):
        raise TypeError("register_diffusion: func must be callable")
    if not isinstance(name, str) or not name or name == "power_law":
        raise ValueError("register_diffusion: name must be a non-empty string other than 'power_law'")
    _REGISTRY[name] = func


def registered_diffusion(name: str) -> Callable:
    """The function registered as ``name`` (clear error naming the deck key otherwise)."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise ValueError(
            f"cr.diffusion_model = {name!r} is not registered in this process (registered: {known}); "
            "call crescape.physics.diffusion.register_diffusion(name, func) from Python first — "
            "decks never import code"
        ) from None


def face_diffusivity(p, r_faces, D0, a, D_func: Callable | None = None) -> np.ndarray:
    """D at every radial face and momentum bin, shape (len(r_faces), len(p)) [cm² s^-1].

    ``D_func(p, r)`` (p in m_p c, r in cm) overrides the power law of eq. (11).
    """
    p = np.asarray(p, dtype=float)
    r = np.asarray(r_faces, dtype=float)
    if D_func is None:
        D = np.broadcast_to(power_law_diffusion(p, D0, a)[None, :], (r.size, p.size)).copy()
    else:
        D = np.asarray(D_func(p[None, :], r[:, None]), dtype=float)
        D = np.broadcast_to(D, (r.size, p.size)).copy()
    if not np.all(np.isfinite(D)) or np.any(D < 0):
        raise ValueError("cr diffusion coefficient must be finite and non-negative at every (r, p)")
    return D
