"""Fitting empirical scaling laws (Chinchilla-style surfaces, IsoFLOP analyses)."""
