"""Measuring real data: datasets, spectra and exponents estimated from samples, learning
curves of kernel/random-feature ridge regression, and the geometry of data sets."""
