"""Real data for spectra and learning curves: the bundled digits set and user arrays.

- ``"digits"``: scikit-learn's bundled handwritten digits (1797 images of 8 × 8 pixels, 10
  classes; UCI "Optical Recognition of Handwritten Digits" test set). It ships inside the
  scikit-learn package, so nothing is downloaded. The three pixels that are 0 in every image
  are dropped (61 inputs); the labels are the one-hot class indicators (10 outputs).
- A user file: ``.npy`` (a 2-D array), ``.npz`` (data under ``x``/``X``/``data``, labels
  optionally under ``y``/``labels``/``target``) or ``.csv`` (numbers, comma separated, an
  optional header row). Labels may also come from a separate file (same formats, 1-D or 2-D)
  or, for a CSV with a header, from one of its columns.

Every problem with the input raises :class:`~scalinglab._validation.InputError` with a
one-line message (the CLI prints it and exits with code 2).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scalinglab._validation import InputError

__all__ = ["Dataset", "load_dataset", "load_digits", "load_labels"]

_DATA_KEYS = ("x", "X", "data")
_LABEL_KEYS = ("y", "labels", "target")
SUFFIXES = (".npy", ".npz", ".csv")


@dataclass(frozen=True)
class Dataset:
    """Samples in rows, optional labels (n × C), and what was done to them.

    Attributes
    ----------
    x : ndarray (n, d)
    y : ndarray (n, C) or None
    name : str
    columns : list of str
        Names of the d input columns.
    notes : list of str
        Preprocessing applied (e.g. dropped constant columns).

    Examples
    --------
    >>> ds = Dataset(x=np.zeros((3, 2)), y=None, name="demo", columns=["a", "b"])
    >>> ds.n_samples, ds.n_features, ds.notes
    (3, 2, [])
    """

    x: np.ndarray
    y: np.ndarray | None
    name: str
    columns: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def n_samples(self) -> int:
        return int(self.x.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.x.shape[1])


def load_digits() -> Dataset:
    """scikit-learn's bundled digits: 1797 × 61 pixels (constant pixels dropped), one-hot labels.

    Examples
    --------
    Three always-zero pixels are dropped, and every label row is one-hot:

    >>> ds = load_digits()
    >>> ds.n_samples, ds.n_features, ds.columns[0]
    (1797, 61, 'pixel_0_1')
    >>> bool(np.all(ds.y.sum(axis=1) == 1)), ds.y.sum(axis=0).astype(int).tolist()[:3]
    (True, [178, 182, 177])
    """
    from sklearn.datasets import load_digits as _sk_digits

    raw = _sk_digits()
    x = np.asarray(raw.data, dtype=np.float64)
    keep = x.std(axis=0) > 0
    names = [f"pixel_{i // 8}_{i % 8}" for i in range(x.shape[1])]
    y = np.eye(10)[np.asarray(raw.target, dtype=np.int64)]
    return Dataset(
        x=x[:, keep],
        y=y,
        name="digits",
        columns=[n for n, k in zip(names, keep, strict=True) if k],
        notes=[
            f"scikit-learn bundled digits (8x8 images, 10 classes); dropped {int((~keep).sum())} "
            "always-zero pixels; labels one-hot (10 outputs)"
        ],
    )


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = list(z.keys())
            data_key = next((k for k in _DATA_KEYS if k in keys), None)
            if data_key is None:
                if len(keys) != 1:
                    raise InputError(
                        f"{path.name}: cannot tell which array is the data; name it one of "
                        f"{', '.join(_DATA_KEYS)} (found: {', '.join(keys) or 'none'})"
                    )
                data_key = keys[0]
            label_key = next((k for k in _LABEL_KEYS if k in keys), None)
            x = np.asarray(z[data_key])
            y = np.asarray(z[label_key]) if label_key is not None else None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path.name}: not a readable .npz file ({_short(exc)})") from None
    return x, y


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:160]


def _read_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path.name}: not a readable .npy file ({_short(exc)})") from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_csv(path: Path) -> tuple[np.ndarray, list[str] | None]:
    """Numeric CSV with an optional header; ragged rows and non-numbers are one-line errors."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: cannot read ({_short(exc)})") from None
    lines = [(i + 1, ln) for i, ln in enumerate(text.splitlines()) if ln.strip()]
    if not lines:
        raise InputError(f"{path.name}: the file is empty")
    first = [c.strip() for c in lines[0][1].split(",")]
    header = None if all(_is_number(c) for c in first) else first
    body = lines[1:] if header is not None else lines
    if not body:
        raise InputError(f"{path.name}: no data rows")
    width = len(first)
    for lineno, ln in body:
        count = ln.count(",") + 1
        if count != width:
            raise InputError(
                f"{path.name}: ragged CSV: line {lineno} has {count} fields, expected {width}"
            )
    import pandas as pd

    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(ln for _, ln in body)),
            header=None,
            dtype=np.float64,
            skipinitialspace=True,
        )
    except ValueError:
        # find the offending cell for a precise message
        for lineno, ln in body:
            for j, cell in enumerate(ln.split(",")):
                if cell.strip() and not _is_number(cell.strip()):
                    raise InputError(
                        f"{path.name}: line {lineno}, column {j + 1}: {cell.strip()!r} "
                        "is not a number"
                    ) from None
        raise InputError(f"{path.name}: could not parse the CSV as numbers") from None
    return frame.to_numpy(), header


