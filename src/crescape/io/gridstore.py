"""The ``grid`` group of a run file: every coordinate the solver used.

Variables (``<c>`` is the spatial coordinate, ``r`` or ``z`` for the cloud flux tube):

- ``<c>`` (``<c>``) cell centres [cm], ``<c>_face`` (``<c>_face``) cell faces [cm];
- ``dr`` (``<c>``) cell widths [cm], ``volume`` (``<c>``) exact cell volumes
  [cm, cm², cm³ for planar (per unit area), cylindrical (per unit length), spherical];
- ``area`` (``<c>_face``) face areas [1, cm, cm²];
- every other axis of the engine (momentum bin edges, histogram edges, …) under its own name.

Group attributes: ``geometry``, ``coord``. :func:`read_grid` turns the group back into a
:class:`crescape.core.grid.Grid` from the stored arrays (nothing is recomputed).
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from ..core.grid import Grid

_AREA_UNITS = {"planar": "1", "cylindrical": "cm", "spherical": "cm2"}
_VOLUME_UNITS = {"planar": "cm", "cylindrical": "cm2", "spherical": "cm3"}


def grid_dataset(grid: Grid) -> xr.Dataset:
    """The ``grid`` group for ``grid`` (with its extra ``axes``)."""
    c, cf = grid.coord, f"{grid.coord}_face"
    data = {
        "dr": xr.Variable((c,), grid.dr, attrs={"units": "cm", "definition": "cell width"}),
        "volume": xr.Variable((c,), grid.V, attrs={"units": _VOLUME_UNITS[grid.geometry],
                                                   "definition": "exact cell volume"}),
        "area": xr.Variable((cf,), grid.A, attrs={"units": _AREA_UNITS[grid.geometry], "definition": "face area"}),
    }
    for name, (arr, units) in grid.axes.items():
        data[name] = xr.Variable((name,), np.asarray(arr), attrs={"units": units})
    coords = {c: xr.Variable((c,), grid.rc, attrs={"units": "cm", "definition": "cell centre"}),
              cf: xr.Variable((cf,), grid.rf, attrs={"units": "cm", "definition": "cell face"})}
    return xr.Dataset(data, coords=coords, attrs={"geometry": grid.geometry, "coord": c})


def read_grid(ds: xr.Dataset) -> Grid:
    """A :class:`Grid` from a run file's ``grid`` group (stored arrays, not recomputed)."""
    c = str(ds.attrs.get("coord", "r"))
    cf = f"{c}_face"
    axes = {str(k): (ds[k].values, ds[k].attrs.get("units", "")) for k in ds.variables
            if k not in ("dr", "volume", "area", c, cf)}
    return Grid(geometry=str(ds.attrs["geometry"]), rf=ds[cf].values, rc=ds[c].values, dr=ds["dr"].values,
                A=ds["area"].values, V=ds["volume"].values, coord=c, axes=axes)
