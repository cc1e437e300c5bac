"""The toy engine's one figure: N(t)."""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot(run, outdir, figure=None, fmt="png"):
    fig, ax = plt.subplots()
    ax.plot(run.snapshots["t"].values, run.snapshots["N"].values)
    path = Path(outdir) / f"decay.{fmt}"
    fig.savefig(path)
    plt.close(fig)
    return [path]
