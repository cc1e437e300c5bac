"""Statistics of the local-spectrum fit on synthetic data whose truth is known.

Data are generated from the model itself (analytic stand-in run: exact diffusion of the seed-000 top
hat), passed through the detector response with nuisance shifts drawn from their Gaussian priors,
and scattered by Gaussian statistical noise. Then: the minimum χ² follows χ²(dof) (p-values uniform),
the shifts are recovered within their errors, a wrong model is flagged, a parameter held by its bound
is flagged, and a short chain is reported as such without emcee's raw warning.
"""
import logging

import numpy as np
import pytest
from scipy.stats import kstest

from crescape.analysis.crdata import CRDataSet, dR_dEkn, ekn_to_rigidity
from crescape.analysis.local_spectrum import LocalSpectrumModel, SourceSpectra
from crescape.analysis.local_spectrum_config import load_fit_config
from crescape.analysis.local_spectrum_fit import fit_least_squares, run_mcmc
from crescape.analysis.local_spectrum_standin import write_analytic_run
from crescape.analysis.local_spectrum_stats import detector_response, quality
from crescape.core.constants import Myr, pc


@pytest.fixture(scope="module")
def spectra(tmp_path_factory):
    d = tmp_path_factory.mktemp("synthetic_stats")
    t = np.arange(1, 41) * 0.2 * Myr
    r = (np.arange(150) + 0.5) * 2.0 * pc
    p = np.logspace(-1.5, 5.5, 36)
    return SourceSpectra.from_run(write_analytic_run(d, t, r, p))


def _cfg(d2, d2_max="290 pc", sources=None):
    return load_fit_config({
        "run": ".",
        "sources": sources or [
            {"t_age": "1.2 Myr", "d": "228.7 pc"},
            {"t_age": "2.9 Myr", "d": {"value": d2, "free": True, "min": "5 pc", "max": d2_max}},
            {"t_age": "6.6 Myr", "d": "2.5 pc"}],
        "data": [{"name": "ams02_2015", "phi": "0.564 GV"}, {"name": "calet_2022", "phi": "0.55 GV"}],
        "mcmc": {"enabled": False}})[0]


def _fake(name, E, J, rel):
    err = rel * J
    return CRDataSet(name, "fake", "synthetic", "", E, E * np.nan, E * np.nan, J, err, err, 0 * J, 0 * J)


def _synthetic(spectra, rng, truth_cfg=None):
    """Data sets drawn from the truth (d2 = 41.2 pc) with nuisance shifts from their priors."""
    mt = LocalSpectrumModel(truth_cfg or _cfg("41.2 pc"), spectra)
    th = mt.full()
    for i in mt.nuisance_index:
        th[i] = mt.prior_sigma[i] * rng.standard_normal()
    E = {"ams02_2015": np.geomspace(2.0, 1500.0, 30), "calet_2022": np.geomspace(60.0, 3e4, 20)}
    rel = {"ams02_2015": 0.005, "calet_2022": 0.02}
    data = {}
    for n, e in E.items():
        J = mt.predict(th, n, e)
        data[n] = _fake(n, e, J * (1 + rel[n] * rng.standard_normal(e.size)), rel[n])
    return th, data, mt


def test_energy_scale_shift_of_a_power_law_is_the_analytic_factor():
    """E_m = (1+s) E: J_m(E) = J(E/(1+s))/(1+s) = (1+s)^(γ−1) E^-γ for J = E^-γ."""
    E = np.geomspace(10, 1e4, 7)
    g, s = 2.7, 0.03
    out = detector_response(E, lambda x: x**-g, 0.02, s, "energy")
    np.testing.assert_allclose(out, 1.02 * (1 + s) ** (g - 1) * E**-g, rtol=1e-13)


def test_inverse_rigidity_offset_of_a_rigidity_power_law_is_the_analytic_result():
    """1/R_m = 1/R + δ: dJ/dR_m = (R_m/(1−δR_m))^-γ (1−δR_m)^-2 for dJ/dR = R^-γ (Jacobian R_t²/R_m²)."""
    E = np.geomspace(5, 1500, 9)
    g, d = 2.8, 1 / 26e3
    R = ekn_to_rigidity(E)
    out = detector_response(E, lambda x: ekn_to_rigidity(x) ** -g * dR_dEkn(x), 0.0, d, "inv_rigidity")
    exact = (R / (1 - d * R)) ** -g * (1 - d * R) ** -2 * dR_dEkn(E)
    np.testing.assert_allclose(out, exact, rtol=1e-12)
    assert abs(out[-1] / (R[-1] ** -g * dR_dEkn(E[-1])) - 1) > 0.04  # ≈ (γ−2) δ R = 4.6 % at 1.5 TV


