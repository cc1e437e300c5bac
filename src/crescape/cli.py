"""The ``crescape`` command: run | info | plot | movie | fit | sweep | observe | --version.

Every user error (bad deck, unusable output directory, damaged run file) is
printed as a short message with exit status 2 — never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._version import __version__
from .analysis.local_spectrum_config import LocalSpectrumConfig
from .api import deck_from, run
from .config import iter_parameters, load_config
from .config.estimate import check_resources, estimate, fmt_bytes, limits
from .engines.registry import engine_names, get_engine
from .errors import DeckError, FigureNameError, Interrupted, OutputDirError, RunFileError, SimulationError
from .io.restart import resume_deck
from .observables.command import add_parser as add_observe
from .plotting import plot_path, plot_run
from .plotting.local_spectrum import cli_fit
from .plotting.movie import make_movie
from .sweep import cli_sweep


def _print_estimate(deck, source: str, max_memory=None, max_work=None):
    mem, work = limits(max_memory, max_work)
    print(f"# {source} (engine = {deck.engine!r}); limits: memory {fmt_bytes(mem)}, work {work:.3g}")
    print("\n".join(estimate(deck).lines()))
    check_resources(deck, max_memory, max_work, source)  # a deck above the limits: exit 2 with the reason


def _cmd_run(args) -> int:
    lim = {"max_memory": args.max_memory, "max_work": args.max_work}
    if args.dry_run:
        if not (args.deck or args.resume):
            raise SystemExit("crescape run: give a DECK (or --resume DIR)")
        deck = resume_deck(Path(args.resume), args.set) if args.resume else deck_from(args.deck, args.set)
        _print_estimate(deck, args.resume or Path(args.deck).name, **lim)
        print("dry run: nothing written")
        return 0
    if args.resume:
        out = run(None, args.resume, resume=True, overrides=args.set, progress=not args.quiet and None, **lim)
    else:
        if not args.deck:
            raise SystemExit("crescape run: give a DECK (or --resume DIR)")
        out = run(args.deck, args.out, overrides=args.set, progress=False if args.quiet else None,
                  overwrite=args.overwrite, **lim)
    print(f"run written to {out}")
    if args.plot:
        for f in plot_run(out):
            print(f"figure {f}")
    return 0


def _cmd_info(args) -> int:
    if args.engine and args.engine not in engine_names() and args.engine != "local-spectrum" and (
            args.engine.endswith(".toml") or Path(args.engine).is_file()):
        _print_estimate(deck_from(args.engine), Path(args.engine).name)
        return 0
    engines = [args.engine] if args.engine else [*engine_names(), "local-spectrum"]
    for eng in engines:
        if eng == "local-spectrum":  # the config of `crescape fit local-spectrum`, not an engine deck
            model = LocalSpectrumConfig
            print(f"# crescape fit local-spectrum CONFIG  ({model.__doc__.strip().splitlines()[0]})")
        else:
            engine = get_engine(eng)
            model = engine.deck
            print(f"# engine = \"{eng}\"  ({engine.description})")
        print(f"{'parameter':42s} {'default':>22s}  {'unit':12s} meaning")
        for key, default, unit, desc in iter_parameters(model):
            if key == "engine":
                continue
            d = repr(default) if not isinstance(default, float) else f"{default:.6g}"
            print(f"{key:42s} {d:>22s}  {unit:12s} {desc}")
        print()
    return 0


def _cmd_plot(args) -> int:
    files = plot_path(args.path, figure=args.figure, fmt=args.format, outdir=args.outdir)
    for f in files:
        print(f"figure {f}")
    return 0


def _cmd_movie(args) -> int:
    print(f"movie {make_movie(args.run, out=args.output)}")
    return 0


def _cmd_fit(args) -> int:
    if args.what != "local-spectrum":
        raise SystemExit(f"crescape fit: unknown target {args.what!r} (choose: local-spectrum)")
    return cli_fit(args.config, outdir=args.out, mcmc=not args.no_mcmc)


def _cmd_sweep(args) -> int:
    sweep, out = args.sweep, args.out
    if args.resume:  # the sweep directory holds its own sweep.toml (base deck, axes, summaries)
        sweep, out = Path(args.resume) / "sweep.toml", args.resume
        if not sweep.is_file():
            raise DeckError(f"{args.resume} is not a crescape sweep directory (no sweep.toml)")
    elif not sweep:
        raise SystemExit("crescape sweep: give a SWEEP file (or --resume DIR)")
    return cli_sweep(sweep, out=out, scheduler=args.scheduler, workers=args.workers)


def _cmd_halflife(args) -> int:
    deck = load_config(args.deck)
    if args.n_cells:
        d = deck.model_dump(mode="python")
        d["grid"]["n_cells"] = int(args.n_cells)
        deck = load_config(d)
    if deck.engine != "cloud":
        raise DeckError(f"{args.deck}: crescape halflife needs a cloud deck (engine = {deck.engine!r})")
    out = args.out or args.deck.rsplit("/", 1)[-1].removesuffix(".toml") + "_halflife"
    return get_engine("cloud").load("figures").cli_halflife(deck, out, release=args.release)


def _add_run_parser(sub):
    """`crescape run`: its options (a deck, or --resume DIR)."""
    r = sub.add_parser("run", help="run a deck (TOML) and write a run directory")
    r.add_argument("deck", nargs="?", help="input deck (TOML)")
    r.add_argument("--out", "-o", help="run directory (default: crescape-run-ENGINE)")
    r.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override a deck value")
    r.add_argument("--resume", metavar="DIR", help="continue a stopped run from its last checkpoint")
    r.add_argument("--overwrite", action="store_true", help="replace the run in an existing --out directory")
    r.add_argument("--plot", action="store_true", help="draw the standard figures when done")
    r.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    r.add_argument("--dry-run", action="store_true", help="validate the deck, print its memory/work estimate, run nothing")
    r.add_argument("--max-memory", metavar="SIZE", help="refuse runs estimated above this memory, e.g. 64GB "
                   "(default 4 GiB or $CRESCAPE_MAX_MEMORY)")
    r.add_argument("--max-work", metavar="N", help="refuse runs estimated above N cell-bin updates / particle steps "
                   "(default 1e12 or $CRESCAPE_MAX_WORK)")
    r.set_defaults(func=_cmd_run)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crescape", description="Cosmic-ray escape from sources: CR-hydrodynamics, CR clouds, SDE shock acceleration.")
    p.add_argument("--version", action="version", version=f"crescape {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True)

    _add_run_parser(sub)

    i = sub.add_parser("info", help="list every deck parameter with default, unit and meaning")
    i.add_argument("engine", nargs="?", help="crhydro | sde | cloud | local-spectrum (fit config) (default: all), "
                   "or a DECK.toml: its memory/work estimate")
    i.set_defaults(func=_cmd_info)

    pl = sub.add_parser("plot", help="draw figures of a run (or sweep) directory")
    pl.add_argument("path")
    pl.add_argument("--figure", help="one figure name (default: all for this run)")
    pl.add_argument("--format", default="png", choices=["png", "pdf"])
    pl.add_argument("--outdir", help="where figures go (default: RUN/figures)")
    pl.set_defaults(func=_cmd_plot)

    mv = sub.add_parser("movie", help="render profile/spectrum evolution of a run")
    mv.add_argument("run")
    mv.add_argument("--output", "-o")
    mv.set_defaults(func=_cmd_movie)

    f = sub.add_parser("fit", help="fit models to data (local-spectrum)")
    f.add_argument("what")
    f.add_argument("config")
    f.add_argument("--out", "-o")
    f.add_argument("--no-mcmc", action="store_true", help="least squares only")
    f.set_defaults(func=_cmd_fit)

    h = sub.add_parser("halflife", help="cloud half-lives t_1/2(E) of a cloud deck (release radius per energy)")
    h.add_argument("deck")
    h.add_argument("--out", "-o")
    h.add_argument("--release", choices=["per_energy", "fixed"], help="override source.release")
    h.add_argument("--n-cells", type=int, help="override grid.n_cells (each energy is one run)")
    h.set_defaults(func=_cmd_halflife)

    s = sub.add_parser("sweep", help="run a parameter sweep on dask.distributed")
    s.add_argument("sweep", nargs="?")
    s.add_argument("--out", "-o")
    s.add_argument("--resume", metavar="DIR", help="continue a sweep directory (finished runs are kept, not redone)")
    s.add_argument("--scheduler", help="tcp://HOST:PORT of a running dask scheduler (default: local cluster)")
    s.add_argument("--workers", type=int, default=None, help="local cluster workers (default: cores)")
    s.set_defaults(func=_cmd_sweep)

    add_observe(sub)  # observe: run → sky cube (crescape.observables)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (DeckError, OutputDirError, RunFileError, FigureNameError, FileNotFoundError) as exc:
        print(f"crescape: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        sys.stderr.close()
        return 0
    except Interrupted as exc:
        print(f"crescape: {exc}", file=sys.stderr)
        return 130
    except SimulationError as exc:
        print(f"crescape: simulation stopped: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
