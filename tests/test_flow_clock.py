"""Flow clocks (fixed-step advance of R(t), V(t), table brackets) against the closed forms.

A blast wave's R = A (t − t0)^α advanced by binomial series must stay within round-off of the
closed form over many steps (the clock re-anchors every 64 steps), and a replay table's
bracket must give the same interpolation as the bisection search, including before, between
and after its rows.
"""
import numpy as np
import pytest

from crescape.flows import blast
from crescape.flows.base import FlowSpec
from crescape.flows.clock import clock_run
from crescape.flows.compiled import FLOW_TABLE, evaluate


def _compare(spec, x, t0, dt, wfac=1.0):
    m = x.shape[0]
    u, d = clock_run(spec.kind, spec.fpar, spec.fel, spec.ttab, spec.utab, spec.dtab, x, t0, dt, m, wfac)
    ue = np.empty(m)
    de = np.empty(m)
    for j in range(m):
        ue[j], de[j] = (a[0] for a in evaluate(spec, x[j:j + 1], t0 + j * dt, wfac))
    return u, d, ue, de


@pytest.mark.parametrize("make,t0,dt", [(lambda: blast.sedov(1.0, 1.0, 1.2e-4), 1.0, 1e-4),
                                        (lambda: blast.isenberg(1.0, 1.0, 1.0, 1e-3), 0.5, 2e-5),
                                        (lambda: blast.sedov(1.0, 1.0, 1.2e-4, t0=0.3), 0.2999, 1e-5)])
def test_blast_clock_matches_closed_form(make, t0, dt):
    spec = make()
    m = 5000
    t = t0 + dt * np.arange(m)
    te = np.maximum(t - spec.fpar[0], 1e-300)
    R = spec.fpar[1] * te ** spec.fpar[2]
    rng = np.random.default_rng(1)
    x = R * (1.0 + rng.uniform(-5, 5, m) * spec.fpar[6] / np.maximum(R, 1e-3))  # across the shock layer
    x[::7] = R[::7] * rng.uniform(0.05, 0.9, x[::7].size)  # interior
    x[::11] = R[::11] + 0.5  # ahead of the shock
    u, d, ue, de = _compare(spec, x, t0, dt)
    scale_u = np.max(np.abs(ue))
    scale_d = np.max(np.abs(de))
    assert np.max(np.abs(u - ue)) < 1e-9 * scale_u
    assert np.max(np.abs(d - de)) < 1e-9 * scale_d


def test_table_clock_matches_bisection():
    tt = np.array([0.0, 0.3, 0.35, 1.0, 2.5])
    xg = np.linspace(-1.0, 1.0, 21)
    U = np.sin(tt[:, None] + 3 * xg[None, :])
    D = np.cos(2 * tt[:, None] - xg[None, :])
    spec = FlowSpec(FLOW_TABLE, np.array([xg[0], xg[1] - xg[0], xg.size]), ttab=tt, utab=U, dtab=D)
    t0, dt, m = -0.2, 1e-3, 3200  # before, through and beyond the table
    x = np.random.default_rng(2).uniform(-1.2, 1.2, m)
    u, d, ue, de = _compare(spec, x, t0, dt)
    assert np.max(np.abs(u - ue)) < 1e-12
    assert np.max(np.abs(d - de)) < 1e-12