def test_good_fits_give_uniform_p_values_and_recover_the_nuisance_shifts(spectra):
    rng = np.random.default_rng(7)
    pvals, pulls = [], []
    for _ in range(60):
        th_true, data, _ = _synthetic(spectra, rng)
        m = LocalSpectrumModel(_cfg("60 pc"), spectra, datasets=data)
        f = fit_least_squares(m, n_starts=1, seed=1)
        q = quality(m, f["theta"], f["chi2"])
        pvals.append(q["p_value"])
        err = np.sqrt(np.diag(f["cov"]))
        k = {i: j for j, i in enumerate(np.nonzero(m.free)[0])}
        pulls += [(f["theta"][i] - th_true[i]) / err[k[i]] for i in m.nuisance_index]
        assert not q["at_bound"]
    assert m.dof == 50 - 1
    ks = kstest(pvals, "uniform").pvalue
    print(f"p-values: KS test against U(0,1) p = {ks:.3f}; nuisance pulls rms = {np.std(pulls):.2f}")
    assert ks > 0.01
    assert np.sum(np.array(pvals) < 1e-3) <= 2  # flagged as bad: expected 0.06 of 60 true models
    assert 0.6 < np.std(pulls) < 1.5 and np.max(np.abs(pulls)) < 4.5  # (fit − truth)/σ ~ N(0, 1)


def test_a_wrong_model_is_flagged_as_not_describing_the_data(spectra):
    """Truth has the 6.6 Myr source at 2.5 pc; the fitted model lacks it: p < 1e-3 and the summary says so."""
    rng = np.random.default_rng(3)
    _, data, _ = _synthetic(spectra, rng)
    wrong = _cfg("60 pc", sources=[{"t_age": "1.2 Myr", "d": "228.7 pc"},
                                   {"t_age": "2.9 Myr", "d": {"value": "60 pc", "free": True, "min": "5 pc"}}])
    m = LocalSpectrumModel(wrong, spectra, datasets=data)
    f = fit_least_squares(m, n_starts=2, seed=1)
    q = quality(m, f["theta"], f["chi2"])
    assert q["p_value"] < 1e-3
    assert q["summary"].startswith("the model does not describe the data")
    assert "parameter errors are not meaningful" in q["summary"]


def test_a_parameter_held_at_its_bound_is_flagged(spectra):
    rng = np.random.default_rng(5)
    _, data, _ = _synthetic(spectra, rng)
    m = LocalSpectrumModel(_cfg("25 pc", d2_max="30 pc"), spectra, datasets=data)  # truth 41.2 pc
    f = fit_least_squares(m, n_starts=1, seed=1)
    q = quality(m, f["theta"], f["chi2"])
    assert "d2" in q["at_bound"]
    assert m.value(f["theta"], "d2") == pytest.approx(30.0, abs=0.03)


def test_short_chain_is_reported_not_warned(spectra, caplog, capsys):
    rng = np.random.default_rng(11)
    _, data, _ = _synthetic(spectra, rng)
    m = LocalSpectrumModel(_cfg("41.2 pc"), spectra, datasets=data)
    f = fit_least_squares(m, n_starts=1, seed=1)
    with caplog.at_level(logging.WARNING):
        mc = run_mcmc(m, f["theta"], n_walkers=12, n_steps=30, burn=10, thin=1, seed=1, cov=f["cov"], max_steps=60)
    assert mc["n_steps_total"] == 60 and mc["converged"] is False
    assert not [r for r in caplog.records if "autocorrelation" in r.getMessage()]
    assert "autocorrelation" not in capsys.readouterr().err
    q = quality(m, f["theta"], f["chi2"], mc)
    assert q["mcmc_converged"] is False and "shorter than 50 autocorrelation times" in q["summary"]
