"""The local cosmic-ray proton spectrum from a few nearby sources (seed 000 §5.2, Figs. 11-12).

One CR-hydro run N_cr(t, r, p) describes one source; a source of age t_age at distance d from
the Earth contributes N_cr(t_age, r = d, p). Sources of different ages and distances share one
run: the model is linear in the number of sources as long as the sources do not overlap
dynamically (each remnant's gas flow is unaffected by the others' CRs).

Pipeline: :class:`SourceSpectra` (interpolation of the snapshots in t and r, log N linear in
ln t and in r) → :class:`LocalSpectrumModel` (sum of sources + optional distant power law in
rigidity = local interstellar spectrum, force-field modulation per data set) →
:mod:`.local_spectrum_fit` (least squares, emcee, result files) → ``crescape fit local-spectrum``
(:func:`crescape.plotting.local_spectrum.cli_fit`, which adds the figures).
All energies in this module are kinetic energies per nucleon in GeV; intensities are in
m^-2 s^-1 sr^-1 GeV^-1, the units of the data.
"""
from __future__ import annotations

import functools
import math
import warnings

import numpy as np

from ..core.constants import GeV, Myr, c, m_p_c2, pc
from ..io import open_run
from .crdata import M_P_GEV, dR_dEkn, ekn_to_rigidity, load_dataset
from .local_spectrum_config import PositiveParam, PotentialParam
from .local_spectrum_stats import NUISANCE, detector_response, fill_zero_stat

CM2_PER_M2 = 1e4


# --------------------------------------------------------------------------------------------
# pure formulas
# --------------------------------------------------------------------------------------------
def kinetic_energy_gev(p):
    """Kinetic energy ε(p) [GeV] of a proton with momentum p [m_p c] (seed 000 eq. 8).

    ε = m_p c² (√(1 + p²) − 1) = m_p c² p² / (√(1 + p²) + 1) (the second form keeps precision at p ≪ 1).
    """
    p = np.asarray(p, dtype=float)
    return M_P_GEV * p * p / (np.sqrt(1.0 + p * p) + 1.0)


def intensity_from_density(p, N):
    """Differential intensity J(E) = v(p) N_E / (4π) [m^-2 s^-1 sr^-1 GeV^-1].

    ``N`` = dn/d(p/m_p c) [cm^-3] (the run's N_cr). With N_E = dn/dε = N / (dε/dp̃) and
    dε/dp̃ = m_p c² β (seed 000 eqs. 7-8), v = β c: J = β c N / (4π m_p c² β) [cm^-2 s^-1 sr^-1 erg^-1],
    converted with 1 m² = 10^4 cm² and 1 GeV = 1.602e-3 erg.
    """
    p = np.asarray(p, dtype=float)
    beta = p / np.sqrt(1.0 + p * p)
    J_cgs = beta * c * np.asarray(N, dtype=float) / (4.0 * math.pi * m_p_c2 * beta)
    return J_cgs * CM2_PER_M2 * GeV


def force_field(E, J_lis, phi, Z: int = 1, A: int = 1):
    """Force-field solar modulation (Gleeson & Axford 1968, ApJ 154, 1011).

    J(E) = J_LIS(E + Φ) · E (E + 2m) / [(E + Φ)(E + Φ + 2m)],  Φ = (Z e / A) φ,
    E kinetic energy per nucleon [GeV/n], φ [GV], m the nucleon rest energy (protons: m_p c²).
    ``J_lis`` is a callable of the kinetic energy per nucleon. The factor is p²(E)/p²(E + Φ):
    the phase-space density is conserved along the shift.
    """
    E = np.asarray(E, dtype=float)
    Phi = Z * phi / A
    m = M_P_GEV
    Es = E + Phi
    return J_lis(Es) * E * (E + 2 * m) / (Es * (Es + 2 * m))


def power_law_rigidity(E, K, gamma, R0=10.0):
    """Distant component, a power law in rigidity converted to intensity per GeV/n.

    dJ/dR = K (R/R0)^-γ [(m² s sr GV)^-1];  J(E) = dJ/dR · dR/dE with dR/dE = 1/β (protons).
    """
    R = ekn_to_rigidity(E)
    return K * (R / R0) ** (-gamma) * dR_dEkn(E)


