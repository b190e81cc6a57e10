"""Exponent conventions for power-law linear regression, and the scaling exponents they predict.

Four papers parameterise the same two power laws (a capacity law for the data spectrum and a
source law for the target) differently. The canonical pair used throughout scalinglab is the
one of Atanasov's note ("Simple derivation of scaling law exponents in linear models", eq. 3):

.. math:: \\lambda_k \\propto k^{-\\alpha}, \\qquad
          \\sum_{l>k} \\lambda_l \\bar w_l^2 \\propto k^{-\\alpha\\beta},

made exact per mode as ``λ_k w̄_k² = k^{-(1+αβ)}`` (the tail sum is then ∝ k^{-αβ}). The others:

=============  ======================================  ======================================
convention     definition                              map to the note's (α, β)
=============  ======================================  ======================================
``note``       λ_k ∝ k^-α, tail ∝ k^-αβ                identity
``lin``        λ_i ∝ i^-a, λ_i⟨v_i,w*⟩² ∝ i^-b          α = a, αβ = b − 1
               (Lin, Wu, Kakade, Bartlett, Lee 2024)
``paquette``   λ_j = j^-2α_P, b_j = j^-β_P              α = 2α_P, αβ = 2α_P + 2β_P − 1
               (Paquette, Paquette, Xiao, Pennington
               2024, "4+3 phases")
``mrs``        λ_I ∝ I^-(1+α_M), isotropic teacher       α = 1 + α_M, αβ = α_M
               (Maloney, Roberts, Sully 2022, eq. 23)
=============  ======================================  ======================================

A setting has an MRS equivalent only when the teacher is isotropic, ``αβ = α − 1``.

Predicted exponents (all reported positive: a loss ∝ X^-e, a size ∝ C^e):

- gradient flow on the sketched model, compute ``C = N t``: the note's eqs. (6), (10)–(12),
  (15) for β ≤ 1; for β > 1 the sketch floor saturates at ``N^-α`` (Paquette et al. 2024,
  model-size term F₀ ≍ d^{-2α_P + max(0, 1-2β_P)}) and their "aligned correction"
  ``N^-1 t^-(1-1/α)`` enters the compute-optimal balance. The optimum is found exactly by
  minimising the largest power-law term (:func:`balance_exponents`).
- one-pass SGD, flops ``f = r·B·d``: the 4+3 phase diagram of Paquette et al. (2024), from
  the asymptotic forcing/kernel terms F_pp, F_ac, F₀, K_pp and the same exact balance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scalinglab._validation import InputError, check_choice, check_real

__all__ = [
    "CONVENTIONS",
    "PHASES",
    "ExponentReport",
    "PowerTerm",
    "balance_exponents",
    "convert",
    "exponent_report",
    "feature_learning_exponents",
    "from_note",
    "gradient_flow_exponents",
    "gradient_flow_terms",
    "lin_sgd_rates",
    "mrs_alpha",
    "phase",
    "sgd_compute_optimal",
    "sgd_phase_terms",
    "to_note",
]

CONVENTIONS = ("note", "lin", "paquette", "mrs")
PHASES = ("Ia", "Ib", "Ic", "II", "III", "IVa", "IVb")

#: Relative tolerance for deciding that a setting has an isotropic teacher (MRS equivalent).
MRS_ISOTROPY_TOL = 1e-9
#: α_P where the Phase IV noise term stops growing with d at fixed flops:
#: −2α² + 4α − 1 = 0, i.e. α_P = 1 − 1/√2 (derived here, see :func:`sgd_phase_terms`).
PHASE_IV_SPLIT = 1.0 - 1.0 / math.sqrt(2.0)


# --------------------------------------------------------------------------- conventions


def to_note(convention: str, alpha: float, beta: float | None = None) -> tuple[float, float]:
    """Convert exponents given in ``convention`` to the note's (α, β).

    Parameters
    ----------
    convention : {"note", "lin", "paquette", "mrs"}
        How ``alpha`` and ``beta`` are to be read (see the module table). For ``lin`` they are
        (a, b); for ``mrs`` only ``alpha`` (α_M) is used and ``beta`` must be None.
    alpha, beta : float
        The exponents in that convention.

    Returns
    -------
    (alpha, beta) : tuple of float
        The note's capacity α > 0 and source β > 0.

    Raises
    ------
    InputError
        If the values are outside the domain where both power laws are defined (α > 0,
        αβ > 0, i.e. a summable target tail).
    """
    owner = "to_note"
    check_choice(convention, "convention", owner, CONVENTIONS)
    a = check_real(alpha, "alpha", owner)
    if convention == "mrs":
        if beta is not None:
            raise InputError(
                "The 'beta' parameter must be omitted with convention 'mrs' "
                "(the MRS teacher is isotropic, so β is implied by α)."
            )
        a = check_real(alpha, "alpha", owner, low=0.0, low_open=True)
        return 1.0 + a, a / (1.0 + a)
    if beta is None:
        raise InputError(f"The 'beta' parameter is required with convention '{convention}'.")
    b = check_real(beta, "beta", owner)
    if convention == "note":
        na, nab = a, a * b
    elif convention == "lin":
        na, nab = a, b - 1.0
    else:  # paquette
        na, nab = 2.0 * a, 2.0 * a + 2.0 * b - 1.0
    if not (na > 0.0 and nab > 0.0):
        raise InputError(
            f"Exponents ({alpha!r}, {beta!r}) in convention '{convention}' give note α = {na:g}, "
            f"αβ = {nab:g}; both must be > 0 (a power-law spectrum and a summable target tail)."
        )
    return na, nab / na


def from_note(convention: str, alpha: float, beta: float) -> tuple[float, ...] | None:
    """Express the note's (α, β) in ``convention``.

    Returns ``(α, β)``, ``(a, b)``, ``(α_P, β_P)`` or ``(α_M,)``; ``None`` for ``mrs`` when the
    teacher is not isotropic (αβ ≠ α − 1) or α ≤ 1.
    """
    owner = "from_note"
    check_choice(convention, "convention", owner, CONVENTIONS)
    a = check_real(alpha, "alpha", owner, low=0.0, low_open=True)
    b = check_real(beta, "beta", owner, low=0.0, low_open=True)
    if convention == "note":
        return a, b
    if convention == "lin":
        return a, 1.0 + a * b
    if convention == "paquette":
        return a / 2.0, (1.0 + a * b - a) / 2.0
    am = mrs_alpha(a, b)
    return None if am is None else (am,)


def mrs_alpha(alpha: float, beta: float) -> float | None:
    """MRS α_M for the note's (α, β), or None without an isotropic-teacher equivalent."""
    if alpha <= 1.0:
        return None
    if abs(alpha * beta - (alpha - 1.0)) > MRS_ISOTROPY_TOL * max(1.0, alpha):
        return None
    return alpha - 1.0


