"""Upper bounds on the conditional entropies H_n from held-out n-gram cross-entropies.

H_n = −E log p(x_{n+1} | x_1 … x_n) is the entropy of the next token given n tokens of
context (Cagnetta et al. 2026, v1 Eq. 6). The cross-entropy of *any* model q on held-out
text is ≥ H_n (Gibbs), so a good smoothed n-gram model trained on the first part of the corpus
and scored on the last part gives an upper bound that tightens as the corpus grows. The model
here is interpolated Kneser–Ney with three discounts per order ("modified" Kneser–Ney of
Chen & Goodman 1999, §3 and eq. 17), recursing down to the uniform distribution on V
symbols:

    p_j(w | h) = [max(c_j(hw) − D_j(c_j(hw)), 0) + γ_j(h) p_{j−1}(w | h')] / c_j(h),
    γ_j(h) = D_j1 N_1(h·) + D_j2 N_2(h·) + D_j3+ N_3+(h·),

with raw counts at the highest order, continuation counts N_1+(·hw) below it, and the
discounts D_j1 = 1 − 2Y n_2/n_1, D_j2 = 2 − 3Y n_3/n_2, D_j3+ = 3 − 4Y n_4/n_3,
Y = n_1/(n_1 + 2n_2) from the counts-of-counts n_r of order j. A context never seen in
training falls back to the lower order entirely.

These are bounds from n-gram models, **not** the γ of the paper, which is fitted to the
per-position losses of transformers trained on up to 10⁸ tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalinglab._types import ProgressFn
from scalinglab._validation import InputError, check_int, check_real

__all__ = ["EntropyEstimate", "conditional_entropies"]

#: Fallback discount when the counts-of-counts are too thin for the formula.
FALLBACK_DISCOUNT = 0.75


@dataclass(frozen=True)
class EntropyEstimate:
    """Held-out cross-entropies of n-gram models, upper bounds on H_n (nats).

    Attributes
    ----------
    n : ndarray of int
        Context lengths 0 … n_max.
    h : ndarray
        Cross-entropy per token on the held-out part.
    se : ndarray
        Standard error of each mean over held-out tokens (ignores their correlation).
    train_tokens, test_tokens, vocab : int
    """

    n: np.ndarray
    h: np.ndarray
    se: np.ndarray
    train_tokens: int
    test_tokens: int
    vocab: int

    def to_dict(self) -> dict[str, object]:
        """Fields for JSON."""
        return {
            "n": self.n,
            "H_n": self.h,
            "se": self.se,
            "train_tokens": self.train_tokens,
            "test_tokens": self.test_tokens,
            "vocab": self.vocab,
        }


def _discounts(cnt: np.ndarray) -> np.ndarray:
    nr = np.bincount(np.minimum(cnt[cnt > 0], 5), minlength=6)[1:5].astype(np.float64)
    n1, n2, n3, n4 = nr
    if n1 <= 0 or n2 <= 0 or n3 <= 0 or n4 <= 0:
        return np.array([0.0, FALLBACK_DISCOUNT, FALLBACK_DISCOUNT, FALLBACK_DISCOUNT])
    y = n1 / (n1 + 2.0 * n2)
    d = np.array([1.0 - 2.0 * y * n2 / n1, 2.0 - 3.0 * y * n3 / n2, 3.0 - 4.0 * y * n4 / n3])
    # a non-positive formula value (odd counts-of-counts) falls back to the single discount Y
    d = np.clip(np.where(d > 0, d, y), 0.0, np.array([1.0, 2.0, 3.0]))
    return np.concatenate(([0.0], d))


@dataclass
class _Level:
    cnt: np.ndarray  # count per gram id (raw or continuation)
    disc: np.ndarray  # discount by min(count, 3), index 0 unused
    ctx_total: np.ndarray  # c(h) per context id
    gamma_num: np.ndarray  # D1 N1(h.) + D2 N2(h.) + D3 N3+(h.) per context id


def _level(cnt: np.ndarray, ctx_of: np.ndarray, n_ctx: int) -> _Level:
    disc = _discounts(cnt)
    ctx_total = np.bincount(ctx_of, weights=cnt, minlength=n_ctx)
    d_of = disc[np.minimum(cnt, 3)] * (cnt > 0)
    gamma_num = np.bincount(ctx_of, weights=d_of, minlength=n_ctx)
    return _Level(cnt, disc, ctx_total, gamma_num)


def conditional_entropies(
    x: np.ndarray,
    vocab: int,
    n_max: int,
    *,
    heldout: float = 0.1,
    train_tokens: int | None = None,
    progress: ProgressFn | None = None,
) -> EntropyEstimate:
    """Upper bounds on H_0 … H_{n_max} from modified Kneser–Ney models (module docstring).

    Parameters
    ----------
    x : ndarray of int, shape (P,)
        Token ids in ``[0, vocab)``.
    vocab : int
        V; the recursion ends in the uniform distribution 1/V.
    n_max : int
        Longest context.
    heldout : float
        Fraction of the corpus, at its end, used for scoring (the rest trains the counts).
    train_tokens : int, optional
        Train on only the first this many tokens (the held-out part stays the same), for
        learning curves L_n(P) of the n-gram models.
    progress : callable, optional
        ``progress(done, total)`` per context length.

    Examples
    --------
    >>> x = np.random.default_rng(0).integers(0, 4, 20_000)
    >>> e = conditional_entropies(x, 4, 2)
    >>> bool(np.all(np.abs(e.h - np.log(4)) < 0.02))
    True
    """
    x = np.asarray(x)
    vocab = check_int(vocab, "vocab", "conditional_entropies", low=2)
    n_max = check_int(n_max, "n_max", "conditional_entropies", low=0)
    heldout = check_real(heldout, "heldout", "conditional_entropies", low=0.0, high=0.9,
                         low_open=True)  # fmt: skip
    if x.ndim != 1 or not np.issubdtype(x.dtype, np.integer):
        raise InputError("tokens must be a 1-D array of integer ids")
    if x.size and (int(x.min()) < 0 or int(x.max()) >= vocab):
        raise InputError(f"token ids must lie in [0, {vocab}), the vocabulary")
    size = x.size
    split = round(size * (1.0 - heldout))
    if split <= n_max + 2 or size - max(split, n_max) < 10:
        raise InputError(
            f"{size} tokens are too few for contexts up to n = {n_max} "
            "(need enough for a training part and at least 10 held-out tokens)"
        )
    if train_tokens is not None:
        train_tokens = check_int(train_tokens, "train_tokens", "conditional_entropies",
                                 low=n_max + 3)  # fmt: skip
        split_eval, split = split, min(split, train_tokens)
    else:
        split_eval = split
    xi = x.astype(np.int64)
    pos = np.arange(size)
    # grams[k][t]: id of the k tokens ending at t (-1 where t < k - 1); reps[k]: a position of each
    grams: list[np.ndarray] = [np.zeros(size, np.int64), xi]
    reps: list[np.ndarray] = [np.zeros(1, np.int64), np.zeros(vocab, np.int64)]
    reps[1][xi[::-1]] = pos[::-1]
    for k in range(2, n_max + 3):
        g = np.full(size, -1, np.int64)
        valid = pos[k - 1 :]
        codes = grams[k - 1][valid] * vocab + xi[valid - k + 1]
        _, first, inv = np.unique(codes, return_index=True, return_inverse=True)
        g[valid] = inv
        grams.append(g)
        reps.append(valid[first])

    def context_of(k: int) -> tuple[np.ndarray, int]:
        # prefix (k-1)-gram id of each k-gram, and how many prefixes there are
        if k == 1:
            return np.zeros(reps[1].size, np.int64), 1
        return grams[k - 1][reps[k] - 1], int(reps[k - 1].size)

    raw: list[_Level] = []
    cont: list[_Level] = []
    for j in range(n_max + 1):
        k = j + 1
        n_grams = reps[k].size
        ctx_of, n_ctx = context_of(k)
        train_k = grams[k][k - 1 : split]
        raw.append(_level(np.bincount(train_k, minlength=n_grams), ctx_of, n_ctx))
        longer = np.unique(grams[k + 1][k:split])
        suffix = grams[k][reps[k + 1][longer]]
        cont.append(_level(np.bincount(suffix, minlength=n_grams), ctx_of, n_ctx))

    test = pos[max(split_eval, n_max) :]
    hs, ses = [], []
    for m in range(n_max + 1):
        prob = np.full(test.size, 1.0 / vocab)
        for j in range(m + 1):
            lev = raw[j] if j == m else cont[j]
            g = grams[j + 1][test]
            h = grams[j][test - 1] if j > 0 else np.zeros(test.size, np.int64)
            c = lev.cnt[g]
            total = lev.ctx_total[h]
            seen = total > 0
            disc = lev.disc[np.minimum(c, 3)]
            num = np.maximum(c - disc, 0.0) + lev.gamma_num[h] * prob
            prob = np.where(seen, num / np.where(seen, total, 1.0), prob)
        nll = -np.log(prob)
        hs.append(float(nll.mean()))
        ses.append(float(nll.std(ddof=1) / np.sqrt(nll.size)))
        if progress is not None:
            progress(m + 1, n_max + 1)
    return EntropyEstimate(
        n=np.arange(n_max + 1),
        h=np.array(hs),
        se=np.array(ses),
        train_tokens=split,
        test_tokens=int(test.size),
        vocab=vocab,
    )
