"""Closed-form non-negative least squares with three unknowns, batched over many problems.

For fixed exponents (α, β) the Chinchilla surface E + A·u + B·v (u = N^-α, v = D^-β) is
linear in θ = (E, A, B), so a weighted fit is the quadratic programme

    min_θ≥0  f(θ) = c − 2 hᵀθ + θᵀ G θ,    G = Xᵀ W X,  h = Xᵀ W t,  c = tᵀ W t,

with X = [1, u, v]. With three unknowns the exact solution is found by enumerating the
eight supports S ⊆ {E, A, B}: on each support the unconstrained minimiser solves
G_SS θ_S = h_S, where the objective is ``c − h_Sᵀθ_S``; a candidate is feasible when
θ_S ≥ 0, and for a convex programme the feasible candidate of smallest f is the
constrained minimiser (its optimum is the unconstrained optimum on its own support;
Lawson & Hanson 1974, ch. 23). Every step is elementwise on arrays, so one call solves
a whole (α, β) grid at once; :func:`nnls3_single` is the scalar version for one problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Gram3", "NNLS3Solution", "nnls3_single", "solve_nnls3"]


@dataclass(frozen=True)
class Gram3:
    """Normal-equation entries of many 3-unknown problems (arrays broadcast together).

    ``g00 = Σw``, ``g01 = Σw·u``, ``g02 = Σw·v``, ``g11 = Σw·u²``, ``g12 = Σw·u·v``,
    ``g22 = Σw·v²``, ``h0 = Σw·t``, ``h1 = Σw·t·u``, ``h2 = Σw·t·v``, ``c = Σw·t²``.
    """

    g00: np.ndarray | float
    g01: np.ndarray | float
    g02: np.ndarray | float
    g11: np.ndarray | float
    g12: np.ndarray | float
    g22: np.ndarray | float
    h0: np.ndarray | float
    h1: np.ndarray | float
    h2: np.ndarray | float
    c: np.ndarray | float


@dataclass(frozen=True)
class NNLS3Solution:
    """Solutions ``theta[..., 3]`` = (E, A, B) ≥ 0 (None if not requested) and minima ``f``."""

    theta: np.ndarray | None
    f: np.ndarray


def solve_nnls3(g: Gram3, *, want_theta: bool = True) -> NNLS3Solution:
    """Solve ``min_{θ≥0} c − 2hᵀθ + θᵀGθ`` exactly for every problem in the batch.

    Parameters
    ----------
    g : Gram3
        Normal-equation entries; all arrays broadcast to one batch shape ``S``.
    want_theta : bool
        Also return the minimisers (a grid search needs only the minima).

    Returns
    -------
    NNLS3Solution
        ``theta`` of shape ``S + (3,)`` and the minimum ``f`` of shape ``S`` (clipped at 0
        from below: it is a weighted sum of squares; only rounding makes it negative).

    Notes
    -----
    The full support is solved by the adjugate of the symmetric 3×3 matrix; the seven
    smaller supports are solved only for the problems whose full solution has a negative
    component, so a well-posed grid costs one adjugate solve per point. Entries that
    depend on one exponent only (``g00·g22 − g02²`` and ``g00·g11 − g01²``) keep their
    low-dimensional shape, which saves work on an (α, β) grid.
    """
    shape = np.broadcast_shapes(*(np.shape(x) for x in vars(g).values()))
    g00, g01, g02, g11, g12, g22 = g.g00, g.g01, g.g02, g.g11, g.g12, g.g22
    h0, h1, h2, c = g.h0, g.h1, g.h2, g.c
    m00 = g11 * g22 - g12 * g12
    m01 = g02 * g12 - g01 * g22
    m02 = g01 * g12 - g02 * g11
    m11 = g00 * g22 - g02 * g02
    m12 = g01 * g02 - g00 * g12
    m22 = g00 * g11 - g01 * g01
    det = g00 * m00 + g01 * m01 + g02 * m02
    ne = m00 * h0 + m01 * h1 + m02 * h2
    na = m01 * h0 + m11 * h1 + m12 * h2
    nb = m02 * h0 + m12 * h1 + m22 * h2
    ok = np.broadcast_to((det > 0) & (ne >= 0) & (na >= 0) & (nb >= 0), shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / det
        f = np.broadcast_to(c - (h0 * ne + h1 * na + h2 * nb) * inv, shape).copy()
    theta = None
    if want_theta:
        theta = np.zeros((*shape, 3))
        with np.errstate(invalid="ignore"):
            theta[..., 0] = np.where(ok, ne * inv, 0.0)
            theta[..., 1] = np.where(ok, na * inv, 0.0)
            theta[..., 2] = np.where(ok, nb * inv, 0.0)
    if np.all(ok):
        return NNLS3Solution(theta=theta, f=np.maximum(f, 0.0))
    idx = np.nonzero(~ok)

    def pick(x: np.ndarray | float) -> np.ndarray:
        return np.broadcast_to(x, shape)[idx]

    s00, s01, s02, s11, s12, s22 = (pick(x) for x in (g00, g01, g02, g11, g12, g22))
    t0, t1, t2, cc = (pick(x) for x in (h0, h1, h2, c))
    best_f = cc.copy()  # empty support: θ = 0
    best = np.zeros((*cc.shape, 3)) if want_theta else None
    with np.errstate(divide="ignore", invalid="ignore"):
        for (i, j), gaa, gab, gbb, ha, hb in (
            ((0, 1), s00, s01, s11, t0, t1),
            ((0, 2), s00, s02, s22, t0, t2),
            ((1, 2), s11, s12, s22, t1, t2),
        ):
            d2 = gaa * gbb - gab * gab
            xa = (gbb * ha - gab * hb) / d2
            xb = (gaa * hb - gab * ha) / d2
            cand = cc - (ha * xa + hb * xb)
            take = (d2 > 0) & (xa >= 0) & (xb >= 0) & (cand < best_f)
            best_f = np.where(take, cand, best_f)
            if best is not None:
                best[take] = 0.0
                best[take, i] = xa[take]
                best[take, j] = xb[take]
        for i, gaa, ha in ((0, s00, t0), (1, s11, t1), (2, s22, t2)):
            xa = ha / gaa
            cand = cc - ha * xa
            take = (gaa > 0) & (xa >= 0) & (cand < best_f)
            best_f = np.where(take, cand, best_f)
            if best is not None:
                best[take] = 0.0
                best[take, i] = xa[take]
    f[idx] = best_f
    if theta is not None and best is not None:
        theta[idx] = best
    return NNLS3Solution(theta=theta, f=np.maximum(f, 0.0))


def nnls3_single(G: np.ndarray, h: np.ndarray, c: float = 0.0) -> tuple[np.ndarray, float]:
    """One 3-unknown NNLS problem ``min_{θ≥0} c − 2hᵀθ + θᵀGθ`` by the same enumeration.

    Plain float arithmetic (no array bookkeeping): a few microseconds per problem, for
    the iterative inner solves. Returns ``(theta, f)``.
    """
    (g00, g01, g02), (_, g11, g12), (_, _, g22) = G.tolist()
    h0, h1, h2 = (float(x) for x in h)
    m00 = g11 * g22 - g12 * g12
    m01 = g02 * g12 - g01 * g22
    m02 = g01 * g12 - g02 * g11
    det = g00 * m00 + g01 * m01 + g02 * m02
    if det > 0:
        ne = m00 * h0 + m01 * h1 + m02 * h2
        na = m01 * h0 + (g00 * g22 - g02 * g02) * h1 + (g01 * g02 - g00 * g12) * h2
        nb = m02 * h0 + (g01 * g02 - g00 * g12) * h1 + (g00 * g11 - g01 * g01) * h2
        if ne >= 0 and na >= 0 and nb >= 0:
            th = np.array([ne / det, na / det, nb / det])
            return th, max(c - (h0 * th[0] + h1 * th[1] + h2 * th[2]), 0.0)
    best = (0.0, 0.0, 0.0)
    best_f = float(c)
    for i, j, gaa, gab, gbb, ha, hb in (
        (0, 1, g00, g01, g11, h0, h1),
        (0, 2, g00, g02, g22, h0, h2),
        (1, 2, g11, g12, g22, h1, h2),
    ):
        d2 = gaa * gbb - gab * gab
        if d2 <= 0:
            continue
        xa = (gbb * ha - gab * hb) / d2
        xb = (gaa * hb - gab * ha) / d2
        if xa >= 0 and xb >= 0:
            f = c - (ha * xa + hb * xb)
            if f < best_f:
                th3 = [0.0, 0.0, 0.0]
                th3[i], th3[j] = xa, xb
                best, best_f = tuple(th3), f
    for i, gaa, ha in ((0, g00, h0), (1, g11, h1), (2, g22, h2)):
        if gaa > 0 and ha > 0:
            xa = ha / gaa
            f = c - ha * xa
            if f < best_f:
                th3 = [0.0, 0.0, 0.0]
                th3[i] = xa
                best, best_f = tuple(th3), f
    return np.array(best), max(best_f, 0.0)
