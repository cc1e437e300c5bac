"""Set-up checks and resource estimate of an SDE deck (``Engine.check``, ``Engine.estimate``).

The flows whose set-up can fail on consistent-looking decks (colliding shocks that never
meet, a replayed run that is not a CR-hydro run) are built here, without compiling the
particle kernels; the estimate counts the per-block statistics and the per-thread (x, p) histograms
that :func:`crescape.engines.sde.solver.simulate_chunk` allocates.
"""
from __future__ import annotations

from ...config.estimate import F8, Estimate
from ...config.setup_checks import fail, key_of, snapshot_count
from .problems import build_flow
from .slots import histogram_slots


def check(deck, source: str):
    f = deck.flow
    if f.kind not in ("colliding_shocks", "hydro_run"):
        return
    try:
        build_flow(deck)
    except ValueError as exc:
        fail(source, "flow.path" if f.kind == "hydro_run" else key_of(str(exc), "flow"), str(exc))
    except OSError as exc:  # the replayed run cannot be read
        fail(source, "flow.path", f"cannot read the run to replay: {exc}")


def estimate(deck) -> Estimate:
    r, o, inj = deck.run, deck.output, deck.injection
    n = inj.n_particles
    chunk = min(n, r.chunk_particles or n)
    n_blk = chunk // r.block_size + 1
    lanes = min(r.n_lanes, n_blk)
    k_t, _ = snapshot_count(o, r.t_end)
    n_obs = max(1, len(o.observers))
    n_int = len(o.integrate)
    e = Estimate()
    e.memory_items.append(("injection.n_particles", f"particle state ({n} particles)", 8 * n * F8))
    if deck.grid.geometry == "cartesian3d":  # solver3d: its own observers; only particles and work are counted
        _work(e, deck)
        e.work_what += " (3-D transport: observer memory not estimated)"
        return e
    e.memory_items.append(("run.block_size", f"block statistics ({n_blk} blocks × {k_t} times × {o.n_p} p)",
                           n_blk * (2 * k_t * n_obs + 2 * k_t + n_int) * o.n_p * F8 * 2))
    import numba  # function-local: the estimate needs only the thread count

    n_lev = deck.splitting.n_levels if deck.splitting.enabled else 0
    slots = histogram_slots(chunk, n_lev, lanes, max(1, min(numba.config.NUMBA_NUM_THREADS, lanes)))
    e.memory_items.append(("output.n_x", f"(x, p) histograms ({slots} × {k_t} times × {o.n_x} × {o.n_p})",
                           (slots + 1) * k_t * o.n_x * o.n_p * F8))
    e.run_file = (k_t * o.n_x * o.n_p + 4 * k_t * n_obs * o.n_p) * F8
    if o.particles:
        e.memory_items.append(("output.particles", f"particle snapshots ({k_t} times × {n} particles)",
                               2 * 3 * k_t * n * F8))
        e.run_file += 3 * k_t * n * F8
    _work(e, deck)
    return e


def _work(e: Estimate, deck):
    r = deck.run
    n = deck.injection.n_particles
    e.steps = r.t_end / r.dt
    clones = 1 + (deck.splitting.n_levels if deck.splitting.enabled else 0)
    e.work = n * clones * e.steps
    e.work_what = (f"particle steps ({n} particles{f' × {clones} (splitting)' if clones > 1 else ''} × "
                   f"{e.steps:.3g} steps of run.dt{', at least: adaptive' if r.adaptive else ''})")
    e.work_key = "run.dt"
