"""Token–token correlations at a lag: sparse joint counts, norms and noise floors.

For a token sequence x_1 … x_P and a lag n the N = P − n pairs (x_i, x_{i+n}) give the
empirical joint distribution Ĵ(n)/N and the marginals p̂ (first slots) and q̂ (second
slots). The estimated correlation matrix is

    Ĉ(n) = Ĵ(n)/N − p̂ q̂ᵀ        (Cagnetta, Raventós, Ganguli & Wyart 2026, v1 Eq. 3)

a V × V matrix whose rows and columns sum to zero. Ĵ is stored sparse (at most N non-zero
entries); Ĉ is never formed: its operator norm comes from ``scipy.sparse.linalg.svds`` on a
linear operator (sparse part plus rank one), its Frobenius norm from

    ‖Ĉ‖_F² = Σ Ĵ²/N² − 2 Σ_ab (Ĵ_ab/N) p̂_a q̂_b + (Σ p̂²)(Σ q̂²).

Noise floors (docs/language.md and ``shared/papers/language_math.md`` D.2): for independent
tokens E‖Ĉ(n)‖_F² = (1 − Σp²)(1 − Σq²)/N to leading order, which gives the analytic
Frobenius floor and the debiased estimator ‖C‖_F² ≈ ‖Ĉ‖_F² − (1 − Σp̂²)(1 − Σq̂²)/N; the
operator-norm floor is measured on a shuffled copy of the same tokens (for uniform
marginals it is close to the Bai–Yin edge 2/√(VN)).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, svds

from scalinglab._types import ProgressFn
from scalinglab._validation import InputError, check_choice, check_int, check_real

__all__ = [
    "DENSE_COUNT_LIMIT",
    "FLOOR_KAPPA",
    "BlockedLagCounts",
    "LagCorrelations",
    "LagMatrix",
    "blocked_lag_counts",
    "correlation_norms",
    "cross_block_fro2",
    "cross_block_gram",
    "gram_fro2",
    "lag_correlations",
    "lagged_counts",
    "log_lags",
    "merge_lag_matrices",
    "shuffled_op_floor",
    "uniform_op_floor",
]

#: Positions per chunk when counting pairs (bounds the working memory at ~3 × 128 MB).
COUNT_CHUNK = 1 << 24
#: Below this V² the pair counts use one dense ``bincount`` instead of sorting ...
DENSE_COUNT_LIMIT = 1 << 22
#: ... provided V² is at most this many times the number of pairs counted.
DENSE_COUNT_RATIO = 4
#: A lag counts as detected when its norm is at least this multiple of the noise floor.
FLOOR_KAPPA = 2.0
#: Relative tolerance of the sparse top singular value.
SVDS_TOL = 1e-6


@dataclass(frozen=True)
class LagMatrix:
    """Sparse joint counts of the pairs (x_i, x_{i+n}) at one lag.

    Attributes
    ----------
    lag : int
    pairs : int
        N = P − n.
    joint : scipy.sparse.csr_array, shape (V, V)
        Counts Ĵ_ab of pairs (a, b) (float64).
    first, second : ndarray, shape (V,)
        Marginal frequencies p̂ and q̂ of the first and second slot (sum to one).
    """

    lag: int
    pairs: int
    joint: sp.csr_array
    first: np.ndarray
    second: np.ndarray


def log_lags(n_min: int, n_max: int, per_decade: int = 12) -> np.ndarray:
    """Distinct integer lags spaced evenly in log between ``n_min`` and ``n_max`` (inclusive).

    Examples
    --------
    >>> log_lags(1, 64, per_decade=6).tolist()
    [1, 2, 3, 5, 7, 10, 14, 21, 30, 44, 64]
    """
    n_min = check_int(n_min, "n_min", "log_lags", low=1)
    n_max = check_int(n_max, "n_max", "log_lags", low=n_min)
    per_decade = check_int(per_decade, "per_decade", "log_lags", low=1)
    k = max(2, int(np.ceil(np.log10(n_max / n_min) * per_decade)) + 1)
    grid = np.unique(np.rint(np.geomspace(n_min, n_max, k)).astype(np.int64))
    return grid


def _pair_codes(x: np.ndarray, lag: int, start: int, stop: int, vocab: int) -> np.ndarray:
    a = x[start:stop].astype(np.int64)
    a *= vocab
    a += x[start + lag : stop + lag]
    return a


def _count_sorted(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes.sort()  # in place: the codes are a temporary of the caller
    edge = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.concatenate(([0], edge))
    counts = np.diff(np.concatenate((starts, [codes.size])))
    return codes[starts], counts


def lagged_counts(
    x: np.ndarray, lag: int, vocab: int, *, start: int = 0, stop: int | None = None
) -> LagMatrix:
    """Sparse joint counts of token pairs (x_i, x_{i+lag}), ``start ≤ i < stop``, in chunks.

    Small vocabularies (V² ≤ ``DENSE_COUNT_LIMIT`` and ≤ 4 × pairs) use a dense ``bincount``;
    larger ones sort the pair codes a·V + b chunk by chunk and merge, so the memory is
    O(chunk + distinct pairs), never O(V²). By default every pair is counted (``stop = P − lag``).

    Examples
    --------
    >>> m = lagged_counts(np.array([0, 1, 0, 1, 1]), 1, 2)
    >>> m.joint.toarray().tolist(), m.pairs
    ([[0.0, 2.0], [1.0, 1.0]], 4)
    """
    x = np.asarray(x)
    lag = check_int(lag, "lag", "lagged_counts", low=1)
    last = x.size - lag
    if last < 1:
        raise InputError(f"lag {lag} is beyond the corpus ({x.size} tokens)")
    stop = last if stop is None else min(stop, last)
    pairs = stop - start
    if pairs < 1:
        raise InputError(f"no pairs at lag {lag} in positions {start}..{stop}")
    if vocab * vocab <= min(DENSE_COUNT_LIMIT, DENSE_COUNT_RATIO * pairs):
        total = np.zeros(vocab * vocab, np.int64)
        for s in range(start, stop, COUNT_CHUNK):
            codes = _pair_codes(x, lag, s, min(s + COUNT_CHUNK, stop), vocab)
            total += np.bincount(codes, minlength=vocab * vocab)
        keys = np.flatnonzero(total)
        counts = total[keys]
    else:
        keys = np.zeros(0, np.int64)
        counts = np.zeros(0, np.int64)
        for s in range(start, stop, COUNT_CHUNK):
            k, c = _count_sorted(_pair_codes(x, lag, s, min(s + COUNT_CHUNK, stop), vocab))
            if keys.size:
                both_k, inv = np.unique(np.concatenate((keys, k)), return_inverse=True)
                counts = np.bincount(inv, weights=np.concatenate((counts, c))).astype(np.int64)
                keys = both_k
            else:
                keys, counts = k, c
    rows, cols = np.divmod(keys, vocab)
    joint = sp.csr_array(
        (counts.astype(np.float64), (rows, cols)), shape=(vocab, vocab), dtype=np.float64
    )
    first = np.bincount(x[start:stop], minlength=vocab).astype(np.float64) / pairs
    second = np.bincount(x[start + lag : stop + lag], minlength=vocab).astype(np.float64) / pairs
    return LagMatrix(lag, pairs, joint, first, second)


def merge_lag_matrices(parts: list[LagMatrix]) -> LagMatrix:
    """Counts of several disjoint position ranges at the same lag, added up.

    Examples
    --------
    >>> x = np.array([0, 1, 0, 1, 1, 0])
    >>> a, b = lagged_counts(x, 1, 2, stop=2), lagged_counts(x, 1, 2, start=2)
    >>> bool(np.array_equal(merge_lag_matrices([a, b]).joint.toarray(),
    ...                     lagged_counts(x, 1, 2).joint.toarray()))
    True
    """
    pairs = sum(m.pairs for m in parts)
    joint = parts[0].joint.copy()
    for m in parts[1:]:
        joint = joint + m.joint
    first = sum(m.first * m.pairs for m in parts) / pairs
    second = sum(m.second * m.pairs for m in parts) / pairs
    return LagMatrix(parts[0].lag, pairs, sp.csr_array(joint), first, second)


@dataclass(frozen=True)
class BlockedLagCounts:
    """Pair counts at one lag, split by B contiguous blocks of positions, on one key set.

    Attributes
    ----------
    lag : int
    codes : ndarray of int64, shape (U,)
        Sorted distinct pair codes a·V + b over all blocks.
    counts : scipy.sparse.csr_array, shape (U, B)
        Count of each pair in each block.
    pairs : ndarray of int, shape (B,)
        Pairs per block N_b.
    first, second : ndarray, shape (V, B)
        Marginal frequencies of the first and second slot in each block.
    """

    lag: int
    codes: np.ndarray
    counts: sp.csr_array
    pairs: np.ndarray
    first: np.ndarray
    second: np.ndarray

    def full(self) -> LagMatrix:
        """All blocks together."""
        v = self.first.shape[0]
        rows, cols = np.divmod(self.codes, v)
        total = np.asarray(self.counts.sum(axis=1)).ravel()
        # codes are sorted, i.e. row-major: build the CSR arrays directly
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=v))))
        joint = sp.csr_array((total, cols, indptr), shape=(v, v))
        n = int(self.pairs.sum())
        return LagMatrix(self.lag, n, joint, self.first @ self.pairs / n,
                         self.second @ self.pairs / n)  # fmt: skip

    def gram(self) -> np.ndarray:
        """⟨Ĉ_b, Ĉ_b'⟩ for all blocks (see :func:`cross_block_gram`)."""
        v = self.first.shape[0]
        rows, cols = np.divmod(self.codes, v)
        b = self.pairs.size
        gram = (self.counts.T @ self.counts).toarray() / np.outer(self.pairs, self.pairs)
        # jq[b, c] = p_cᵀ (J_b/N_b) q_c: stack the J_b as a (V·B) × V matrix K, then K @ q
        per_u = np.diff(self.counts.indptr)
        k_rows = np.repeat(rows * b, per_u) + self.counts.indices
        k_cols = np.repeat(cols, per_u)
        stacked = sp.csr_array((self.counts.data, (k_rows, k_cols)), shape=(v * b, v))
        r = (stacked @ self.second).reshape(v, b, b)  # r[a, b, c] = Σ_col J_b[a, col] q_c[col]
        jq = np.einsum("ac,abc->bc", self.first, r) / self.pairs[:, None]
        gram -= jq + jq.T
        gram += (self.first.T @ self.first) * (self.second.T @ self.second)
        return gram


