"""The shipped partially linear laws, and a registry so users can add their own.

Every law here is ``L̂ = Σ_j θ_j B_j(inputs; φ)`` (see :mod:`scalinglab.laws.engine`) with
analytic ∂B/∂φ, so the refinement gradient is exact. Greek names are loss exponents;
``a``/``b`` (allocation exponents) never appear here.

========================  =========================================================  ==========
name                      law                                                        inputs
========================  =========================================================  ==========
``chinchilla``            E + A·N^(−α) + B·D^(−β)                                      N, D
``data_constrained``      E + A·N^(−α) + B·D′^(−β),                                  N, U, epochs
                          D′ = U + U·R*·(1 − exp(−(epochs − 1)/R*))
``annealing``             L0 + A·S1^(−α) − C·S2                                      S1, S2
``broken_power``          E + A·x^(−α0)·(1 + (x/x_b)^(1/f))^(−α1·f)                   x
``power``                 E + A·x^(−α)                                               x
``mrs``                   L0·[(1/N + 1/T)^α − M^(−α)]                                N, T, M
========================  =========================================================  ==========

Adding a law takes a basis function and a call to :func:`register_law`; see
:class:`~scalinglab.laws.engine.PartiallyLinearLaw` for an example.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from scalinglab._validation import InputError, check_real
from scalinglab.laws.engine import NonlinearLaw, NonlinearParam, PartiallyLinearLaw

__all__ = [
    "annealing_areas",
    "annealing_law",
    "broken_power_law",
    "chinchilla_law",
    "data_constrained_law",
    "effective_data",
    "get_law",
    "kaplan_law",
    "list_laws",
    "mrs_law",
    "power_law",
    "read_law_csv",
    "register_law",
]

_REGISTRY: dict[str, PartiallyLinearLaw | NonlinearLaw] = {}


def register_law(law: PartiallyLinearLaw | NonlinearLaw, *, replace: bool = False) -> Any:
    """Make ``law`` available as ``get_law(law.name)`` and ``scalinglab fit --law NAME``.

    Examples
    --------
    >>> import numpy as np
    >>> law = PartiallyLinearLaw(
    ...     name="example_linear", inputs=("x",), linear=("c0", "c1"),
    ...     nonlinear=(NonlinearParam("p", 0.1, 3.0, 0.05),),
    ...     basis=lambda x, phi: np.stack(
    ...         [np.ones((phi.shape[0], x["x"].size)), x["x"] ** phi[:, 0, None]], axis=-1),
    ...     equation="c0 + c1 * x^p")
    >>> _ = register_law(law, replace=True)
    >>> "example_linear" in list_laws()
    True
    """
    if law.name in _REGISTRY and not replace:
        raise InputError(f"a law named {law.name!r} is already registered (replace=True).")
    _REGISTRY[law.name] = law
    return law


def get_law(name: str) -> Any:
    """The registered law ``name`` (a :class:`PartiallyLinearLaw`, or a
    :class:`~scalinglab.laws.engine.NonlinearLaw` for forms that are not partially linear).

    Examples
    --------
    >>> get_law("chinchilla").linear
    ('E', 'A', 'B')
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(
            f"unknown law {name!r}; registered laws: {', '.join(sorted(_REGISTRY))}."
        ) from None


def list_laws() -> list[str]:
    """Names of the registered laws, sorted.

    Examples
    --------
    >>> {"chinchilla", "mrs", "annealing"} <= set(list_laws())
    True
    """
    return sorted(_REGISTRY)


def _ones(phi: np.ndarray, n: int) -> np.ndarray:
    return np.ones((phi.shape[0], n))


