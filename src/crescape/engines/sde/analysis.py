"""Propagation back to the Galaxy after the wind has ceased (seed 003 §4.7, eqs. 20–21).

Once the flow stops at t_w, the number density obeys pure diffusion,
∂n/∂t = κ(p) ∇²n (eq. 20) with κ constant in space (it may depend on p), and
no momentum change. The density at the observer x_obs a time τ later is the
convolution of the particle distribution at t_w with the Green's function (eq. 21)

    planar:     G(x_obs, τ; x) = exp(-(x_obs - x)²/(4κτ)) / sqrt(4πκτ)
    spherical:  G(0, τ; r)     = exp(-r²/(4κτ)) / (4πκτ)^(3/2)   (observer at the centre)

so no further simulation is needed and any κ(p) can be tried afterwards
(Bohm or a Galactic κ ∝ p^δ). Inputs are either particles (x, p, w) or the
run's (x, p) histogram (valid with splitting).
"""
from __future__ import annotations

import numpy as np

from .batches import fit_slope as fit_slope_batches  # noqa: F401  (errors of sums, for figures and users)
from .batches import summed_spectrum  # noqa: F401
from .solver import diffusion_params


def green(x_obs, x, tau, kappa, geometry="planar"):
    """Diffusion Green's function (seed 003 eq. 21); arrays broadcast."""
    s2 = 4.0 * kappa * tau
    if geometry == "planar":
        return np.exp(-((x_obs - x) ** 2) / s2) / np.sqrt(np.pi * s2)
    if geometry == "spherical":
        if np.any(np.asarray(x_obs) != 0):
            raise ValueError("spherical propagation: only the observer at r = 0 is supported")
        return np.exp(-(x**2) / s2) / (np.pi * s2) ** 1.5
    raise ValueError(f"geometry must be 'planar' or 'spherical' (got {geometry!r})")


def spectrum_from_particles(x, p, w, taus, kappa_of_p, p_edges, x_obs=0.0, geometry="planar"):
    """dN/dlnp per unit length (or volume) at x_obs for each τ in ``taus``: array (len(taus), n_p)."""
    x, p, w = (np.asarray(a, float).ravel() for a in (x, p, w))
    ok = np.isfinite(x) & np.isfinite(p) & (w > 0)
    x, p, w = x[ok], p[ok], w[ok]
    k = np.asarray(kappa_of_p(p), float) * np.ones_like(p)
    out = np.empty((len(taus), len(p_edges) - 1))
    dlnp = np.diff(np.log(p_edges))
    for i, tau in enumerate(taus):
        if tau <= 0:
            raise ValueError("propagation times τ must be > 0")
        out[i] = np.histogram(p, bins=p_edges, weights=w * green(x_obs, x, tau, k, geometry))[0] / dlnp
    return out


def spectrum_from_histogram(x_centres, p_centres, H, taus, kappa_of_p, x_obs=0.0, geometry="planar"):
    """Same from an (x, p) histogram H = dN/(dlnp dx) (the run's ``xp_hist`` at t_w)."""
    x = np.asarray(x_centres, float)
    dx = np.gradient(x)
    k = np.asarray(kappa_of_p(np.asarray(p_centres, float)), float) * np.ones(len(p_centres))
    out = np.empty((len(taus), len(p_centres)))
    for i, tau in enumerate(taus):
        G = green(x_obs, x[:, None], tau, k[None, :], geometry)  # spherical: H is per unit radius (whole shells)
        out[i] = np.sum(H * G * dx[:, None], axis=0)
    return out


def kappa_function(deck):
    """κ(p) of a deck's [diffusion] section without the spatial factor (κ constant in space
    after the wind has ceased, seed 003 eq. 20); same formulas as the kernel."""
    dk, dpar, _ = diffusion_params(deck)
    k0, delta, lnpref = dpar[0], dpar[1], dpar[2]
    kind = deck.diffusion.kind

    def kappa(p):
        p = np.asarray(p, float)
        if kind == "bohm":
            return k0 * p * p / np.sqrt(1.0 + p * p)
        if kind == "power_law":
            return k0 * np.exp(delta * (np.log(p) - lnpref))
        return np.full_like(p, k0)

    return kappa


def boundary_spectra(run, taus, x_obs=0.0, snapshot=-1):
    """Spectra dN/dlnp per unit length at x_obs, a time τ after the last snapshot (wind ceased),
    from the run's (x, p) histogram (planar runs)."""
    g = run.groups["xp_hist"]
    H = g["dN_dlnp_dx"].values[snapshot]
    geom = run.config.grid.geometry
    return spectrum_from_histogram(g["x"].values, g["p"].values, H, taus, kappa_function(run.config), x_obs,
                                   "planar" if geom == "planar" else "spherical")
