"""Token processes with exactly known statistics, for testing the estimators.

* The **copy process** (``shared/papers/language_math.md`` D.2): a base sequence s_t of i.i.d.
  uniform symbols on V letters and x_t = s_{t−K_t}, where K_t = 0 with probability 1 − q and
  otherwise K_t = k ≥ 1 with probability p(k) ∝ k^−(1+a) (truncated at ``k_max``). Two tokens
  n apart copy the same base symbol with probability

      r(n) = q(1 − q) p(n) + q² Σ_{k≥1} p(k) p(n + k),

  and are independent otherwise, so C(n) = (r(n)/V)(I − J/V) exactly:
  ‖C(n)‖_op = r(n)/V, ‖C(n)‖_F = (r(n)/V)√(V − 1), and β → 1 + a as n → ∞.
* An **order-2 Markov chain** with random transition probabilities, whose conditional
  entropies H_0, H_1, H_2 (= H_n for all n ≥ 2) are computed exactly from its stationary law.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from scalinglab._validation import check_int, check_real

__all__ = [
    "MarkovChain2",
    "copy_process",
    "copy_process_norms",
    "copy_process_overlap",
    "markov2_chain",
    "markov2_entropies",
    "markov2_sample",
]


def _lag_law(a: float, k_max: int) -> np.ndarray:
    k = np.arange(1, k_max + 1, dtype=np.float64)
    w = k ** -(1.0 + a)
    return w / w.sum()


def copy_process(
    tokens: int, vocab: int, *, q: float, a: float, k_max: int = 4096, seed: int = 0
) -> np.ndarray:
    """Sample the copy process x_t = s_{t−K_t} (module docstring).

    Examples
    --------
    >>> x = copy_process(10, 4, q=0.5, a=0.5, seed=1)
    >>> x.shape, int(x.max()) < 4
    ((10,), True)
    """
    tokens = check_int(tokens, "tokens", "copy_process", low=1)
    vocab = check_int(vocab, "vocab", "copy_process", low=2)
    q = check_real(q, "q", "copy_process", low=0.0, high=1.0)
    a = check_real(a, "a", "copy_process", low=0.0, low_open=True)
    k_max = check_int(k_max, "k_max", "copy_process", low=1)
    rng = np.random.default_rng(seed)
    base = rng.integers(0, vocab, tokens + k_max, dtype=np.int64)
    cdf = np.cumsum(_lag_law(a, k_max))
    shift = np.searchsorted(cdf, rng.random(tokens) * cdf[-1], side="right") + 1
    shift = np.minimum(shift, k_max)
    shift[rng.random(tokens) >= q] = 0
    x = base[np.arange(tokens) + k_max - shift]
    return x.astype(np.uint8 if vocab <= 256 else np.uint32)


def copy_process_overlap(lags: np.ndarray, *, q: float, a: float, k_max: int = 4096) -> np.ndarray:
    """Exact r(n), the probability that x_t and x_{t+n} copy the same base symbol.

    Examples
    --------
    >>> r = copy_process_overlap(np.array([1, 2]), q=1.0, a=1.0, k_max=2)
    >>> r.round(4).tolist()   # p = (0.8, 0.2): r(1) = p(1)p(2), r(2) = 0
    [0.16, 0.0]
    """
    p = _lag_law(a, k_max)
    out = []
    for n in np.asarray(lags, dtype=np.int64):
        direct = p[n - 1] if n <= k_max else 0.0
        tail = float(np.dot(p[: max(k_max - n, 0)], p[n:])) if n < k_max else 0.0
        out.append(q * (1.0 - q) * direct + q * q * tail)
    return np.array(out)


def copy_process_norms(
    lags: np.ndarray, vocab: int, *, q: float, a: float, k_max: int = 4096
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (‖C(n)‖_op, ‖C(n)‖_F) = (r/V, (r/V)√(V − 1)) of the copy process.

    Examples
    --------
    >>> op, fro = copy_process_norms(np.array([1]), 4, q=1.0, a=1.0, k_max=2)
    >>> round(float(op[0]), 4), round(float(fro[0] / op[0]), 4)
    (0.04, 1.7321)
    """
    r = copy_process_overlap(lags, q=q, a=a, k_max=k_max)
    return r / vocab, r / vocab * np.sqrt(vocab - 1.0)


