"""Foundations every layer may use: physical constants, unit parsing, grids, progress bars."""
