"""Model-free mathematics on spectra.

Self-consistent (effective-ridge) equations, ridge paths, the random-feature ridge
deterministic equivalent, power-law spectrum generators, kernels and random features, and
the exponent conventions. Nothing here knows about a particular model.
"""