@dataclass(frozen=True)
class MarkovChain2:
    """Order-2 Markov chain: ``transition[a, b, c]`` = Pr(x_t = c | x_{t−2} = a, x_{t−1} = b)."""

    transition: np.ndarray

    @property
    def vocab(self) -> int:
        """Number of symbols V."""
        return int(self.transition.shape[0])


def markov2_chain(vocab: int, *, concentration: float = 0.5, seed: int = 0) -> MarkovChain2:
    """Random order-2 chain: each row Pr(· | a, b) drawn from a symmetric Dirichlet.

    Examples
    --------
    >>> m = markov2_chain(3, seed=1)
    >>> m.transition.shape, bool(np.allclose(m.transition.sum(-1), 1.0))
    ((3, 3, 3), True)
    """
    vocab = check_int(vocab, "vocab", "markov2_chain", low=2)
    concentration = check_real(
        concentration, "concentration", "markov2_chain", low=0.0, low_open=True
    )
    rng = np.random.default_rng(seed)
    t = rng.dirichlet(np.full(vocab, concentration), size=(vocab, vocab))
    t = np.maximum(t, 1e-6)  # every transition possible: the chain is ergodic
    return MarkovChain2(t / t.sum(-1, keepdims=True))


def _pair_stationary(chain: MarkovChain2) -> np.ndarray:
    v = chain.vocab
    # pair chain (a, b) -> (b, c) with probability T[a, b, c]
    big = np.zeros((v * v, v * v))
    for a in range(v):
        for b in range(v):
            big[a * v + b, b * v : (b + 1) * v] = chain.transition[a, b]
    w, vecs = np.linalg.eig(big.T)
    pi = np.real(vecs[:, np.argmin(np.abs(w - 1.0))])
    pi = np.abs(pi) / np.abs(pi).sum()
    return pi.reshape(v, v)


def markov2_entropies(chain: MarkovChain2) -> np.ndarray:
    """Exact H_0, H_1, H_2 (nats) of the stationary chain; H_n = H_2 for n ≥ 2.

    H_0 = −Σ π_c log π_c, H_1 = −Σ π(b, c) log Pr(c | b), H_2 = −Σ π(a, b) T_abc log T_abc.

    Examples
    --------
    >>> h = markov2_entropies(markov2_chain(4, seed=0))
    >>> bool(h[0] >= h[1] >= h[2] > 0)
    True
    """
    pi_ab = _pair_stationary(chain)
    t = chain.transition
    h2 = -float(np.sum(pi_ab[:, :, None] * t * np.log(t)))
    joint_bc = np.einsum("ab,abc->bc", pi_ab, t)
    cond = joint_bc / joint_bc.sum(1, keepdims=True)
    h1 = -float(np.sum(joint_bc * np.log(cond)))
    marg = joint_bc.sum(0)
    h0 = -float(np.sum(marg * np.log(marg)))
    return np.array([h0, h1, h2])


def markov2_sample(chain: MarkovChain2, tokens: int, *, seed: int = 0) -> np.ndarray:
    """Sample ``tokens`` symbols of the chain after a burn-in of 1000 steps.

    Examples
    --------
    >>> markov2_sample(markov2_chain(3, seed=0), 5, seed=0).shape
    (5,)
    """
    tokens = check_int(tokens, "tokens", "markov2_sample", low=1)
    v = chain.vocab
    cum = [list(np.cumsum(chain.transition[a, b])) for a in range(v) for b in range(v)]
    burn = 1000
    u = np.random.default_rng(seed).random(tokens + burn).tolist()
    out = [0] * (tokens + burn)
    a, b = 0, 0
    for i, ui in enumerate(u):
        row = cum[a * v + b]
        c = min(bisect_right(row, ui * row[-1]), v - 1)
        out[i] = c
        a, b = b, c
    return np.array(out[burn:], dtype=np.uint8 if v <= 256 else np.uint32)