def blocked_lag_counts(x: np.ndarray, lag: int, vocab: int, blocks: int) -> BlockedLagCounts:
    """Pair counts at ``lag`` in ``blocks`` contiguous blocks, with one sort of a·V + b and block.

    Each pair's key is (a·V + b)·B + block; sorting the keys (or one ``bincount`` when V²B is
    small) gives the per-block counts of every distinct pair at once, chunk by chunk.

    Examples
    --------
    >>> x = np.random.default_rng(0).integers(0, 5, 1000)
    >>> bl = blocked_lag_counts(x, 2, 5, 4)
    >>> bool(np.array_equal(bl.full().joint.toarray(), lagged_counts(x, 2, 5).joint.toarray()))
    True
    """
    x = np.asarray(x)
    lag = check_int(lag, "lag", "blocked_lag_counts", low=1)
    n = x.size - lag
    if n < blocks:
        raise InputError(f"lag {lag} leaves fewer pairs than blocks ({x.size} tokens)")
    edges = np.linspace(0, n, blocks + 1).astype(np.int64)
    pairs = np.diff(edges)
    keys = np.zeros(0, np.int64)
    counts = np.zeros(0, np.int64)
    dense = vocab * vocab * blocks <= min(DENSE_COUNT_LIMIT, DENSE_COUNT_RATIO * n)
    total = np.zeros(vocab * vocab * blocks, np.int64) if dense else None
    for s in range(0, n, COUNT_CHUNK):
        e = min(s + COUNT_CHUNK, n)
        k = _pair_codes(x, lag, s, e, vocab)
        k *= blocks
        for b in range(blocks):  # blocks are contiguous: add the block id slice by slice
            lo, hi = max(int(edges[b]), s), min(int(edges[b + 1]), e)
            if lo < hi:
                k[lo - s : hi - s] += b
        if total is not None:
            total += np.bincount(k, minlength=total.size)
            continue
        k, c = _count_sorted(k)
        if keys.size:
            keys, inv = np.unique(np.concatenate((keys, k)), return_inverse=True)
            counts = np.bincount(inv, weights=np.concatenate((counts, c))).astype(np.int64)
        else:
            keys, counts = k, c
    if total is not None:
        keys = np.flatnonzero(total)
        counts = total[keys]
    code, block = np.divmod(keys, blocks)
    new = np.concatenate(([True], code[1:] != code[:-1]))
    start = np.flatnonzero(new)
    # keys are sorted by (code, block): the CSR arrays of the (codes × blocks) table directly
    indptr = np.concatenate((start, [keys.size]))
    table = sp.csr_array(
        (counts.astype(np.float64), block, indptr), shape=(start.size, blocks)
    )
    first = np.empty((vocab, blocks))
    second = np.empty((vocab, blocks))
    for b in range(blocks):
        lo, hi = int(edges[b]), int(edges[b + 1])
        first[:, b] = np.bincount(x[lo:hi], minlength=vocab) / (hi - lo)
        second[:, b] = np.bincount(x[lo + lag : hi + lag], minlength=vocab) / (hi - lo)
    return BlockedLagCounts(lag, code[start], table, pairs, first, second)


