"""Progress bar (tqdm) over a fraction of the work, with a rate/position text and ETA."""
from __future__ import annotations

import sys
import time

from tqdm import tqdm


class Progress:
    """``update(fraction, text)``: 0 ≤ fraction ≤ 1 of the work left at the start is done.

    Updates are throttled to 5 per second unless ``force`` (used for rare, expensive
    events such as one particle chunk or one movie frame). The ETA is tqdm's, from
    the rate of the fraction done since the bar was opened.
    """

    def __init__(self, desc: str, start: float = 0.0, enabled: bool = True):
        self.enabled = enabled and sys.stderr is not None
        self.start = min(max(start, 0.0), 1.0)
        self._last = 0.0
        self.bar = None
        if self.enabled:
            self.bar = tqdm(total=1000, initial=int(1000 * self.start), desc=desc, unit="‰", leave=False,
                            dynamic_ncols=True, bar_format="{l_bar}{bar}| {postfix} [{elapsed}<{remaining}]")

    def update(self, fraction: float, text: str = "", force: bool = False):
        if not self.bar:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.2:
            return
        self._last = now
        self.bar.n = int(1000 * min(max(fraction, 0.0), 1.0))
        self.bar.set_postfix_str(text, refresh=False)
        self.bar.refresh()

    def close(self):
        if self.bar:
            self.bar.close()
