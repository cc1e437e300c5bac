"""Statistics of the local-spectrum fit: correlated systematics as nuisance parameters, goodness of
fit, parameters at a bound, MCMC convergence, and one plain summary line.

Why nuisance parameters. The systematic errors of AMS-02, CALET and Voyager 1 are dominated by
terms that move all points of a data set together (acceptance / live-time normalisation, the
absolute rigidity or energy scale). Adding them point by point to the statistical errors in
quadrature treats them as independent and makes χ² meaningless (Derome et al. 2019, A&A 627, A158,
§2-3; the AMS collaboration warns the same in its data releases). Here each data set k gets

* a normalisation shift ν_k: J_meas = (1 + ν_k) J_true, Gaussian prior σ_ν;
* a scale shift s_k. Calorimeters (CALET): E_meas = (1 + s_k) E_true, so
  J_meas(E_m) = J_true(E_m/(1+s_k)) / (1 + s_k). Magnetic spectrometers (AMS-02): an offset of
  the inverse rigidity, 1/R_meas = 1/R_true + δ_k [GV^-1] (tracker alignment: the quantity AMS
  quotes), so R_true = R_m/(1 − δ_k R_m) and dJ/dR_meas = dJ/dR_true (dR_true/dR_m),
  dR_true/dR_m = (1 − δ_k R_m)^-2.

χ² = Σ (model − data)²/σ_stat² + Σ (ν/σ_ν)² + Σ (s/σ_s)². Each nuisance adds one parameter and
one prior term, so dof = n_data − n_free_physical, and p = P(χ²_dof > χ²_min).

Prior widths (NUISANCE): set per data set below, overridable in the fit config
(``[[data]] norm_sigma``, ``scale_sigma``); the values and where they come from are listed in
docs/local_spectrum.md ("Systematic errors"). Entries marked "assumed" are not numbers printed
by the experiment.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.stats import chi2 as chi2_dist

from .crdata import dR_dEkn, ekn_to_rigidity, rigidity_to_ekn


@dataclasses.dataclass(frozen=True)
class Nuisance:
    """Gaussian prior widths of one data set's correlated systematics."""

    norm_sigma: float  # fractional normalisation (1σ)
    scale_kind: str  # "energy" (fractional E scale), "inv_rigidity" (δ in GV^-1) or "none"
    scale_sigma: float
    source: str


NUISANCE = {
    # Widths are defaults to be confirmed against the papers (their full texts could not be checked when
    # this was written; the shipped CRDB tables give only the total systematic error, no breakdown).
    # AMS-02 PRL 114, 171103 (2015): the supplemental table splits the systematics into trigger,
    # acceptance/selection ("acc"), unfolding and absolute rigidity scale; ≈ 1 % energy-independent
    # normalisation and an inverse-rigidity offset of 1/26 TV^-1 are used here.
    "ams02_2015": Nuisance(0.01, "inv_rigidity", 1.0 / 26e3, "Aguilar et al. 2015, PRL 114, 171103 (approximate)"),
    "ams02_2021": Nuisance(0.01, "inv_rigidity", 1.0 / 26e3, "as AMS-02 2015 (assumed; Phys. Rep. 894, 1)"),
    # CALET PRL 129, 101102 (2022): energy-independent systematics ≈ 4 % and energy scale ≈ 2 % (approximate).
    "calet_2022": Nuisance(0.04, "energy", 0.02, "Adriani et al. 2022, PRL 129, 101102 (approximate)"),
    # Voyager 1 (Stone et al. 2013): CRDB lists statistical errors only; 10 % normalisation assumed.
    "voyager1_2013": Nuisance(0.10, "none", 0.0, "assumed (Stone et al. 2013 give no breakdown)"),
}


def detector_response(E_m, J_true, nu: float, s: float, scale_kind: str):
    """Measured intensity at measured energies E_m [GeV/n] given the true spectrum J_true(E) [per GeV/n].

    ``J_true`` is a callable of the true kinetic energy per nucleon (protons). See the module
    docstring for the two scale models. nu = s = 0 returns J_true(E_m) exactly.
    """
    E_m = np.asarray(E_m, dtype=float)
    if scale_kind == "energy" and s != 0.0:
        J = J_true(E_m / (1.0 + s)) / (1.0 + s)
    elif scale_kind == "inv_rigidity" and s != 0.0:
        R_m = ekn_to_rigidity(E_m)
        den = 1.0 - s * R_m
        if np.any(den <= 0):
            raise ValueError(f"inverse-rigidity offset {s:g} /GV exceeds 1/R of the data")
        R_t = R_m / den
        E_t = rigidity_to_ekn(R_t)
        # J_E,m(E_m) = [J_E(E_t)/dR/dE(E_t)] · (dR_t/dR_m) · dR/dE(E_m)
        J = J_true(E_t) / dR_dEkn(E_t) / den**2 * dR_dEkn(E_m)
    else:
        J = J_true(E_m)
    return (1.0 + nu) * J