def cross_block_gram(parts: list[LagMatrix]) -> np.ndarray:
    """Inner products G_bb' = ⟨Ĉ_b, Ĉ_b'⟩ of the correlation matrices of B blocks.

    With Ĉ_b = J_b/N_b − p_b q_bᵀ, G_bb' = ⟨J_b, J_b'⟩/(N_b N_b') − p_b'ᵀ J_b q_b'/N_b
    − p_bᵀ J_b' q_b/N_b' + (p_b·p_b')(q_b·q_b'); the first term for all pairs at once is
    one product MᵀM of the (distinct pairs) × B matrix of counts per block.

    Examples
    --------
    >>> x = np.random.default_rng(0).integers(0, 5, 1000)
    >>> parts = [lagged_counts(x, 2, 5, start=s, stop=s + 200) for s in (0, 200, 400)]
    >>> dense = [m.joint.toarray() / m.pairs - np.outer(m.first, m.second) for m in parts]
    >>> brute = np.array([[np.sum(a * b) for b in dense] for a in dense])
    >>> bool(np.allclose(cross_block_gram(parts), brute, rtol=1e-12, atol=1e-15))
    True
    """
    v = parts[0].first.size
    codes, blocks, vals = [], [], []
    for b, m in enumerate(parts):
        coo = m.joint.tocoo()
        codes.append(coo.row.astype(np.int64) * v + coo.col)
        blocks.append(np.full(coo.nnz, b, np.int64))
        vals.append(coo.data / float(m.pairs))
    _, where = np.unique(np.concatenate(codes), return_inverse=True)
    by_code = sp.csr_array(
        (np.concatenate(vals), (where.ravel(), np.concatenate(blocks))),
        shape=(int(where.max()) + 1 if where.size else 0, len(parts)),
    )
    gram = (by_code.T @ by_code).toarray()
    first = np.column_stack([m.first for m in parts])  # V x B
    second = np.column_stack([m.second for m in parts])
    # jq[b, b'] = p_b'ᵀ (J_b/N_b) q_b'
    jq = np.array([np.sum(first * ((m.joint @ second) / float(m.pairs)), axis=0) for m in parts])
    gram -= jq + jq.T
    gram += (first.T @ first) * (second.T @ second)
    return gram


