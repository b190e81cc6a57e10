"""Shared nouns: solver/fit status, the progress callback type, and JSON conversion."""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

# numpy is imported inside the functions: ``import scalinglab`` (hence ``scalinglab --help``)
# stays free of it.

__all__ = ["ProgressFn", "Status", "standard_error", "to_jsonable"]

#: Progress callback used by every long computation: ``progress(done, total)``.
ProgressFn = Callable[[int, int], None]


class Status(enum.StrEnum):
    """Outcome of a solver or a fit (scipy ``OptimizeResult`` style, as a string enum)."""

    CONVERGED = "converged"
    MAX_ITER = "max_iter"
    BOUND_HIT = "bound_hit"
    NOT_IDENTIFIABLE = "not_identifiable"
    PARTIAL = "partial"
    UNAVAILABLE = "unavailable"  # the theory has no formula for this case (message says why)
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


def standard_error(values: np.ndarray | list[float], axis: int = 0) -> Any:
    """Standard error of the mean over ``axis`` (``ddof=1``); NaN when there is one value.

    Examples
    --------
    >>> float(standard_error([1.0, 2.0, 3.0]))
    0.5773502691896258
    >>> standard_error([4.0])
    nan
    """
    import numpy as np

    arr = np.asarray(values, dtype=np.float64)
    k = arr.shape[axis]
    if k < 2:
        shape = arr.shape[:axis] + arr.shape[axis + 1 :]
        return np.full(shape, np.nan) if shape else float("nan")
    out = arr.std(axis=axis, ddof=1) / np.sqrt(k)
    return float(out) if np.ndim(out) == 0 else out


def to_jsonable(obj: Any) -> Any:
    """Convert dataclasses, numpy scalars/arrays and non-finite floats to JSON-safe values.

    NaN and infinities become ``None`` (JSON ``null``), as the CLI contract requires.
    """
    import numpy as np

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if hasattr(obj, "to_dict"):
            return to_jsonable(obj.to_dict())
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return to_jsonable(obj.value)
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    return obj
