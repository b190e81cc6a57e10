"""Parameter validation at the boundary, with one message shape for every error.

Every check raises :class:`InputError` (a ``ValueError``) whose message names the
parameter, its owner, the allowed range and the value received, e.g.::

    The 'alpha' parameter of MRSConfig must be a float in the range (0, inf). Got -1.0 instead.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

__all__ = ["InputError", "check_choice", "check_int", "check_real", "parse_ridge"]


class InputError(ValueError):
    """Bad user input: the CLI reports it on one line and exits with code 2.

    Examples
    --------
    It is a ``ValueError``, so generic handlers still catch it:

    >>> issubclass(InputError, ValueError)
    True
    """


def _fmt_range(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    left = "(" if (low is None or low_open) else "["
    right = ")" if (high is None or high_open) else "]"
    return f"{left}{lo}, {hi}{right}"


def check_real(
    value: object,
    name: str,
    owner: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float after checking it is finite and inside the interval.

    Examples
    --------
    >>> check_real(3, "alpha", "MRSConfig", low=0.0, low_open=True)
    3.0
    >>> check_real(0.0, "alpha", "MRSConfig", low=0.0, low_open=True)
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: The 'alpha' parameter of MRSConfig must be a float \
in the range (0, inf). Got 0.0 instead.
    """
    rng = _fmt_range(low, high, low_open, high_open)
    msg = (
        f"The '{name}' parameter of {owner} must be a float in the range {rng}. "
        f"Got {value!r} instead."
    )
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InputError(msg)
    v = float(value)
    if not math.isfinite(v):
        raise InputError(msg)
    if low is not None and (v < low or (low_open and v == low)):
        raise InputError(msg)
    if high is not None and (v > high or (high_open and v == high)):
        raise InputError(msg)
    return v


def check_int(
    value: object, name: str, owner: str, *, low: int | None = None, high: int | None = None
) -> int:
    """Return ``value`` as an int after checking it is an integer inside ``[low, high]``.

    Examples
    --------
    Integral floats are accepted; booleans and fractions are not:

    >>> check_int(4.0, "n", "demo", low=1)
    4
    >>> check_int(True, "n", "demo", low=1)
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: The 'n' parameter of demo must be an int in \
the range [1, inf]. Got True instead.
    """
    lo = "-inf" if low is None else str(low)
    hi = "inf" if high is None else str(high)
    msg = (
        f"The '{name}' parameter of {owner} must be an int in the range [{lo}, {hi}]. "
        f"Got {value!r} instead."
    )
    if isinstance(value, bool):
        raise InputError(msg)
    if isinstance(value, Integral):
        v = int(value)
    elif isinstance(value, Real) and math.isfinite(float(value)) and float(value).is_integer():
        v = int(value)
    else:
        raise InputError(msg)
    if (low is not None and v < low) or (high is not None and v > high):
        raise InputError(msg)
    return v


def check_choice(value: object, name: str, owner: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` after checking it is one of ``choices``.

    Examples
    --------
    >>> check_choice("sgd", "model", "demo", ("mrs", "sgd"))
    'sgd'
    >>> check_choice("gd", "model", "demo", ("mrs", "sgd"))
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: The 'model' parameter of demo must be one of \
'mrs', 'sgd'. Got 'gd' instead.
    """
    if value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise InputError(
            f"The '{name}' parameter of {owner} must be one of {opts}. Got {value!r} instead."
        )
    return str(value)


def parse_ridge(value: object, name: str = "ridge", owner: str = "the model") -> float | str:
    """Return a ridge value: a float >= 0, or ``"opt"`` for the test-loss-minimising ridge.

    Accepts numbers and strings (``"opt"`` in any case, or text that parses as a number), so
    the command line, sweep specs and library calls share one rule and one message.

    Examples
    --------
    >>> parse_ridge("opt"), parse_ridge(" 1e-3 "), parse_ridge(0)
    ('opt', 0.001, 0.0)
    >>> parse_ridge("-1", "--ridge", "mrs simulate")
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: The '--ridge' parameter of mrs simulate must be a float \
>= 0 or 'opt'. Got '-1' instead.
    """
    msg = (
        f"The '{name}' parameter of {owner} must be a float >= 0 or 'opt'. "
        f"Got {value!r} instead."
    )
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == "opt":
            return "opt"
        try:
            number = float(text)
        except ValueError:
            raise InputError(msg) from None
    elif isinstance(value, bool) or not isinstance(value, Real):
        raise InputError(msg)
    else:
        number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InputError(msg)
    return number
