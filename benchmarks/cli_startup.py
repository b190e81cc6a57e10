"""Cold start-up of the command line: ``scalinglab -V``, ``--help`` and every ``--help``.

Each measurement is a new process (nothing imported, the OS file cache warm after the first
run). Reports wall time and the process's own CPU time (user + system), the median of
``--repeat`` runs, and the machine's load average, since on a shared machine wall time grows
with the load while CPU time does not much.

    python benchmarks/cli_startup.py [--repeat 5] [--all] [--json]

``--all`` times the ``--help`` of every command (discovered from the app); otherwise a
representative set.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

BOUND_S = 0.5  # issue 16: help and version under 0.5 s, cold


def run_once(args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "scalinglab", *args], capture_output=True, check=True, timeout=120
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def all_help_commands() -> list[list[str]]:
    import typer

    from scalinglab.cli import app

    out: list[list[str]] = []

    def walk(cmd, path):
        out.append([*path, "--help"])
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--all", action="store_true", help="every command's --help")
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    cases = (
        all_help_commands()
        if opts.all
        else [["-V"], ["--version"], ["--help"], ["mrs", "--help"], ["mrs", "curve", "--help"],
              ["fit", "--help"], ["sweep", "run", "--help"], ["spectrum", "--help"]]
    )  # fmt: skip
    run_once(["-V"])  # warm the OS file cache once
    rows = []
    for args in cases:
        samples = [run_once(args) for _ in range(opts.repeat)]
        wall = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        rows.append({"command": " ".join(args), "wall_s": wall, "cpu_s": cpu})
    load = os.getloadavg()
    if opts.json:
        print(json.dumps({"load_average": load, "cores": os.cpu_count(), "rows": rows}))
        return
    print(f"load average {load[0]:.2f} on {os.cpu_count()} cores; median of {opts.repeat} runs")
    print(f"{'command':<34s}{'wall s':>8s}{'cpu s':>8s}  cpu < {BOUND_S} s")
    for r in rows:
        ok = "yes" if r["cpu_s"] < BOUND_S else "NO"
        print(f"scalinglab {r['command']:<23s}{r['wall_s']:8.3f}{r['cpu_s']:8.3f}  {ok}")


if __name__ == "__main__":
    main()
