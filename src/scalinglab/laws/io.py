"""Reading and validating scaling data: runs with model size N, tokens D, compute C, loss.

Any two of N, D, C determine the third through ``C = k·N·D``. Rows are grouped into
compute budgets (IsoFLOP curves) by clustering log10 C: consecutive sorted values less
than :data:`BUDGET_GAP_DECADES` apart share a budget, so budgets given as a column or
recomputed from rounded N and D both group correctly.

Every problem with the input is an :class:`~scalinglab.InputError` whose one-line
message names the file, the line (or row) and the column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from scalinglab._validation import InputError, check_real
from scalinglab.laws.forms import DEFAULT_FLOPS_PER_PARAM_TOKEN

__all__ = [
    "BUDGET_GAP_DECADES",
    "LLAMA3_CSV",
    "ScalingData",
    "from_arrays",
    "group_budgets",
    "load_llama3",
    "read_csv",
]

#: Sorted log10 C values closer than this (≈ 4.7 %) belong to the same budget.
BUDGET_GAP_DECADES = 0.02
#: Digitised Llama 3 IsoFLOP points shipped with the package (see data/README.md).
LLAMA3_CSV = "llama3_isoflops_points.csv"


def group_budgets(C: np.ndarray, gap: float = BUDGET_GAP_DECADES) -> tuple[np.ndarray, np.ndarray]:
    """Cluster compute values into budgets.

    Returns ``(group, budgets)``: the budget index of every row and each budget's value
    (the member closest to the budget's mean log C), budgets in increasing order.
    """
    lc = np.log10(np.asarray(C, dtype=float))
    order = np.argsort(lc, kind="stable")
    new = np.empty(lc.size, dtype=bool)
    new[0] = True
    new[1:] = np.diff(lc[order]) > gap
    ids_sorted = np.cumsum(new) - 1
    group = np.empty(lc.size, dtype=np.int64)
    group[order] = ids_sorted
    n_groups = int(ids_sorted[-1]) + 1
    sums = np.bincount(group, weights=lc, minlength=n_groups)
    counts = np.bincount(group, minlength=n_groups)
    centre = sums / counts
    # Represent each budget by its member closest to the mean log C: an actual value, so
    # a nominal budget column (e.g. 6e18) is reported exactly.
    dist = np.abs(lc - centre[group])
    rep = np.empty(n_groups, dtype=np.int64)
    order2 = np.lexsort((dist, group))
    first = np.ones(order2.size, dtype=bool)
    first[1:] = group[order2][1:] != group[order2][:-1]
    rep[group[order2][first]] = order2[first]
    return group, np.asarray(C, dtype=float)[rep]


@dataclass(frozen=True)
class ScalingData:
    """Validated runs: arrays of equal length, all finite and positive.

    Attributes
    ----------
    N, D, C, loss : ndarray
        Model size, training tokens, compute and final (or checkpoint) loss per row.
    k : float
        FLOPs per parameter per token used to derive the missing column.
    group : ndarray of int
        Budget index of each row (into ``budgets``).
    budgets : ndarray
        Value of each compute budget.
    source : str
        Where the data came from (file name), for messages.
    columns : dict
        Which input columns supplied N, D, C and loss (None where derived).
    weight : ndarray or None
        Point weights w_i > 0 of the objective ``Σ w ρ(r) / Σ w`` (None: all 1).
    """

    N: np.ndarray
    D: np.ndarray
    C: np.ndarray
    loss: np.ndarray
    k: float = DEFAULT_FLOPS_PER_PARAM_TOKEN
    group: np.ndarray = field(default=None)  # type: ignore[assignment]
    budgets: np.ndarray = field(default=None)  # type: ignore[assignment]
    source: str = "data"
    columns: dict[str, str | None] = field(default_factory=dict)
    weight: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.group is None or self.budgets is None:
            group, budgets = group_budgets(self.C)
            object.__setattr__(self, "group", group)
            object.__setattr__(self, "budgets", budgets)

    @property
    def n_points(self) -> int:
        return int(self.loss.size)

    @property
    def budget_sizes(self) -> np.ndarray:
        """Number of rows in each budget."""
        return np.bincount(self.group, minlength=self.budgets.size)

    @property
    def is_isoflop(self) -> bool:
        """Two or more budgets, each with at least three runs (an IsoFLOP design)."""
        sizes = self.budget_sizes
        return bool(sizes.size >= 2 and np.all(sizes >= 3))

    def unit_scales(self) -> tuple[float, float]:
        """Geometric means of N and D: the internal units that make the fit well conditioned."""
        return float(np.exp(np.mean(np.log(self.N)))), float(np.exp(np.mean(np.log(self.D))))

    def take(self, idx: np.ndarray) -> ScalingData:
        """Rows ``idx`` (with repetition, for the bootstrap), keeping the budget labels."""
        idx = np.asarray(idx)
        return ScalingData(
            N=self.N[idx],
            D=self.D[idx],
            C=self.C[idx],
            loss=self.loss[idx],
            k=self.k,
            group=self.group[idx],
            budgets=self.budgets,
            source=self.source,
            columns=self.columns,
            weight=None if self.weight is None else self.weight[idx],
        )


def _check_column(values: np.ndarray, raw: list[str] | None, name: str, where: str, rows) -> None:
    """Raise on the first non-finite or non-positive value, naming the row and column."""
    bad = ~np.isfinite(values)
    if np.any(bad):
        i = int(np.argmax(bad))
        shown = raw[i] if raw is not None else values[i]
        if raw is not None and str(shown).strip() == "":
            what = "is empty"
        elif raw is not None and not _parses(str(shown)):
            what = f"is not a number ({str(shown)!r})"
        else:
            what = f"is not finite ({shown!r})"
        raise InputError(f"{where} {rows(i)}: column '{name}' {what}.")
    nonpos = values <= 0
    if np.any(nonpos):
        i = int(np.argmax(nonpos))
        raise InputError(f"{where} {rows(i)}: column '{name}' must be > 0, got {values[i]:g}.")


def _parses(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assemble(
    cols: dict[str, np.ndarray | None],
    loss: np.ndarray,
    k: float,
    source: str,
    names,
    weight: np.ndarray | None = None,
) -> ScalingData:
    N, D, C = cols["N"], cols["D"], cols["C"]
    if N is None:
        N = C / (k * D)
    elif D is None:
        D = C / (k * N)
    if C is None:
        C = k * N * D
    return ScalingData(
        N=np.asarray(N, dtype=float),
        D=np.asarray(D, dtype=float),
        C=np.asarray(C, dtype=float),
        loss=np.asarray(loss, dtype=float),
        k=k,
        source=source,
        columns=names,
        weight=None if weight is None else np.asarray(weight, dtype=float),
    )


def from_arrays(
    *,
    loss: np.ndarray,
    N: np.ndarray | None = None,
    D: np.ndarray | None = None,
    C: np.ndarray | None = None,
    k: float = DEFAULT_FLOPS_PER_PARAM_TOKEN,
    source: str = "arrays",
    weight: np.ndarray | None = None,
) -> ScalingData:
    """Build validated :class:`ScalingData` from arrays (any two of N, D, C).

    ``weight`` (optional, > 0) weights each point in the objective.

    Examples
    --------
    >>> d = from_arrays(N=[1e8, 2e8], D=[2e9, 1e9], loss=[3.1, 3.0], weight=[1.0, 2.0])
    >>> d.C.tolist(), d.weight.tolist()
    ([1.2e+18, 1.2e+18], [1.0, 2.0])
    """
    k = check_real(k, "k", "from_arrays", low=0.0, low_open=True)
    given = {"N": N, "D": D, "C": C}
    present = [name for name, v in given.items() if v is not None]
    if len(present) < 2:
        raise InputError(f"{source}: need two of N, D, C; got only {', '.join(present) or 'none'}.")
    loss_arr = np.atleast_1d(np.asarray(loss, dtype=float))
    cols: dict[str, np.ndarray | None] = {}
    for name, v in given.items():
        if v is None:
            cols[name] = None
            continue
        arr = np.atleast_1d(np.asarray(v, dtype=float))
        if arr.shape != loss_arr.shape:
            raise InputError(
                f"{source}: column '{name}' has {arr.size} values but 'loss' has {loss_arr.size}."
            )
        cols[name] = arr
    if loss_arr.size == 0:
        raise InputError(f"{source} has no rows.")

    def rows(i: int) -> str:
        return f"row {i}"

    for name in present:
        _check_column(cols[name], None, name, source, rows)
    _check_column(loss_arr, None, "loss", source, rows)
    names = {name: (name if name in present else None) for name in ("N", "D", "C")}
    names["loss"] = "loss"
    w = None
    if weight is not None:
        w = np.atleast_1d(np.asarray(weight, dtype=float))
        if w.shape != loss_arr.shape:
            raise InputError(
                f"{source}: 'weight' has {w.size} values but 'loss' has {loss_arr.size}."
            )
        _check_column(w, None, "weight", source, rows)
        names["weight"] = "weight"
    return _assemble(cols, loss_arr, k, source, names, w)


def read_csv(
    path: str | Path,
    *,
    n_col: str | None = None,
    d_col: str | None = None,
    c_col: str | None = None,
    loss_col: str | None = None,
    k: float = DEFAULT_FLOPS_PER_PARAM_TOKEN,
    weight_col: str | None = None,
) -> ScalingData:
    """Read runs from a CSV file.

    Parameters
    ----------
    path : path-like
        CSV file with a header row.
    n_col, d_col, c_col, loss_col : str, optional
        Column names. ``None`` means the default name (``N``, ``D``, ``C``, ``loss``),
        used only if present; a name given explicitly must exist. Any two of N, D, C.
    k : float
        FLOPs per parameter per token in ``C = k·N·D``.
    weight_col : str, optional
        Column of point weights (> 0) for the objective; must exist when given.

    Raises
    ------
    InputError
        Missing file or column, non-numeric, empty, NaN, infinite or non-positive cell
        (the message names the line of the file and the column).
    """
    import pandas as pd

    k = check_real(k, "k", "read_csv", low=0.0, low_open=True)
    path = Path(path)
    where = path.name
    if not path.is_file():
        raise InputError(f"cannot read '{path}': no such file.")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot parse '{path}' as CSV: {' '.join(str(exc).split())}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    available = list(frame.columns)

    def resolve(given: str | None, default: str, flag: str, required: bool) -> str | None:
        if given is not None:
            if given not in available:
                raise InputError(
                    f"{where}: column '{given}' ({flag}) not found; "
                    f"columns are: {', '.join(available)}."
                )
            return given
        if default in available:
            return default
        if required:
            raise InputError(
                f"{where}: no '{default}' column ({flag}); columns are: {', '.join(available)}."
            )
        return None

    names = {
        "N": resolve(n_col, "N", "--n-col", False),
        "D": resolve(d_col, "D", "--d-col", False),
        "C": resolve(c_col, "C", "--c-col", False),
        "loss": resolve(loss_col, "loss", "--loss-col", True),
    }
    present = [key for key in ("N", "D", "C") if names[key] is not None]
    if len(present) < 2:
        found = ", ".join(f"{key}='{names[key]}'" for key in present) or "none"
        raise InputError(
            f"{where}: need two of the columns N, D, C (--n-col, --d-col, --c-col); "
            f"found {found}; columns are: {', '.join(available)}."
        )
    if len(frame) == 0:
        raise InputError(f"{where} has no data rows.")

    def rows(i: int) -> str:
        return f"line {i + 2}"  # line 1 is the header

    def numeric(col: str) -> np.ndarray:
        raw = frame[col].tolist()
        values = pd.to_numeric(frame[col].str.strip(), errors="coerce").to_numpy(dtype=float)
        _check_column(values, raw, col, where, rows)
        return values

    cols = {
        key: (numeric(names[key]) if names[key] is not None else None) for key in ("N", "D", "C")
    }
    loss = numeric(names["loss"])
    weight = None
    if weight_col is not None:
        names["weight"] = resolve(weight_col, "weight", "--weight-col", True)
        weight = numeric(names["weight"])
    data = _assemble(cols, loss, k, where, names, weight)
    if names["N"] and names["D"] and names["C"]:
        mismatch = np.abs(np.log(data.C / (k * data.N * data.D)))
        if float(np.median(mismatch)) > math.log(1.05):
            # Three columns that disagree with C = kND by more than 5 % are most likely a
            # wrong --k or a wrong column; refuse rather than fit inconsistent data.
            i = int(np.argmax(mismatch))
            raise InputError(
                f"{where} {rows(i)}: columns '{names['C']}', '{names['N']}', '{names['D']}' "
                f"disagree with C = k*N*D (k = {k:g}) by a factor "
                f"{float(np.exp(mismatch[i])):.3g}; pass --k or give only two of N, D, C."
            )
    return data


def load_llama3() -> ScalingData:
    """The 133 digitised Llama 3 IsoFLOP points (10 budgets, 6e18 to 1e22 FLOPs).

    Source: Llama Team (2024), "The Llama 3 Herd of Models", Fig. 2, as digitised by
    eric-czech/llama3_isoflop_extraction; N = C/(6·D). See ``scalinglab/data/README.md``.
    """
    ref = resources.files("scalinglab").joinpath("data", LLAMA3_CSV)
    with resources.as_file(ref) as path:
        return read_csv(
            path, c_col="compute_budget", d_col="training_tokens", loss_col="validation_loss"
        )
