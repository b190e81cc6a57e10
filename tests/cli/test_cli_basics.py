"""The CLI contract shared by every command: help, version, one-line errors with exit 2."""

from __future__ import annotations

import subprocess
import sys


def test_help_lists_commands(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0
    assert "figure" in out


def test_unknown_command_is_one_line_exit_2(run_cli):
    code, out, err = run_cli("no-such-command")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_unknown_option_one_line_exit_2_subprocess():
    # A real process: checks the console entry point and that no traceback leaks.
    proc = subprocess.run(
        [sys.executable, "-m", "scalinglab", "figure", "--no-such-option"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_version(run_cli):
    code, out, _ = run_cli("--version")
    assert code == 0
    assert out.strip()


def test_short_version_flag(run_cli):
    from importlib.metadata import version

    for flag in ("-V", "--version"):
        code, out, err = run_cli(flag)
        assert (code, out.strip(), err) == (0, version("scalinglab"), "")


def _leaf_commands():
    """Every (path, click command) of the app, discovered (so new commands are included)."""
    import typer

    from scalinglab.cli import app

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, (*path, name))
        else:
            yield " ".join(path), cmd

    return list(walk(typer.main.get_command(app), ()))


def test_every_help_screen_reads_well(run_cli):
    """Each --help renders; type labels are INTEGER/FLOAT/TEXT/PATH (not <int>); no raw
    ``markup``; every option has help text."""
    import re

    leaves = _leaf_commands()
    assert len(leaves) >= 15
    problems = []
    for path, cmd in leaves:
        code, out, err = run_cli(*path.split(), "--help")
        if code != 0 or "Usage:" not in out:
            problems.append(f"{path}: --help failed ({code}) {err[:100]}")
            continue
        for bad in re.findall(r"<(?:int|float|str|bool|path|list\[[a-z]+\])>", out):
            problems.append(f"{path}: raw type label {bad}")
        if "``" in out:
            problems.append(f"{path}: raw ``markup`` in help")
        for param in cmd.params:
            if getattr(param, "param_type_name", "") == "option" and not (param.help or "").strip():
                problems.append(f"{path}: option {param.opts[0]} has no help text")
    assert not problems, "\n".join(problems)


def test_type_labels_read_like_other_tools(run_cli):
    code, out, _ = run_cli("mrs", "curve", "--help")
    assert code == 0
    for label in ("INTEGER", "FLOAT", "TEXT", "PATH"):
        assert label in out
    assert "BOOLEAN" not in out  # flags carry no label
