"""Shared fixtures of the scaling-law fit tests."""

from __future__ import annotations

import pytest

from scalinglab.laws.io import load_llama3


@pytest.fixture(scope="session")
def llama3():
    """The 133 digitised Llama 3 IsoFLOP points shipped with the package."""
    return load_llama3()
