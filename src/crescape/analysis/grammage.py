"""Near-source grammage (D'Angelo, Blasi & Amato 2016; seed 001 §2.3.5).

The grammage a CR collects while it stays in the flux tube around its source is
X(E) = ∫ ρ(z) v(E) n(E, z, t) dz dt / N_injected(E), i.e. the mean column density of
matter crossed before leaving the tube. The cloud engine accumulates it during the
run (``halflife/grammage``); these functions evaluate it from any fraction history
and give the reference value for pure (linear) diffusion.
"""
from __future__ import annotations

import numpy as np

from ..core import constants as C


def grammage_from_fraction(t, fraction, rho, v=C.c):
    """X = ρ v ∫ f(t) dt [g cm^-2] for the fraction f(t) of CRs still in a region of density ρ."""
    return rho * v * np.trapezoid(np.asarray(fraction), np.asarray(t), axis=-1)


def linear_slab_grammage(rho, L, kappa, v=C.c):
    """Grammage of a burst released at z = 0 in a tube |z| < L with absorbing ends and constant κ.

    The mean residence time of a particle starting at the centre of a slab of half-width L
    is L²/(2κ), so X = ρ v L² / (2κ): the reference the non-linear grammage is compared to.
    """
    return rho * v * L**2 / (2.0 * np.asarray(kappa))


def run_grammage(run):
    """(E [erg], X(E) [g cm^-2]) accumulated by a cloud run."""
    g = run.halflife
    return g["E"].values, g["grammage"].values
