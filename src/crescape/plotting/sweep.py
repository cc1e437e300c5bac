"""Sweep figures: each summary quantity against the swept parameters.

One axis: the summary vs that parameter. Two or more axes: the summary vs the
first axis, one line per combination of the others (colour-coded). Log axes are
used where the values are positive and span more than a decade. Failed runs are
marked with crosses on the lower edge.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..sweep.index import read_index
from ..sweep.summaries import describe


def _label(name: str, units: str) -> str:
    return name + (f" [{units}]" if units else "")


def _wants_log(v: np.ndarray) -> bool:
    v = v[np.isfinite(v)]
    return bool(v.size and np.all(v > 0) and v.max() / v.min() > 10.0)


def plot_sweep(path, figure: str | None = None, fmt: str = "png", outdir=None) -> list[Path]:
    """Draw ``sweep_<summary>.<fmt>`` for every summary (or only ``figure``) of a sweep directory."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    idx = read_index(path)
    axes = json.loads(idx.attrs["axes"])
    summaries = json.loads(idx.attrs["summaries"])
    engine = idx.attrs.get("engine", "")
    if figure is not None:
        if figure not in summaries:
            raise FileNotFoundError(f"sweep {path} has no summary {figure!r} (choose from {', '.join(summaries)})")
        summaries = [figure]
    outdir = Path(outdir) if outdir else path / "figures"
    outdir.mkdir(parents=True, exist_ok=True)
    numeric = [a for a in axes if idx[a].dtype.kind == "f"]
    x_key = numeric[0] if numeric else axes[0]
    others = [a for a in axes if a != x_key]
    ok = idx["status"].values == "done"
    files = []
    for s in summaries:
        y = idx[s].values.astype(float)
        if not np.any(np.isfinite(y)):
            continue
        fig, ax = plt.subplots(figsize=(5.6, 4.0), constrained_layout=True)
        x = idx[x_key].values
        groups = _groups(idx, others)
        cmap = plt.get_cmap("viridis", max(len(groups), 2))
        for gi, (label, mask) in enumerate(groups):
            m = mask & ok & np.isfinite(y)
            order = np.argsort(x[m], kind="stable")
            ax.plot(x[m][order], y[m][order], "o-", color=cmap(gi) if len(groups) > 1 else "C0",
                    label=label or None, ms=4)
        bad = ~ok
        if bad.any():
            ylo = np.nanmin(y[np.isfinite(y)])
            ax.plot(x[bad], np.full(bad.sum(), ylo), "x", color="C3", label="failed run")
        if x.dtype.kind == "f" and _wants_log(x):
            ax.set_xscale("log")
        if _wants_log(y[ok]):
            ax.set_yscale("log")
        ax.set_xlabel(_label(x_key, idx[x_key].attrs.get("units", "")))
        ax.set_ylabel(_label(s, idx[s].attrs.get("units", "")))
        desc = describe(engine, s)
        ax.set_title(f"{path.name}: {desc if desc != s else s}", fontsize=8)
        if len(groups) > 1 or bad.any():
            ax.legend(fontsize=7, frameon=False)
        ax.grid(alpha=0.3, which="both", lw=0.4)
        f = outdir / f"sweep_{s.replace('/', '_')}.{fmt}"
        fig.savefig(f, dpi=150)
        plt.close(fig)
        files.append(f)
    return files


def _groups(idx, keys):
    """(label, mask) for each combination of the values of ``keys`` (one group if none)."""
    n = idx.sizes["run"]
    if not keys:
        return [("", np.ones(n, bool))]
    cols = [idx[k].values for k in keys]
    combos = []
    for i in range(n):
        c = tuple(col[i] for col in cols)
        if c not in combos:
            combos.append(c)
    out = []
    for c in combos:
        mask = np.ones(n, bool)
        for col, v in zip(cols, c):
            mask &= col == v
        label = ", ".join(f"{k.split('.')[-1]} = {v:.3g} {idx[k].attrs.get('units', '')}".rstrip()
                          if isinstance(v, (float, np.floating)) else f"{k.split('.')[-1]} = {v}"
                          for k, v in zip(keys, c))
        out.append((label, mask))
    return out
