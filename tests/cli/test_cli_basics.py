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
