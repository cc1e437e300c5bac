"""Particle splitting (in the spirit of CRPropa's CandidateSplitting; Aerdker et al. 2024).

A pseudo-particle whose momentum first crosses threshold p_k (k = its split
level) is replaced by two copies of half the weight (the clone gets an
independent random stream); each lineage splits at most once per threshold.
The thresholds follow the expected spectrum dN/dp ∝ p^-s: the number of
particles above p falls by 2 between p_k and p_{k+1} = p_k 2^(1/(s-1)), so
the number of pseudo-particles per logarithmic momentum interval stays
roughly constant. Expectation values are unchanged (weights sum to the
parent's), so spectra are unbiased; clones are correlated with their parent,
which the batch-means errors account for (clones stay in their block).
"""
from __future__ import annotations

import numpy as np


def thresholds(expected_slope: float, p_first: float, n_levels: int) -> np.ndarray:
    """ln p_k = ln p_first + k ln2/(s-1), k = 0 .. n_levels-1."""
    k = np.arange(n_levels)
    return np.log(p_first) + k * np.log(2.0) / (expected_slope - 1.0)


def split_lnp(deck) -> np.ndarray:
    sp = deck.splitting
    if not sp.enabled:
        return np.zeros(0)
    inj = deck.injection
    p_inj = inj.p0 if inj.spectrum == "mono" else inj.p_min
    p_first = sp.p_first if sp.p_first > 0 else 2.0 * p_inj
    return thresholds(sp.expected_slope, p_first, sp.n_levels)
