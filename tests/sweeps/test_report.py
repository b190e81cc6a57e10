"""The HTML report: self-contained, complete, and rendered by a real headless Chromium."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from chromium_page import check_page, find_chromium
from sweeps_helpers import toy_spec_text

from scalinglab.sweeps.executors import LocalExecutor
from scalinglab.sweeps.report import build_report
from scalinglab.sweeps.runner import run_sweep
from scalinglab.sweeps.spec import parse_spec
from scalinglab.sweeps.store import SweepStore


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def toy_db(tmp_path_factory):
    """A finished toy sweep with one failing n-value (6 failed points of 36)."""
    db = tmp_path_factory.mktemp("report") / "toy.db"
    spec = parse_spec(toy_spec_text(fixed="fail_at = 6"), source="toy.toml")
    with SweepStore.open(db, create=True) as store:
        run_sweep(spec, store, LocalExecutor())
    return db


def test_report_is_self_contained_and_complete(toy_db):
    rep = build_report(toy_db)
    parser = _Collect()
    parser.feed(rep.html)
    imgs = [a for t, a in parser.tags if t == "img"]
    # theory vs simulation + residuals for the one block, and the fitted law
    assert rep.figures == len(imgs) == 3
    assert all(a["src"].startswith("data:image/png;base64,") for a in imgs)
    # nothing is fetched from anywhere: no external src/href, no scripts
    for tag, attrs in parser.tags:
        for key in ("src", "href"):
            if key in attrs:
                assert attrs[key].startswith("data:"), (tag, attrs)
        assert tag != "script"
    for heading in (
        "Theory vs simulation",
        "Fitted law",
        "Failed points (6)",
        "Runs (36 points)",
        "Spec",
    ):
        assert heading in rep.html
    assert rep.html.count("RuntimeError: deliberate failure at n=6") == 6 + 6  # both tables
    # the fitted exponents sit beside the exact ones (toy law: a = b = 0.5)
    fit = rep.fits[0]
    assert fit.exact == {"alpha": 0.5, "a": 0.5, "b": 0.5, "L0": 2.0}
    # 30 points with 1 % multiplicative noise: the exponents are within 4 standard errors
    assert abs(fit.params["a"] - 0.5) < 4 * fit.stderr["a"]
    assert abs(fit.params["b"] - 0.5) < 4 * fit.stderr["b"]
    assert re.search(r"a \(exact\)</th>", rep.html)


def test_report_cli(toy_db, tmp_path, run_cli):
    out = tmp_path / "r.html"
    code, stdout, err = run_cli("report", str(toy_db), "--out", str(out), "--json")
    assert code == 0, err
    summary = json.loads(stdout)
    assert summary["out"] == str(out) and summary["figures"] == 3
    assert (summary["done"], summary["failed"]) == (30, 6)
    assert out.read_text().startswith("<!DOCTYPE html>")
    code, _, err = run_cli("report", str(toy_db), "--out", str(tmp_path / "no" / "r.html"))
    assert code == 2 and "does not exist" in err


@pytest.mark.skipif(
    find_chromium() is None,
    reason="chromium is not installed (apt-get install "
    "chromium); the report is not checked in a real browser",
)
def test_report_in_headless_chromium(toy_db, tmp_path):
    import matplotlib.image as mpimg

    page = tmp_path / "report.html"
    page.write_text(build_report(toy_db).html)
    result = check_page(page, width=1280, height=900)
    assert result.errors == []  # no console errors, exceptions or failed loads
    assert result.title == "Sweep report: toy"
    assert result.images == result.decoded == 3  # every embedded plot decoded
    assert all(w > 400 and h > 300 for w, h in result.sizes)
    assert result.tables >= 3  # fit, failures, runs
    shot = tmp_path / "report.png"
    shot.write_bytes(result.screenshot)
    pixels = mpimg.imread(io.BytesIO(result.screenshot), format="png")
    assert pixels.shape[1] == 1280 and pixels.shape[0] >= 900
    # the plots are drawn in viridis colours: some pixels are clearly coloured, not grey
    rgb = pixels[..., :3]
    saturation = rgb.max(axis=2) - rgb.min(axis=2)
    assert np.mean(saturation > 0.3) > 1e-3


@pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed")
def test_browser_check_catches_a_broken_page(tmp_path):
    # the checker itself must be able to fail: a console error, an exception, a missing image
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>b</title><link rel='icon' href='data:,'></head>"
        "<body><img src='missing.png'><script>console.error('boom'); undefined_fn();</script>"
        "</body></html>"
    )
    result = check_page(page)
    assert result.images == 1 and result.decoded == 0
    text = " | ".join(result.errors)
    assert "boom" in text and "undefined_fn" in text and "net::ERR_FILE_NOT_FOUND" in text
