"""Dask worker preload for the hostile sweep tests: a diffusion model that always fails
with a non-ASCII message (so a sweep records an error text that is not ASCII)."""
from crescape.physics.diffusion import register_diffusion

BOOM_MESSAGE = "Λ(p) — this diffusion model always fails (é)"


def _boom(p, r):
    raise ValueError(BOOM_MESSAGE)


register_diffusion("boom", _boom)