def convert(alpha: float, beta: float | None, source: str, target: str) -> tuple[float, ...] | None:
    """Convert exponents from one convention to another (through the note's pair)."""
    na, nb = to_note(source, alpha, beta)
    return from_note(target, na, nb)


# --------------------------------------------------------------------------- power-law balance


@dataclass(frozen=True)
class PowerTerm:
    """One asymptotic term ``C^c · N^e`` of a loss, at compute C and model size N.

    ``c`` is the exponent of compute at fixed size and ``e`` the exponent of size at fixed
    compute, after eliminating time (t = C/N) or steps (r = f/d).
    """

    name: str
    c: float
    e: float


def balance_exponents(terms: list[PowerTerm]) -> tuple[float, float, tuple[str, ...]]:
    """Compute-optimal exponents of ``L(C, N) ≍ Σ_i C^{c_i} N^{e_i}``.

    With ``N = C^ξ`` the loss is ``≍ C^{max_i (c_i + e_i ξ)}``; the optimum minimises this
    convex piecewise-linear function of ξ over [0, 1]. It is found exactly by checking the
    end points and every pairwise crossing.

    Returns
    -------
    (xi, eta, active) : (float, float, tuple of str)
        N* ∝ C^ξ, L* ∝ C^-η, and the names of the terms that balance at the optimum.
    """
    if not terms:
        raise ValueError("at least one term is needed")

    def height(x: float) -> float:
        return max(t.c + t.e * x for t in terms)

    candidates = [0.0, 1.0]
    for i, ti in enumerate(terms):
        for tj in terms[i + 1 :]:
            if ti.e != tj.e:
                x = (tj.c - ti.c) / (ti.e - tj.e)
                if 0.0 <= x <= 1.0:
                    candidates.append(x)
    best = min(candidates, key=lambda x: (round(height(x), 12), x))
    h = height(best)
    active = tuple(t.name for t in terms if abs(t.c + t.e * best - h) < 1e-9)
    return best, -h, active


# --------------------------------------------------------------------------- gradient flow