def cross_block_fro2(parts: list[LagMatrix]) -> tuple[float, float]:
    """Noise-free estimate of ‖C(n)‖_F² from B disjoint blocks, with a jackknife error.

    With Ĉ_b the correlation matrix of block b, E⟨Ĉ_b, Ĉ_b'⟩ = ‖C‖_F² for b ≠ b' when the
    blocks are (nearly) independent, so the mean of the off-diagonal of
    :func:`cross_block_gram` has no noise-floor bias, whatever the dependence between pairs
    inside a block. The analytic correction (1 − Σp²)(1 − Σq²)/N assumes independent pairs
    and under-subtracts when neighbouring pairs are correlated (by ≈ 4 % of the floor² on the
    copy process with q = ½, a = ½; docs/language.md). The standard error is the
    leave-one-block-out jackknife.

    Returns
    -------
    estimate, se : float
        Estimate of ‖C‖_F² (may be negative when the lag is pure noise) and its s.e.

    Examples
    --------
    >>> x = np.random.default_rng(0).integers(0, 4, 40_000)
    >>> parts = [lagged_counts(x, 1, 4, start=s, stop=s + 5000) for s in range(0, 40_000, 5000)]
    >>> est, se = cross_block_fro2(parts)
    >>> bool(abs(est) < 3 * se)   # pure noise: zero within the error
    True
    """
    if len(parts) < 2:
        raise InputError("the cross-block estimate needs at least 2 blocks")
    return gram_fro2(cross_block_gram(parts))


