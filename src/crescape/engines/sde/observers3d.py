"""Observers of the 3-D transport: spectra of windows, time integrals, crossing detectors → run-file groups.

* snapshot windows: ``output.observers`` (shells r ∈ [lo, hi] or slabs n̂·x ∈ [lo, hi], fixed or moving
  with the flow's shock) and ``output3d.boxes``; Σw, Σw² per block → batch-means errors (as in 1-D);
* ``output.integrate``: Σ w dt and Σ w t dt → the time-integrated spectrum and the mean time
  t̄(p) = Σ w t dt / Σ w dt with a batch-means (ratio-estimator) error;
* ``output3d.detectors``: per particle, the first crossing of a sphere (arrival time, momentum,
  position, latitude asin(z/r)), a plane (e.g. the Galactic disk z = 0) or leaving a box.
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from .observers import batch_error
from .output import _window_volume


def ratio_error(A, A2, B, B2, AB, nb):
    """Batch-means standard error of R = ΣA_b/ΣB_b from block sums (delta method)."""
    if nb < 2:
        return np.full_like(A, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        R = A / B
        var = nb / (nb - 1.0) * ((A2 - A * A / nb) - 2 * R * (AB - A * B / nb) + R * R * (B2 - B * B / nb))
        return np.sqrt(np.maximum(var, 0.0)) / np.abs(B)


def mean_time(res):
    """(t̄, error) per (integrator, p): mean of t weighted by w dt (NaN where nothing was recorded)."""
    a = res.arrays
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = a["IT1"] / a["I1"]
    return tm, ratio_error(a["IT1"], a["ITb2"], a["I1"], a["Ib2"], a["IIT"], res.n_blocks)


def _volumes(setup):
    """(t, window) volumes: shells 4π/3 (hi³ − lo³) (radial embedding), slab widths hi − lo (per unit
    transverse area, as in 1-D planar runs), boxes."""
    v = _window_volume(setup.obs_lo, setup.obs_hi, setup.embedding)
    bv = np.prod(setup.boxes[:, 3:] - setup.boxes[:, :3], axis=1)
    return np.concatenate([v, np.tile(bv, (v.shape[0], 1))], axis=1)


def to_groups3(setup, res, diag: dict) -> dict:
    deck = setup.deck
    # astropy (FITS/generic) unit strings as in engines/sde/output.py: code units, p/(m_p c),
    # weights and counts per injected particle are dimensionless ("") and said so in long_name
    cgs = deck.units == "cgs"
    lu, tu = ("cm", "s") if cgs else ("", "")
    pe = setup.p_edges
    pc = np.sqrt(pe[1:] * pe[:-1])
    dlnp = np.log(pe[1] / pe[0])
    a = res.arrays
    t = xr.Variable(("t",), setup.times, attrs={"units": tu})
    p = xr.Variable(("p",), pc, attrs={"units": "", "long_name": "p / (m_p c), bin centre (geometric)"})
    names = [o.name for o in setup.observers] + [b.name for b in deck.output3d.boxes]
    dn = np.moveaxis(a["S1"], 1, 0) / dlnp
    err = np.moveaxis(batch_error(a["S1"], a["Sb2"], res.n_blocks), 1, 0) / dlnp
    vol = _volumes(setup).T[:, :, None]
    per = ""  # per injected particle (dimensionless)
    spectra = xr.Dataset(
        {"dN_dlnp": (("observer", "t", "p"), dn, {"units": per, "long_name": "weight in the window per ln p"}),
         "dN_dlnp_err": (("observer", "t", "p"), err, {"units": per, "long_name": "batch-means error of dN_dlnp"}),
         "f": (("observer", "t", "p"), dn / vol / pc**3, {"units": f"{lu}-3" if cgs else "",
                                                        "long_name": "dN/dlnp/(p³V) (slabs: per unit area)"}),
         "f_err": (("observer", "t", "p"), err / vol / pc**3, {"units": f"{lu}-3" if cgs else ""}),
         "p_edges": (("p_edge",), pe, {"units": "", "long_name": "p / (m_p c)"})},
        coords={"observer": ("observer", names), "t": t, "p": p},
        attrs={**{k: float(v) for k, v in diag.items()}, "n_blocks": res.n_blocks, "n_particles": res.n_particles,
               "geometry": "cartesian3d", "embedding": setup.embedding, "field": setup.field.description})
    groups = {"spectra": spectra}
    if len(setup.int_lo):
        tm, tme = mean_time(res)
        I, Ie = a["I1"] / dlnp, batch_error(a["I1"], a["Ib2"], res.n_blocks) / dlnp
        ivol = _window_volume(setup.int_lo, setup.int_hi, setup.embedding)[:, None]
        groups["integrated"] = xr.Dataset(
            {"N_dt_dlnp": (("integrator", "p"), I, {"units": tu, "long_name": "∫ dN/dlnp dt in the window, per injected particle"}),
             "N_dt_dlnp_err": (("integrator", "p"), Ie, {"units": tu}),
             "f": (("integrator", "p"), I / ivol / pc**3, {"units": "", "long_name": "arbitrary normalisation (∝ f of continuous injection)"}),
             "f_err": (("integrator", "p"), Ie / ivol / pc**3, {"units": "", "long_name": "arbitrary normalisation"}),
             "t_mean": (("integrator", "p"), tm, {"units": tu, "long_name": "mean time weighted by w dt"}),
             "t_mean_err": (("integrator", "p"), tme, {"units": tu})},
            coords={"integrator": ("integrator", [i.name for i in deck.output.integrate]), "p": p})
    if setup.det.shape[0]:
        groups["detectors"] = detector_dataset(deck, a["DX"], a["p0"][0], lu, tu)
    if deck.output.particles:
        P = a["PX"]
        groups["snapshots"] = xr.Dataset(
            {**{c: (("t", "particle"), P[:, :, i], {"units": lu}) for i, c in enumerate("xyz")},
             "p": (("t", "particle"), np.exp(P[:, :, 3]), {"units": "", "long_name": "p / (m_p c)"}),
             "w": (("t", "particle"), P[:, :, 4], {"units": "", "long_name": "statistical weight (1/N_injected)"}),
             "alive": (("t", "particle"), np.isfinite(P[:, :, 0]).astype(np.int8), {"units": ""}),
             "p0": (("particle",), a["p0"][0], {"units": "", "long_name": "p / (m_p c)"})},
            coords={"t": t})
    return groups


def detector_dataset(deck, DX, p0, lu="", tu=""):
    """First crossings (detector, particle): t, p, x, y, z, w, latitude asin(z/|x|); NaN where none."""
    names = [d.name for d in deck.output3d.detectors]
    r = np.sqrt((DX[:, :, 2:5] ** 2).sum(-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        lat = np.arcsin(np.clip(DX[:, :, 4] / r, -1.0, 1.0))
    dims = ("detector", "particle")
    return xr.Dataset(
        {"t": (dims, DX[:, :, 0], {"units": tu, "long_name": "arrival (first-crossing) time"}),
         "p": (dims, np.exp(DX[:, :, 1]), {"units": "", "long_name": "p / (m_p c)"}),
         "x": (dims, DX[:, :, 2], {"units": lu}), "y": (dims, DX[:, :, 3], {"units": lu}),
         "z": (dims, DX[:, :, 4], {"units": lu}),
         "w": (dims, DX[:, :, 5], {"units": "", "long_name": "statistical weight (1/N_injected)"}),
         "latitude": (dims, lat, {"units": "rad", "long_name": "asin(z/|x|) of the crossing point"}),
         "p0": (("particle",), p0, {"units": "", "long_name": "p / (m_p c)"})},
        coords={"detector": ("detector", names)})