def fill_zero_stat(ds):
    """Replace statistical errors printed as 0 (rounded in the CRDB tables, e.g. AMS-02 at 4.6, 5.1 and
    13.5 GV) by the relative error interpolated in ln E from the points with non-zero errors.

    Returns (data set, number of points filled). A χ² with the statistical errors alone needs them
    finite; the filled values are below the table's rounding unit, as the printed 0 says.
    """
    fields = {}
    n = 0
    for side in ("stat_lo", "stat_hi"):
        err = getattr(ds, side)
        zero = err <= 0
        if zero.any() and (~zero).sum() >= 2:
            rel = np.interp(np.log(ds.E[zero]), np.log(ds.E[~zero]), err[~zero] / ds.J[~zero])
            err = err.copy()
            err[zero] = rel * ds.J[zero]
            n = max(n, int(zero.sum()))
        fields[side] = err
    return dataclasses.replace(ds, **fields), n


def chi2_pvalue(chi2: float, dof: int) -> float:
    """P(χ²_dof ≥ chi2): the probability of a χ² at least this large if the model were right."""
    return float(chi2_dist.sf(chi2, dof)) if dof > 0 else math.nan


def at_bound(x, lo, hi, rel: float = 1e-3) -> np.ndarray:
    """True where a parameter lies within rel × (hi − lo) of one of its (finite) bounds."""
    x, lo, hi = (np.asarray(a, float) for a in (x, lo, hi))
    width = np.where(np.isfinite(hi - lo), hi - lo, np.abs(x) + 1.0)
    return (np.isfinite(lo) & (x - lo <= rel * width)) | (np.isfinite(hi) & (hi - x <= rel * width))


def autocorr_time(chain) -> np.ndarray:
    """Integrated autocorrelation time per parameter of an emcee chain (n_step, n_walker, n_dim).

    emcee's estimator (Sokal's window, c = 5; Goodman & Weare 2010) with its own "chain shorter than
    50 τ" check switched off (tol = 0): the caller compares the length with n_tau × τ and reports it.
    """
    from emcee.autocorr import integrated_time  # emcee: optional, loaded only for a posterior

    return np.asarray(integrated_time(np.asarray(chain), c=5, tol=0, quiet=True), float)


def summary_line(chi2: float, dof: int, p: float, bound_names, converged: bool | None, n_tau: float = 50,
                 p_bad: float = 1e-3) -> str:
    """One line that says plainly whether the fit describes the data and whether its errors mean anything."""
    stat = f"χ²/dof = {chi2:.1f}/{dof} = {chi2 / max(dof, 1):.3g}, p = {p:.2g}"
    if np.isfinite(p) and p < p_bad:
        return f"the model does not describe the data ({stat}); parameter errors are not meaningful"
    notes = []
    if bound_names:
        notes.append(f"parameter(s) at a bound: {', '.join(bound_names)} (errors there are one-sided)")
    if converged is False:
        notes.append(f"MCMC chain shorter than {n_tau:g} autocorrelation times (posterior errors approximate)")
    head = f"the model is consistent with the data ({stat})"
    return head + ("; " + "; ".join(notes) if notes else "")


def quality(model, theta, chi2: float, mcmc: dict | None = None, n_tau: float = 50) -> dict:
    """χ²/dof, p-value, bound flags, nuisance pulls, MCMC convergence and the summary line of a fit."""
    dof = model.dof
    p = chi2_pvalue(chi2, dof)
    free_idx = np.nonzero(model.free)[0]
    flags = at_bound(theta[free_idx], model.lo[free_idx], model.hi[free_idx])
    bound = [model.names[i] for i, f in zip(free_idx, flags) if f]
    pulls = {model.names[i]: float(theta[i] / model.prior_sigma[i]) for i in model.nuisance_index}
    out = {"chi2": float(chi2), "dof": int(dof), "chi2_dof": float(chi2 / max(dof, 1)), "p_value": p,
           "at_bound": bound, "nuisance_pulls": pulls, "chi2_priors": float(sum(v * v for v in pulls.values()))}
    converged = None
    if mcmc is not None:
        tau = np.asarray(mcmc["tau"], float)
        n = int(mcmc["n_steps_total"])
        converged = bool(np.all(np.isfinite(tau)) and n >= n_tau * np.max(tau))
        out.update(mcmc_tau=tau.tolist(), mcmc_steps=n, mcmc_n_tau_required=n_tau, mcmc_converged=converged)
    out["summary"] = summary_line(chi2, dof, p, bound, converged, n_tau)
    return out
