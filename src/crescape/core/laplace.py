"""Numerical inversion of Laplace transforms (fixed Talbot method).

Used by the exact solutions of diffusive shock acceleration (:mod:`crescape.physics.shocks`)
and by the tests that compare the SDE engine with them.
"""
from __future__ import annotations

import numpy as np


def talbot_invert(F, t, M=24):
    """f(t) from its Laplace transform F(s), fixed Talbot contour (Abate & Valkó 2004).

    s(θ) = ρθ(cot θ + i), ρ = 2M/(5t), θ_k = kπ/M, k = 1 … M−1 (Abate & Valkó 2004,
    Int. J. Numer. Meth. Eng. 60, 979, eq. 25). ``F`` is called with complex arrays of shape
    (n, 1) and may return shape (n, m) (vectorised over other parameters): the result has
    shape (m,). ``t`` > 0 is a scalar. About 0.6 M significant digits for F analytic off the
    negative real axis; a transform with a delay factor e^{−sτ} is *not* inverted correctly
    for t < τ (the contour runs to Re s → −∞).
    """
    if not t > 0:
        raise ValueError(f"talbot_invert needs t > 0, got {t}")
    rho = 2.0 * M / (5.0 * t)
    th = np.arange(1, M) * np.pi / M
    cot = 1.0 / np.tan(th)
    s = rho * th * (cot + 1j)
    sig = th + (th * cot - 1.0) * cot
    terms = np.exp(t * s)[:, None] * F(s[:, None]) * (1.0 + 1j * sig)[:, None]
    return rho / M * (0.5 * np.exp(rho * t) * F(np.array([[rho + 0j]]))[0].real + terms.real.sum(0))
