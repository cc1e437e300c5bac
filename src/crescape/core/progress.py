"""Progress bar over simulated time (tqdm), showing step rate and ETA."""
from __future__ import annotations

import sys
import time

from tqdm import tqdm


class SimProgress:
    def __init__(self, t_end: float, t0: float = 0.0, enabled: bool = True, unit: str = "s"):
        self.enabled = enabled and sys.stderr is not None
        self.t_end = t_end
        self.t0 = t0
        self._last = 0.0
        self._steps0 = None
        self._wall0 = time.monotonic()
        self.bar = None
        if self.enabled:
            self.bar = tqdm(total=1000, desc="t", unit="‰", leave=False, dynamic_ncols=True,
                            bar_format="{l_bar}{bar}| {postfix} [{elapsed}<{remaining}]")

    def update(self, t: float, nstep: int):
        if not self.bar:
            return
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        if self._steps0 is None:
            self._steps0 = nstep
        frac = (t - self.t0) / max(self.t_end - self.t0, 1e-300)
        n = int(1000 * min(max(frac, 0.0), 1.0))
        self.bar.n = n
        rate = (nstep - self._steps0) / max(now - self._wall0, 1e-9)
        self.bar.set_postfix_str(f"t={t:.4g} s ({t / 3.15576e13:.4g} Myr), step {nstep}, {rate:.0f} steps/s", refresh=False)
        self.bar.refresh()

    def close(self):
        if self.bar:
            self.bar.close()
