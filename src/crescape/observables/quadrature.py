"""Kernel contraction and log-log resampling shared by every emission process.

naima integrates a radiative kernel K(E_out, E) against a particle distribution N(E)
with the trapezoidal rule in log-log space (``naima.utils.trapz_loglog``): exact for a
power law between nodes. :func:`loglog_contract` applies the same rule to a kernel
computed once on naima's own particle-energy nodes and to *every* cell at once:

    q[c, g] = Σ_i T(K[g, i] N[c, i], K[g, i+1] N[c, i+1]; E_i, E_i+1),
    T(y1, y2; x1, x2) = y1 (x2 (x2/x1)^b − x1)/(b + 1),  b = log(y2/y1)/log(x2/x1)

(x1 y1 ln(x2/x1) when b = −1; 0 when y1 or y2 is 0) — the rule of naima, so a kernel
contracted here reproduces naima called directly to round-off. :func:`loglog_matrix`
resamples the run's spectra onto the kernel nodes (linear in ln N against ln E, a
matrix product on ln N: power laws are kept exactly); zeros stay zero (never NaN).
"""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, parallel=True)
def _contract(K, N, x):  # pragma: no cover - compiled
    nc, ni = N.shape
    ng = K.shape[0]
    out = np.zeros((nc, ng))
    lx = np.log10(x)
    for c in numba.prange(nc):
        for g in range(ng):
            s = 0.0
            for i in range(ni - 1):
                y1 = K[g, i] * N[c, i]
                y2 = K[g, i + 1] * N[c, i + 1]
                if y1 == 0.0 or y2 == 0.0 or x[i] == x[i + 1]:
                    continue
                b = (np.log10(y2 / y1)) / (lx[i + 1] - lx[i])
                if abs(b + 1.0) > 1e-10:
                    s += y1 * (x[i + 1] * (x[i + 1] / x[i]) ** b - x[i]) / (b + 1.0)
                else:
                    s += x[i] * y1 * np.log(x[i + 1] / x[i])
            out[c, g] = s
    return out


def loglog_contract(K, N, x):
    """q[c, g] = ∫ K(E_g, E) N_c(E) dE by naima's log-log trapezoid on the nodes x [any unit].

    K: (n_out, n_nodes) ≥ 0; N: (n_cells, n_nodes) ≥ 0; returns (n_cells, n_out).
    """
    K = np.ascontiguousarray(K, dtype=float)
    N = np.ascontiguousarray(np.atleast_2d(N), dtype=float)
    x = np.ascontiguousarray(x, dtype=float)
    if K.shape[1] != x.size or N.shape[1] != x.size:
        raise ValueError(f"loglog_contract: kernel {K.shape}, spectra {N.shape} and nodes {x.shape} disagree")
    if np.any(N < 0) or not np.all(np.isfinite(N)):
        raise ValueError("loglog_contract: particle spectra must be finite and non-negative")
    return _contract(K, N, x)


def loglog_matrix(x_src, x_dst):
    """Matrix M (n_dst, n_src) with ln N(x_dst) = M @ ln N(x_src): linear in ln N vs ln x.

    Rows of nodes outside [x_src[0], x_src[-1]] are zero and flagged by the returned mask
    (the caller sets N = 0 there: no extrapolation).
    """
    ls, ld = np.log(np.asarray(x_src, float)), np.log(np.asarray(x_dst, float))
    if np.any(np.diff(ls) <= 0):
        raise ValueError("loglog_matrix: source nodes must increase")
    M = np.zeros((ld.size, ls.size))
    tol = 1e-12 * max(1.0, abs(ls[0]), abs(ls[-1]))  # nodes on the range ends count as inside
    inside = (ld >= ls[0] - tol) & (ld <= ls[-1] + tol)
    j = np.clip(np.searchsorted(ls, ld) - 1, 0, ls.size - 2)
    w = (ld - ls[j]) / (ls[j + 1] - ls[j])
    rows = np.nonzero(inside)[0]
    M[rows, j[rows]] = 1.0 - w[rows]
    M[rows, j[rows] + 1] = w[rows]
    return M, inside


def resample_loglog(N, x_src, x_dst):
    """Spectra N (n_cells, n_src) ≥ 0 resampled log-log onto x_dst; 0 outside the source range.

    A zero at a node makes the adjacent intervals zero (ln 0 is replaced by a floor
    −700 so that no NaN can appear, exp(−700 w) underflows to 0 except at the other node).
    """
    N = np.atleast_2d(np.asarray(N, dtype=float))
    if np.any(N < 0) or not np.all(np.isfinite(N)):
        raise ValueError("resample_loglog: spectra must be finite and non-negative")
    M, inside = loglog_matrix(x_src, x_dst)
    with np.errstate(divide="ignore"):
        lnN = np.where(N > 0, np.log(np.where(N > 0, N, 1.0)), -745.0)
    out = np.exp(lnN @ M.T)
    out[:, ~inside] = 0.0
    out[out < 1e-300] = 0.0
    return out
