"""Helpers shared by the sweep tests (a module, so tests can import it by name)."""

from __future__ import annotations

from pathlib import Path

TOY = "sweeps_toymodel:TOY"


def toy_spec_text(*, grid: str = "", fixed: str = "", extra: str = "", head: str = "") -> str:
    """A spec of the toy model; by default 6 x 3 grid points, 2 replicates = 36 points."""
    grid = grid or "n = { log = [1, 100], num = 6, integer = true }\nt = [10, 100, 1000]"
    return (
        f'model = "{TOY}"\nrun = "both"\nreplicates = 2\nbase_seed = 3\n{head}\n'
        f"[fixed]\nalpha = 0.5\n{fixed}\n[grid]\n{grid}\n{extra}\n"
    )


def fingerprint(path: Path) -> tuple[bytes, int]:
    """Bytes and mtime (ns) of a file: equal before and after means untouched."""
    return path.read_bytes(), path.stat().st_mtime_ns


RESULT_COLUMNS_IGNORED = ("duration_s", "worker", "finished_at")
