"""Kneser–Ney entropy bounds against an order-2 Markov chain with exact H_0, H_1, H_2."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab._validation import InputError
from scalinglab.empirical import language as lang


@pytest.fixture(scope="module")
def chain_estimate():
    chain = lang.markov2_chain(8, seed=0)
    x = lang.markov2_sample(chain, 1_000_000, seed=1)
    return lang.markov2_entropies(chain), lang.conditional_entropies(x, 8, 3)


def test_markov2_exact_entropies_by_brute_force():
    # independent reference: empirical plug-in entropies of a long sample (V = 3)
    chain = lang.markov2_chain(3, seed=2)
    exact = lang.markov2_entropies(chain)
    x = lang.markov2_sample(chain, 400_000, seed=3).astype(int)
    tri = np.zeros((3, 3, 3))
    np.add.at(tri, (x[:-2], x[1:-1], x[2:]), 1.0)
    tri /= tri.sum()
    bi = tri.sum(0)
    uni = bi.sum(0)
    h0 = -np.sum(uni * np.log(uni))
    h1 = -np.sum(bi * np.log(bi / bi.sum(1, keepdims=True)))
    h2 = -np.sum(tri * np.log(tri / tri.sum(2, keepdims=True)))
    # plug-in estimates from 4e5 tokens: sampling error ~ 1/√P ≈ 0.002 nats
    np.testing.assert_allclose([h0, h1, h2], exact, atol=0.006)


def test_kn_bounds_within_0p01_nats_of_exact(chain_estimate):
    exact, est = chain_estimate
    np.testing.assert_allclose(est.h[:3], exact, atol=0.01)  # the tolerance
    # longer contexts add nothing for an order-2 chain (H_n = H_2, n ≥ 2)
    np.testing.assert_allclose(est.h[3:], exact[2], atol=0.02)  # bound loosens with sparsity


def test_kn_cross_entropy_is_an_upper_bound_beyond_noise(chain_estimate):
    exact, est = chain_estimate
    # held-out cross-entropy ≥ H_n up to the sampling error of the held-out mean (3 s.e.)
    assert np.all(est.h[:3] >= exact - 3 * est.se[:3])


def test_iid_uniform_tokens_have_log_v_entropy():
    x = np.random.default_rng(0).integers(0, 16, 200_000)
    est = lang.conditional_entropies(x, 16, 3)
    # n ≤ 1: 16 or 256 cells with ~10⁴ counts each, smoothing costs < 0.001 nats (3 s.e. 0.002)
    np.testing.assert_allclose(est.h[:2], np.log(16), atol=0.01)
    # n ≥ 2: a bound that loosens as counts per context fall (≈ 44 per context at n = 3)
    assert np.all(est.h[2:] >= np.log(16) - 3 * est.se[2:])
    assert est.h[3] > est.h[2]


def test_real_text_entropies_decrease_then_fit():
    corpus = lang.load_corpus("bundled")
    est = lang.conditional_entropies(corpus.ids, corpus.vocab, 5)
    assert est.h[0] > est.h[1] > est.h[2]
    fit = lang.fit_entropy_exponent(est.n, est.h, h_inf=0.0)
    assert fit.gamma > 0


def test_entropy_fit_recovers_exact_law_and_interval():
    n = np.arange(0, 13)
    h = 1.7 + 2.0 * np.maximum(n, 1) ** -0.33
    noise = np.random.default_rng(0).normal(0, 1e-3, n.size)
    fit = lang.fit_entropy_exponent(n, h + noise)
    assert fit.gamma_ci[0] < 0.33 < fit.gamma_ci[1]
    assert fit.h_inf == pytest.approx(1.7, abs=0.05)


def test_too_short_corpus_rejected():
    with pytest.raises(InputError, match="too few"):
        lang.conditional_entropies(np.arange(20) % 3, 3, 6)


def test_learning_curve_decreases_towards_exact():
    chain = lang.markov2_chain(8, seed=0)
    exact = lang.markov2_entropies(chain)
    x = lang.markov2_sample(chain, 200_000, seed=4)
    curve = [lang.conditional_entropies(x, 8, 2, train_tokens=p).h[2] for p in (2_000, 20_000,
                                                                                180_000)]
    assert curve[0] > curve[1] > curve[2]  # more training tokens, tighter bound
    # at 180 k tokens: ~350 counts per context, excess ≪ 0.01 nats; 3 s.e. of the mean ≈ 0.008
    assert abs(curve[2] - exact[2]) < 0.015
