"""Physics engines: crhydro (seed 000), cloud (seed 001), sde (seed 003)."""
