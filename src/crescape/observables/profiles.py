"""Surface-brightness profiles, SEDs and ionisation rates of a run.

* :func:`sphere_profile` — I(θ) of a spherical run by exact chords (:func:`.projection.shell_profile`),
  b = d θ; optional Gaussian PSF (σ) by the exact radial convolution of an azimuthally
  symmetric map: I_psf(θ) = ∫ I(θ') exp(−(θ² + θ'²)/2σ²) I₀(θθ'/σ²) θ' dθ'/σ².
* :func:`tube_profile` — the cloud's flux tube seen side-on at distance d: along the axis
  (``kind = "axis"``: I = q(|z| = dθ) · 2a/4π, the chord through the tube's diameter) or the
  azimuthal average around the source, as HAWC profiles of pulsar halos are measured
  (``kind = "ring"``: the tube crosses a ring of radius θ twice, I = q a²/(4π d θ)).
* :func:`band_integral` — ∫ I dE over an energy band (log-log trapezoid on the nodes).
* :func:`sed` — νF_ν = E² L(E)/(4π d²) per snapshot; :func:`ionisation_profile` — ζ_CR(t, r).
"""
from __future__ import annotations

import numpy as np
from scipy.special import i0e

from ..core import constants as C
from . import projection as prj
from .emission import default_processes, emissivity, luminosity
from .ionisation import ionisation_rate
from .quadrature import loglog_contract


def _total_q(em, E, it, processes, **kw):
    processes = tuple(processes or default_processes(em.species))
    return sum(emissivity(em, p, E, it, **kw)[0] for p in processes)


def radial_psf(theta, profile, sigma, n_fine=4000):
    """Convolve an azimuthally symmetric profile(θ) (…, n_θ) with a 2-D Gaussian PSF of σ [same unit as θ]."""
    theta = np.asarray(theta, float)
    if not sigma:
        return profile
    tmax = theta.max() + 6 * sigma
    tp = np.linspace(0.0, tmax, n_fine)
    fp = np.stack([np.interp(tp, theta, p, right=0.0) for p in np.atleast_2d(profile)])
    x = theta[:, None] * tp[None, :] / sigma**2
    ker = np.exp(-((theta[:, None] - tp[None, :]) ** 2) / (2 * sigma**2)) * i0e(x) * tp[None, :] / sigma**2
    w = np.gradient(tp)
    out = fp @ (ker * w[None, :]).T
    return out.reshape(np.shape(profile))


def sphere_profile(em, E, distance, theta, t=None, processes=None, psf=None, **kw):
    """I(E, θ) [cm^-2 s^-1 MeV^-1 sr^-1] of a spherical run; θ, psf (σ) in radians."""
    if em.geometry != "sphere":
        raise ValueError("sphere_profile needs a spherical (CR-hydro) run; use tube_profile for cloud runs")
    q = _total_q(em, np.atleast_1d(E), em.time_index(t), processes, **kw)  # (n_cells, n_E)
    prof = prj.shell_profile(distance * np.asarray(theta, float), em.edges, q.T) * C.MeV
    return radial_psf(theta, prof, psf) if psf else prof


def tube_profile(em, E, distance, theta, t=None, processes=None, kind="ring", psf=None, **kw):
    """I(E, θ) [cm^-2 s^-1 MeV^-1 sr^-1] of the cloud's flux tube; θ > 0, psf (σ) in radians."""
    if em.geometry != "tube":
        raise ValueError("tube_profile needs a cloud run (flux tube)")
    theta = np.asarray(theta, float)
    q = _total_q(em, np.atleast_1d(E), em.time_index(t), processes, **kw)  # (n_z, n_E)
    z = distance * theta
    k = np.clip(np.searchsorted(em.edges, z, side="right") - 1, 0, q.shape[0] - 1)
    qz = np.where((z < em.edges[-1])[None, :], q[k].T, 0.0)  # piecewise constant per cell
    if kind == "axis":
        if psf:
            raise ValueError("tube_profile: a PSF is supported for kind = 'ring' (azimuthal average)")
        return qz * 2.0 * em.a / (4.0 * np.pi) * C.MeV
    if kind != "ring":
        raise ValueError(f"tube_profile: kind must be 'ring' or 'axis', got {kind!r}")
    if np.any(theta <= 0):
        raise ValueError("tube_profile: ring profiles need θ > 0")
    prof = qz * em.a**2 / (4.0 * np.pi * distance * theta)[None, :] * C.MeV
    return radial_psf(theta, prof, psf) if psf else prof


def band_integral(E, I, E_lo, E_hi):
    """∫_{E_lo}^{E_hi} I dE over the nodes E [erg] inside the band (I in … MeV^-1 → …)."""

    E = np.asarray(E, float)
    sel = (E_lo * (1 - 1e-12) <= E) & (E_hi * (1 + 1e-12) >= E)
    if sel.sum() < 2:
        raise ValueError("band_integral: fewer than two energy nodes inside the band")
    I = np.moveaxis(np.atleast_2d(I), 0, -1)  # (..., n_E)
    flat = I.reshape(-1, E.size)[:, sel]
    out = loglog_contract(np.ones((1, sel.sum())), flat, E[sel] / C.MeV)[:, 0]
    return out.reshape(I.shape[:-1])


def sed(em, E, distance, processes=None, t_index=None, **kw):
    """νF_ν [erg cm^-2 s^-1] (n_t, n_E) per snapshot: E² L(E)/(4π d²)."""
    E = np.atleast_1d(np.asarray(E, float))
    processes = tuple(processes or default_processes(em.species))
    L = sum(luminosity(em, emissivity(em, p, E, t_index, **kw)) for p in processes)
    return E**2 * L / (4.0 * np.pi * distance**2)


def ionisation_profile(em, phi=0.0):
    """ζ_CR(t, cell) [s^-1 per H2] from the proton spectra (Padovani et al. 2009)."""
    if em.species != "proton":
        raise ValueError("ionisation_profile: needs protons")
    return ionisation_rate(em.E_kin, em.N, phi=phi)