def broken_power_law_rigidity(E, K, gamma, gamma2, R_break, smooth=0.1, R0=10.0):
    """Smoothly broken power law in rigidity, per GeV/n.

    dJ/dR = K (R/R0)^-γ [1 + (R/R_b)^(1/s)]^(-s (γ2 − γ)): index γ below R_b, γ2 above,
    s the smoothness of the break (s → 0 sharp). J(E) = dJ/dR · dR/dE.
    """
    R = ekn_to_rigidity(E)
    shape = (R / R0) ** (-gamma) * (1.0 + (R / R_break) ** (1.0 / smooth)) ** (-smooth * (gamma2 - gamma))
    return K * shape * dR_dEkn(E)


# --------------------------------------------------------------------------------------------
# spectra of one source at (t_age, d) from a run
# --------------------------------------------------------------------------------------------
def _interp_log(a, b, w):
    """(1−w) a + w b in log space where a, b > 0; linear elsewhere (zeros stay exact)."""
    pos = (a > 0) & (b > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lg = np.exp((1.0 - w) * np.log(np.where(pos, a, 1.0)) + w * np.log(np.where(pos, b, 1.0)))
    return np.where(pos, lg, (1.0 - w) * a + w * b)


class SourceSpectra:
    """The snapshots N_cr(t, r, p) of one run, interpolated to any (t_age, d) on demand.

    Interpolation: log N is linear in ln t between bracketing snapshots (linear in t if the
    earlier one is t = 0) and linear in r between cell centres; for d below the first cell
    centre the first cell is used (∂N/∂r = 0 at the symmetric origin). Ages outside the
    snapshot range and distances beyond the last cell centre are errors, never extrapolated.
    Spectra at (t_age, d) are cached (LRU). Negative values of N_cr are an error unless they
    are round-off (|N| <= neg_tol × max N): those are set to 0 with a warning that counts them.
    """

    def __init__(self, t, r, p, N, source: str = "", neg_tol: float = 1e-10, volumes=None, escaped=None):
        self.t = np.asarray(t, dtype=float)
        self.r = np.asarray(r, dtype=float)
        self.p = np.asarray(p, dtype=float)
        self.N = np.asarray(N, dtype=float)
        self.source = source
        if self.N.shape != (self.t.size, self.r.size, self.p.size):
            raise ValueError(f"N_cr has shape {self.N.shape}, expected (t, r, p) = "
                             f"{(self.t.size, self.r.size, self.p.size)}")
        for name, x in (("t", self.t), ("r", self.r), ("p", self.p)):
            if x.size < 2 or np.any(np.diff(x) <= 0):
                raise ValueError(f"run coordinate {name!r} must be strictly increasing with >= 2 values")
        if not np.all(np.isfinite(self.N)):
            raise ValueError(f"N_cr of {source or 'the run'} has non-finite values")
        self.n_negative = int(np.count_nonzero(self.N < 0))
        if self.n_negative:
            worst = float(-self.N.min() / np.abs(self.N).max())
            if worst > neg_tol:
                raise ValueError(f"N_cr of {source or 'the run'} has negative values down to "
                                 f"{worst:.3g} of its maximum (tolerance neg_tol = {neg_tol:g})")
            warnings.warn(f"N_cr of {source or 'the run'}: {self.n_negative} round-off negative values "
                          f"(down to {worst:.2g} of the maximum) set to 0", stacklevel=2)
            self.N = np.where(self.N < 0, 0.0, self.N)
        self.E = kinetic_energy_gev(self.p)
        self.intensity = functools.lru_cache(maxsize=4096)(self._intensity)
        # Number of CRs per unit p/(m_p c) still in the box and already through r_max, both at
        # the snapshot times: the boundary diagnostic (escaped_fraction) needs them.
        self.volumes = None if volumes is None else np.asarray(volumes, dtype=float)
        self.escaped = None if escaped is None else np.asarray(escaped, dtype=float)
        if self.volumes is not None and self.volumes.shape != self.r.shape:
            raise ValueError(f"cell volumes have shape {self.volumes.shape}, expected {self.r.shape}")
        if self.escaped is not None and self.escaped.shape != (self.t.size, self.p.size):
            raise ValueError(f"escaped spectrum has shape {self.escaped.shape}, expected (t, p) = "
                             f"{(self.t.size, self.p.size)}")
        self.in_box = None if self.volumes is None else np.einsum("trp,r->tp", self.N, self.volumes)
        self.dlnp = float(np.median(np.diff(np.log(self.p))))  # momentum-grid step

    @classmethod
    def from_run(cls, path) -> SourceSpectra:
        """Read ``N_cr`` (t, r, p) from a CR-hydro run directory (data contract)."""
        run = open_run(path)
        snaps = run.snapshots
        if snaps is None or "N_cr" not in snaps:
            raise ValueError(f"run {path} has no snapshots/N_cr (was the CR module enabled?)")
        N = snaps["N_cr"].transpose("t", "r", "p")
        volumes = escaped = None
        esc = run.escaped
        if esc is not None and "escaped" in esc:
            g = run.grid
            same_t = esc["t"].size == snaps["t"].size and np.allclose(esc["t"].values, snaps["t"].values)
            if g.V.size == snaps["r"].size and same_t:
                volumes, escaped = g.V, esc["escaped"].transpose("t", "p").values
        return cls(snaps["t"].values, snaps["r"].values, snaps["p"].values, N.values, source=str(path),
                   volumes=volumes, escaped=escaped)

    def escaped_fraction(self, t_age: float) -> np.ndarray | None:
        """Fraction of the CRs at each momentum that have left the box through r_max by t_age.

        f(p) = N_esc/(N_esc + N_box), N_box = Σ_i N_cr(t, r_i, p) V_i, both linear in t between
        snapshots. With an absorbing outer boundary these CRs never return, whereas in an
        unbounded ISM some would diffuse back to the observer: where f exceeds about a per cent
        the spectrum at d depends on where the box ends (docs/local_spectrum.md, "The outer
        boundary"). None if the run has no escaped spectrum or cell volumes.
        """
        if self.escaped is None or self.in_box is None:
            return None
        i = self._bracket(t_age, self.t, "t_age", "Myr", Myr)
        w = (t_age - self.t[i]) / (self.t[i + 1] - self.t[i])
        esc = self.escaped[i] * (1 - w) + self.escaped[i + 1] * w
        tot = esc + self.in_box[i] * (1 - w) + self.in_box[i + 1] * w
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(tot > 0, esc / tot, 0.0)

    def boundary_energy(self, t_age: float, fraction: float = 0.01) -> float | None:
        """Lowest kinetic energy [GeV] above which more than ``fraction`` of the CRs of age t_age
        have escaped through r_max (inf if none; None without the diagnostic data)."""
        f = self.escaped_fraction(t_age)
        if f is None:
            return None
        above = np.nonzero(f > fraction)[0]
        return float(self.E[above[0]]) if above.size else math.inf

    def _bracket(self, x, grid, what, unit, scale):
        if not grid[0] <= x <= grid[-1]:
            raise ValueError(f"{what} = {x / scale:.6g} {unit} is outside the run's range "
                             f"[{grid[0] / scale:.6g}, {grid[-1] / scale:.6g}] {unit}")
        i = int(np.clip(np.searchsorted(grid, x, side="right") - 1, 0, grid.size - 2))
        return i

    def _at_radius(self, i: int, d: float) -> np.ndarray:
        """N(p) of snapshot i at distance d (log-linear in r between cell centres)."""
        if d <= self.r[0]:
            return self.N[i, 0]
        j = self._bracket(d, self.r, "d", "pc", pc)
        wr = (d - self.r[j]) / (self.r[j + 1] - self.r[j])
        return _interp_log(self.N[i, j], self.N[i, j + 1], wr)

    def density(self, t_age: float, d: float) -> np.ndarray:
        """N(p) = dn/d(p/m_p c) [cm^-3] at age t_age [s] and distance d [cm]."""
        i = self._bracket(t_age, self.t, "t_age", "Myr", Myr)
        t0, t1 = self.t[i], self.t[i + 1]
        wt = math.log(t_age / t0) / math.log(t1 / t0) if t0 > 0 else (t_age - t0) / (t1 - t0)
        return _interp_log(self._at_radius(i, d), self._at_radius(i + 1, d), wt)

    def _intensity(self, t_age: float, d: float) -> np.ndarray:
        J = intensity_from_density(self.p, self.density(t_age, d))
        J.setflags(write=False)
        return J

    def cadence_error(self, t_age: float, d: float, weight: float = 2.7, rel_floor: float = 1e-3) -> float:
        """Leave-one-out check of the time interpolation near t_age.

        Interpolates the snapshot nearest to t_age from its two neighbours (twice the real
        spacing) and returns the largest relative error of J where E^weight J is above
        rel_floor of its maximum. For smooth evolution the error at the real cadence is
        about a quarter of this value (second-order interpolation).
        """
        if self.t.size < 3:
            raise ValueError("cadence_error needs at least 3 snapshots")
        k = int(np.clip(np.argmin(np.abs(self.t - t_age)), 1, self.t.size - 2))
        sub = SourceSpectra(self.t[[k - 1, k + 1]], self.r, self.p, self.N[[k - 1, k + 1]])
        approx = sub.intensity(self.t[k], d)
        exact = intensity_from_density(self.p, self._at_radius(k, d))
        w = self.E**weight * exact
        if not w.max() > 0:
            return 0.0
        m = w >= rel_floor * w.max()
        return float(np.max(np.abs(approx[m] / exact[m] - 1.0)))


CALET_WINDOWS = ((100.0, 500.0), (1e3, 1e4), (1e4, 6e4))  # GeV: below, between, above the breaks


def window_indices(E, J, windows=CALET_WINDOWS) -> np.ndarray:
    """−d ln J/d ln E fitted by least squares over the points of E inside each (lo, hi) window [GeV].

    Applied alike to data and model (at the data's energies), this compares spectral breaks
    without the point-to-point noise of a local derivative; CALET 2022 gives 2.80 / 2.56 / 2.88.
    """
    E, J = np.asarray(E, float), np.asarray(J, float)
    out = []
    for lo, hi in windows:
        m = (lo <= E) & (hi >= E)
        if m.sum() < 2:
            raise ValueError(f"window [{lo:g}, {hi:g}] GeV holds {int(m.sum())} point(s); need >= 2")
        out.append(-np.polyfit(np.log(E[m]), np.log(J[m]), 1)[0])
    return np.array(out)


def loglog_interp(x, xp, yp, floor=1e-300):
    """Interpolate y(x) linearly in log y vs log x (yp may contain zeros; floor keeps logs finite)."""
    ly = np.log(np.maximum(yp, floor))
    out = np.exp(np.interp(np.log(x), np.log(xp), ly))
    return np.where(out <= 10 * floor, 0.0, out)


# --------------------------------------------------------------------------------------------
# the model: sum of sources (+ distant component), modulated per data set
# --------------------------------------------------------------------------------------------
def _param_bounds(name, par, scale, unit, dlo, dhi):
    """(value, lower, upper) of a fit parameter in model units; the bounds must lie inside [dlo, dhi]."""
    v = par.value / scale
    plo = dlo if par.min is None else par.min / scale
    phi_ = dhi if par.max is None else par.max / scale
    if plo < dlo or phi_ > dhi:
        raise ValueError(f"bounds of {name} [{plo:g}, {phi_:g}] {unit} exceed the model's range "
                         f"[{dlo:g}, {dhi:g}] {unit}")
    if not plo <= v <= phi_:
        raise ValueError(f"{name} = {v:g} {unit} is outside the model's range [{plo:g}, {phi_:g}] {unit}")
    return v, plo, phi_


class LocalSpectrumModel:
    """Local interstellar spectrum = Σ_i norm_i J_run(t_i, d_i) (+ distant), modulated per data set.

    Parameters live in a vector in natural units (d: pc, t: Myr, φ: GV, K: (m² s sr GV)^-1);
    ``names``, ``x0`` (config values), ``lo``/``hi`` (bounds) and ``free`` describe it.
    Data points whose (shifted) energies fall outside the run's momentum grid are excluded
    and counted in ``excluded`` (reported by the CLI), never extrapolated.
    """

    def __init__(self, cfg, spectra: SourceSpectra, datasets: dict | None = None, source_spectra=None):
        self.cfg, self.spectra = cfg, spectra
        # one SourceSpectra per source: the run named by the source, else the common one
        self.source_spectra = [spectra] * len(cfg.sources) if source_spectra is None else list(source_spectra)
        if len(self.source_spectra) != len(cfg.sources):
            raise ValueError(f"{len(self.source_spectra)} source spectra for {len(cfg.sources)} sources")
        runs = list({id(s): s for s in [spectra, *self.source_spectra]}.values())
        # energies every run covers: data outside are excluded, plots stay inside
        self.E_range = (max(s.E[0] for s in runs), min(s.E[-1] for s in runs))
        if self.E_range[0] >= self.E_range[1]:
            raise ValueError("the runs of the sources share no kinetic-energy range")
        self.dlnp = max(s.dlnp for s in runs)
        names, x0, lo, hi, free, units = [], [], [], [], [], []

        def add(name, par, scale, unit, dlo, dhi):
            v, plo, phi_ = _param_bounds(name, par, scale, unit, dlo, dhi)
            names.append(name), x0.append(v), lo.append(plo), hi.append(phi_), free.append(par.free)
            units.append(unit)

        for k, (s, sp) in enumerate(zip(cfg.sources, self.source_spectra), 1):
            add(f"d{k}", s.d, pc, "pc", 0.0, sp.r[-1] / pc)
            add(f"t{k}", s.t_age, Myr, "Myr", sp.t[0] / Myr, sp.t[-1] / Myr)
            add(f"norm{k}", s.norm, 1.0, "", 0.0, 1e6)
        dist = cfg.distant
        if dist.kind != "none":
            add("K", dist.K, 1.0, "(m2 s sr GV)^-1", 0.0, 1e12)
            add("gamma", dist.gamma, 1.0, "", -3.0, 6.0)
            if dist.kind == "broken_power_law":
                add("gamma2", dist.gamma2, 1.0, "", -3.0, 6.0)
                add("R_break", dist.R_break, 1.0, "GV", 1e-2, 1e7)
        self.datasets, self.excluded, self.error_kind, self.scale_kind = {}, {}, {}, {}
        prior = {}  # parameter index -> Gaussian prior width of a nuisance parameter
        self.stat_filled = {}  # data set -> number of zero statistical errors filled from neighbours
        datasets = datasets or {}
        for dsec in cfg.data:
            ds = datasets.get(dsec.name) or load_dataset(dsec.name)
            ds = ds.select(dsec.E_min, dsec.E_max)
            phi_par = dsec.phi
            if phi_par is None:
                phi_par = PotentialParam(value=(ds.phi_crdb or 0.55) if ds.modulated else 0.0)
            add(f"phi_{dsec.name}", phi_par, 1.0, "GV", 0.0, 3.0)
            phi_max = hi[-1] if phi_par.free else x0[-1]
            ok = (self.E_range[0] <= ds.E) & (ds.E + phi_max <= self.E_range[1])
            self.excluded[dsec.name] = int((~ok).sum())
            self.datasets[dsec.name] = ds.select(ds.E[ok].min(), ds.E[ok].max()) if ok.any() else ds.select(1, 0)
            self._errors(dsec)
            if dsec.errors == "nuisance":
                self._add_nuisance(dsec, add, names, prior)
        self.names, self.units = names, units
        self.prior_sigma = np.array([prior.get(i, np.nan) for i in range(len(names))])
        self.nuisance_index = sorted(prior)
        self.x0, self.lo, self.hi = (np.array(a, float) for a in (x0, lo, hi))
        self.free = np.array(free, bool)
        self._idx = {n: i for i, n in enumerate(names)}
        self.n_data = sum(len(d) for d in self.datasets.values())
        if self.n_data == 0:
            raise ValueError("no data points inside the run's energy range")

    def _errors(self, dsec):
        """The errors entering χ² for data set ``dsec``; zero statistical errors filled (nuisance) or refused."""
        kind = "stat" if dsec.errors == "nuisance" else dsec.errors
        self.error_kind[dsec.name] = kind
        if dsec.errors == "nuisance":  # plain errors = "stat" keeps refusing printed zeros
            self.datasets[dsec.name], self.stat_filled[dsec.name] = fill_zero_stat(self.datasets[dsec.name])
        ds = self.datasets[dsec.name]
        bad = int(np.sum((ds.error(kind, "lo") <= 0) | (ds.error(kind, "hi") <= 0)))
        if bad:
            raise ValueError(f"data set {dsec.name}: {bad} point(s) have zero '{kind}' error; "
                             "use errors = 'stat+syst' or restrict E_min/E_max")

    def _add_nuisance(self, dsec, add, names, prior):
        """Normalisation and energy/rigidity-scale shifts of one data set (local_spectrum_stats)."""
        nu = NUISANCE[dsec.name]
        sig_n = nu.norm_sigma if dsec.norm_sigma is None else dsec.norm_sigma
        sig_s = nu.scale_sigma if dsec.scale_sigma is None else dsec.scale_sigma
        self.scale_kind[dsec.name] = nu.scale_kind if sig_s > 0 else "none"
        for tag, sig, unit in (("norm", sig_n, ""), ("scale", sig_s, "GV^-1" if nu.scale_kind == "inv_rigidity" else "")):
            if sig <= 0 or (tag == "scale" and nu.scale_kind == "none"):
                continue
            par = PositiveParam.model_construct(value=0.0, free=True, min=None, max=None)
            add(f"{tag}_{dsec.name}", par, 1.0, unit, -5.0 * sig, 5.0 * sig)
            prior[len(names) - 1] = sig

    # -- parameters ---------------------------------------------------------------------
    @property
    def n_free(self) -> int:
        return int(self.free.sum())

    @property
    def dof(self) -> int:
        """n_data − free physical parameters (each nuisance brings its own prior term)."""
        return self.n_data - (self.n_free - len(self.nuisance_index))

    def full(self, x_free=None) -> np.ndarray:
        th = self.x0.copy()
        if x_free is not None:
            th[self.free] = x_free
        return th

    def value(self, th, name):
        return th[self._idx[name]]

    # -- spectra ------------------------------------------------------------------------
    def components(self, th, E) -> dict[str, np.ndarray]:
        """Unmodulated J(E) of each source (key = label) and of the distant component."""
        out = {}
        for k, (s, sp) in enumerate(zip(self.cfg.sources, self.source_spectra), 1):
            t, d, n = (self.value(th, f"{a}{k}") for a in ("t", "d", "norm"))
            J = n * sp.intensity(float(t * Myr), float(d * pc))
            key = s.label or f"{t:.3g} Myr, {d:.4g} pc"
            out[key if key not in out else f"{key} (source {k})"] = loglog_interp(E, sp.E, J)
        dist = self.cfg.distant
        if dist.kind == "power_law":
            out["distant"] = power_law_rigidity(E, th[self._idx["K"]], th[self._idx["gamma"]], dist.R0)
        elif dist.kind == "broken_power_law":
            i = self._idx
            out["distant"] = broken_power_law_rigidity(
                E, th[i["K"]], th[i["gamma"]], th[i["gamma2"]], th[i["R_break"]], dist.smooth, dist.R0)
        return out

    def lis(self, th, E) -> np.ndarray:
        """The local interstellar spectrum (sum of the components)."""
        return np.sum(list(self.components(th, np.asarray(E, float)).values()), axis=0)

    def predict(self, th, name: str, E=None) -> np.ndarray:
        """Model J at the energies of data set ``name`` (modulated with its φ)."""
        E = self.datasets[name].E if E is None else np.asarray(E, float)
        phi = self.value(th, f"phi_{name}")
        if phi == 0:
            def J_true(Et):
                return self.lis(th, Et)
        else:
            def J_true(Et):
                return force_field(Et, lambda Es: self.lis(th, Es), phi)
        nu = th[self._idx[f"norm_{name}"]] if f"norm_{name}" in self._idx else 0.0
        s = th[self._idx[f"scale_{name}"]] if f"scale_{name}" in self._idx else 0.0
        if nu == 0.0 and s == 0.0:
            return J_true(E)
        return detector_response(E, J_true, nu, s, self.scale_kind.get(name, "none"))

    def residuals(self, x_free) -> np.ndarray:
        """(model − data)/σ for all points; σ is the upper error if model > data, else the lower."""
        th = self.full(x_free)
        res = []
        for name, ds in self.datasets.items():
            m = self.predict(th, name)
            kind = self.error_kind[name]
            sig = np.where(m > ds.J, ds.error(kind, "hi"), ds.error(kind, "lo"))
            res.append((m - ds.J) / sig)
        if self.nuisance_index:  # Gaussian priors of the nuisance parameters
            res.append(th[self.nuisance_index] / self.prior_sigma[self.nuisance_index])
        return np.concatenate(res)

    def chi2(self, x_free=None) -> float:
        return float(np.sum(self.residuals(self.x0[self.free] if x_free is None else x_free) ** 2))

    def chi2_by_dataset(self, th) -> dict[str, float]:
        r = self.residuals(th[self.free])
        out, k = {}, 0
        for name, ds in self.datasets.items():
            out[name] = float(np.sum(r[k:k + len(ds)] ** 2))
            k += len(ds)
        if self.nuisance_index:
            out["nuisance_priors"] = float(np.sum(r[k:] ** 2))
        return out


    def dominant_source(self, th, E):
        """Which component dominates the LIS at each energy, and the "age" of the CRs there.

        Returns (labels, fractions [n_comp, n_E], index of the dominant component per E,
        age of the dominant component [Myr] (NaN where the distant component dominates),
        flux-weighted mean age of the nearby-source CRs [Myr]).
        """
        comps = self.components(th, np.asarray(E, float))
        labels, J = list(comps), np.array(list(comps.values()))
        tot = J.sum(axis=0)
        frac = np.divide(J, tot, out=np.zeros_like(J), where=tot > 0)
        ages = np.array([self.value(th, f"t{k}") for k in range(1, len(self.cfg.sources) + 1)])
        dom = np.argmax(frac, axis=0)
        dom_age = np.where(dom < ages.size, ages[np.minimum(dom, ages.size - 1)], np.nan)
        src = frac[: ages.size]
        norm = src.sum(axis=0)
        mean_age = np.divide((src * ages[:, None]).sum(axis=0), norm, out=np.full(norm.shape, np.nan), where=norm > 0)
        return labels, frac, dom, dom_age, mean_age

    def spectral_index(self, th, E, h: float | None = None) -> np.ndarray:
        """Local index γ(E) = −d ln J_LIS / d ln E (central difference, step h in ln E).

        A hardening is a drop of γ with energy, a softening a rise (seed 000: hardening near
        600 GeV, softening near 10 TeV in the measured spectrum). Default h: the runs' momentum
        spacing Δ ln p (the coarsest if the sources use several runs). Between momentum bins J
        is log-log linear, so a much smaller step returns the slope of one interpolation segment
        and γ(E) shows kinks of ±0.01 at the bin scale (10 bins per decade) that are not physics.
        """
        E = np.asarray(E, float)
        if h is None:
            h = self.dlnp
        return -(np.log(self.lis(th, E * math.exp(h))) - np.log(self.lis(th, E * math.exp(-h)))) / (2 * h)

