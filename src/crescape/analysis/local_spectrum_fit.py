"""Fitting the local-spectrum model to data (seed 000 §5.2): least squares, emcee posterior and the
files of a ``crescape fit local-spectrum`` directory (``result.json``, ``best_fit.md``,
``model_lis.txt``, ``chain.npz``). The figures are drawn by :func:`crescape.plotting.local_spectrum.cli_fit`.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from ..core.constants import Myr, pc
from ..errors import DeckError
from .local_spectrum import LocalSpectrumModel, SourceSpectra
from .local_spectrum_config import load_fit_config, resolve_run_path
from .local_spectrum_stats import autocorr_time, quality


def fit_least_squares(model: LocalSpectrumModel, n_starts: int = 8, seed: int = 1, max_nfev: int = 2000):
    """Least squares (scipy TRF, bounded) from the config values and n_starts−1 random starts.

    Returns a dict with the best ``theta`` (all parameters), ``chi2``, ``cov`` (free block,
    from (JᵀJ)⁻¹ at the optimum) and the χ² of every start.
    """
    lo, hi = model.lo[model.free], model.hi[model.free]
    rng = np.random.default_rng(seed)
    starts = [model.x0[model.free]]
    for _ in range(n_starts - 1):
        starts.append(lo + rng.random(lo.size) * (hi - lo))
    best, chis = None, []
    for x0 in starts:
        x0 = np.clip(x0, lo, hi)
        r = least_squares(model.residuals, x0, bounds=(lo, hi), x_scale="jac", max_nfev=max_nfev, method="trf")
        chis.append(2 * r.cost)
        if best is None or r.cost < best.cost:
            best = r
    try:
        cov = np.linalg.pinv(best.jac.T @ best.jac)
    except np.linalg.LinAlgError:
        cov = np.full((lo.size, lo.size), np.nan)
    return {"theta": model.full(best.x), "chi2": 2 * best.cost, "cov": cov, "start_chi2": chis,
            "success": bool(best.success), "message": str(best.message)}


def run_mcmc(model: LocalSpectrumModel, theta, n_walkers=32, n_steps=2000, burn=500, thin=5, seed=1, cov=None,
             n_tau=50.0, max_steps=0):
    """Posterior samples of the free parameters (emcee; flat priors inside the bounds, L ∝ e^{−χ²/2};
    nuisance parameters carry their Gaussian priors inside χ²).

    The chain is extended by n_steps at a time until its length is >= n_tau × max τ (integrated
    autocorrelation time, :func:`local_spectrum_stats.autocorr_time`) or max_steps (default
    4 n_steps) is reached; burn-in and τ are re-evaluated on the full chain (burn = max(burn, 2 τ)).
    Returns samples, τ, the total length and whether the length criterion is met; nothing is printed.
    """
    import emcee

    lo, hi = model.lo[model.free], model.hi[model.free]
    ndim = lo.size
    n_walkers = max(n_walkers, 2 * ndim + 2)
    max_steps = max_steps or 4 * n_steps

    def log_prob(x):
        if np.any(x < lo) or np.any(x > hi):
            return -np.inf
        return -0.5 * float(np.sum(model.residuals(x) ** 2))

    rng = np.random.default_rng(seed)
    width = 1e-3 * (hi - lo)
    if cov is not None and np.all(np.isfinite(np.diag(cov))):
        width = np.minimum(np.sqrt(np.abs(np.diag(cov))), 0.05 * (hi - lo)) + 1e-6 * (hi - lo)
    p0 = theta[model.free] + width * rng.standard_normal((n_walkers, ndim))
    p0 = np.where(p0 < lo, 2 * lo - p0, p0)
    p0 = np.clip(np.where(p0 > hi, 2 * hi - p0, p0), lo, hi)
    sampler = emcee.EnsembleSampler(n_walkers, ndim, log_prob)
    sampler.random_state = np.random.RandomState(seed).get_state()
    state, total = p0, 0
    while True:
        state = sampler.run_mcmc(state, n_steps, progress=False)
        total += n_steps
        tau = autocorr_time(sampler.get_chain()[min(burn, total // 2):])
        if (np.all(np.isfinite(tau)) and total >= n_tau * tau.max()) or total + n_steps > max_steps:
            break
    disc = int(min(max(burn, 2 * np.nanmax(tau)) if np.any(np.isfinite(tau)) else burn, total // 2))
    converged = bool(np.all(np.isfinite(tau)) and total >= n_tau * tau.max())
    return {"samples": sampler.get_chain(discard=disc, thin=thin, flat=True),
            "log_prob": sampler.get_log_prob(discard=disc, thin=thin, flat=True),
            "acceptance": float(np.mean(sampler.acceptance_fraction)), "tau": tau, "n_walkers": n_walkers,
            "n_steps_total": total, "burn": disc, "converged": converged}


def _print_quality(q, model) -> None:
    print(f"goodness of fit: chi2 = {q['chi2']:.2f} for dof = {q['dof']} (chi2/dof = {q['chi2_dof']:.3g}), "
          f"p = {q['p_value']:.3g}")
    if q["nuisance_pulls"]:
        print("nuisance shifts in units of their prior sigma: "
              + ", ".join(f"{k} {v:+.2f}" for k, v in q["nuisance_pulls"].items()))
    for n in q["at_bound"]:
        i = model.names.index(n)
        print(f"warning: {n} is at a bound of its range [{model.lo[i]:.4g}, {model.hi[i]:.4g}] {model.units[i]}")
    if "mcmc_tau" in q:
        print(f"MCMC: {q['mcmc_steps']} steps, max integrated autocorrelation time {max(q['mcmc_tau']):.3g} steps: "
              + ("chain >= " if q["mcmc_converged"] else "chain SHORTER than ")
              + f"{q['mcmc_n_tau_required']:g} tau")


def _table(model, th, err=None) -> str:
    lines = ["| parameter | value | ±1σ | unit | free | bounds |", "|---|---|---|---|---|---|"]
    k = 0
    for i, n in enumerate(model.names):
        e = ""
        if model.free[i]:
            if err is not None:
                e = f"{err[k]:.4g}"
            k += 1
        lines.append(f"| {n} | {th[i]:.6g} | {e} | {model.units[i]} | {'yes' if model.free[i] else 'no'} | "
                     f"[{model.lo[i]:.4g}, {model.hi[i]:.4g}] |")
    return "\n".join(lines)


@dataclass
class FitOutput:
    """What :func:`fit_local_spectrum` leaves for the figures."""

    model: LocalSpectrumModel
    theta: np.ndarray
    theta_config: np.ndarray
    samples: np.ndarray | None
    title: str
    out: Path


def _load_model(cfg, base, config_path):
    """The model of a fit config: one :class:`SourceSpectra` per distinct run directory."""
    run_dir = resolve_run_path(cfg, base)
    src_dirs = [resolve_run_path(cfg, base, s.run, f"sources[{k}].run") if s.run else run_dir
                for k, s in enumerate(cfg.sources)]
    loaded = {}
    try:
        for d in [run_dir, *src_dirs]:
            key = Path(d).resolve()
            if key not in loaded:
                loaded[key] = SourceSpectra.from_run(d)
        spectra = loaded[Path(run_dir).resolve()]
        src_spectra = [loaded[Path(d).resolve()] for d in src_dirs]
        model = LocalSpectrumModel(cfg, spectra, source_spectra=src_spectra)
    except ValueError as exc:
        raise DeckError(f"{Path(config_path).name}: {exc}") from None
    return model, run_dir, src_dirs, loaded, src_spectra


def _fit(model, cfg, th0, mcmc, out, res):
    """Least squares (and the MCMC posterior when enabled) of the free parameters; updates ``res``."""
    th, err = th0, None
    if model.n_free:
        f = fit_least_squares(model, cfg.fit.n_starts, cfg.fit.seed, cfg.fit.max_nfev)
        th = f["theta"]
        err = np.sqrt(np.abs(np.diag(f["cov"])))
        res.update(theta_best=th.tolist(), chi2_best=f["chi2"], dof=model.dof, chi2_dof=f["chi2"] / max(model.dof, 1),
                   chi2_best_by_dataset=model.chi2_by_dataset(th), lsq_error=err.tolist(),
                   start_chi2=f["start_chi2"], lsq_success=f["success"])
        print(f"best fit: chi2 = {f['chi2']:.2f}, dof = {model.dof}, chi2/dof = {res['chi2_dof']:.3f}")
        m = None
        if mcmc and cfg.mcmc.enabled:
            m = run_mcmc(model, th, cfg.mcmc.n_walkers, cfg.mcmc.n_steps, cfg.mcmc.burn, cfg.mcmc.thin,
                         cfg.fit.seed, f["cov"], cfg.mcmc.n_tau, cfg.mcmc.max_steps)
            q = np.percentile(m["samples"], [16, 50, 84], axis=0)
            err = 0.5 * (q[2] - q[0])
            res.update(mcmc_median=q[1].tolist(), mcmc_p16=q[0].tolist(), mcmc_p84=q[2].tolist(),
                       mcmc_acceptance=m["acceptance"], mcmc_burn=m["burn"])
            np.savez_compressed(out / "chain.npz", samples=m["samples"], log_prob=m["log_prob"],
                                names=np.array(model.names)[model.free])
            res["samples"] = m["samples"]
        res["quality"] = quality(model, th, f["chi2"], m, cfg.mcmc.n_tau)
    else:
        res["quality"] = quality(model, th0, res["chi2_config"], None)
    _print_quality(res["quality"], model)
    return th, err


def _index_and_age(model, th, th0, res):
    """Local spectral index and age of the dominant source at fixed energies; updates ``res``."""
    E_idx = np.array([30.0, 100.0, 300.0, 600.0, 1e3, 3e3, 1e4, 3e4])
    h_idx = model.dlnp  # spectral_index's default step
    E_lo, E_hi = model.E_range
    E_idx = E_idx[(E_idx * math.exp(h_idx) < E_hi) & (E_idx * math.exp(-h_idx) > E_lo)]
    res["index_energies_GeV"] = E_idx.tolist()
    res["index_config"] = model.spectral_index(th0, E_idx).tolist()
    res["index_best"] = model.spectral_index(th, E_idx).tolist()
    print("local index -dlnJ/dlnE of the LIS at " + ", ".join(
        f"{e:g} GeV: {g:.3f}" for e, g in zip(E_idx, res["index_best"])))
    E_age = np.array([0.01, 0.1, 0.3, 1.0, 10.0, 100.0, 1e3, 1e4, 3e4])
    E_age = E_age[(E_age > E_lo) & (E_age < E_hi)]
    res["age_energies_GeV"] = E_age.tolist()
    res["dominant_age_Myr"] = model.dominant_source(th, E_age)[3].tolist()
    print("age of the dominant source: " + ", ".join(
        f"{e:g} GeV: {a:g} Myr" if np.isfinite(a) else f"{e:g} GeV: distant"
        for e, a in zip(E_age, res["dominant_age_Myr"])))
    return E_lo, E_hi


def _source_checks(model, th, res, src_spectra):
    """Escape through the run's outer boundary and the snapshot-cadence error of each source."""
    E_data_max = max((float(d.E.max()) for d in model.datasets.values() if d.E.size), default=0.0)
    res["boundary_escape_1pc_GeV"] = {}
    res["boundary_escape_available"] = [sp.escaped is not None and sp.in_box is not None for sp in src_spectra]
    for k, sp in enumerate(src_spectra, 1):
        Eb = sp.boundary_energy(model.value(th, f"t{k}") * Myr, 0.01)
        # JSON has no infinity: null = below 1 % over the whole momentum grid
        res["boundary_escape_1pc_GeV"][f"source{k}"] = Eb if Eb is not None and math.isfinite(Eb) else None
        if Eb is not None and Eb < E_data_max:
            print(f"note: source{k} ({model.value(th, f't{k}'):g} Myr): > 1 % of its CRs above {Eb:.3g} GeV "
                  f"have left the run's box through r_max = {sp.r[-1] / pc:.0f} pc; with an absorbing wall "
                  "they never return, so the spectrum there may depend on the box size "
                  "(see docs/local_spectrum.md, 'The outer boundary')")
    if all(sp.t.size >= 3 for sp in src_spectra):
        res["cadence_error"] = {f"source{k}": sp.cadence_error(model.value(th, f"t{k}") * Myr,
                                                               model.value(th, f"d{k}") * pc)
                                for k, sp in enumerate(src_spectra, 1)}
        print("time interpolation, leave-one-out error at twice the snapshot spacing (≈4x the real error): "
              + ", ".join(f"{k} {100 * v:.2g} %" for k, v in res["cadence_error"].items()))


