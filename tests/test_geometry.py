"""Nearest-neighbour distances (MRS eqs. 189-190) against brute force and a lattice."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from scalinglab._validation import InputError
from scalinglab.empirical.geometry import mean_nearest_neighbour_distance


def test_matches_brute_force_on_every_prefix():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 20)) * np.linspace(1.0, 0.1, 20)
    sizes = [2, 17, 150, 300]
    ours = mean_nearest_neighbour_distance(x, sizes)
    for value, t in zip(ours, sizes, strict=True):
        d = cdist(x[:t], x[:t])
        np.fill_diagonal(d, np.inf)
        # the Gram-matrix route loses ~eps·|x|²/δ² relative: here |x|²/δ² ~ 10, so 1e-12
        assert value == pytest.approx(d.min(axis=1).mean(), rel=1e-12)


def test_one_dimensional_lattice_has_its_spacing():
    # Points 0, h, 2h, ... embedded in 3-D: every nearest neighbour is exactly h away.
    h = 0.25
    x = np.zeros((40, 3))
    x[:, 1] = h * np.arange(40)
    np.testing.assert_allclose(mean_nearest_neighbour_distance(x, [2, 10, 40]), h, rtol=1e-12)


@pytest.mark.parametrize("sizes", [[1], [0, 5], [11], []])
def test_rejects_sizes_outside_the_data(sizes):
    with pytest.raises(InputError):
        mean_nearest_neighbour_distance(np.ones((10, 2)) * np.arange(10)[:, None], sizes)


def test_rejects_non_finite_input():
    x = np.ones((5, 2))
    x[2, 1] = np.nan
    with pytest.raises(InputError):
        mean_nearest_neighbour_distance(x, [3])
