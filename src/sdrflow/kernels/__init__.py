"""Numba kernels, grouped by math. Kernels import nothing from the engine."""
