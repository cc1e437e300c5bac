"""Counter-based ziggurat deviates of the SDE kernels (Marsaglia & Tsang 2000; Doornik 2005).

The tables are checked by the ziggurat's defining property (equal-area layers closing at the
mode), the deviates against the exact normal and exponential laws: Kolmogorov–Smirnov on the
whole law, and tail probabilities beyond the base strip, where the rare rejection branch
(wedges, tail) does the work, within their binomial Monte-Carlo errors.
"""
import math

import numpy as np
import pytest
from scipy import stats

from crescape.engines.sde import rng

N = 2_000_000
KEY = np.uint64(0x5DEECE66D2B3C1F7)


def test_layers_have_equal_area_and_close_at_the_mode():
    for X, F, v in ((rng.ZN_X, rng.ZN_F, rng.ZN_V), (rng.ZE_X, rng.ZE_F, rng.ZE_V)):
        areas = X[1:-1] * (F[2:] - F[1:-1])  # layers 1 .. N-1: [0, X_i] x [f(X_i), f(X_i+1)]
        assert np.allclose(areas, v, rtol=1e-9, atol=0)
        assert abs(F[-2] + v / X[-2] - 1.0) < 1e-12  # the top layer ends at f(0) = 1


@pytest.mark.parametrize("law", ["normal", "exponential"])
def test_whole_law_and_tails(law):
    if law == "normal":
        z = rng.normals(KEY, 0, N)
        x, cdf = np.abs(z), lambda c: math.erfc(c / math.sqrt(2.0))
        cuts = (1.0, 2.5, rng.R_NORMAL, 4.2)
        assert abs(z.mean()) < 4.0 / math.sqrt(N)
        assert abs(z.var() - 1.0) < 4.0 * math.sqrt(2.0 / N)
        assert abs(np.mean(z > 0) - 0.5) < 4.0 * 0.5 / math.sqrt(N)  # sign bit
        assert stats.kstest(z, "norm").pvalue > 1e-3
    else:
        x = rng.exponentials(KEY, 0, N)
        cdf = lambda c: math.exp(-c)  # noqa: E731
        cuts = (1.0, 5.0, rng.R_EXP, 10.0)
        assert stats.kstest(x, "expon").pvalue > 1e-3
    for c in cuts:  # P(X > c) against the exact tail, binomial error
        p = cdf(c)
        assert abs(np.mean(x > c) - p) < 4.0 * math.sqrt(p * (1 - p) / N), c


def test_pure_function_of_key_and_counter():
    a = rng.normals(KEY, 1000, 50)
    b = np.array([rng.normals(KEY, 1000 + j, 1)[0] for j in range(50)])
    assert np.array_equal(a, b)
    c = rng.normals(KEY ^ np.uint64(1), 1000, 50)
    assert not np.any(a == c)
    z = rng.normals(KEY, 0, N)  # successive counters uncorrelated
    assert abs(np.corrcoef(z[:-1], z[1:])[0, 1]) < 4.0 / math.sqrt(N)