def gram_fro2(gram: np.ndarray) -> tuple[float, float]:
    """Cross-block estimate of ‖C‖_F² and its jackknife s.e. from a block Gram matrix.

    Examples
    --------
    >>> gram_fro2(np.array([[5.0, 1.0, 1.0], [1.0, 5.0, 1.0], [1.0, 1.0, 5.0]]))
    (1.0, 0.0)
    """
    b = gram.shape[0]
    off = gram - np.diag(np.diag(gram))
    total = float(off.sum())
    est = total / (b * (b - 1))
    if b < 3:
        return est, float("nan")
    row = off.sum(axis=1)
    loo = (total - 2.0 * row) / ((b - 1) * (b - 2))
    se = float(np.sqrt((b - 1) / b * np.sum((loo - loo.mean()) ** 2)))
    return est, se


def _frobenius(m: LagMatrix) -> float:
    j = m.joint
    n = float(m.pairs)
    coo = j.tocoo()
    s2 = float(np.sum((coo.data / n) ** 2))
    cross = float(np.sum(coo.data / n * m.first[coo.row] * m.second[coo.col]))
    outer = float(np.sum(m.first**2) * np.sum(m.second**2))
    return float(np.sqrt(max(s2 - 2.0 * cross + outer, 0.0)))


def _operator(m: LagMatrix) -> float:
    v = m.first.size
    jn = m.joint / float(m.pairs)
    jt = jn.T  # CSC view: its products need no conversion
    p, q = m.first, m.second

    def mv(w: np.ndarray) -> np.ndarray:
        w = np.asarray(w).ravel()
        return jn @ w - p * (q @ w)

    def rmv(w: np.ndarray) -> np.ndarray:
        w = np.asarray(w).ravel()
        return jt @ w - q * (p @ w)

    op = LinearOperator((v, v), matvec=mv, rmatvec=rmv, dtype=np.float64)
    if v <= 3:  # ARPACK needs k < min(shape); tiny cases are dense and exact
        dense = jn.toarray() - np.outer(p, q)
        return float(np.linalg.norm(dense, 2))
    start = np.random.default_rng(0).standard_normal(v)
    s = svds(op, k=1, tol=SVDS_TOL, v0=start, return_singular_vectors=False)
    return float(s[0])


def correlation_norms(m: LagMatrix) -> dict[str, float]:
    """Operator and Frobenius norms of Ĉ(n), the analytic Frobenius floor and the debiased norm.

    Returns a dict with ``op`` (top singular value, sparse ``svds``), ``fro``, ``floor_fro``
    = √((1 − Σp̂²)(1 − Σq̂²)/N) and ``fro_debiased`` = √(‖Ĉ‖_F² − floor_fro²) (NaN when that
    is negative, i.e. the lag is indistinguishable from noise).

    Examples
    --------
    >>> m = lagged_counts(np.array([0, 1, 0, 1, 0, 1, 0, 1]), 1, 2)
    >>> {k: round(v, 3) for k, v in correlation_norms(m).items()}
    {'op': 0.49, 'fro': 0.49, 'floor_fro': 0.185, 'fro_debiased': 0.453}
    """
    fro = _frobenius(m)
    floor2 = (1.0 - float(np.sum(m.first**2))) * (1.0 - float(np.sum(m.second**2))) / m.pairs
    excess = fro**2 - floor2
    return {
        "op": _operator(m),
        "fro": fro,
        "floor_fro": float(np.sqrt(max(floor2, 0.0))),
        "fro_debiased": float(np.sqrt(excess)) if excess > 0 else float("nan"),
    }


