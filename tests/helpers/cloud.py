"""Shared set-up for the cloud-engine tests: a small WNM tube deck and a plain step loop."""
from crescape.config import load_config


def cloud_deck(t_end="10 kyr", dt_factor=0.01, z_max="600 pc", n_cells=1200, **sections):
    """A WNM flux tube with a 10 pc source and 3 energy bins (10 GeV – 1 TeV); ``sections`` update it."""
    d = {"engine": "cloud", "run": {"t_end": t_end, "dt_factor": dt_factor, "dt_min": "1 yr"},
         "grid": {"z_max": z_max, "n_cells": n_cells}, "phase": {"preset": "WNM"},
         "source": {"a": "10 pc"}, "cr": {"bins": 3, "E_min": "10 GeV", "E_max": "1 TeV"}}
    for k, v in sections.items():
        d.setdefault(k, {}).update(v)
    return load_config(d)


def advance(s, t_end):
    """Step a stepper to ``t_end``, checking the state after every step."""
    while s.t < t_end * (1 - 1e-12):
        s.step(t_end - s.t)
        s.check()
    return s
