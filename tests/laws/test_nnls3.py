"""The closed-form 3-unknown NNLS against scipy's active-set NNLS (Lawson–Hanson)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import nnls

from scalinglab.laws.nnls3 import Gram3, nnls3_single, solve_nnls3


def _problems(rng, count, n=20):
    """Random weighted problems; targets built so that many optima have clamped entries."""
    out = []
    for _ in range(count):
        u = rng.uniform(0.2, 3.0, n)
        v = rng.uniform(0.2, 3.0, n)
        X = np.stack([np.ones(n), u, v], axis=1)
        true = rng.normal(0.0, 1.0, 3)  # negative entries force clamping
        t = X @ true + rng.normal(0, 0.3, n)
        w = rng.uniform(0.5, 2.0, n)
        out.append((X, w, t))
    return out


def _gram(X, w, t):
    Xw = X * w[:, None]
    G, h = Xw.T @ X, Xw.T @ t
    return G, h, float(np.dot(w * t, t))


def test_batched_and_single_match_scipy_nnls():
    rng = np.random.default_rng(1)
    probs = _problems(rng, 200)
    grams = [_gram(*p) for p in probs]
    G = np.array([g[0] for g in grams])
    h = np.array([g[1] for g in grams])
    c = np.array([g[2] for g in grams])
    sol = solve_nnls3(
        Gram3(
            G[:, 0, 0],
            G[:, 0, 1],
            G[:, 0, 2],
            G[:, 1, 1],
            G[:, 1, 2],
            G[:, 2, 2],
            h[:, 0],
            h[:, 1],
            h[:, 2],
            c,
        )
    )
    clamped = 0
    for i, (X, w, t) in enumerate(probs):
        sw = np.sqrt(w)
        ref, rnorm = nnls(X * sw[:, None], t * sw)
        clamped += int(np.any(ref == 0))
        # 1e-9: both are exact solvers in float64; the normal equations square the
        # condition number (~1e2 here), so agreement is ~1e-12 and 1e-9 leaves margin.
        np.testing.assert_allclose(sol.theta[i], ref, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(sol.f[i], rnorm**2, rtol=1e-9, atol=1e-9)
        th, f = nnls3_single(G[i], h[i], c[i])
        np.testing.assert_allclose(th, ref, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(f, rnorm**2, rtol=1e-9, atol=1e-9)
    assert 30 < clamped < 200  # the test exercises both the full and the reduced supports


def test_broadcast_grid_shape():
    rng = np.random.default_rng(2)
    X, w, t = _problems(rng, 1)[0]
    G, h, c = _gram(X, w, t)
    # The same problem broadcast over a (4, 5) grid gives the same answer everywhere.
    ones = np.ones((4, 1))
    sol = solve_nnls3(
        Gram3(
            G[0, 0],
            G[0, 1] * ones,
            G[0, 2],
            G[1, 1] * ones,
            np.full((4, 5), G[1, 2]),
            G[2, 2] * np.ones((1, 5)),
            h[0],
            h[1] * ones,
            h[2],
            c,
        )
    )
    th, f = nnls3_single(G, h, c)
    assert sol.theta.shape == (4, 5, 3)
    np.testing.assert_allclose(sol.theta, np.broadcast_to(th, (4, 5, 3)), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(sol.f, f, rtol=1e-10)