def _check_data(x: np.ndarray, source: str) -> np.ndarray:
    if x.dtype.kind not in "biuf":
        raise InputError(f"{source}: data must be numeric; got dtype {x.dtype}")
    if x.ndim != 2:
        raise InputError(f"{source}: data must be a 2-D array (samples x features); got {x.ndim}-D")
    if x.shape[0] < 2 or x.shape[1] < 1:
        raise InputError(f"{source}: need at least 2 samples and 1 feature; got {x.shape}")
    x = x.astype(np.float64, copy=False)
    bad = np.argwhere(~np.isfinite(x))
    if bad.size:
        r, c = bad[0]
        raise InputError(
            f"{source}: data contain NaN or infinite values (first at row {r + 1}, "
            f"column {c + 1}; {len(bad)} in all)"
        )
    return x


def _check_labels(y: np.ndarray, n: int, source: str) -> np.ndarray:
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise InputError(f"{source}: labels must be numeric; got dtype {y.dtype}")
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2:
        raise InputError(f"{source}: labels must be 1-D or 2-D; got {y.ndim}-D")
    if y.shape[0] != n:
        raise InputError(f"{source}: {y.shape[0]} labels for {n} samples (need one per sample)")
    y = y.astype(np.float64, copy=False)
    if not np.all(np.isfinite(y)):
        raise InputError(f"{source}: labels contain NaN or infinite values")
    if np.all(y == y[0]):
        raise InputError(f"{source}: labels are constant; there is nothing to learn")
    return y


def load_labels(path: str | Path, n: int) -> np.ndarray:
    """Labels from a .npy/.npz/.csv file (1-D or 2-D, one row per sample) as an (n, C) array.

    Examples
    --------
    A 1-D labels file becomes one column; the count must match the samples:

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "labels.npy"
    >>> np.save(path, np.array([0.0, 1.0, 1.0]))
    >>> load_labels(path, 3).shape
    (3, 1)
    >>> load_labels(path, 4)
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: labels.npy: 3 labels for 4 samples (need one per sample)
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"labels file '{p}' not found")
    suffix = p.suffix.lower()
    if suffix == ".npy":
        y = _read_npy(p)
    elif suffix == ".npz":
        x, y = _read_npz(p)
        y = x if y is None else y
    elif suffix in (".csv", ".txt"):
        y, _ = _read_csv(p)
    else:
        raise InputError(f"labels file '{p.name}': unsupported type (use .npy, .npz or .csv)")
    return _check_labels(y, n, p.name)


def load_dataset(
    data: str | Path,
    labels: str | Path | None = None,
    *,
    drop_constant: bool = False,
) -> Dataset:
    """Load ``"digits"`` or a user file, with optional labels.

    Parameters
    ----------
    data : str or Path
        ``"digits"`` or a path to a .npy / .npz / .csv file.
    labels : str or Path, optional
        A labels file, or (for a CSV with a header) the name of the label column.
    drop_constant : bool
        Drop constant columns instead of rejecting them. A constant column carries no
        variance: it adds an exact zero to the spectrum and, after standardisation, a division
        by zero, so by default it is reported as an input error.

    Returns
    -------
    Dataset

    Examples
    --------
    >>> ds = load_dataset("digits")
    >>> ds.x.shape, ds.y.shape
    ((1797, 61), (1797, 10))
    """
    if str(data) == "digits":
        if labels is not None:
            raise InputError("the built-in 'digits' data set has its own labels; drop --labels")
        return load_digits()
    path = Path(data)
    if not path.is_file():
        raise InputError(f"data file '{path}' not found (or use the built-in 'digits')")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"data file '{path.name}': unsupported type (use .npy, .npz or .csv)")
    header: list[str] | None = None
    y = None
    if suffix == ".npy":
        raw = _read_npy(path)
    elif suffix == ".npz":
        raw, y = _read_npz(path)
    else:
        raw, header = _read_csv(path)
    columns = header or [f"col_{j + 1}" for j in range(raw.shape[1] if raw.ndim == 2 else 0)]
    if labels is not None and header is not None and str(labels) in header:
        j = header.index(str(labels))
        y = raw[:, j]
        raw = np.delete(raw, j, axis=1)
        columns = [c for i, c in enumerate(header) if i != j]
    elif labels is not None:
        if y is not None:
            raise InputError(f"{path.name} already holds labels; drop --labels")
        lp = Path(labels)
        if not lp.is_file() and suffix == ".csv":
            raise InputError(
                f"labels '{labels}' is neither a file nor a column of {path.name} "
                f"(columns: {', '.join(columns[:8])}{'...' if len(columns) > 8 else ''})"
            )
        y = load_labels(lp, raw.shape[0] if raw.ndim == 2 else 0)
    x = _check_data(np.asarray(raw), path.name)
    yy = _check_labels(y, x.shape[0], path.name) if y is not None else None
    notes: list[str] = []
    const = np.flatnonzero(np.ptp(x, axis=0) == 0)
    if const.size:
        if not drop_constant:
            names = ", ".join(f"{columns[j]!s} (column {j + 1})" for j in const[:3])
            more = f" and {const.size - 3} more" if const.size > 3 else ""
            raise InputError(
                f"{path.name}: constant column {names}{more} carries no variance; "
                "remove it or pass --drop-constant"
            )
        keep = np.ones(x.shape[1], dtype=bool)
        keep[const] = False
        x = x[:, keep]
        columns = [c for c, k in zip(columns, keep, strict=True) if k]
        notes.append(f"dropped {const.size} constant column(s)")
        if x.shape[1] == 0:
            raise InputError(f"{path.name}: every column is constant")
    return Dataset(x=x, y=yy, name=path.name, columns=list(columns), notes=notes)
