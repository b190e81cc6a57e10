"""Benchmark: MRS ``simulate`` against a naive reference at the paper's Figure 8 scale.

Run by hand::

    .venv/bin/python benchmarks/mrs_simulate.py            # M = 6000, N = 1000, T = 2000, 6000
    .venv/bin/python benchmarks/mrs_simulate.py --quick    # M = 2000, N = 400

What is compared, per training-set size T (one draw each, 20 ridge values; every time is the
best of two runs):

- **naive**: the usual script — draw u and x, form φ = u x, and for every ridge value form
  the Gram matrix and solve the normal equations (MRS eq. 35); draw one teacher and a test set
  of 10⁴ points and report half the mean squared test error (eq. 40).
- **literal-exact**: the same draw of (u, x) as the naive path, one SVD of φ for the whole
  path, and the exact average over test inputs and teacher (``ridge.latent_linear_stats``).
- **simulate**: the library path (``mrs.simulate_ridge_path``): the reduced draw of
  ``models/mrs_sampling.py`` (exactly the same law of the loss, O(M N²) work) and the exact
  averages.

Printed: wall times and ratios (naive / simulate; 20-value path / ridgeless fit), the phase
split of one ``simulate`` draw (random draws, the Cholesky factor, the M × N products, the
SVD, the N × N contractions, the path contraction) with the share spent outside BLAS, and
accuracy: the ridgeless loss of each path against theory
(MRS eq. 163), and the test-set sampling error of the naive path (its relative deviation from
the exact average on the *same* draw).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.linalg

from scalinglab.core import ridge
from scalinglab.models import mrs
from scalinglab.models.mrs import sampling as mrs_sampling
from scalinglab.models.mrs.sampling import sample_literal

N_TEST = 10_000
N_RIDGE = 20
REPEAT = 2  # best of two wall times for every timed path


def naive_path(u, x, lam, gammas, rng):
    """Normal equations per ridge value, loss on a sampled test set (one teacher)."""
    m = lam.size
    w = rng.standard_normal(m) / np.sqrt(m)
    y = w @ x
    phi = u @ x
    x_test = rng.standard_normal((m, N_TEST)) * np.sqrt(lam)[:, None]
    phi_test = u @ x_test
    y_test = w @ x_test
    out = []
    for g in gammas:
        gram = phi @ phi.T + g * np.eye(phi.shape[0])
        theta = scipy.linalg.solve(gram, phi @ y, assume_a="pos")
        out.append(0.5 * np.mean((theta @ phi_test - y_test) ** 2))
    return np.array(out)


def timed(fn, *args, repeat: int = 1, **kwargs):
    """Value of the last call and the best wall time over ``repeat`` calls."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        val = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return val, best