def _pow(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``x^(−e)`` for a batch of exponents ``e`` (shape (G, 1)): (G, n)."""
    return np.exp(-e * np.log(x)[None, :])


def read_law_csv(
    path: str | Path,
    law: PartiallyLinearLaw,
    *,
    columns: Mapping[str, str] | None = None,
    loss_col: str = "loss",
    weight_col: str | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray | None]:
    """Read a law's inputs, the loss and optional weights from a CSV with a header row.

    ``columns`` maps input names to CSV column names (default: the same name). Every
    problem is an :class:`InputError` naming the file, the line and the column.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as fh:
    ...     _ = fh.write(chr(10).join(["size,loss", "1,3.0", "10,2.5"]))
    >>> x, y, w = read_law_csv(fh.name, power_law(), columns={"x": "size"})
    >>> x["x"].tolist(), y.tolist(), w
    ([1.0, 10.0], [3.0, 2.5], None)
    >>> os.unlink(fh.name)
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise InputError(f"{path.name} is empty.")
    header = [h.strip() for h in rows[0]]
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    if not body:
        raise InputError(f"{path.name} has no data rows.")
    columns = dict(columns or {})
    unknown = set(columns) - set(law.inputs)
    if unknown:
        raise InputError(
            f"law {law.name!r} has no input {sorted(unknown)[0]!r}; its inputs: "
            f"{', '.join(law.inputs)}."
        )
    wanted = {name: columns.get(name, name) for name in law.inputs}
    wanted["loss"] = loss_col
    if weight_col is not None:
        wanted["weight"] = weight_col
    out: dict[str, np.ndarray] = {}
    for key, col in wanted.items():
        if col not in header:
            raise InputError(
                f"{path.name}: no column {col!r} (law {law.name!r} needs {key!r}; "
                f"columns: {', '.join(header)})."
            )
        j = header.index(col)
        vals = np.empty(len(body))
        for i, r in enumerate(body):
            cell = r[j].strip() if j < len(r) else ""
            try:
                vals[i] = float(cell)
            except ValueError:
                raise InputError(
                    f"{path.name} line {rows.index(r) + 1}: column {col!r} is not a number "
                    f"({cell!r})."
                ) from None
            if not np.isfinite(vals[i]):
                raise InputError(
                    f"{path.name} line {rows.index(r) + 1}: column {col!r} is not finite."
                )
        out[key] = vals
    loss = out.pop("loss")
    weight = out.pop("weight", None)
    return out, loss, weight


# ----------------------------------------------------------------- one-variable power law


def power_law(
    input_name: str = "x",
    alpha_range: tuple[float, float] = (0.01, 2.0),
    step: float = 0.01,
    *,
    log_grid: bool = False,
    name: str = "power",
) -> PartiallyLinearLaw:
    """``L = E + A·x^(−α)`` with E, A ≥ 0 (the one-variable law of Kaplan et al. 2020, eq. 1.1
    plus an irreducible term).

    Examples
    --------
    >>> power_law("N").inputs
    ('N',)
    """

    def basis(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        v = x[input_name]
        return np.stack([_ones(phi, v.size), _pow(v, phi[:, 0, None])], axis=-1)

    def grad(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        v = x[input_name]
        out = np.zeros((phi.shape[0], v.size, 2, 1))
        out[:, :, 1, 0] = -np.log(v)[None, :] * _pow(v, phi[:, 0, None])
        return out

    return PartiallyLinearLaw(
        name=name,
        inputs=(input_name,),
        linear=("E", "A"),
        nonlinear=(NonlinearParam("alpha", *alpha_range, step, log=log_grid),),
        basis=basis,
        basis_grad=grad,
        equation=f"E + A * {input_name}^(-alpha)",
        reference="Kaplan et al. 2020, arXiv 2001.08361, eq. (1.1) with an irreducible term E",
    )


# ----------------------------------------------------------------- Chinchilla


def chinchilla_law(
    alpha_range: tuple[float, float] = (0.01, 1.0),
    beta_range: tuple[float, float] = (0.01, 1.0),
    step: float = 0.01,
    *,
    log_grid: bool = False,
    name: str = "chinchilla",
) -> PartiallyLinearLaw:
    """``L = E + A·N^(−α) + B·D^(−β)`` (Hoffmann et al. 2022, eq. (2)).

    The engine instance of :func:`scalinglab.laws.varpro.fit_varpro`, which solves the
    same problem with a closed-form 3-coefficient solver on a 10⁻³ grid.

    Examples
    --------
    >>> chinchilla_law().param_names
    ('E', 'A', 'B', 'alpha', 'beta')
    """

    def basis(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        N, D = x["N"], x["D"]
        return np.stack(
            [_ones(phi, N.size), _pow(N, phi[:, 0, None]), _pow(D, phi[:, 1, None])], axis=-1
        )

    def grad(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        N, D = x["N"], x["D"]
        out = np.zeros((phi.shape[0], N.size, 3, 2))
        out[:, :, 1, 0] = -np.log(N)[None, :] * _pow(N, phi[:, 0, None])
        out[:, :, 2, 1] = -np.log(D)[None, :] * _pow(D, phi[:, 1, None])
        return out

    return PartiallyLinearLaw(
        name=name,
        inputs=("N", "D"),
        linear=("E", "A", "B"),
        nonlinear=(
            NonlinearParam("alpha", *alpha_range, step, log=log_grid),
            NonlinearParam("beta", *beta_range, step, log=log_grid),
        ),
        basis=basis,
        basis_grad=grad,
        equation="E + A * N^(-alpha) + B * D^(-beta)",
        reference="Hoffmann et al. 2022, arXiv 2203.15556, eq. (2)",
    )


# ----------------------------------------------------------------- data-constrained


def effective_data(
    unique: np.ndarray | float, epochs: np.ndarray | float, r_star: float
) -> np.ndarray:
    """Effective tokens ``D′ = U + U·R*·(1 − exp(−R/R*))``, ``R = epochs − 1``.

    Muennighoff et al. (2023, arXiv 2305.16264), eq. (5): repeated epochs are worth less
    than fresh data, and their value decays with the repetition count R = D/U − 1.

    Examples
    --------
    >>> float(effective_data(1e9, 1.0, 15.4))  # one epoch: no repetition
    1000000000.0
    >>> round(float(effective_data(1.0, 1e6, 15.4)), 6)  # saturates at U·(1 + R*)
    16.4
    """
    U = np.asarray(unique, dtype=float)
    R = np.asarray(epochs, dtype=float) - 1.0
    return U + U * r_star * (-np.expm1(-R / r_star))


def data_constrained_law(
    alpha_range: tuple[float, float] = (0.05, 1.0),
    beta_range: tuple[float, float] = (0.05, 1.0),
    r_star_range: tuple[float, float] = (1.0, 1000.0),
    step: float = 0.02,
    r_star_step: float = 0.05,
    *,
    name: str = "data_constrained",
) -> PartiallyLinearLaw:
    """``L = E + A·N^(−α) + B·D′^(−β)`` with effective data D′ (Muennighoff et al. 2023).

    Inputs: model size ``N``, unique tokens ``U`` and ``epochs`` (D = U·epochs tokens
    seen). ``R*`` (``r_star``, searched in log10) is the repetition count at which a
    repeated token is worth 1/e of a fresh one (their eq. (5); they fit R*_D ≈ 15.4).
    Only the data-repetition term is modelled; their excess-parameter term (R*_N) is not.

    Examples
    --------
    >>> data_constrained_law().inputs
    ('N', 'U', 'epochs')
    """

    def basis(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        N, U, ep = x["N"], x["U"], x["epochs"]
        Dp = effective_data(U[None, :], ep[None, :], phi[:, 2, None])
        return np.stack(
            [_ones(phi, N.size), _pow(N, phi[:, 0, None]), np.exp(-phi[:, 1, None] * np.log(Dp))],
            axis=-1,
        )

    def grad(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        N, U, ep = x["N"], x["U"], x["epochs"]
        rs = phi[:, 2, None]
        be = phi[:, 1, None]
        R = ep[None, :] - 1.0
        Dp = effective_data(U[None, :], ep[None, :], rs)
        vd = np.exp(-be * np.log(Dp))
        e = np.exp(-R / rs)
        dDp = U[None, :] * ((1.0 - e) - (R / rs) * e)
        out = np.zeros((phi.shape[0], N.size, 3, 3))
        out[:, :, 1, 0] = -np.log(N)[None, :] * _pow(N, phi[:, 0, None])
        out[:, :, 2, 1] = -np.log(Dp) * vd
        out[:, :, 2, 2] = -be * vd / Dp * dDp
        return out

    return PartiallyLinearLaw(
        name=name,
        inputs=("N", "U", "epochs"),
        linear=("E", "A", "B"),
        nonlinear=(
            NonlinearParam("alpha", *alpha_range, step),
            NonlinearParam("beta", *beta_range, step),
            NonlinearParam("r_star", *r_star_range, r_star_step, log=True),
        ),
        basis=basis,
        basis_grad=grad,
        equation="E + A * N^(-alpha) + B * D'^(-beta), "
        "D' = U + U r_star (1 - exp(-(epochs-1)/r_star))",
        reference="Muennighoff et al. 2023, arXiv 2305.16264, eq. (5) (data term only)",
    )


# ----------------------------------------------------------------- LR annealing


def annealing_areas(
    lr: np.ndarray, steps: np.ndarray | None = None, *, decay: float = 0.999
) -> tuple[np.ndarray, np.ndarray]:
    """Forward area S1 and annealing area S2 of a learning-rate schedule at given steps.

    Tissue et al. (2024, arXiv 2408.11029), eqs. (1)–(2): with η_i the rate of step i
    (i = 1..s, η_0 = η_1),

        S1(s) = Σ_{i≤s} η_i,    m_i = λ·m_{i−1} + (η_{i−1} − η_i),    S2(s) = Σ_{i≤s} m_i,

    λ = ``decay`` (they use 0.999). S1 drives the power-law decrease; S2 the extra drop
    while the rate is annealed.

    Parameters
    ----------
    lr : array, shape (T,)
        Learning rate of steps 1..T.
    steps : array of int, optional
        Steps (1..T) at which to evaluate; default every step.
    decay : float
        Momentum λ in [0, 1).

    Examples
    --------
    >>> s1, s2 = annealing_areas(np.array([1.0, 1.0, 0.5, 0.5]), decay=0.5)
    >>> s1.tolist(), s2.tolist()
    ([1.0, 2.0, 2.5, 3.0], [0.0, 0.0, 0.5, 0.75])
    """
    eta = np.asarray(lr, dtype=float).ravel()
    lam = check_real(decay, "decay", "annealing_areas", low=0.0, high=1.0, high_open=True)
    if eta.size == 0 or not np.all(np.isfinite(eta)) or np.any(eta < 0):
        raise InputError("annealing_areas: the schedule must be finite rates >= 0.")
    prev = np.concatenate([[eta[0]], eta[:-1]])
    drop = prev - eta
    m = np.empty_like(eta)
    acc = 0.0
    for i, d in enumerate(drop):  # first-order recursion; T is at most ~1e6 steps
        acc = lam * acc + d
        m[i] = acc
    S1, S2 = np.cumsum(eta), np.cumsum(m)
    if steps is None:
        return S1, S2
    idx = np.asarray(steps, dtype=int) - 1
    if np.any(idx < 0) or np.any(idx >= eta.size):
        raise InputError(f"annealing_areas: steps must lie in 1..{eta.size}.")
    return S1[idx], S2[idx]


def annealing_law(
    alpha_range: tuple[float, float] = (0.01, 2.0), step: float = 0.005, *, name: str = "annealing"
) -> PartiallyLinearLaw:
    """``L(s) = L0 + A·S1^(−α) − C·S2`` (Tissue et al. 2024, eq. (1)), L0, A, C ≥ 0.

    Inputs are the areas ``S1``, ``S2`` of :func:`annealing_areas` at each evaluated step.

    Examples
    --------
    >>> annealing_law().linear
    ('L0', 'A', 'C')
    """

    def basis(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        S1, S2 = x["S1"], x["S2"]
        return np.stack(
            [
                _ones(phi, S1.size),
                _pow(S1, phi[:, 0, None]),
                -np.broadcast_to(S2, (phi.shape[0], S2.size)),
            ],
            axis=-1,
        )

    def grad(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        S1 = x["S1"]
        out = np.zeros((phi.shape[0], S1.size, 3, 1))
        out[:, :, 1, 0] = -np.log(S1)[None, :] * _pow(S1, phi[:, 0, None])
        return out

    return PartiallyLinearLaw(
        name=name,
        inputs=("S1", "S2"),
        linear=("L0", "A", "C"),
        nonlinear=(NonlinearParam("alpha", *alpha_range, step),),
        basis=basis,
        basis_grad=grad,
        equation="L0 + A * S1^(-alpha) - C * S2",
        reference="Tissue et al. 2024, arXiv 2408.11029, eq. (1)",
    )


# ----------------------------------------------------------------- broken power law


def broken_power_law(
    alpha0_range: tuple[float, float] = (0.0, 2.0),
    alpha1_range: tuple[float, float] = (-1.0, 2.0),
    break_range: tuple[float, float] = (1.0, 1e12),
    sharpness: float = 0.1,
    *,
    step: float = 0.05,
    break_step: float = 0.1,
    name: str = "broken_power",
) -> PartiallyLinearLaw:
    """``L = E + A·x^(−α0)·(1 + (x/x_b)^(1/f))^(−α1·f)``, E, A ≥ 0: one smooth break.

    The broken neural scaling law of Caballero et al. (2023, arXiv 2210.14891), eq. (1)
    with one break: the exponent is α0 well below the break x_b and α0 + α1 well above
    it; ``f`` (``sharpness``, fixed, not fitted) sets how sudden the change is.

    Examples
    --------
    >>> law = broken_power_law()
    >>> p = {"E": 0.0, "A": 1.0, "alpha0": 0.5, "alpha1": 0.5, "x_b": 1e3}
    >>> y = law.predict(p, {"x": np.array([1e6])})   # far above: exponent ≈ 1
    >>> round(float(y[0] * 1e6 * 1e3**-0.5), 6)
    1.0
    """
    f = check_real(sharpness, "sharpness", "broken_power_law", low=0.0, low_open=True)

    def parts(x: Mapping[str, np.ndarray], phi: np.ndarray):
        v = x["x"][None, :]
        a0, a1, xb = phi[:, 0, None], phi[:, 1, None], phi[:, 2, None]
        lu = (np.log(v) - np.log(xb)) / f
        log1pu = np.logaddexp(0.0, lu)  # log(1 + u) without overflow
        b2 = np.exp(-a0 * np.log(v) - a1 * f * log1pu)
        return v, a1, xb, lu, log1pu, b2

    def basis(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        b2 = parts(x, phi)[-1]
        return np.stack([np.ones_like(b2), b2], axis=-1)

    def grad(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        v, a1, xb, lu, log1pu, b2 = parts(x, phi)
        frac = np.exp(lu - log1pu)  # u/(1+u)
        out = np.zeros((*b2.shape, 2, 3))
        out[..., 1, 0] = -np.log(v) * b2
        out[..., 1, 1] = -f * log1pu * b2
        out[..., 1, 2] = a1 * frac / xb * b2
        return out

    return PartiallyLinearLaw(
        name=name,
        inputs=("x",),
        linear=("E", "A"),
        nonlinear=(
            NonlinearParam("alpha0", *alpha0_range, step),
            NonlinearParam("alpha1", *alpha1_range, step),
            NonlinearParam("x_b", *break_range, break_step, log=True),
        ),
        basis=basis,
        basis_grad=grad,
        equation=f"E + A * x^(-alpha0) * (1 + (x/x_b)^(1/{f:g}))^(-alpha1*{f:g})",
        reference="Caballero et al. 2023, arXiv 2210.14891, eq. (1), one break, fixed sharpness",
    )


# ----------------------------------------------------------------- MRS


def mrs_law(
    *,
    latent: bool = True,
    alpha_range: tuple[float, float] = (1e-3, 20.0),
    step: float = 0.01,
    name: str = "mrs",
) -> PartiallyLinearLaw:
    """``L = L0·[(1/N + 1/T)^α − M^(−α)]`` (Maloney, Roberts & Sully 2022, eq. (172)).

    ``latent=False`` drops the ``M^(−α)`` term (their eq. (171), M → ∞) and the input M.
    α is searched in log10 with ``step``. The form holds for N, T ≤ M (eq. (185)).

    Examples
    --------
    >>> mrs_law().inputs, mrs_law(latent=False).inputs
    (('N', 'T', 'M'), ('N', 'T'))
    """

    def parts(x: Mapping[str, np.ndarray], phi: np.ndarray):
        ls = np.log(1.0 / x["N"] + 1.0 / x["T"])[None, :]
        al = phi[:, 0, None]
        sa = np.exp(al * ls)
        if latent:
            lm = np.log(x["M"])[None, :]
            ma = np.exp(-al * lm)
            return sa - ma, sa * ls + ma * lm
        return sa, sa * ls

    def basis(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        return parts(x, phi)[0][..., None]

    def grad(x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        return parts(x, phi)[1][..., None, None]

    return PartiallyLinearLaw(
        name=name,
        inputs=("N", "T", "M") if latent else ("N", "T"),
        linear=("L0",),
        nonlinear=(NonlinearParam("alpha", *alpha_range, step, log=True),),
        basis=basis,
        basis_grad=grad,
        equation="L0 * ((1/N + 1/T)^alpha - M^(-alpha))" if latent else "L0 * (1/N + 1/T)^alpha",
        reference="Maloney, Roberts & Sully 2022, arXiv 2210.16859, eq. (172)"
        if latent
        else "Maloney, Roberts & Sully 2022, arXiv 2210.16859, eq. (171)",
    )


# ----------------------------------------------------------------- Kaplan (not partially linear)


def kaplan_law(*, name: str = "kaplan") -> NonlinearLaw:
    """``L = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D`` (Kaplan et al. 2020, arXiv 2001.08361, eq. (1.5)).

    No coefficient enters linearly, so it is fitted by :func:`~scalinglab.laws.engine.
    fit_nonlinear` (grid of starts, L-BFGS-B from the best cells). Their fit: α_N = 0.076,
    α_D = 0.095, N_c = 8.8·10¹³, D_c = 5.4·10¹³ (their Table 2... eq. (1.5)).

    Examples
    --------
    >>> p = {"alpha_N": 0.076, "alpha_D": 0.095, "N_c": 8.8e13, "D_c": 5.4e13}
    >>> round(float(kaplan_law().predict(p, {"N": [1e9], "D": [1e30]})[0]), 4)  # D → ∞
    2.3756
    """

    def predict_batch(x: Mapping[str, np.ndarray], P: np.ndarray) -> np.ndarray:
        aN, aD = P[:, 0, None], P[:, 1, None]
        lN, lD = np.log(x["N"])[None, :], np.log(x["D"])[None, :]
        t = np.exp(aN / aD * (np.log(P[:, 2, None]) - lN)) + np.exp(np.log(P[:, 3, None]) - lD)
        return np.exp(aD * np.log(t))

    return NonlinearLaw(
        name=name,
        inputs=("N", "D"),
        nonlinear=(
            NonlinearParam("alpha_N", 0.01, 0.5, 0.02),
            NonlinearParam("alpha_D", 0.01, 0.5, 0.02),
            NonlinearParam("N_c", 1e8, 1e18, 0.5, log=True),
            NonlinearParam("D_c", 1e8, 1e18, 0.5, log=True),
        ),
        predict_batch=predict_batch,
        equation="((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D",
        reference="Kaplan et al. 2020, arXiv 2001.08361, eq. (1.5) (not partially linear)",
    )


for _law in (
    kaplan_law(),
    chinchilla_law(),
    data_constrained_law(),
    annealing_law(),
    broken_power_law(),
    power_law(),
    mrs_law(),
):
    register_law(_law)
del _law