def uniform_op_floor(vocab: int, pairs: float) -> float:
    """Operator-norm floor 2/√(V·N) of i.i.d. uniform tokens (Bai–Yin edge).

    Ĉ of N independent uniform pairs has entries of standard deviation ≈ 1/(V√N); the top
    singular value of a V × V matrix of such entries is ≈ 2√V·1/(V√N) = 2/√(VN)
    (``shared/papers/language_math.md`` D.2).

    Examples
    --------
    >>> round(uniform_op_floor(32, 2e6), 7)
    0.00025
    """
    vocab = check_int(vocab, "vocab", "uniform_op_floor", low=2)
    pairs = check_real(pairs, "pairs", "uniform_op_floor", low=0.0, low_open=True)
    return float(2.0 / np.sqrt(vocab * pairs))


def shuffled_op_floor(
    x: np.ndarray, vocab: int, *, lags: tuple[int, ...] = (1, 2, 3), seed: int = 0
) -> float:
    """Operator-norm noise floor measured on a random permutation of the same tokens.

    Shuffling keeps the marginal (Zipfian) frequencies and destroys every correlation, so
    ‖Ĉ(n)‖_op of the shuffled text is pure sampling noise at this P. The mean over a few lags
    of one shuffle is returned, scaled to N = P − 1 pairs.

    Examples
    --------
    >>> x = np.random.default_rng(1).integers(0, 16, 200_000)
    >>> ratio = shuffled_op_floor(x, 16) / uniform_op_floor(16, x.size)
    >>> bool(0.85 < ratio < 1.15)
    True
    """
    x = np.asarray(x)
    xs = np.random.default_rng(seed).permutation(x)  # a shuffled copy, no index array
    vals = []
    for lag in lags:
        if lag < x.size:
            m = lagged_counts(xs, lag, vocab)
            vals.append(_operator(m) * np.sqrt(m.pairs / (x.size - 1)))
    if not vals:
        raise InputError("the corpus is too short to measure a noise floor")
    return float(np.mean(vals))


@dataclass(frozen=True)
class LagCorrelations:
    """Correlation norms of a token sequence at a set of lags.

    Attributes
    ----------
    lags : ndarray of int
    op_norm, fro_norm : ndarray
        ‖Ĉ(n)‖_op and ‖Ĉ(n)‖_F.
    fro_debiased : ndarray
        Debiased Frobenius norm: the cross-block estimate (:func:`cross_block_fro2`) when
        ``blocks ≥ 2``, else the analytic one; NaN where the estimate of ‖C‖_F² is ≤ 0.
    fro_debiased_analytic : ndarray
        √(‖Ĉ‖_F² − floor_fro²) (assumes independent pairs; NaN where negative).
    floor_fro_debiased : ndarray
        √(s.e.) of the cross-block estimate of ‖C‖_F² (jackknife): the noise scale of the
        debiased norm, far below ``floor_fro`` when V is large (NaN with fewer than 3 blocks).
    floor_op, floor_fro : ndarray
        Noise floors at each lag (shuffled-text op norm scaled to N = P − n; analytic
        Frobenius floor).
    tokens, vocab : int
    floor_method : str
        ``"shuffled"`` or ``"uniform"`` (2/√(VN)).
    """

    lags: np.ndarray
    op_norm: np.ndarray
    fro_norm: np.ndarray
    fro_debiased: np.ndarray
    fro_debiased_analytic: np.ndarray
    floor_fro_debiased: np.ndarray
    floor_op: np.ndarray
    floor_fro: np.ndarray
    tokens: int
    vocab: int
    floor_method: str
    blocks: int

    def norm(self, which: str) -> np.ndarray:
        """The norm ``"op"``, ``"fro"`` or ``"fro_debiased"``."""
        return {"op": self.op_norm, "fro": self.fro_norm, "fro_debiased": self.fro_debiased}[
            which
        ]

    def floor(self, which: str) -> np.ndarray:
        """The noise floor that goes with norm ``which``."""
        if which == "fro_debiased" and np.all(np.isfinite(self.floor_fro_debiased)):
            return self.floor_fro_debiased
        return self.floor_op if which == "op" else self.floor_fro

    def to_dict(self) -> dict[str, object]:
        """Plain lists for JSON."""
        return {
            "lags": self.lags,
            "op_norm": self.op_norm,
            "fro_norm": self.fro_norm,
            "fro_debiased": self.fro_debiased,
            "fro_debiased_analytic": self.fro_debiased_analytic,
            "floor_fro_debiased": self.floor_fro_debiased,
            "floor_op": self.floor_op,
            "floor_fro": self.floor_fro,
            "tokens": self.tokens,
            "vocab": self.vocab,
            "floor_method": self.floor_method,
            "blocks": self.blocks,
        }


