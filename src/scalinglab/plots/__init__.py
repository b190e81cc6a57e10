"""Matplotlib figures: every function takes results and returns a ``Figure`` (never shows)."""
