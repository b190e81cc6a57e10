"""The notebook API: every advertised name resolves, and importing the package stays cheap."""

from __future__ import annotations

import subprocess
import sys

import scalinglab as sl


def test_every_name_in___all___resolves():
    missing = [name for name in sl.__all__ if getattr(sl, name, None) is None]
    assert not missing


def test_unknown_attribute_is_an_attribute_error():
    try:
        sl.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_import_does_not_load_the_heavy_stack():
    # `import scalinglab` must stay cheap (~0.13 s measured): scipy, matplotlib, pandas and the
    # models load only when a name is used.
    code = (
        "import sys, scalinglab; "
        "print(sorted(m for m in ('scipy', 'matplotlib', 'pandas', 'scalinglab.models.mrs') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