def gradient_flow_terms(alpha: float, beta: float) -> list[PowerTerm]:
    """Asymptotic terms of the gradient-flow loss of the sketched model at C = N·t.

    ``L ≍ t^-β + N^{-α min(β, 1)} (+ N^-1 t^{-(1 - 1/α)} if β > 1)`` with t = C/N:
    the note's eqs. (6) and (10)–(11) for β ≤ 1; for β > 1 the Paquette et al. (2024)
    terms F₀ and F_ac rewritten in the note's exponents (α = 2α_P, αβ = 2α_P + 2β_P − 1).
    """
    terms = [
        PowerTerm("time", -beta, beta),  # t^-β = C^-β N^β
        PowerTerm("features", 0.0, -alpha * min(beta, 1.0)),
    ]
    if beta > 1.0 and alpha > 1.0:
        s = 1.0 - 1.0 / alpha
        terms.append(PowerTerm("aligned", -s, s - 1.0))  # N^-1 (C/N)^-s
    return terms


def gradient_flow_exponents(alpha: float, beta: float) -> dict[str, float]:
    """Gradient-flow scaling exponents (all positive).

    Returns
    -------
    dict
        ``loss_vs_time`` (β, note eq. 6), ``loss_vs_features`` (α·min(β, 1); note eq. 10 for
        β ≤ 1), ``loss_vs_data`` (α·min(β, 2): noiseless ridgeless/late-time limit; note
        eq. 15 for β ≤ 1), ``loss_vs_compute``, ``features_vs_compute``, ``time_vs_compute``
        (note eq. 12 for β ≤ 1: αβ/(α+1), 1/(α+1), α/(α+1)).
    """
    xi, eta, _ = balance_exponents(gradient_flow_terms(alpha, beta))
    return {
        "loss_vs_time": beta,
        "loss_vs_features": alpha * min(beta, 1.0),
        "loss_vs_data": alpha * min(beta, 2.0),
        "loss_vs_compute": eta,
        "features_vs_compute": xi,
        "time_vs_compute": 1.0 - xi,
    }


def feature_learning_exponents(alpha: float, beta: float) -> dict[str, float]:
    """Rich-regime (feature-learning) exponents of the two-layer linear model, all positive.

    ``time`` = ``loss_vs_time`` = χ = 2β/(1+β) for β < 1 and β otherwise (note §3; Bordelon,
    Atanasov & Pehlevan 2024). The width term is the lazy one, ``N^{-α min(β,1)}`` (the
    trained layer acts inside the N sketched features), so the compute-optimal law at
    C = N·t balances ``t^-χ`` against it: for β ≤ 1, ``L* ∝ C^{-αβχ/(αβ+χ)}``,
    ``N* ∝ C^{χ/(αβ+χ)}`` — the law the simulations of
    :mod:`scalinglab.models.feature_learning.frontier` follow (0.352 measured vs 0.353 at
    α = 1.5, β = 0.5; substituting β → χ in both terms would give 0.400). For β > 1 nothing
    changes from :func:`gradient_flow_exponents`.

    Examples
    --------
    >>> fl = feature_learning_exponents(1.5, 0.5)
    >>> round(fl["time"], 4), round(fl["loss_vs_compute"], 4), round(fl["features_vs_compute"], 4)
    (0.6667, 0.3529, 0.4706)
    """
    if beta >= 1.0:
        out = gradient_flow_exponents(alpha, beta)
        return {"time": beta, **out}
    c = 2.0 * beta / (1.0 + beta)
    terms = [PowerTerm("time", -c, c), PowerTerm("features", 0.0, -alpha * beta)]
    xi, eta, _ = balance_exponents(terms)
    return {
        "time": c,
        "loss_vs_time": c,
        "loss_vs_features": alpha * beta,
        "loss_vs_compute": eta,
        "features_vs_compute": xi,
        "time_vs_compute": 1.0 - xi,
    }


# --------------------------------------------------------------------------- 4+3 phases