def phase_split(cfg, gammas, seed):
    """Time the phases of one simulate draw, mirroring ``reduced_path_stats`` (Cholesky route)."""
    lam = cfg.latent_spectrum()
    n, t, m = cfg.features, cfg.samples, lam.size
    rng = np.random.default_rng(seed)
    sqrt_lam = np.sqrt(lam)
    clock = [time.perf_counter()]

    def lap():
        clock.append(time.perf_counter())

    f_mat = rng.standard_normal((n, m))
    f_mat *= np.sqrt(cfg.feature_var / m) * sqrt_lam[None, :]
    low = mrs_sampling.bartlett_factor(n, t, rng)
    gauss = rng.standard_normal((m, n))
    lap()
    gram_f = f_mat @ f_mat.T
    r_up = mrs_sampling._cholesky_if_well_conditioned(gram_f)
    if r_up is None:
        raise SystemExit("this setting takes the QR route; the split below is for the Cholesky one")
    lap()
    eff_gram, f_lam_eff = mrs_sampling._cholesky_products(f_mat, r_up, low, gauss, lam)
    lap()
    phi = r_up.T @ low
    lap()
    left, s, right = ridge.thin_svd(phi)
    lap()
    r_left = r_up @ left
    g = r_left.T @ r_left
    h = right.T @ eff_gram @ right
    c = np.einsum("ki,ki->i", left, f_lam_eff @ right)
    lap()
    stats = ridge.RidgePathStats(s, s.size, g, h, c, float(lam.sum()))
    ridge.path_terms(stats, gammas)
    lap()
    names = [
        "draw (Gaussians, Bartlett factor)",
        "F F^T and its Cholesky factor",
        "M x N products (FG, FLG, FLF^T, G^TLG)",
        "features phi = R^T L",
        "SVD of phi (N x N)",
        "N x N contractions (G, H, c)",
        f"path contraction ({len(gammas)} ridges)",
    ]
    return dict(zip(names, np.diff(clock), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="M = 2000, N = 400")
    args = parser.parse_args()
    if args.quick:
        m, n, t_values = 2000, 400, (800, 2000)
    else:
        m, n, t_values = 6000, 1000, (2000, 6000)
    gammas = np.concatenate([[0.0], np.geomspace(1e-4, 1e2, N_RIDGE - 1)])
    print(f"M = {m}, N = {n}, alpha = 1, {N_RIDGE} ridge values (incl. 0), test set {N_TEST}")
    header = (
        f"{'T':>6} {'naive s':>8} {'lit-exact s':>11} {'simulate s':>10} {'ridgeless s':>11} "
        f"{'naive/sim':>9} {'path/1fit':>9} | {'theory':>10} {'simulate':>10} {'naive':>10} "
        f"{'naive MC err':>12}"
    )
    print(header)
    for t in t_values:
        cfg = mrs.MRSConfig(latent_dim=m, alpha=1.0, features=n, samples=t)
        lam = cfg.latent_spectrum()
        theory = mrs.predict(cfg).loss
        # naive and literal-exact share one draw
        rng = np.random.default_rng(10 + t)
        (u, x), t_draw = timed(sample_literal, n, t, lam, 1.0, rng)
        naive, t_naive = timed(naive_path, u, x, lam, gammas, rng, repeat=REPEAT)
        stats, t_lit = timed(ridge.latent_linear_stats, u, x, lam, repeat=REPEAT)
        lab, _ = ridge.path_terms(stats, gammas)
        exact_same_draw = lab / (2 * m)
        naive_err = np.abs(naive / exact_same_draw - 1)
        path, t_sim = timed(mrs.simulate_ridge_path, cfg, gammas, seeds=1, seed=t, repeat=REPEAT)
        _, t_one = timed(mrs.simulate_ridge_path, cfg, [0.0], seeds=1, seed=t, repeat=REPEAT)
        print(
            f"{t:6d} {t_draw + t_naive:8.2f} {t_draw + t_lit:11.2f} {t_sim:10.2f} {t_one:11.2f} "
            f"{(t_draw + t_naive) / t_sim:9.1f} {t_sim / t_one:9.2f} | {theory:10.4e} "
            f"{path.loss[0, 0]:10.4e} {naive[0]:10.4e} {np.median(naive_err):11.1%}"
        )
    split = phase_split(
        mrs.MRSConfig(latent_dim=m, alpha=1.0, features=n, samples=t_values[-1]), gammas, seed=3
    )
    total = sum(split.values())
    print(f"\nphase split of one simulate draw at T = {t_values[-1]} ({total:.2f} s):")
    for key, val in split.items():
        print(f"  {key:32s} {val:6.2f} s  {val / total:6.1%}")
    floor = sum(v for k, v in split.items() if k.startswith(("draw", "F F^T", "features", "SVD")))
    blas = sum(v for k, v in split.items() if not k.startswith(("draw", "path")))
    print(f"  forming features + one decomposition = {floor / total:.0%} of the time")
    print(f"  BLAS/LAPACK (products, Cholesky, SVD) = {blas / total:.0%}; outside BLAS (random")
    print(f"  draws, path contraction) = {1 - blas / total:.0%}")
    print("\nnaive MC err: median over the ridge path of |naive / exact - 1| on the same draw")
    print("(one teacher, 1e4 test points); simulate/theory columns are single draws at ridge 0.")


if __name__ == "__main__":
    main()
