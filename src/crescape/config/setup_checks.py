"""Set-up checks: everything about a deck that is known before a run starts.

The pydantic models check each value and each section; some problems only show when an
engine builds its set-up — a snapshot cadence that gives a billion snapshots, a
temperature without thermal equilibrium, shocks that never collide, a replayed run that
is not a CR-hydro run, a diffusion coefficient that overflows at the top of the momentum
grid. :func:`validate_setup` runs those checks on a validated deck (``load_config`` calls
it) so that each becomes a :class:`DeckError` naming the key — before the output directory
is created and before anything is compiled. Nothing here compiles a kernel.

Resource limits (memory, run-file size, work) are checked separately, with limits the
user can raise: :mod:`crescape.config.estimate`.
"""
from __future__ import annotations

import math
import re

MAX_SNAPSHOTS = 100_000  # snapshot times per run (each one is a full write of run.h5)
_KEY_AT_START = re.compile(r"^([a-z_]+\.[A-Za-z_0-9.]+)\b")


def _fail(source: str, key: str, msg: str):
    from . import DeckError, shorten

    raise DeckError(f"{source} error at '{key}': {shorten(msg, 300)[1:-1] if len(msg) > 300 else msg}")


def _key_of(msg: str, default: str) -> str:
    """The deck key an engine's set-up message starts with (``flow.V2 (0.5) must …``), else ``default``."""
    m = _KEY_AT_START.match(msg)
    return m.group(1) if m else default


def snapshot_count(output, t_end: float) -> tuple[int, str]:
    """(number of snapshot times, the key that contributes most) — computed without building them."""
    parts = {"output.times": len(output.times), "output.n_snapshots": int(output.n_snapshots)}
    if output.every > 0:
        n_every = (t_end - output.every_from) / output.every + 1
        parts["output.every"] = int(min(max(n_every, 0.0), 1e18))
    key = max(parts, key=parts.get)
    return sum(parts.values()) + int(output.initial), key


def check_output(deck, source: str):
    t_end = deck.run.t_end
    n, key = snapshot_count(deck.output, t_end)
    if n > MAX_SNAPSHOTS:
        what = f"{getattr(deck.output, key.split('.')[1])!r}" if key != "output.times" else f"{n} times"
        _fail(source, key, f"{key.split('.')[1]} = {what} with run.t_end = {t_end:g} gives {n} snapshots "
              f"(at most {MAX_SNAPSHOTS})")
    try:
        deck.output.snapshot_times(0.0, t_end)
    except ValueError as exc:
        _fail(source, _key_of(str(exc), "output"), str(exc))


def check_crhydro(deck, source: str):
    p = deck.problem
    if p.kind == "shimoda2025" or (p.kind == "uniform" and p.equilibrium):
        from ..engines.crhydro.setup import equilibrium_n

        try:
            n = equilibrium_n(deck, p.T)
        except ValueError as exc:
            _fail(source, "problem.T", str(exc))
        if not (math.isfinite(n) and n > 0):
            _fail(source, "problem.T", f"thermal equilibrium n = Γ/Λ(T) = {n:g} cm^-3 at T = {p.T:g} K")
    if p.kind == "shimoda2025" and p.r0 <= deck.grid.r_min:
        _fail(source, "problem.r0", f"the CR top-hat r0 = {p.r0:g} cm lies inside grid.r_min = {deck.grid.r_min:g} cm")
    cr = deck.cr
    if not cr.enabled:
        return
    if cr.init_E > 0 and p.kind != "shimoda2025" and cr.init_r0 <= deck.grid.r_min:
        _fail(source, "cr.init_r0", f"the CR top-hat init_r0 = {cr.init_r0:g} cm holds no cell volume "
              f"(grid.r_min = {deck.grid.r_min:g} cm)")
    if cr.diffusion_model == "power_law":
        for key, pp in (("cr.p_min", cr.p_min), ("cr.p_max", cr.p_max)):
            D = math.inf
            with _ignore_fp():
                D = cr.D0 * pp**cr.delta
            if not (math.isfinite(D) and D > 0):
                _fail(source, key, f"D(p) = D0·p^delta = {D:g} cm² s^-1 at {key.split('.')[1]} = {pp:g}: the "
                      "diffusion coefficient must be finite and positive (lower cr.D0, cr.delta or the momentum range)")
    else:
        from ..physics.diffusion import registered_diffusion

        try:
            registered_diffusion(cr.diffusion_model)
        except ValueError as exc:
            _fail(source, "cr.diffusion_model", str(exc))


class _ignore_fp:
    """``x**y`` of floats raises OverflowError instead of giving inf: treat it as inf."""

    def __enter__(self):
        return self

    def __exit__(self, typ, exc, tb):
        return typ is OverflowError


def check_sde(deck, source: str):
    f = deck.flow
    if f.kind not in ("colliding_shocks", "hydro_run"):
        return
    from ..engines.sde.solver import build_flow

    try:
        build_flow(deck)
    except ValueError as exc:
        _fail(source, "flow.path" if f.kind == "hydro_run" else _key_of(str(exc), "flow"), str(exc))
    except OSError as exc:  # the replayed run cannot be read
        _fail(source, "flow.path", f"cannot read the run to replay: {exc}")


def check_cloud(deck, source: str):
    from ..engines.cloud.setup import build

    try:
        build(deck)
    except ValueError as exc:
        _fail(source, _key_of(str(exc), "source" if str(exc).startswith("source") else "cloud"), str(exc))


CHECKS = {"crhydro": check_crhydro, "sde": check_sde, "cloud": check_cloud}


def validate_setup(deck, source: str = "deck"):
    """Run every set-up check of ``deck`` (validated model); raise DeckError naming the key."""
    check_output(deck, source)
    check = CHECKS.get(deck.engine)
    if check is not None:
        check(deck, source)
