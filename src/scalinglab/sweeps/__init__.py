"""Experiment grids over any model, a crash-safe SQLite result store, and executors."""
