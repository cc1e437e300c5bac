"""Units contract: every ``units`` attribute written by every engine parses with
``astropy.units.Unit`` (FITS/generic spelling: ``cm-3``, ``erg cm-3 s-1``, ``""`` for
dimensionless) and has the dimension the README's data-contract section promises."""
from __future__ import annotations

import astropy.units as u
import pytest

from crescape.config import load_config

ROOT_DECKS = {
    "crhydro": ("examples/crhydro_small.toml", ["grid.n_cells=32", 'run.t_end="0.2 Myr"',
                                                'output.times=["1 kyr", "0.2 Myr"]', "output.n_snapshots=3"]),
    "sde": ("examples/sde_planar_shock_lab.toml", ["injection.n_particles=64", "run.t_end=1.0", "run.dt=0.01",
                                                   "output.particles=true", "splitting.enabled=false"]),
    "sde_cgs": ("examples/sde_isenberg_bohm.toml", ["injection.n_particles=32", 'run.t_end="0.1 Myr"',
                                                    "output.particles=true", "splitting.enabled=false"]),
    "sde3d": ("examples/sde3d_sedov_spiral.toml", ["injection.n_particles=16", "output.times=[2.0, 5.0]"]),
    "cloud": ("examples/cloud_cnm.toml", ["grid.n_cells=64", 'run.t_end="2 kyr"', "cr.bins=2",
                                          "output.n_snapshots=3"]),
}

# README "Run files (the data contract)": variable -> unit it must be convertible to.
CONTRACT = {
    "crhydro": {
        "snapshots": {"t": "s", "r": "cm", "p": "", "rho": "g cm-3", "n": "cm-3", "v": "cm s-1",
                      "P_g": "erg cm-3", "T": "K", "P_cr": "erg cm-3", "e_cr": "erg cm-3", "N_cr": "cm-3",
                      "q_alfven": "erg cm-3 s-1", "q_coulomb": "erg cm-3 s-1", "q_cond": "erg cm-3 s-1",
                      "q_rad": "erg cm-3 s-1"},
        "history": {"t": "s", "E_th": "erg", "E_kin": "erg", "E_cr": "erg", "E_cr_escaped": "erg",
                    "E_rad": "erg", "E_total_error": "", "M_gas": "g"},
        "escaped": {"t": "s", "p": "", "escaped": ""},
    },
    "sde": {"snapshots": {"p": "", "w": "", "alive": ""}},
    "sde_cgs": {"snapshots": {"t": "s", "x": "cm", "p": "", "w": "", "alive": ""}},
    "cloud": {"snapshots": {"t": "s", "z": "cm", "E": "erg", "P_cr": "erg cm-3", "W": "", "kappa": "cm2 s-1"}},
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from pathlib import Path

    import crescape

    root = Path(__file__).resolve().parents[1]
    out = {}
    for name, (deck, sets) in ROOT_DECKS.items():
        d = load_config(root / deck, sets)
        out[name] = crescape.open_run(crescape.run(d, tmp_path_factory.mktemp(name) / "r", progress=False))
    return out


def _variables(run):
    for gname, ds in run.groups.items():
        for vname in [*ds.data_vars, *ds.coords]:
            yield gname, vname, ds[vname].attrs


@pytest.mark.parametrize("engine", sorted(ROOT_DECKS))
def test_every_units_attribute_parses_with_astropy(runs, engine):
    bad = []
    for g, v, attrs in _variables(runs[engine]):
        if runs[engine].groups[g][v].dtype.kind in "OUS":  # labels (observer names, sides)
            continue
        if "units" not in attrs:
            bad.append(f"{g}/{v}: no units attribute")
            continue
        try:
            u.Unit(attrs["units"])
        except ValueError as exc:
            bad.append(f"{g}/{v}: {attrs['units']!r} ({str(exc).splitlines()[0]})")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("engine", sorted(CONTRACT))
def test_units_have_the_dimension_of_the_data_contract(runs, engine):
    run = runs[engine]
    for g, want in CONTRACT[engine].items():
        ds = run.groups[g]
        for v, unit in want.items():
            assert v in ds.variables, f"{engine}: {g}/{v} missing (README data contract)"
            got = u.Unit(ds[v].attrs["units"])
            assert got.is_equivalent(u.Unit(unit)), f"{engine}: {g}/{v} in {got}, contract says {unit!r}"


@pytest.mark.parametrize("engine", sorted(ROOT_DECKS))
def test_one_spelling_for_every_unit(runs, engine):
    """FITS/generic spelling only: no '^' exponents, no '**', no '/'-fractions mixed in."""
    for g, v, attrs in _variables(runs[engine]):
        s = attrs.get("units", "")
        assert "^" not in s and "**" not in s and "/" not in s, f"{g}/{v}: {s!r}"
