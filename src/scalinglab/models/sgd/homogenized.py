"""Multi-pass SGD on P samples: homogenized dynamics and their deterministic equivalent.

The exact expectation over the sampling (:mod:`scalinglab.models.sgd.multipass`) tracks the
r×r second moment ``M = EΔΔᵀ`` (Δ = v − v̂) at O(P r²) per step. Homogenized SGD (Paquette,
Paquette, Adlam & Pennington 2022, "Homogenization of SGD in high dimensions") closes the
gradient-noise term on scalars: with ``L̂`` the expected training loss,

.. math:: A(M) − 2R_1(μ) + R_2 − K̂MK̂ \\;\\approx\\; 2\\hat L\\,K̂ + \\operatorname{diag}_{K̂}
          \\big(K̂ M K̂\\big),

the first term the leading (trace) part and the second the Gaussian fourth-moment correction
``E(zᵀMz)zzᵀ = tr(KM)K + 2KMK`` of the one-pass theory taken along the eigenvectors of
``K̂ = Q diag(μ) Qᵀ``. The mean ``EΔ_n = (1 − ηK̂)^n Δ₀`` is exact (full-batch GD), and the
covariance stays diagonal in Q, so per mode a (``d_a`` its variance, ``m_a`` its mean,
``f = 1/B`` with replacement, ``(P − B)/(B(P − 1))`` without):

.. math:: d_a' = (1 − ημ_a)^2 d_a + η^2 f\\big[μ_a\\,2\\hat L_n + μ_a^2 (d_a + m_a^2)\\big],\\qquad
          2\\hat L_n = \\sum_a μ_a (m_a^2 + d_a) + \\bar r^2,

``r̄² = (1/P)Σ_i r_i²`` the residual of the least-squares fit. The population risk is the
full-batch GD risk on the same data plus ``½ Σ_a (q_aᵀ K q_a) d_a``. Per data set this costs
one r×r eigendecomposition and O(r) per step (:func:`homogenized_risk`).

Everything except the GD part enters only through three spectral measures of K̂ (counts,
K-weighted ``Σ_a q_aᵀKq_a δ_{μ_a}``, mean-weighted ``Σ_a (q_aᵀv̂)² δ_{μ_a}``) and r̄². Their
one-point deterministic equivalents (:func:`scalinglab.models.sgd.deterministic.spectral_atoms`
with ``H = K``, ``m = P``) give weighted atoms; the mean weight is the v*-weighted measure on
μ > 0 plus the noise part ``s²/(Pμ)`` per eigenvalue (``v̂ = Πv* + K̂⁺Zᵀξ/P``), and
``E r̄² = s² max(P − r, 0)/P``. The GD part is the discrete-step deterministic equivalent of
:func:`scalinglab.models.sgd.finite_gd.gd_data_risk`. :func:`multipass_de_risk` runs the same
recursion on the atoms; :func:`predict_multipass_de` averages over sketches or replaces them
by their own deterministic equivalent.

The closure is the approximation: against the exact expectation it is within a few per cent
(docs/dynamics.md has the measured table) and exact when ``f → 0`` (B = P without
replacement is full-batch GD).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalinglab._types import ProgressFn, Status
from scalinglab._validation import InputError, check_choice
from scalinglab.models.protocol import standard_error
from scalinglab.models.sgd.multipass import noise_factor
from scalinglab.models.sgd.results import seed_streams

__all__ = [
    "DataAtoms",
    "data_atoms",
    "homogenized_risk",
    "multipass_de_risk",
    "predict_multipass_de",
]


def _variance_path(
    mu: np.ndarray,
    counts: np.ndarray,
    kweight: np.ndarray,
    mweight: np.ndarray,
    rbar2: np.ndarray,
    f: float,
    phases: list[tuple[int, int, float]],
    record: np.ndarray,
    progress: ProgressFn | None = None,
    offset: int = 0,
) -> np.ndarray:
    """``Σ_j k_j d_j`` at the recorded steps for the homogenized recursion on weighted atoms.

    Atom j stands for ``counts_j`` eigenvalues μ_j of K̂ with summed K-weight ``k_j`` and summed
    squared initial mean ``w_j``; d_j is the variance per eigenvalue. Arrays of shape
    (problems, atoms) run several independent problems in one loop (pad with zero counts and
    weights); ``rbar2`` has one entry per problem. Returns (problems, len(record)).
    ``progress(offset + t, offset + steps)`` is called about a hundred times.
    """
    mu, counts, kweight, mweight = (np.atleast_2d(np.asarray(a, dtype=np.float64))
                                    for a in (mu, counts, kweight, mweight))  # fmt: skip
    rbar2 = np.atleast_1d(np.asarray(rbar2, dtype=np.float64))
    steps = int(record[-1])
    slot = np.full(steps + 1, -1)
    slot[record] = np.arange(record.size)
    out = np.zeros((mu.shape[0], record.size))
    d = np.zeros(mu.shape)
    mean2 = mweight / np.where(counts > 0, counts, 1.0)  # squared mean per eigenvalue
    cmu = counts * mu
    mu2 = mu * mu
    eta_of = _step_sizes(phases, steps)
    every = max(1, steps // 100)
    for t in range(steps):
        eta = eta_of[t]
        two_l = np.einsum("pa,pa->p", cmu, mean2 + d) + rbar2
        contract = (1.0 - eta * mu) ** 2
        d = contract * d + eta * eta * f * (mu * two_l[:, None] + mu2 * (d + mean2))
        mean2 = contract * mean2
        if slot[t + 1] >= 0:
            out[:, slot[t + 1]] = np.einsum("pa,pa->p", kweight, d)
        if progress is not None and ((t + 1) % every == 0 or t + 1 == steps):
            progress(offset + t + 1, offset + steps)
    return out


def _step_sizes(phases: list[tuple[int, int, float]], steps: int) -> np.ndarray:
    """η_t for t = 0..steps−1 from constant-step ``(start, end, η)`` phases."""
    eta_of = np.empty(steps)
    for start, end, eta in phases:
        eta_of[start:min(end, steps)] = eta
    return eta_of


def _check_stable(mu, counts, lr: float, f: float) -> None:
    """The homogenized recursion stays bounded iff every mode contracts on its own and the
    noise feedback ``Σ_j n_j η²f μ_j²/(1 − ρ_j)`` (ρ_j = (1 − ημ_j)² + η²fμ_j²) is below one."""
    live = mu > 0  # the null space of K̂ neither moves nor receives noise
    mu, counts = mu[live], counts[live]
    rho = (1.0 - lr * mu) ** 2 + lr * lr * f * mu * mu
    gain = np.inf if np.any(rho >= 1.0) else float(
        np.sum(counts * lr * lr * f * mu * mu / (1.0 - rho))
    )  # fmt: skip
    if not gain < 1.0:
        raise InputError(
            f"The step size {lr:g} is unstable for multi-pass SGD on this data (noise feedback "
            f"{gain:.3g} >= 1); use a smaller --lr or a larger --batch."
        )


def homogenized_risk(
    eigs: np.ndarray,
    vstar: np.ndarray,
    irreducible: float,
    z: np.ndarray,
    y: np.ndarray,
    *,
    batch: int,
    phases: list[tuple[int, int, float]],
    record: np.ndarray,
    sampling: str = "replacement",
) -> np.ndarray:
    """Homogenized-SGD risk of multi-pass SGD on one data set (module docstring).

    The mean path is exact GD with the schedule of ``phases``; the gradient noise is closed
    on the training loss. One r×r eigendecomposition, then O(r) per step.

    Examples
    --------
    With B = P distinct indices the noise factor is zero and this is exactly full-batch GD:

    >>> import numpy as np
    >>> from scalinglab.models.sgd.finite_gd import draw_data, exact_gd_risk
    >>> eigs, vstar = 1.0 / np.arange(1, 6) ** 1.5, np.ones(5)
    >>> z, y = draw_data(eigs, vstar, 0.1, 8, np.random.default_rng(0), np.random.default_rng(1))
    >>> steps = np.array([1, 10, 100])
    >>> hom = homogenized_risk(eigs, vstar, 0.1, z, y, batch=8, phases=[(0, 100, 0.3)],
    ...                        record=steps, sampling="without")
    >>> bool(np.allclose(hom, exact_gd_risk(eigs, vstar, 0.1, z, y, 0.3, steps), rtol=1e-12))
    True
    """
    p = z.shape[0]
    if batch > p:
        raise InputError(f"batch ({batch}) must be <= the number of samples ({p}).")
    f = noise_factor(sampling, batch, p)
    record = np.asarray(record, dtype=np.int64)
    mu, q = np.linalg.eigh(z.T @ z / p)
    mu = np.where(mu > 1e-12 * max(float(mu[-1]), 1e-300), mu, 0.0)
    vhat = np.linalg.lstsq(z, y, rcond=None)[0]
    rbar2 = float(np.mean((y - z @ vhat) ** 2))
    m0 = q.T @ vhat
    kweight = np.einsum("ia,i,ia->a", q, eigs, q)
    _check_stable(mu, np.ones_like(mu), max(e for _, _, e in phases), f)
    noise = _variance_path(mu, np.ones_like(mu), kweight, m0 * m0, rbar2, f, phases, record)[0]
    # exact mean path: Δ_n = Q diag(Π_t (1 − η_t μ)) Qᵀ(−v̂), the product taken phase by phase
    out = np.empty(record.size)
    delta = vhat - vstar
    for i, n in enumerate(record):
        gain = np.ones_like(mu)
        for start, end, eta in phases:
            gain *= (1.0 - eta * mu) ** max(0, min(end, int(n)) - start)
        err = delta - q @ (gain * m0)
        out[i] = 0.5 * (float(err @ (eigs * err)) + irreducible + noise[i])
    return out


@dataclass(frozen=True)
class DataAtoms:
    """Deterministic-equivalent atoms of K̂ = ZᵀZ/P: locations ``mu``, eigenvalues per atom
    ``counts``, K-weights ``kweight``, squared-mean weights ``mweight`` (of v̂), and the
    expected least-squares residual ``rbar2``; ``mass_error`` and ``status`` as
    :class:`~scalinglab.models.sgd.deterministic.SpectralAtoms`."""

    mu: np.ndarray
    counts: np.ndarray
    kweight: np.ndarray
    mweight: np.ndarray
    rbar2: float
    mass_error: float
    status: Status


def data_atoms(
    eigs: np.ndarray,
    counts: np.ndarray,
    c0: np.ndarray,
    irreducible: float,
    samples: int,
    *,
    points_per_decade: int = 200,
) -> DataAtoms:
    """The three spectral measures of K̂ the homogenized recursion needs, as atoms.

    Examples
    --------
    The K-weights total ``E tr(K Π) = tr K − κ₀ Σ x/(x + κ₀)`` (Π the projection on the
    range of K̂); with P ≥ r nothing is lost and they total tr K:

    >>> import numpy as np
    >>> x = 1.0 / np.arange(1, 51) ** 1.5
    >>> at = data_atoms(x, np.ones(50), x, 0.1, 200, points_per_decade=100)
    >>> bool(np.isclose(at.kweight.sum(), x.sum())), round(float(at.counts.sum()), 9)
    (True, 50.0)
    >>> round(at.rbar2, 12)  # s²(P − r)/P
    0.075
    """
    from scalinglab.models.sgd.deterministic import spectral_atoms

    x = np.asarray(eigs, dtype=np.float64)
    cnt = np.asarray(counts, dtype=np.float64)
    c = np.asarray(c0, dtype=np.float64)
    s2 = float(irreducible)
    atoms = spectral_atoms(x, cnt, int(samples), np.stack((c, cnt * x)),
                           points_per_decade=points_per_decade)  # fmt: skip
    mweight = atoms.weights[0] + s2 * atoms.counts / (samples * atoms.x)
    rbar2 = s2 * max(samples - float(cnt.sum()), 0.0) / samples
    return DataAtoms(atoms.x, atoms.counts, atoms.weights[1], mweight, rbar2,
                     atoms.mass_error, atoms.status)  # fmt: skip


def multipass_de_risk(
    eigs: np.ndarray,
    counts: np.ndarray,
    c0: np.ndarray,
    irreducible: float,
    samples: int,
    *,
    batch: int,
    lr: float,
    record: np.ndarray,
    sampling: str = "replacement",
    points_per_decade: int = 200,
) -> tuple[np.ndarray, Status]:
    """Deterministic equivalent of the homogenized multi-pass SGD risk, constant step.

    ``L_n = L_n^{GD} + ½ Σ_j k_j d_j(n)`` with :func:`scalinglab.models.sgd.finite_gd.
    gd_data_risk` for the GD part and the recursion of the module docstring on
    :func:`data_atoms`.

    Examples
    --------
    With B = P without replacement it is the GD deterministic equivalent:

    >>> import numpy as np
    >>> from scalinglab.models.sgd.finite_gd import gd_data_risk
    >>> x = 1.0 / np.arange(1, 41) ** 1.5
    >>> steps = np.array([1, 30, 300])
    >>> de, status = multipass_de_risk(x, np.ones(40), x, 0.1, 60, batch=60, lr=0.5,
    ...                                record=steps, sampling="without")
    >>> bool(np.allclose(de, gd_data_risk(x, np.ones(40), x, 0.1, 60, 0.5, steps)))
    True
    """
    risks, status = _multipass_de_batch([(eigs, counts, c0, irreducible)], samples, batch=batch,
                                        lr=lr, record=record, sampling=sampling,
                                        points_per_decade=points_per_decade)  # fmt: skip
    return risks[0], status


def _multipass_de_batch(
    spectra, samples, *, batch, lr, record, sampling, points_per_decade=200, progress=None
) -> tuple[np.ndarray, Status]:
    """:func:`multipass_de_risk` for several spectra ``(eigs, counts, c0, s²)``, one recursion
    loop for all of them (rows). Returns (risks, status). ``progress`` counts one unit per
    spectrum (GD part and atoms), then one per step of the recursion."""
    from scalinglab.models.sgd.finite_gd import gd_data_risk

    record = np.asarray(record, dtype=np.int64)
    if batch > samples:
        raise InputError(f"batch ({batch}) must be <= the number of samples ({samples}).")
    f = noise_factor(sampling, batch, samples)
    total = len(spectra) + int(record[-1])
    gd, atoms = [], []
    for i, (x, n, c, s2) in enumerate(spectra):
        gd.append(gd_data_risk(x, n, c, s2, samples, lr, record))
        if f > 0.0:
            atoms.append(data_atoms(x, n, c, s2, samples, points_per_decade=points_per_decade))
        if progress is not None:
            progress(i + 1, total if f > 0.0 else len(spectra))
    gd = np.array(gd)
    if f == 0.0:
        return gd, Status.CONVERGED
    for at in atoms:
        _check_stable(at.mu, at.counts, lr, f)
    width = max(at.mu.size for at in atoms)

    def stack(name: str) -> np.ndarray:
        out = np.zeros((len(atoms), width))
        for i, at in enumerate(atoms):
            out[i, : at.mu.size] = getattr(at, name)
        return out  # padding: zero counts and weights, μ = 0 (inert)

    noise = _variance_path(stack("mu"), stack("counts"), stack("kweight"), stack("mweight"),
                           np.array([at.rbar2 for at in atoms]), f, [(0, int(record[-1]), lr)],
                           record, progress, len(spectra))  # fmt: skip
    risk = gd + 0.5 * noise
    ok = all(at.status is Status.CONVERGED for at in atoms) and bool(np.all(np.isfinite(risk)))
    return risk, Status.CONVERGED if ok else Status.FAILED


def predict_multipass_de(
    cfg,
    record: np.ndarray,
    *,
    theory: str = "sketch-exact",
    seeds: int = 8,
    seed: int = 0,
    progress: ProgressFn | None = None,
):
    """Multi-pass SGD, deterministic equivalent in the data (homogenized dynamics).

    ``theory='sketch-exact'``: exact in each of ``seeds`` sketches (the draws of
    :func:`scalinglab.models.sgd.simulate` with the same ``seed``), averaged, with
    ``risk_sem`` over sketches. ``theory='deterministic'``: the sketch replaced by its
    deterministic-equivalent atoms too (no seeds).

    Examples
    --------
    >>> from scalinglab.models.sgd.model import SGDConfig
    >>> cfg = SGDConfig(dim=80, features=40, alpha=1.5, beta=0.5, data=60, steps=300, record=4)
    >>> pred = predict_multipass_de(cfg, cfg.record_steps(), theory="deterministic")
    >>> pred.theory, pred.status.value, bool(pred.risk[-1] < pred.risk[0])
    ('multipass-deterministic', 'converged', True)
    """
    from scalinglab.models.sgd.finite_gd import GDDataPrediction

    check_choice(theory, "theory", "predict_multipass_de", ("sketch-exact", "deterministic"))
    sampling = getattr(cfg, "sampling", "replacement")
    if sampling == "epochs":
        raise InputError(
            "sampling='epochs' (reshuffling) has no deterministic equivalent; use simulate, "
            "or sampling 'replacement' / 'without'."
        )
    if cfg.schedule != "constant":
        raise InputError(
            "The multi-pass deterministic equivalent needs the constant schedule; use "
            "--theory exact (small problems) or simulate."
        )
    eta = cfg.step_size()
    record = np.asarray(record)
    kwargs = {"batch": cfg.batch, "lr": eta, "record": record, "sampling": sampling,
              "progress": progress}  # fmt: skip
    if theory == "deterministic":
        from scalinglab.models.sgd.deterministic import config_spectrum

        spec, sketch_status, msg = config_spectrum(cfg)
        risks, status = _multipass_de_batch([(spec.eigs, spec.counts, spec.c0, spec.irreducible)],
                                            cfg.data, **kwargs)  # fmt: skip
        risk = risks[0]
        if sketch_status is not Status.CONVERGED:
            status = sketch_status
        return GDDataPrediction(
            cfg, "multipass-deterministic", record, risk, 0.5 * spec.irreducible, status,
            f"homogenized multi-pass SGD, deterministic equivalent ({msg})",
        )  # fmt: skip
    spectra, floors = [], []
    for k in range(seeds):
        _, prob = cfg.reduced_problem(seed_streams(seed, k)[0])
        spec = prob.mode_spectrum()
        spectra.append((spec.eigs, spec.counts, spec.c0, spec.irreducible))
        floors.append(0.5 * spec.irreducible)
        if cfg.sketch == "none":
            break  # no sketch: every seed has the same spectrum
    arr, status = _multipass_de_batch(spectra, cfg.data, **kwargs)
    return GDDataPrediction(
        cfg, "multipass-de", record, arr.mean(axis=0), float(np.mean(floors)), status,
        "homogenized multi-pass SGD, deterministic equivalent in the data, exact per sketch",
        seeds=len(arr), risk_sem=np.asarray(standard_error(arr, axis=0), dtype=np.float64),
    )  # fmt: skip
