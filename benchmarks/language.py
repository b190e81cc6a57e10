"""Benchmark: correlation norms of 64 lags of a 10⁷-token corpus at V = 8192.

Run by hand::

    .venv/bin/python benchmarks/language.py                 # 10^7 tokens, V = 8192, 64 lags
    .venv/bin/python benchmarks/language.py --quick         # 10^6 tokens, V = 2048, 16 lags
    .venv/bin/python benchmarks/language.py --dense-lags 1  # + dense reference on 1 lag

The tokens are a copy process (x_t = s_{t−K_t}, q = ½, a = ½) over a Zipfian base sequence
(p_k ∝ 1/k on V symbols), so the pair counts are as sparse as real text's. What is timed:

- **sparse**: ``lag_correlations`` (sorted-code counting per block, ``svds`` on the sparse +
  rank-one operator, Frobenius and cross-block debiased norms) on all lags, plus the
  shuffled-text operator floor (3 more lags).
- **dense**: the same estimator the straightforward way, a dense V × V matrix Ĉ(n) from
  ``numpy.add.at`` and its singular values by ``numpy.linalg.svd`` (LAPACK gesdd), on
  ``--dense-lags`` lags, extrapolated to all lags. The values are compared.

The machine is shared (2 cores): timings are noisy; run when it is quiet.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from scalinglab.empirical.language import lag_correlations, log_lags


def zipf_copy_tokens(tokens: int, vocab: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, vocab + 1)
    k_max = 4096
    base = np.searchsorted(np.cumsum(p / p.sum()), rng.random(tokens + k_max))
    base = np.minimum(base, vocab - 1)
    w = np.arange(1, k_max + 1, dtype=float) ** -1.5
    shift = np.searchsorted(np.cumsum(w / w.sum()), rng.random(tokens)) + 1
    shift[rng.random(tokens) >= 0.5] = 0
    return base[np.arange(tokens) + k_max - shift].astype(np.uint16)


def dense_norms(x: np.ndarray, lag: int, vocab: int) -> tuple[float, float]:
    a, b = x[:-lag].astype(np.int64), x[lag:].astype(np.int64)
    c = np.zeros((vocab, vocab))
    np.add.at(c, (a, b), 1.0)
    c /= a.size
    c -= np.outer(c.sum(1), c.sum(0))
    s = np.linalg.svd(c, compute_uv=False)
    return float(s[0]), float(np.sqrt(np.sum(s**2)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^6 tokens, V = 2048, 16 lags")
    ap.add_argument("--dense-lags", type=int, default=0, help="lags for the dense reference")
    ap.add_argument("--threads", type=int, default=2, help="BLAS threads and lag workers")
    args = ap.parse_args()
    tokens, vocab, n_lags = (10**6, 2048, 16) if args.quick else (10**7, 8192, 64)
    x = zipf_copy_tokens(tokens, vocab)
    lags = log_lags(1, 10_000, per_decade=200)[:n_lags]
    if lags.size < n_lags:
        lags = np.arange(1, n_lags + 1)
    print(f"tokens {tokens:,}  V {vocab}  lags {lags.size} ({lags[0]}..{lags[-1]})")
    with threadpool_limits(args.threads):
        t0, c0 = time.perf_counter(), time.process_time()
        corr = lag_correlations(x, vocab, lags, workers=args.threads)
        t_sparse, c_sparse = time.perf_counter() - t0, time.process_time() - c0
        print(f"sparse: {t_sparse:.1f} s wall, {c_sparse:.1f} s CPU (all threads) for "
              f"{lags.size} lags + shuffled floor ({t_sparse / lags.size:.2f} s wall per lag)")
        if args.dense_lags:
            t0, c0 = time.perf_counter(), time.process_time()
            for i in range(args.dense_lags):
                op, fro = dense_norms(x, int(lags[i]), vocab)
                print(f"  lag {lags[i]}: op sparse {corr.op_norm[i]:.6e} dense {op:.6e}; "
                      f"fro sparse {corr.fro_norm[i]:.6e} dense {fro:.6e}")  # fmt: skip
            per = (time.perf_counter() - t0) / args.dense_lags
            cpu = (time.process_time() - c0) / args.dense_lags
            print(f"dense: {per:.1f} s wall, {cpu:.1f} s CPU per lag -> {per * lags.size:.0f} s "
                  f"wall for {lags.size} lags (x{per * lags.size / t_sparse:.0f} the sparse "
                  f"wall, x{cpu * lags.size / c_sparse:.0f} its CPU)")


if __name__ == "__main__":
    main()