def lag_correlations(
    x: np.ndarray,
    vocab: int,
    lags: np.ndarray | list[int],
    *,
    floor: str = "shuffled",
    blocks: int = 8,
    seed: int = 0,
    workers: int = 1,
    progress: ProgressFn | None = None,
) -> LagCorrelations:
    """Norms of the lagged correlation matrix Ĉ(n) with their noise floors.

    Parameters
    ----------
    x : ndarray of int, shape (P,)
        Token ids in ``[0, vocab)``.
    vocab : int
        V (at least 2).
    lags : sequence of int
        Lags n ≥ 1, each < P.
    floor : {"shuffled", "uniform"}
        Operator-norm floor: measured on shuffled tokens, or the uniform-marginal 2/√(VN).
    blocks : int
        Contiguous blocks for the cross-block debiased Frobenius norm (1: analytic only).
    seed : int
        Seed of the shuffle.
    workers : int
        Lags computed at the same time in threads (the counting sort and the sparse
        products release the GIL; memory grows with it).
    progress : callable, optional
        ``progress(done, total)`` after each lag.

    Examples
    --------
    >>> x = np.random.default_rng(0).integers(0, 8, 50_000)
    >>> c = lag_correlations(x, 8, [1, 2], floor="uniform")
    >>> bool(np.all(c.fro_norm < 3 * c.floor_fro))
    True
    """
    x = np.asarray(x)
    vocab = check_int(vocab, "vocab", "lag_correlations", low=2)
    floor = check_choice(floor, "floor", "lag_correlations", ("shuffled", "uniform"))
    blocks = check_int(blocks, "blocks", "lag_correlations", low=1)
    workers = check_int(workers, "workers", "lag_correlations", low=1)
    if x.ndim != 1 or not np.issubdtype(x.dtype, np.integer):
        raise InputError("tokens must be a 1-D array of integer ids")
    if x.size and (int(x.min()) < 0 or int(x.max()) >= vocab):
        raise InputError(f"token ids must lie in [0, {vocab}), the vocabulary")
    lag_arr = np.unique(np.asarray(lags, dtype=np.int64))
    if lag_arr.size == 0 or lag_arr[0] < 1:
        raise InputError("lags must be integers >= 1")
    if lag_arr[-1] >= x.size:
        raise InputError(
            f"lag {int(lag_arr[-1])} is beyond the corpus ({x.size} tokens); "
            f"use lags below {x.size}"
        )
    total = lag_arr.size + (1 if floor == "shuffled" else 0)

    def one_lag(lag: int) -> dict[str, float]:
        pairs_n = x.size - lag
        nb = max(1, min(blocks, pairs_n // 2))
        counted = blocked_lag_counts(x, lag, vocab, nb)
        row = correlation_norms(counted.full())
        row["fro_debiased_analytic"] = row["fro_debiased"]
        row["floor_fro_debiased"] = float("nan")
        if nb > 1:
            est, se = gram_fro2(counted.gram())
            row["fro_debiased"] = float(np.sqrt(est)) if est > 0 else float("nan")
            row["floor_fro_debiased"] = float(np.sqrt(se)) if np.isfinite(se) else float("nan")
        return row

    rows: list[dict[str, float]] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:  # sorting and sparse products
        for i, row in enumerate(pool.map(one_lag, (int(n) for n in lag_arr))):  # drop the GIL
            rows.append(row)
            if progress is not None:
                progress(i + 1, total)
    pairs = x.size - lag_arr
    if floor == "shuffled":
        base = shuffled_op_floor(x, vocab, seed=seed)
        floor_op = base * np.sqrt((x.size - 1) / pairs)
        if progress is not None:
            progress(total, total)
    else:
        floor_op = 2.0 / np.sqrt(vocab * pairs.astype(np.float64))
    col = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    return LagCorrelations(
        lags=lag_arr,
        op_norm=col["op"],
        fro_norm=col["fro"],
        fro_debiased=col["fro_debiased"],
        fro_debiased_analytic=col["fro_debiased_analytic"],
        floor_fro_debiased=col["floor_fro_debiased"],
        floor_op=floor_op,
        floor_fro=col["floor_fro"],
        tokens=int(x.size),
        vocab=vocab,
        floor_method=floor,
        blocks=blocks,
    )