def phase(alpha: float, beta: float) -> str | None:
    """Phase of the 4+3 diagram (Paquette et al. 2024) for the note's (α, β).

    Classified in Paquette's exponents (α_P = α/2, β_P = (1 + αβ − α)/2):

    - above the high-dimensional line 2α_P > 1: Ia (2β_P < 1), II (2β_P > 1, β_P < α_P),
      III (β_P > α_P);
    - below it (2α_P < 1): Ib (2β_P < 1), Ic (2β_P > 1, α_P < 1/4), IVa/IVb (2β_P > 1,
      1/4 < α_P < 1/2), split at α_P = 1 − 1/√2 (derived here; see :func:`sgd_phase_terms`).

    Returns None outside the model's domain 2(α_P + β_P) > 1 (never the case for a valid note
    pair, whose αβ > 0). Points exactly on a boundary are assigned by the comparisons below.
    """
    ap, bp = alpha / 2.0, (1.0 + alpha * beta - alpha) / 2.0
    if not (ap > 0.0 and 2.0 * (ap + bp) > 1.0):
        return None
    if 2.0 * ap > 1.0:
        if 2.0 * bp < 1.0:
            return "Ia"
        return "II" if bp < ap else "III"
    if 2.0 * bp < 1.0:
        return "Ib"
    if ap < 0.25:
        return "Ic"
    return "IVa" if ap >= PHASE_IV_SPLIT else "IVb"


def sgd_phase_terms(alpha: float, beta: float) -> list[PowerTerm]:
    """Asymptotic loss terms of one-pass SGD on the PLRF model at flops f = r·d (B = 1).

    In Paquette's exponents (a = α_P, b = β_P; Paquette et al. 2024, the forcing/kernel
    asymptotics of their Section 3, as gathered in ``sgd_math.md``):

    - learning rate γ ≍ 1 for 2a > 1 and γ ≍ 1/tr K̂ ≍ d^{2a-1} for 2a < 1; effective time
      τ = γ r = f·d^{g-1} with g = min(0, 2a − 1);
    - F_pp ≍ τ^{-σ}, σ = (2a + 2b − 1)/(2a) (population-like learning of the top modes);
    - F₀ ≍ d^{-2a + max(0, 1-2b)} (model-size floor);
    - F_ac (2b > 1): d^-1 τ^{-(1 - 1/(2a))} for 2a > 1; a plateau ≍ d^{-2a} for 2a < 1 (the
      whole lower spectrum sits at the scale d^{-2a}; derived here);
    - SGD noise (only when σ > 1, i.e. 2b > 1, so that Σ_s F(s) ≍ 1/γ converges):
      ≍ γ·K_pp-shape = γ τ^{-(2 - 1/(2a))} for a > 1/4; ≍ γ d^{1-4a} = d^{-2a} for a < 1/4
      (the kernel sum Σ λ² is then dominated by the bottom of the spectrum).

    The Phase IV split at a = 1 − 1/√2 is where the exponent of d in the noise term at fixed
    f, (2a − 1) + (2 − 2a)(4a − 1)/(2a) = (−2a² + 4a − 1)/a, changes sign. These derived
    pieces are checked numerically by ``scalinglab sgd frontier`` (see docs/sgd.md).
    """
    a, b = alpha / 2.0, (1.0 + alpha * beta - alpha) / 2.0
    g = min(0.0, 2.0 * a - 1.0)  # γ ∝ d^g
    # τ = f · d^{g-1}: a term τ^-s becomes f^-s d^{-s(g-1)}.
    sigma = (2.0 * a + 2.0 * b - 1.0) / (2.0 * a)
    terms = [
        PowerTerm("F_pp", -sigma, -sigma * (g - 1.0)),
        PowerTerm("F_0", 0.0, -(2.0 * a - max(0.0, 1.0 - 2.0 * b))),
    ]
    if 2.0 * b > 1.0:
        if 2.0 * a > 1.0:
            s = 1.0 - 1.0 / (2.0 * a)
            terms.append(PowerTerm("F_ac", -s, -1.0 - s * (g - 1.0)))
        else:
            terms.append(PowerTerm("F_ac", 0.0, -2.0 * a))
        if a > 0.25:
            s2 = 2.0 - 1.0 / (2.0 * a)
            terms.append(PowerTerm("K_pp", -s2, g - s2 * (g - 1.0)))
        else:
            terms.append(PowerTerm("K_pp", 0.0, -2.0 * a))
    return terms


def sgd_compute_optimal(alpha: float, beta: float) -> dict[str, Any] | None:
    """Compute-optimal one-pass SGD exponents for the note's (α, β): d* ∝ f^ξ, L* ∝ f^-η.

    Known closed forms (Paquette et al. 2024) that :func:`balance_exponents` reproduces:
    Ia ξ = 1/(2α_P+1), η = (2α_P+2β_P−1)/(2α_P+1); II ξ = β_P/(α_P+β_P),
    η = (2α_P+2β_P−1)/(2(α_P+β_P)); III ξ = 1/2, η = 1 − 1/(4α_P).
    Returns None outside the phase diagram.
    """
    ph = phase(alpha, beta)
    if ph is None:
        return None
    xi, eta, active = balance_exponents(sgd_phase_terms(alpha, beta))
    return {
        "phase": ph,
        "features_vs_compute": xi,
        "loss_vs_compute": eta,
        "steps_vs_compute": 1.0 - xi,
        "balance": list(active),
    }


