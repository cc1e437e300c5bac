"""Counter-based random numbers of the SDE kernels (numba).

Every deviate is a pure function of a 64-bit stream key and a counter, so a trajectory
does not depend on the number of threads, on chunking or on the order particles run in.

* Uniforms: SplitMix64's finaliser (Steele, Lea & Flood 2014, OOPSLA, "Fast splittable
  pseudorandom number generators") applied to ``key + (n + 1) φ`` with φ the 64-bit
  golden-ratio increment — SplitMix64 itself, evaluated at position ``n`` of the stream.
* Normals and exponentials: the ziggurat method (Marsaglia & Tsang 2000, J. Stat. Softw. 5(8),
  "The Ziggurat Method for Generating Random Variables") with 256 layers, in Doornik's (2005,
  "An Improved Ziggurat Method to Generate Normal Random Samples") form: the layer index,
  the sign and the abscissa come from disjoint bits of one 64-bit hash, the abscissa with
  53 bits. ≈ 98.8 % (normal) / 98.9 % (exponential) of the draws are accepted at once with
  one hash, one table load, one multiply and one compare — no log, sqrt or trigonometric
  call (Box–Muller needs log, sqrt and sin/cos per pair). The rare rejections draw further
  uniforms from an independent stream ``key ^ SALT_Z`` at counters ``64 n, 64 n + 1, …``
  (a draw needing more than 64 uniforms has probability < 1e-100).
* ``normal_pair``: the Box–Muller pair kept for the injection sampler and for comparisons.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

M1 = np.uint64(0x9E3779B97F4A7C15)
M2 = np.uint64(0xBF58476D1CE4E5B9)
M3 = np.uint64(0x94D049BB133111EB)
S30 = np.uint64(30)
S27 = np.uint64(27)
S31 = np.uint64(31)
S11 = np.uint64(11)
S6 = np.uint64(6)
S8 = np.uint64(8)
MASK8 = np.uint64(255)
ONE = np.uint64(1)
INV53 = 1.0 / 9007199254740992.0  # 2^-53
SALT_Z = np.uint64(0x8BB84B93962EACC9)  # stream of the ziggurat's rejection steps

N_LAYERS = 256
# Right-most layer boundaries (Marsaglia & Tsang 2000, 256 layers); the base-strip areas v
# follow from them exactly (``_tables``), so the layers have equal area to round-off.
R_NORMAL = 3.6541528853610087963519472518
R_EXP = 7.6971174701310497140446280481


@nb.njit(inline="always")
def mix64(z):
    """SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit hash."""
    z = (z ^ (z >> S30)) * M2
    z = (z ^ (z >> S27)) * M3
    return z ^ (z >> S31)


@nb.njit(inline="always")
def stream_key(seed, pid):
    """64-bit stream key of root particle ``pid`` for run seed ``seed``."""
    return mix64(mix64(np.uint64(seed) * M1 + np.uint64(0x632BE59BD9B4E019)) + np.uint64(pid) * M1)


@nb.njit(inline="always")
def uniform01(key, n):
    """Uniform deviate in (0, 1) for counter ``n`` of stream ``key`` (53 bits)."""
    z = mix64(key + (np.uint64(n) + ONE) * M1)
    return ((z >> S11) + ONE) * INV53 * (1.0 - INV53)


@nb.njit(inline="always")
def normal_pair(key, n):
    """Two independent standard normals for counter ``n`` (Box–Muller on two 53-bit uniforms)."""
    u1 = uniform01(key, 2 * n)
    u2 = uniform01(key, 2 * n + 1)
    rad = math.sqrt(-2.0 * math.log(u1))
    ang = 2.0 * math.pi * u2
    return rad * math.cos(ang), rad * math.sin(ang)


def _tables(normal: bool):
    """Layer abscissae X[0..N] (X[0] = v/f(r) the base strip, X[1] = r, X[N] = 0), f(X) and X[i+1]/X[i].

    f(x) = exp(−x²/2) (normal, one-sided) or exp(−x) (exponential); every layer has the area
    v = r f(r) + ∫_r^∞ f (Marsaglia & Tsang 2000, §2).
    """
    r = R_NORMAL if normal else R_EXP
    f = (lambda x: math.exp(-0.5 * x * x)) if normal else (lambda x: math.exp(-x))
    finv = (lambda y: math.sqrt(-2.0 * math.log(y))) if normal else (lambda y: -math.log(y))
    tail = math.sqrt(0.5 * math.pi) * math.erfc(r / math.sqrt(2.0)) if normal else math.exp(-r)
    v = r * f(r) + tail
    X = np.empty(N_LAYERS + 1)
    X[0], X[1] = v / f(r), r
    for i in range(1, N_LAYERS - 1):
        X[i + 1] = finv(f(X[i]) + v / X[i])
    X[N_LAYERS] = 0.0
    F = np.exp(-0.5 * X * X) if normal else np.exp(-X)
    return X, F, X[1:] / X[:-1], v


ZN_X, ZN_F, ZN_R, ZN_V = _tables(True)
ZE_X, ZE_F, ZE_R, ZE_V = _tables(False)


@nb.njit(inline="always")
def _u(key2, c):
    return uniform01(key2, c)


@nb.njit
def _slow(key, n, i, x, normal_law):
    """Wedge or tail of the ziggurat after the fast test failed for layer ``i`` at ``x``.

    Normal law (f = exp(−x²/2)): the tail x > r is r + a, a ~ Exp(r), accepted with exp(−a²/2)
    (Marsaglia 1964). Exponential law (f = exp(−x)): the tail is r + Exp(1) (memoryless).
    """
    X, F, r = (ZN_X, ZN_F, R_NORMAL) if normal_law else (ZE_X, ZE_F, R_EXP)
    key2 = key ^ SALT_Z
    c = np.uint64(n) << S6
    while True:
        if i == 0:
            if not normal_law:
                return r - math.log(_u(key2, c))
            while True:
                a = -math.log(_u(key2, c)) / r
                b = -math.log(_u(key2, c + ONE))
                c += np.uint64(2)
                if 2.0 * b > a * a:
                    return r + a
        fx = math.exp(-0.5 * x * x) if normal_law else math.exp(-x)
        if F[i] + _u(key2, c) * (F[i + 1] - F[i]) < fx:
            return x  # in the wedge under the curve
        z = mix64(key2 + (c + np.uint64(1) + ONE) * M1)
        c += np.uint64(2)
        i = int(z & MASK8)
        x = (z >> S11) * INV53 * X[i]
        if x < X[i + 1]:
            return x


@nb.njit(inline="always")
def normal(key, n):
    """Standard normal deviate for counter ``n`` of stream ``key`` (ziggurat, 256 layers)."""
    z = mix64(key + (np.uint64(n) + ONE) * M1)
    i = int(z & MASK8)
    u = (z >> S11) * INV53
    x = u * ZN_X[i]
    if u >= ZN_R[i]:
        x = _slow(key, n, i, x, True)
    return -x if (z >> S8) & ONE else x


@nb.njit(inline="always")
def exponential(key, n):
    """Exp(1) deviate for counter ``n`` of stream ``key`` (ziggurat, 256 layers)."""
    z = mix64(key + (np.uint64(n) + ONE) * M1)
    i = int(z & MASK8)
    u = (z >> S11) * INV53
    x = u * ZE_X[i]
    if u >= ZE_R[i]:
        x = _slow(key, n, i, x, False)
    return x


@nb.njit(cache=True)
def normals(key, n0, m):
    """``m`` consecutive normals of stream ``key`` from counter ``n0`` (tests, diagnostics)."""
    out = np.empty(m)
    for j in range(m):
        out[j] = normal(np.uint64(key), n0 + j)
    return out


@nb.njit(cache=True)
def exponentials(key, n0, m):
    """``m`` consecutive Exp(1) deviates of stream ``key`` from counter ``n0``."""
    out = np.empty(m)
    for j in range(m):
        out[j] = exponential(np.uint64(key), n0 + j)
    return out