def _write_tables(model, th, err, cfg, run_dir, chi2_0, res, out, E_lo, E_hi):
    """``best_fit.md`` and ``model_lis.txt``."""
    table = _table(model, th, err)
    verdict = res["quality"]["summary"]
    (out / "best_fit.md").write_text(
        f"# {cfg.title or 'local proton spectrum'}\n\nrun: `{run_dir}`\n\n**{verdict}**\n\n{table}\n\n"
        f"chi2 (configured) = {chi2_0:.3f}; chi2 (best) = {res.get('chi2_best', chi2_0):.3f}; "
        f"points = {model.n_data}; dof = {model.dof}\n")
    print(table)
    print(f"summary: {verdict}")
    E = np.geomspace(max(cfg.plot.E_min, E_lo), min(cfg.plot.E_max, E_hi), 300)
    comps = model.components(th, E)
    np.savetxt(out / "model_lis.txt", np.column_stack([E, *comps.values(), model.lis(th, E)]),
               header="E[GeV] " + " ".join(f"J[{k}]" for k in comps) + " J_total  (m^-2 s^-1 sr^-1 GeV^-1)")


def fit_local_spectrum(config_path, outdir=None, mcmc: bool = True) -> FitOutput:
    """χ² of the configured sources, least-squares fit, emcee posterior, best-fit table,
    model tables and ``result.json`` in ``outdir`` (no figures)."""
    cfg, base = load_fit_config(config_path)
    model, run_dir, src_dirs, loaded, src_spectra = _load_model(cfg, base, config_path)
    out = Path(outdir) if outdir else Path.cwd() / f"{Path(config_path).stem}_fit"
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("chain.npz", "corner.png", "corner.pdf"):  # outputs of an earlier MCMC in this directory
        (out / stale).unlink(missing_ok=True)
    th0 = model.full()
    chi2_0 = model.chi2()
    for d, sp in loaded.items():
        print(f"run: {d}  ({sp.t.size} snapshots, {sp.r.size} cells, {sp.p.size} momenta)")
    for name, n in model.excluded.items():
        if n:
            print(f"note: {n} point(s) of {name} lie outside the run's energy range and are excluded")
    for name, n in model.stat_filled.items():
        if n:
            print(f"note: {n} statistical error(s) of {name} are printed as 0 in the table (rounding); "
                  "their relative size is interpolated from the neighbouring points")
    print(f"configured sources: chi2 = {chi2_0:.2f} for {model.n_data} points")
    res = {"config": str(Path(config_path).resolve()), "run": str(run_dir),
           "source_runs": [str(d) for d in src_dirs], "n_data": model.n_data,
           "excluded": model.excluded, "names": model.names, "units": model.units,
           "free": model.free.tolist(), "theta_config": th0.tolist(), "chi2_config": chi2_0,
           "chi2_config_by_dataset": model.chi2_by_dataset(th0)}
    th, err = _fit(model, cfg, th0, mcmc, out, res)
    E_lo, E_hi = _index_and_age(model, th, th0, res)
    _source_checks(model, th, res, src_spectra)
    _write_tables(model, th, err, cfg, run_dir, chi2_0, res, out, E_lo, E_hi)
    samples = res.pop("samples", None)
    (out / "result.json").write_text(json.dumps(res, indent=1))
    return FitOutput(model, th, th0, samples, cfg.title, out)
