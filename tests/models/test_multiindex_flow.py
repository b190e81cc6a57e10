"""Exact population flow of the multi-index model against independent routes.

References (multiindex_math.md §A.5): the d×m weight-space gradient flow (an independent
derivation of the same dynamics, and a finite-difference check of its gradient), the matrix
Riccati ODE and its closed form for σ = h_2, the decoupled scalar solutions.
"""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab.models.multiindex import MultiIndexConfig, predict
from scalinglab.models.multiindex.config import amplitudes
from scalinglab.models.multiindex.emergence import emergence_times_decoupled
from scalinglab.models.multiindex.flow import (
    overlap_flow,
    riccati_closed_form,
    riccati_ode,
    riccati_reduce,
    risk_from_overlaps,
    weight_flow,
    weight_gradient,
)
from scalinglab.models.multiindex.link import make_link
from scalinglab.models.multiindex.simulate import initial_state, initial_weights


def _random_net(d, m, norm2, seed):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((m, d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    r2 = norm2 * rng.uniform(0.5, 1.5, m)
    return W, r2


def _risk_of_weights(link, a, U):
    r2 = np.sum(U**2, axis=1)
    W = U / np.sqrt(r2)[:, None]
    return float(risk_from_overlaps(link, a, W[:, : a.size], W @ W.T, r2))


@pytest.mark.parametrize("act", ["he2", "he4", "relu", "cos"])
def test_weight_gradient_matches_finite_differences(act):
    # independent check of the weight-space gradient used as the reference flow
    link, a = make_link(act), amplitudes(3, 1.0)
    W, r2 = _random_net(7, 4, 0.3, 1)
    U = W * np.sqrt(r2)[:, None]
    g = weight_gradient(link, a, U)
    h = 1e-6
    fd = np.zeros_like(U)
    for idx in np.ndindex(*U.shape):
        e = np.zeros_like(U)
        e[idx] = h
        fd[idx] = (_risk_of_weights(link, a, U + e) - _risk_of_weights(link, a, U - e)) / (2 * h)
    # central differences: O(h²) truncation + O(eps/h) round-off ≈ 1e-9
    np.testing.assert_allclose(g, fd, atol=1e-8)


@pytest.mark.parametrize("act", ["he2", "he4"])
def test_overlap_flow_equals_weight_flow(act):
    # §A.5.1: the closed overlap system and the d×m weight ODE agree to 1e-8 in R(t)
    link, a = make_link(act), amplitudes(3, 1.0)
    W, r2 = _random_net(8, 3, 0.05, 2)
    times = np.linspace(0.0, 30.0, 16)
    r_w, _, st, _ = weight_flow(link, a, W * np.sqrt(r2)[:, None], times)
    res = overlap_flow(link, a, W[:, :3], W @ W.T, r2, times)
    assert str(st) == "converged" and str(res.status) == "converged"
    assert r_w[-1] < 0.8 * r_w[0]  # something was learned in the window
    np.testing.assert_allclose(res.risk[0], r_w, atol=1e-8)


def test_fixed_student_overlap_flow_matches_spherical_weight_flow():
    # fixed second layer s: dw_j/dt = s (g_j)_⊥; integrate it in weight space with a
    # projected RK step of tiny size and compare with the overlap system
    from scipy.integrate import solve_ivp

    link, a = make_link("he2"), amplitudes(2, 0.5)
    d, m, s = 8, 3, 0.4
    W0, _ = _random_net(d, m, 1.0, 3)
    V = np.eye(d)[:2]

    def rhs(_t, y):
        W = y.reshape(m, d)
        M, Q = W @ V.T, W @ W.T
        g = (link.dphi(M) * a) @ V - ((link.dphi(Q) * (1 - np.eye(m))) * s) @ W
        g -= np.sum(g * W, axis=1, keepdims=True) * W
        return (s * g).ravel()

    times = np.linspace(0.0, 20.0, 11)
    sol = solve_ivp(rhs, (0, 20), W0.ravel(), t_eval=times, rtol=1e-11, atol=1e-14)
    Ws = sol.y.T.reshape(-1, m, d)
    r2 = np.full(m, s)
    ref = [risk_from_overlaps(link, a, w @ V.T, w @ w.T, r2) for w in Ws]
    res = overlap_flow(link, a, W0 @ V.T, W0 @ W0.T, r2, times, speed=np.full(m, s))
    np.testing.assert_allclose(res.risk[0], ref, atol=1e-8)  # both integrated to 1e-11


def test_riccati_closed_form_matches_riccati_ode_and_overlap_flow():
    # §A.5.1: closed form vs ODE to 1e-8 for t <= 5/a_max (σ = h_2)
    link, a = make_link("he2"), amplitudes(4, 1.0)
    W, r2 = _random_net(20, 5, 1e-3, 4)
    W0 = riccati_reduce(W[:, :4], W @ W.T, r2)
    times = np.linspace(0.0, 5.0 / a.max(), 12)
    r_cf, b_cf = riccati_closed_form(a, W0, times)
    r_ode, b_ode, _ = riccati_ode(a, W0 @ W0.T, times)
    np.testing.assert_allclose(r_cf, r_ode, atol=1e-8)
    np.testing.assert_allclose(b_cf, b_ode, atol=1e-8)
    res = overlap_flow(link, a, W[:, :4], W @ W.T, r2, times)
    np.testing.assert_allclose(res.risk[0], r_cf, atol=1e-8)
    np.testing.assert_allclose(res.recovery[0], b_cf, atol=1e-8)


def test_riccati_reduction_is_exact_in_d_dimensions():
    # the (P + m)-dimensional reduction against the full d×d Riccati ODE
    a = amplitudes(3, 1.0)
    d = 10
    W, r2 = _random_net(d, 4, 1e-2, 5)
    U = W * np.sqrt(r2)[:, None]
    times = np.linspace(0.0, 6.0, 7)
    r_full, b_full, _ = riccati_ode(a, U.T @ U, times)
    W0 = riccati_reduce(W[:, :3], W @ W.T, r2)
    r_red, b_red, _ = riccati_ode(a, W0 @ W0.T, times)
    np.testing.assert_allclose(r_red, r_full, atol=1e-9)
    np.testing.assert_allclose(b_red, b_full, atol=1e-9)


def test_predict_riccati_method_equals_ode_method():
    cfg = MultiIndexConfig(dim=24, directions=4, width=4, init_norm2=1e-3, batch=24, lr=0.05,
                           steps=400, record=10)  # fmt: skip
    ode = predict(cfg, seeds=2, method="ode")
    ric = predict(cfg, seeds=2, method="riccati")  # closed form, then Riccati ODE past 8/a_max
    np.testing.assert_allclose(ric.risk_per_seed, ode.risk_per_seed, atol=1e-8)
    # emergence times on different dense grids: linear interpolation error ~ (Δt)²·curvature
    np.testing.assert_allclose(ric.emergence, ode.emergence, rtol=1e-3)


@pytest.mark.slow
def test_decoupled_k2_emergence_times():
    # §A.5.2: d = 512, m = 32, P = 16, β = 1, ε² = 1e-4: t_p(exact)/t_p(decoupled) ∈ [1.00, 1.10]
    # The note's bound comes from one run. Over 6 initialisations the per-seed maximum is
    # 1.07-1.14 (always a weak direction, p >= 9): competition between directions, which the
    # decoupled formula drops, only delays emergence. So: every ratio >= 1 (up to the 1e-3
    # interpolation error of the emergence grid), every ratio <= 1.15, and the seed-average
    # ratio of each direction within the note's [1.00, 1.10].
    cfg = MultiIndexConfig(dim=512, directions=16, width=32, signal_decay=1.0, init_norm2=1e-4,
                           optimizer="flow", lr=0.5, steps=120, record=10)  # fmt: skip
    pred = predict(cfg, seeds=6, seed=0, method="riccati")
    M0, _, r2 = initial_state(cfg, initial_weights(cfg, 6, 0))
    ratio = pred.emergence / emergence_times_decoupled(cfg.link, cfg.amplitudes(), M0, r2)
    assert np.all(np.isfinite(ratio))
    assert np.all((ratio >= 1.0 - 1e-3) & (ratio <= 1.15)), ratio
    mean = ratio.mean(axis=0)
    assert np.all((mean >= 1.0 - 1e-3) & (mean <= 1.10)), mean


@pytest.mark.slow
def test_k4_blowup_is_an_order_of_magnitude_estimate():
    # §A.2.2 [V]: the greedy blow-up time (+ norm phase) is an order-of-magnitude estimate.
    # Measured here (d = 48, m = 6, P = 3, 4 seeds): 11 of 12 ratios exact/decoupled lie in
    # [1.03, 1.09]; one is 2.25, a neuron "stolen" by a faster direction (deflation, which
    # the greedy matching does not model). So: the median within [1.0, 1.15] and every ratio
    # within the note's factor-of-2 band except at most one in P·seeds.
    cfg = MultiIndexConfig(
        dim=48,
        directions=3,
        width=6,
        signal_decay=0.5,
        activation="he4",
        init_norm2=1e-3,
        optimizer="flow",
        lr=1.0,
        steps=400,
        record=8,
    )
    pred = predict(cfg, seeds=4, seed=0)
    M0, _, r2 = initial_state(cfg, initial_weights(cfg, 4, 0))
    ratio = pred.emergence / emergence_times_decoupled(cfg.link, cfg.amplitudes(), M0, r2)
    assert np.all(np.isfinite(ratio)), ratio
    assert 1.0 <= np.median(ratio) <= 1.15, ratio
    assert np.sum((ratio < 0.5) | (ratio > 2.0)) <= 1, ratio