def lin_sgd_rates(a: float, b: float) -> dict[str, float]:
    """Exponents of the Lin et al. SGD risk bounds (positive: a term ∝ X^-e).

    Lin, Wu, Kakade, Bartlett, Lee (2024), Thm. 4.1 (isotropic prior, b = a) and the lecture
    notes' multi-pass version (source condition b): with N_eff = N/log N samples,
    ``E R − σ² ≍ Approx + Bias (+ Var)``, Approx ≍ M^{-(b-1)} (M^{-a} once b − 1 > a: the sketch
    floor saturates, cf. F₀ of Paquette et al.), Bias ≍ (N_eff γ)^{-(b-1)/a},
    Var ≍ σ² min(M, (N_eff γ)^{1/a})/N_eff. Balancing Approx and Bias at compute C = M·N gives
    M* ∝ C^{bias/(approx+bias)}; for b = a this is Lin et al.'s M* ∝ C^{1/(a+1)},
    R* − σ² ∝ C^{-(a-1)/(a+1)} (up to logarithms).
    """
    if not (a > 1.0 and b > 1.0):
        raise InputError(f"Lin et al. rates need a > 1 and b > 1; got a={a!r}, b={b!r}.")
    approx = min(b - 1.0, a)
    bias = (b - 1.0) / a
    # Balance M^-approx against (C/M)^-bias: M^(approx + bias) = C^bias.
    m_exp = bias / (approx + bias)
    return {
        "approx_vs_features": approx,
        "bias_vs_samples": bias,
        "variance_vs_samples": 1.0 - 1.0 / a,
        "features_vs_compute": m_exp,
        "loss_vs_compute": approx * m_exp,
    }


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ExponentReport:
    """Everything ``scalinglab exponents`` prints for one setting."""

    alpha: float  # note α
    beta: float  # note β
    lin: tuple[float, float]
    paquette: tuple[float, float]
    mrs: float | None
    gradient_flow: dict[str, float]
    phase: str | None
    sgd: dict[str, Any] | None
    lin_rates: dict[str, float] | None = None  # Lin et al.'s bounds; None unless a, b > 1
    feature_learning: dict[str, float] | None = None  # rich regime (note §3)

    def to_dict(self) -> dict[str, Any]:
        sgd = self.sgd or {}
        return {
            "note": {"alpha": self.alpha, "beta": self.beta},
            "lin": {"a": self.lin[0], "b": self.lin[1]},
            "paquette": {"alpha": self.paquette[0], "beta": self.paquette[1]},
            "mrs": {"alpha": self.mrs},
            "gradient_flow": dict(self.gradient_flow),
            "phase": self.phase,
            "sgd_compute_optimal": {
                "features_vs_compute": sgd.get("features_vs_compute"),
                "loss_vs_compute": sgd.get("loss_vs_compute"),
            },
            "feature_learning": dict(self.feature_learning or {}),
        }  # the fixed JSON contract: lin_rates stays a library/human-output field


def exponent_report(
    alpha: float, beta: float | None = None, convention: str = "note"
) -> ExponentReport:
    """All conventions and predicted exponents for one setting given in ``convention``.

    Examples
    --------
    >>> rep = exponent_report(1.5, 0.5)  # the note's convention: capacity 1.5, source 0.5
    >>> rep.gradient_flow["loss_vs_time"], round(rep.gradient_flow["loss_vs_compute"], 4)
    (0.5, 0.3)
    """
    na, nb = to_note(convention, alpha, beta)
    lin = from_note("lin", na, nb)
    paq = from_note("paquette", na, nb)
    assert lin is not None and paq is not None
    sgd = sgd_compute_optimal(na, nb)
    return ExponentReport(
        alpha=na,
        beta=nb,
        lin=(lin[0], lin[1]),
        paquette=(paq[0], paq[1]),
        mrs=mrs_alpha(na, nb),
        gradient_flow=gradient_flow_exponents(na, nb),
        phase=phase(na, nb),
        sgd=sgd,
        lin_rates=lin_sgd_rates(lin[0], lin[1]) if lin[0] > 1 and lin[1] > 1 else None,
        feature_learning=feature_learning_exponents(na, nb),
    )
