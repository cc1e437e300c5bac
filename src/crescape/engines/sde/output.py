"""ChunkResult → xarray groups of the run file (data contract, ARCHITECTURE.md)."""
from __future__ import annotations

import numpy as np
import xarray as xr

from .observers import batch_error


def _window_volume(lo, hi, geometry):
    lo = np.where(np.isfinite(lo), lo, 0.0)
    hi = np.where(np.isfinite(hi), hi, 0.0)
    if geometry == "spherical":
        lo, hi = np.maximum(lo, 0.0), np.maximum(hi, 0.0)
        return 4.0 * np.pi / 3.0 * (hi**3 - lo**3)
    return hi - lo


def to_groups(setup, res, diag: dict) -> dict:
    deck = setup.deck
    # ``units`` attributes are astropy (FITS/generic) strings; code units are dimensionless ("")
    # and said so in ``long_name``; momenta are p/(m_p c) and weights per injected particle.
    cgs = deck.units == "cgs"
    lu, tu = ("cm", "s") if cgs else ("", "")
    lname = "" if cgs else " (code length)"
    pe = setup.p_edges
    pc = np.sqrt(pe[1:] * pe[:-1])
    dlnp = np.log(pe[1] / pe[0])
    geom = deck.grid.geometry
    t = xr.Variable(("t",), setup.times, attrs={"units": tu, "long_name": "time" + ("" if cgs else " (code time)")})
    p = xr.Variable(("p",), pc, attrs={"units": "", "long_name": "p / (m_p c), bin centre (geometric)"})
    names = [o.name for o in setup.observers]
    vol = _window_volume(setup.obs_lo, setup.obs_hi, geom)  # (t, observer)
    volT = np.where(vol > 0, vol, np.nan).T[:, :, None]
    dn = np.moveaxis(res.S1, 1, 0) / dlnp
    err = np.moveaxis(batch_error(res.S1, res.Sb2, res.n_blocks), 1, 0) / dlnp
    per = ""  # normalised per injected particle (dimensionless)
    f_u = f"{lu}-3" if cgs else ""
    spectra = xr.Dataset(
        {
            "dN_dlnp": (("observer", "t", "p"), dn, {"units": per, "long_name": "pseudo-particle weight in the window per ln p, per injected particle"}),
            "dN_dlnp_err": (("observer", "t", "p"), err, {"units": per, "long_name": "Monte-Carlo (batch-means) error of dN_dlnp"}),
            "f": (("observer", "t", "p"), dn / volT / pc**3, {"units": f_u, "long_name": "phase-space density ∝ dN/dlnp / (p³ V), p in m_p c, per injected particle"}),
            "f_err": (("observer", "t", "p"), err / volT / pc**3, {"units": f_u}),
            "sum_w2": (("observer", "t", "p"), np.moveaxis(res.W2, 1, 0) / dlnp**2, {"units": "", "long_name": "Σw² per bin / dlnp² (naive error², no splitting)"}),
            "window_lo": (("t", "observer"), setup.obs_lo, {"units": lu, "long_name": "window lower edge" + lname}),
            "window_hi": (("t", "observer"), setup.obs_hi, {"units": lu, "long_name": "window upper edge" + lname}),
            "p_edges": (("p_edge",), pe, {"units": "", "long_name": "p / (m_p c), bin edges"}),
            "dN_dlnp_batch": (("observer", "batch", "t", "p"), np.moveaxis(res.SB, 2, 0) / dlnp,
                              {"units": per, "long_name": "dN_dlnp of each batch of particle blocks (errors of sums), per injected particle"}),
            "batch_particles": (("batch",), res.NB, {"units": "", "long_name": "root particles per batch"}),
        },
        coords={"observer": ("observer", names), "t": t, "p": p},
        attrs={**{k: float(v) for k, v in diag.items()}, "n_blocks": res.n_blocks, "n_particles": res.n_particles},
    )
    groups = {"spectra": spectra}
    xe = setup.x_edges
    xc = 0.5 * (xe[1:] + xe[:-1])
    groups["xp_hist"] = xr.Dataset(
        {"dN_dlnp_dx": (("t", "x", "p"), res.XP / dlnp / (xe[1] - xe[0]), {"units": f"{lu}-1" if cgs else "", "long_name": "dN/(dlnp dx) per injected particle"})},
        coords={"t": t, "x": ("x", xc, {"units": lu, "long_name": "x" + lname}), "p": p})
    groups["escaped"] = xr.Dataset(
        {"dN_dlnp": (("side", "t", "p"), res.ESC / dlnp, {"units": per, "long_name": "escaped through x_min/x_max in (t_{k-1}, t_k]"})},
        coords={"side": ("side", ["lower", "upper"]), "t": t, "p": p})
    if len(setup.integrators):
        ilo, ihi = setup.int_lo, setup.int_hi
        ivol = _window_volume(ilo, ihi, geom)[:, None]
        I = res.I1 / dlnp
        Ie = batch_error(res.I1, res.Ib2, res.n_blocks) / dlnp
        groups["integrated"] = xr.Dataset(
            {"N_dt_dlnp": (("integrator", "p"), I, {"units": tu, "long_name": "∫ dN/dlnp dt in the window, per injected particle"}),
             "N_dt_dlnp_err": (("integrator", "p"), Ie, {"units": tu}),
             "N_dt_dlnp_batch": (("integrator", "batch", "p"), np.moveaxis(res.IB, 1, 0) / dlnp,
                                 {"units": tu, "long_name": "N_dt_dlnp of each batch, per injected particle"}),
             "batch_particles": (("batch",), res.NB, {"units": ""}),
             "f": (("integrator", "p"), I / ivol / pc**3, {"units": "", "long_name": "arbitrary normalisation (∝ f of continuous injection)"}),
             "f_err": (("integrator", "p"), Ie / ivol / pc**3, {"units": "", "long_name": "arbitrary normalisation"})},
            coords={"integrator": ("integrator", [i.name for i in setup.integrators]), "p": p})
    if res.particles:
        P = res.particles
        alive = np.isfinite(P["x"])
        groups["snapshots"] = xr.Dataset(
            {"x": (("t", "particle"), P["x"], {"units": lu, "long_name": "position" + lname}),
             "p": (("t", "particle"), np.exp(P["lnp"]), {"units": "", "long_name": "p / (m_p c)"}),
             "w": (("t", "particle"), P["w"], {"units": "", "long_name": "statistical weight (1/N_injected)"}),
             "alive": (("t", "particle"), alive.astype(np.int8), {"units": ""}),
             "p0": (("particle",), P["p0"], {"units": "", "long_name": "injection momentum p / (m_p c)"})},
            coords={"t": t})
    return groups
