"""The sweep progress bar: rate, ETA and done/total on stderr, nothing with --quiet."""

from __future__ import annotations

import io
import time

from rich.console import Console

from scalinglab.cli import sweep as sweep_cli


def _recording_console() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=True, width=120, color_system=None), buf


def test_progress_bar_shows_count_rate_and_eta(monkeypatch):
    console, buf = _recording_console()
    monkeypatch.setattr(sweep_cli, "err_console", console)
    with sweep_cli._SweepProgress("demo", enabled=True) as prog:
        for done in range(1, 4):
            time.sleep(0.05)
            prog(done, 8)
        prog._progress.refresh()
        shown = buf.getvalue()
    assert "demo" in shown
    assert "3/8" in shown
    assert "pt/s" in shown or "s/pt" in shown
    assert "ETA" in shown


def test_quiet_progress_writes_nothing(monkeypatch):
    console, buf = _recording_console()
    monkeypatch.setattr(sweep_cli, "err_console", console)
    with sweep_cli._SweepProgress("demo", enabled=False) as prog:
        prog(1, 2)
    assert buf.getvalue() == ""


def test_rate_column_switches_units():
    class _Task:
        def __init__(self, speed):
            self.finished_speed = None
            self.speed = speed

    col = sweep_cli._RateColumn()
    assert col.render(_Task(None)).plain == "-- pt/s"
    assert col.render(_Task(4.0)).plain == "4.0 pt/s"
    assert col.render(_Task(0.25)).plain == "4.0 s/pt"
