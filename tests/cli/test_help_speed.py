"""Start-up cost of the command line: help and version must not pay for the library.

Each check runs a fresh interpreter (cold: nothing imported yet). A command module that
imports scipy, pandas, matplotlib, scikit-learn or pydantic at start-up fails here, named.
``benchmarks/cli_startup.py`` reports the timings themselves.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

import pytest

HEAVY = ("scipy", "pandas", "matplotlib", "sklearn", "pydantic")
#: Command modules known to import numpy at start-up (about 0.15 s of every --help); a new
#: one fails the test below. Remove entries as they are fixed.
KNOWN_NUMPY_AT_STARTUP: set[str] = set()
CPU_BUDGET_S = 0.5  # the bound for --help, cold


def _python(code: str) -> str:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_no_command_module_imports_heavy_libraries_at_start_up():
    """Import the command modules one at a time and blame the first that pulls one in."""
    code = f"""
import importlib, json, pkgutil, sys
import scalinglab.cli as cli
blame = {{}}
for info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda m: m.name):
    before = set(sys.modules)
    importlib.import_module("scalinglab.cli." + info.name)
    new = {{m.split(".")[0] for m in set(sys.modules) - before}}
    for lib in {HEAVY!r} + ("numpy",):
        if lib in new:
            blame.setdefault(lib, []).append(info.name)
cli._register_all()
print(json.dumps(blame))
"""
    blame = json.loads(_python(code).strip().splitlines()[-1])
    heavy = {lib: mods for lib, mods in blame.items() if lib in HEAVY}
    assert not heavy, f"command modules importing heavy libraries at start-up: {heavy}"
    numpy_users = set(blame.get("numpy", [])) - KNOWN_NUMPY_AT_STARTUP
    assert not numpy_users, f"new command modules importing numpy at start-up: {numpy_users}"


@pytest.mark.parametrize("args", [["--help"], ["mrs", "curve", "--help"], ["fit", "--help"]])
def test_help_imports_nothing_heavy(args):
    code = f"""
import io, sys, contextlib
from scalinglab.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    rc = main({args!r})
assert rc == 0, rc
print(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r})))
"""
    assert _python(code).strip() == "[]"


def _cpu_seconds(args: list[str]) -> float:
    """User + system CPU time of one cold ``python -m scalinglab ARGS`` (its own, so other
    load on the machine inflates it much less than wall time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "scalinglab", *args], capture_output=True, check=True, timeout=60
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


@pytest.mark.parametrize("args", [["-V"], ["--help"], ["mrs", "curve", "--help"]])
def test_cold_start_cpu_time(args):
    best = min(_cpu_seconds(args) for _ in range(3))
    assert best < CPU_BUDGET_S, f"scalinglab {' '.join(args)}: {best:.2f} s of CPU, cold"
