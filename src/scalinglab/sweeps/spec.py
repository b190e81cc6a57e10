"""Sweep specifications in TOML: model, fixed parameters, grid axes, seeds; validated up front.

A spec is a small TOML file::

    name = "mrs-demo"           # optional, default: the file name
    model = "mrs"               # an adapter name (scalinglab.sweeps.models) or "pkg.mod:ADAPTER"
    run = "both"                # "simulate", "predict" or "both"
    replicates = 1              # independent seeds per grid point (a seed axis)
    base_seed = 0               # every point's seed is derived from this and the point itself

    [fixed]                     # parameters shared by every point
    latent_dim = 2000
    alpha = 1.0

    [grid]                      # axes: the sweep is their Cartesian product
    features = [100, 400]                                   # a list
    samples = { log = [20, 1900], num = 8, integer = true } # log-spaced (also: linear = [a, b])

    [[zip]]                     # axes that vary together (equal lengths) form one axis
    ...

    [[block]]                   # optional: a union of grids, each with its own fixed/grid/zip,
    name = "vs T"               # combined with the top-level ones; duplicates are run once
    x = "samples"               # the x axis of this block's plots in the report
    [block.grid]
    ...

    [fit]                       # optional: the law fitted across the sweep in the report
    form = "mrs"                # "mrs", "chinchilla" or "none"
    data = "simulate"           # fit the simulated or the predicted loss
    group_by = ["alpha"]        # one fit per value (default: every varying non-N/T parameter)
    where = { ridge = "opt" }   # keep only these points
    min_aspect = 1.0            # keep points with max(N,T)/min(N,T) >= min_aspect

Every error names the offending key, e.g. ``spec.toml: 'grid.samples.num' must be an int >= 1,
got 0``. Each point's seed is derived from ``base_seed``, its replicate index and its
parameters by hashing, never from execution order, so every executor gives the same rows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from scalinglab._validation import InputError
from scalinglab.sweeps.models import ModelAdapter, get_model

__all__ = [
    "RUN_MODES",
    "FitSpec",
    "PlannedPoint",
    "SweepSpec",
    "canonical_json",
    "load_spec",
    "parse_spec",
    "point_id",
    "point_seed",
]

RUN_MODES = ("simulate", "predict", "both")
FIT_FORMS = ("mrs", "chinchilla", "none")
FIT_DATA = ("simulate", "predict")
SIGNIFICANT_DIGITS = 12  # generated range values are rounded so identities stay readable/stable
MAX_POINTS = 1_000_000

_TOP_KEYS = (
    "name",
    "description",
    "model",
    "run",
    "replicates",
    "base_seed",
    "common_seeds",
    "fixed",
    "grid",
    "zip",
    "block",
    "fit",
    "report",
)
_BLOCK_KEYS = ("name", "fixed", "grid", "zip", "x")
_FIT_KEYS = ("form", "data", "group_by", "where", "min_aspect")
_REPORT_KEYS = ("x",)
_RANGE_KEYS = ("values", "log", "linear", "num", "integer")

Value = float | int | str | bool


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no spaces: the byte string that identities hash.

    Examples
    --------
    Key order and spacing do not matter; NaN has no canonical form:

    >>> canonical_json({"b": 1, "a": [1, 2]}) == canonical_json({"a": [1, 2], "b": 1})
    True
    >>> canonical_json({"b": 1, "a": [1, 2]})
    '{"a":[1,2],"b":1}'
    """
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def point_seed(base_seed: int, replicate: int, params: Mapping[str, Any], common: bool) -> int:
    """The seed of one point: a 63-bit hash of (base seed, replicate, parameters).

    With ``common=True`` the parameters are left out, so every grid point of one replicate
    shares a seed (common random numbers: smoother curves, correlated errors).

    Examples
    --------
    Independent of the order of the parameters; with ``common=True`` shared by all points of a
    replicate:

    >>> point_seed(0, 0, {"a": 1, "b": 2}, False) == point_seed(0, 0, {"b": 2, "a": 1}, False)
    True
    >>> point_seed(0, 0, {"a": 1}, False) == point_seed(0, 0, {"a": 2}, False)
    False
    >>> point_seed(0, 0, {"a": 1}, True) == point_seed(0, 0, {"a": 2}, True)
    True
    >>> 0 <= point_seed(0, 0, {"a": 1}, False) < 2**63
    True
    """
    payload: dict[str, Any] = {"base_seed": base_seed, "replicate": replicate}
    if not common:
        payload["params"] = dict(params)
    digest = hashlib.sha256(canonical_json(payload).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def point_id(model: str, params: Mapping[str, Any], seed: int, run: str, version: str) -> str:
    """A point's identity: a hash of its full configuration and the package version.

    Examples
    --------
    32 hex digits; any change of model, parameters, seed, run mode or version changes it:

    >>> pid = point_id("mrs", {"features": 10}, 7, "predict", "1.0")
    >>> len(pid), pid == point_id("mrs", {"features": 10}, 8, "predict", "1.0")
    (32, False)
    """
    payload = {"model": model, "params": dict(params), "seed": seed, "run": run, "version": version}
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class FitSpec:
    """What to fit across a sweep (see the module docstring).

    Examples
    --------
    Parsed from the ``[fit]`` table; defaults fill the rest:

    >>> spec = parse_spec('''
    ... model = "mrs"
    ... fixed = { latent_dim = 50, alpha = 1.0, samples = 20 }
    ... grid = { features = [5, 10] }
    ... fit = { form = "mrs", data = "predict" }
    ... ''')
    >>> spec.fit
    FitSpec(form='mrs', data='predict', group_by=None, where={}, min_aspect=1.0)
    """

    form: str
    data: str
    group_by: tuple[str, ...] | None
    where: dict[str, tuple[Value, ...]]
    min_aspect: float = 1.0


@dataclass(frozen=True)
class BlockLayout:
    """One block of the spec as the report shows it: its name and plot axis."""

    name: str
    x: str
    varying: tuple[str, ...]


@dataclass(frozen=True)
class PlannedPoint:
    """One point of a sweep, before it runs.

    Examples
    --------
    Parameters are canonical (every model default filled in), and the identity hashes them:

    >>> spec = parse_spec('''
    ... model = "mrs"
    ... run = "predict"
    ... fixed = { latent_dim = 50, alpha = 1.0, samples = 20 }
    ... grid = { features = [5, 10] }
    ... ''')
    >>> point = spec.points[0]
    >>> point.idx, point.params["features"], point.params["noise_var"], point.run
    (0, 5, 0.0, 'predict')
    >>> point.id == point_id("mrs", point.params, point.seed, "predict", spec.version)
    True
    """

    id: str
    idx: int
    model: str
    params: dict[str, Any]
    seed: int
    replicate: int
    run: str
    blocks: tuple[int, ...]


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: its settings, its planned points and where they came from.

    Examples
    --------
    >>> spec = parse_spec('''
    ... model = "mrs"
    ... run = "predict"
    ... replicates = 2
    ... fixed = { latent_dim = 50, alpha = 1.0, samples = 20 }
    ... grid = { features = [5, 10] }
    ... ''', source="demo.toml")
    >>> spec.name, len(spec.points), spec.to_meta()["replicates"]
    ('demo', 4, 2)
    """

    name: str
    description: str
    model: str
    run: str
    replicates: int
    base_seed: int
    common_seeds: bool
    fit: FitSpec
    layout: tuple[BlockLayout, ...]
    points: tuple[PlannedPoint, ...]
    text: str
    source: str
    version: str
    adapter: ModelAdapter = field(repr=False, compare=False)

    def to_meta(self) -> dict[str, Any]:
        """What the store keeps about the spec (JSON-safe)."""
        return {
            "name": self.name,
            "description": self.description,
            "model": self.model,
            "run": self.run,
            "replicates": self.replicates,
            "base_seed": self.base_seed,
            "common_seeds": self.common_seeds,
            "fit": {
                "form": self.fit.form,
                "data": self.fit.data,
                "group_by": None if self.fit.group_by is None else list(self.fit.group_by),
                "where": {k: list(v) for k, v in self.fit.where.items()},
                "min_aspect": self.fit.min_aspect,
            },
            "layout": [{"name": b.name, "x": b.x, "varying": list(b.varying)} for b in self.layout],
            "source": self.source,
            "version": self.version,
        }


# --------------------------------------------------------------------------- parsing helpers


class _Ctx:
    """Carries the spec's file name into every error message."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str | None, msg: str) -> InputError:
        where = f"'{key}' " if key else ""
        return InputError(f"{self.source}: {where}{msg}")


def _is_value(v: object) -> bool:
    if isinstance(v, bool | str | int):
        return True
    return isinstance(v, float) and math.isfinite(v)


def _check_keys(ctx: _Ctx, table: Mapping[str, Any], allowed: Sequence[str], prefix: str) -> None:
    for key in table:
        if key not in allowed:
            full = f"{prefix}{key}"
            raise ctx.fail(full, f"is not a known key (expected one of: {', '.join(allowed)})")


def _get(
    ctx: _Ctx, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], prefix: str
) -> Any:
    val = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = isinstance(val, kinds) and not (isinstance(val, bool) and bool not in kinds)
    if not ok:
        names = " or ".join(k.__name__ for k in kinds)
        raise ctx.fail(f"{prefix}{key}", f"must be of type {names}, got {val!r}")
    return val


def _round(v: float) -> float:
    return float(f"{v:.{SIGNIFICANT_DIGITS}g}")


def _axis_values(ctx: _Ctx, key: str, spec: Any) -> tuple[Value, ...]:
    """The values of one grid axis: a list, or a table {values | log | linear, num, integer}."""
    if isinstance(spec, list):
        values = spec
    elif isinstance(spec, dict):
        _check_keys(ctx, spec, _RANGE_KEYS, f"{key}.")
        kinds = [k for k in ("values", "log", "linear") if k in spec]
        if len(kinds) != 1:
            raise ctx.fail(key, "needs exactly one of 'values', 'log' or 'linear'")
        kind = kinds[0]
        integer = spec.get("integer", False)
        if not isinstance(integer, bool):
            raise ctx.fail(f"{key}.integer", f"must be true or false, got {integer!r}")
        if kind == "values":
            values = spec["values"]
            if not isinstance(values, list):
                raise ctx.fail(f"{key}.values", f"must be a list, got {values!r}")
            if "num" in spec:
                raise ctx.fail(f"{key}.num", "only applies to 'log' and 'linear' ranges")
        else:
            values = _range_values(ctx, key, spec, kind, integer)
        if integer and kind == "values":
            values = [_as_int(ctx, f"{key}.values", v) for v in values]
    else:
        raise ctx.fail(
            key,
            f"must be a list or a range table such as {{ log = [10, 1000], num = 5 }}, got "
            f"{spec!r} (put single values in [fixed])",
        )
    if not values:
        raise ctx.fail(key, "is an empty list")
    for v in values:
        if not _is_value(v):
            raise ctx.fail(key, f"values must be finite numbers, strings or booleans, got {v!r}")
    return tuple(values)


def _as_int(ctx: _Ctx, key: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int | float) or not float(v).is_integer():
        raise ctx.fail(key, f"must hold integers (integer = true), got {v!r}")
    return int(v)


def _range_values(ctx: _Ctx, key: str, spec: dict, kind: str, integer: bool) -> list[Value]:
    ends = spec[kind]
    if (
        not isinstance(ends, list)
        or len(ends) != 2
        or not all(isinstance(e, int | float) and not isinstance(e, bool) for e in ends)
        or not all(math.isfinite(float(e)) for e in ends)
    ):
        raise ctx.fail(f"{key}.{kind}", f"must be a list of two finite numbers, got {ends!r}")
    lo, hi = float(ends[0]), float(ends[1])
    if kind == "log" and (lo <= 0 or hi <= 0):
        raise ctx.fail(f"{key}.log", f"ends must be > 0 for a log range, got {ends!r}")
    if "num" not in spec:
        raise ctx.fail(f"{key}.num", "is required with a 'log' or 'linear' range")
    num = spec["num"]
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise ctx.fail(f"{key}.num", f"must be an int >= 1, got {num!r}")
    if num == 1 and lo != hi:
        raise ctx.fail(f"{key}.num", "must be >= 2 when the two ends differ")
    raw = np.geomspace(lo, hi, num) if kind == "log" else np.linspace(lo, hi, num)
    if integer:
        out: list[Value] = []
        for v in raw:
            iv = round(float(v))
            if iv not in out:  # rounding can merge close values at the low end of a log range
                out.append(iv)
        return out
    return [_round(float(v)) for v in raw]


@dataclass
class _Group:
    """One factor of a Cartesian product: a single axis or a zip of equal-length axes."""

    names: tuple[str, ...]
    sources: tuple[str, ...]
    rows: list[tuple[Value, ...]]


@dataclass
class _Block:
    name: str
    x: str | None
    fixed: dict[str, tuple[Value, str]]
    groups: list[_Group]


def _parse_level(ctx: _Ctx, table: Mapping[str, Any], prefix: str) -> tuple[dict, list[_Group]]:
    """Parse the fixed/grid/zip keys of the top level or of one block."""
    fixed: dict[str, tuple[Value, str]] = {}
    groups: list[_Group] = []
    seen: dict[str, str] = {}

    def claim(name: str, source: str) -> None:
        if name in seen:
            raise ctx.fail(source, f"sets '{name}', which '{seen[name]}' already sets")
        seen[name] = source

    if "fixed" in table:
        fx = _get(ctx, table, "fixed", dict, prefix)
        for name, val in fx.items():
            src = f"{prefix}fixed.{name}"
            if not _is_value(val):
                raise ctx.fail(src, f"must be a finite number, a string or a boolean, got {val!r}")
            claim(name, src)
            fixed[name] = (val, src)
    if "grid" in table:
        grid = _get(ctx, table, "grid", dict, prefix)
        for name, axis in grid.items():
            src = f"{prefix}grid.{name}"
            claim(name, src)
            values = _axis_values(ctx, src, axis)
            groups.append(_Group((name,), (src,), [(v,) for v in values]))
    if "zip" in table:
        zips = _get(ctx, table, "zip", list, prefix)
        for i, ztab in enumerate(zips):
            zprefix = f"{prefix}zip[{i}]"
            if not isinstance(ztab, dict) or not ztab:
                raise ctx.fail(zprefix, "must be a table of axes ([[zip]] with keys)")
            names, sources, columns = [], [], []
            for name, axis in ztab.items():
                src = f"{zprefix}.{name}"
                claim(name, src)
                names.append(name)
                sources.append(src)
                columns.append(_axis_values(ctx, src, axis))
            lengths = {len(c) for c in columns}
            if len(lengths) != 1:
                detail = ", ".join(f"{n} has {len(c)}" for n, c in zip(names, columns, strict=True))
                raise ctx.fail(zprefix, f"axes must have equal lengths ({detail})")
            groups.append(_Group(tuple(names), tuple(sources), list(zip(*columns, strict=True))))
    return fixed, groups


def _parse_group_by(ctx: _Ctx, group_by: Any, adapter: ModelAdapter) -> tuple[str, ...] | None:
    if group_by is None:
        return None
    if not isinstance(group_by, list) or not all(isinstance(g, str) for g in group_by):
        raise ctx.fail("fit.group_by", f"must be a list of parameter names, got {group_by!r}")
    for g in group_by:
        if g not in adapter.parameters:
            raise ctx.fail("fit.group_by", f"names {g!r}, not a parameter of {adapter.name!r}")
    return tuple(group_by)


def _parse_where(ctx: _Ctx, where_raw: Any, adapter: ModelAdapter) -> dict[str, tuple]:
    if not isinstance(where_raw, dict):
        raise ctx.fail("fit.where", f"must be a table of parameter = value(s), got {where_raw!r}")
    where: dict[str, tuple[Value, ...]] = {}
    for k, v in where_raw.items():
        if k not in adapter.parameters:
            raise ctx.fail(f"fit.where.{k}", f"is not a parameter of model {adapter.name!r}")
        vals = tuple(v) if isinstance(v, list) else (v,)
        if not vals or not all(_is_value(x) for x in vals):
            raise ctx.fail(f"fit.where.{k}", f"must be a value or a list of values, got {v!r}")
        where[k] = vals
    return where


def _parse_fit(ctx: _Ctx, raw: Any, adapter: ModelAdapter, run: str) -> FitSpec:
    table = raw if raw is not None else {}
    if not isinstance(table, dict):
        raise ctx.fail("fit", f"must be a table, got {raw!r}")
    _check_keys(ctx, table, _FIT_KEYS, "fit.")
    has_axes = "N" in adapter.axes and "T" in adapter.axes
    form = table.get("form", adapter.default_fit if has_axes else "none")
    if form not in FIT_FORMS:
        raise ctx.fail("fit.form", f"must be one of {', '.join(FIT_FORMS)}, got {form!r}")
    default_data = "simulate" if run in ("simulate", "both") else "predict"
    data = table.get("data", default_data)
    if data not in FIT_DATA:
        raise ctx.fail("fit.data", f"must be 'simulate' or 'predict', got {data!r}")
    if form != "none" and data == "simulate" and run == "predict":
        raise ctx.fail("fit.data", "is 'simulate' but run = 'predict' (nothing simulated)")
    if form != "none" and data == "predict" and run == "simulate":
        raise ctx.fail("fit.data", "is 'predict' but run = 'simulate' (no theory computed)")
    if form != "none":
        for role in ("N", "T"):
            if role not in adapter.axes:
                raise ctx.fail(
                    "fit.form",
                    f"needs the model's {role} axis, but model {adapter.name!r} declares none",
                )
    group_by = _parse_group_by(ctx, table.get("group_by"), adapter)
    where = _parse_where(ctx, table.get("where", {}), adapter)
    min_aspect = table.get("min_aspect", 1.0)
    if (
        isinstance(min_aspect, bool)
        or not isinstance(min_aspect, int | float)
        or not (math.isfinite(min_aspect) and min_aspect >= 1)
    ):
        raise ctx.fail("fit.min_aspect", f"must be a number >= 1, got {min_aspect!r}")
    return FitSpec(form, data, group_by, where, float(min_aspect))


_PARAM_IN_MSG = re.compile(r"'(\w+)' parameter")


def _build_point(
    ctx: _Ctx, adapter: ModelAdapter, values: dict[str, Value], sources: dict[str, str]
) -> dict[str, Any]:
    try:
        _, canon = adapter.build(values)
    except (InputError, ValueError, TypeError) as exc:
        msg = " ".join(str(exc).split())
        m = _PARAM_IN_MSG.search(msg)
        key = sources.get(m.group(1)) if m else None
        point = ", ".join(f"{k}={v!r}" for k, v in values.items())
        if key is None:
            raise ctx.fail(None, f"invalid point ({point}): {msg}") from None
        raise ctx.fail(key, f"gives an invalid point ({point}): {msg}") from None
    return canon


def _auto_x(groups: list[_Group], adapter: ModelAdapter) -> str | None:
    """The plot axis of a block: the grid axis with most values (ties: model N/T roles)."""
    best, best_len = None, 1
    preferred = [adapter.axes.get("T"), adapter.axes.get("N")]
    for g in groups:
        for name in g.names:
            n = len({r[g.names.index(name)] for r in g.rows})
            if n > best_len or (
                n == best_len and best is not None and name in preferred and best not in preferred
            ):
                best, best_len = name, n
    return best


# --------------------------------------------------------------------------- entry points


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec file (see the module docstring for the format).

    Examples
    --------
    The sweep is named after the file unless the spec says otherwise:

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "tiny.toml"
    >>> _ = path.write_text('''
    ... model = "mrs"
    ... run = "predict"
    ... fixed = { latent_dim = 50, alpha = 1.0, features = 5 }
    ... grid = { samples = [10, 20] }
    ... ''')
    >>> spec = load_spec(path)
    >>> spec.name, spec.source, [p.params["samples"] for p in spec.points]
    ('tiny', 'tiny.toml', [10, 20])
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"spec file '{p}' does not exist")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read spec file '{p}': {exc}") from None
    return parse_spec(text, source=p.name, default_name=p.stem)


def _parse_header(ctx: _Ctx, raw: dict[str, Any], source: str, default_name: str | None):
    """The spec's top-level scalars: model adapter, name, description, run mode and seeds."""
    _check_keys(ctx, raw, _TOP_KEYS, "")
    if "model" not in raw:
        raise ctx.fail("model", 'is required (e.g. model = "mrs")')
    model_name = _get(ctx, raw, "model", str, "")
    try:
        adapter = get_model(model_name)
    except InputError as exc:
        raise ctx.fail("model", f"is invalid: {exc}") from None
    if default_name is None:
        default_name = "sweep" if source.startswith("<") else Path(source).stem
    name = _get(ctx, raw, "name", str, "") if "name" in raw else default_name
    description = _get(ctx, raw, "description", str, "") if "description" in raw else ""
    run = raw.get("run", "both")
    if run not in RUN_MODES:
        raise ctx.fail("run", f"must be one of {', '.join(RUN_MODES)}, got {run!r}")
    if not adapter.supports(run):
        raise ctx.fail("run", f"model {adapter.name!r} cannot do {run!r}")
    replicates = _get(ctx, raw, "replicates", int, "") if "replicates" in raw else 1
    if replicates < 1:
        raise ctx.fail("replicates", f"must be an int >= 1, got {replicates}")
    base_seed = _get(ctx, raw, "base_seed", int, "") if "base_seed" in raw else 0
    if base_seed < 0:
        raise ctx.fail("base_seed", f"must be an int >= 0, got {base_seed}")
    common = _get(ctx, raw, "common_seeds", bool, "") if "common_seeds" in raw else False
    return model_name, adapter, name, description, run, replicates, base_seed, common


def _parse_blocks(ctx: _Ctx, raw: dict[str, Any], name: str) -> list[_Block]:
    """The ``[[block]]`` tables (or the single implicit block), each with the top level merged."""
    top_fixed, top_groups = _parse_level(ctx, raw, "")
    report = raw.get("report", {})
    if not isinstance(report, dict):
        raise ctx.fail("report", f"must be a table, got {report!r}")
    _check_keys(ctx, report, _REPORT_KEYS, "report.")
    top_x = report.get("x")
    if "block" not in raw:
        return [_Block(name, top_x, dict(top_fixed), list(top_groups))]
    raw_blocks = _get(ctx, raw, "block", list, "")
    if not raw_blocks:
        raise ctx.fail("block", "is an empty list")
    top_names = set(top_fixed) | {n for g in top_groups for n in g.names}
    blocks: list[_Block] = []
    for i, btab in enumerate(raw_blocks):
        bprefix = f"block[{i}]."
        if not isinstance(btab, dict):
            raise ctx.fail(f"block[{i}]", "must be a table ([[block]])")
        _check_keys(ctx, btab, _BLOCK_KEYS, bprefix)
        bfixed, bgroups = _parse_level(ctx, btab, bprefix)
        sources = [(p, src) for p, (_, src) in bfixed.items()] + [
            (p, src) for g in bgroups for p, src in zip(g.names, g.sources, strict=True)
        ]
        for pname, src in sources:
            if pname in top_names:
                raise ctx.fail(src, f"sets '{pname}', which the top level already sets")
        bname = _get(ctx, btab, "name", str, bprefix) if "name" in btab else f"block {i + 1}"
        bx = _get(ctx, btab, "x", str, bprefix) if "x" in btab else top_x
        blocks.append(_Block(bname, bx, {**top_fixed, **bfixed}, top_groups + bgroups))
    return blocks


def _check_block_parameters(
    ctx: _Ctx, raw: dict[str, Any], blocks: list[_Block], adapter: ModelAdapter
) -> None:
    """Every parameter a block sets belongs to the model, and ``x`` names one of them."""
    for i, b in enumerate(blocks):
        sources = {p: src for p, (_, src) in b.fixed.items()}
        for g in b.groups:
            sources |= dict(zip(g.names, g.sources, strict=True))
        for pname, src in sources.items():
            if pname not in adapter.parameters:
                raise ctx.fail(
                    src,
                    f"is not a parameter of model {adapter.name!r} "
                    f"(parameters: {', '.join(adapter.parameters)})",
                )
        if b.x is not None and b.x not in sources:
            key = f"block[{i}].x" if "block" in raw and "x" in raw["block"][i] else "report.x"
            raise ctx.fail(key, f"names {b.x!r}, which this sweep does not set")


def _block_combos(b: _Block):
    """Yield (values, sources) for every grid combination of one block."""
    for combo in itertools.product(*[g.rows for g in b.groups]):
        values = {k: v for k, (v, _) in b.fixed.items()}
        sources = {k: s for k, (_, s) in b.fixed.items()}
        for g, row in zip(b.groups, combo, strict=True):
            for pname, src, v in zip(g.names, g.sources, row, strict=True):
                values[pname] = v
                sources[pname] = src
        yield values, sources


def _plan_points(
    ctx: _Ctx,
    blocks: list[_Block],
    adapter: ModelAdapter,
    model_name: str,
    run: str,
    replicates: int,
    base_seed: int,
    common: bool,
) -> tuple[dict[str, PlannedPoint], list[BlockLayout]]:
    """Build and identify every point; a point shared by blocks is planned once."""
    from scalinglab import __version__

    points: dict[str, PlannedPoint] = {}
    layout: list[BlockLayout] = []
    for bi, b in enumerate(blocks):
        varying = tuple(n for g in b.groups for n in g.names if len({*map(str, g.rows)}) > 1)
        layout.append(BlockLayout(b.name, b.x or _auto_x(b.groups, adapter) or "", varying))
        for values, sources in _block_combos(b):
            canon = _build_point(ctx, adapter, values, sources)
            for rep in range(replicates):
                seed = point_seed(base_seed, rep, canon, common)
                pid = point_id(model_name, canon, seed, run, __version__)
                old = points.get(pid)
                if old is None:
                    points[pid] = PlannedPoint(
                        pid, len(points), model_name, canon, seed, rep, run, (bi,)
                    )
                elif bi not in old.blocks:
                    points[pid] = dataclasses.replace(old, blocks=(*old.blocks, bi))
    return points, layout


def parse_spec(text: str, *, source: str = "<spec>", default_name: str | None = None) -> SweepSpec:
    """Validate a spec given as TOML text; plan every point (configs built and checked).

    ``source`` names the spec in error messages; the sweep's name defaults to ``name`` in the
    TOML, else ``default_name``, else the stem of ``source`` (``"sweep"`` for ``"<spec>"``).

    Examples
    --------
    A log-spaced integer axis crossed with a list, two replicates: 2 × 3 × 2 points with
    distinct seeds; errors name the key:

    >>> text = '''
    ... model = "mrs"
    ... run = "predict"
    ... replicates = 2
    ... [fixed]
    ... latent_dim = 200
    ... alpha = 1.0
    ... [grid]
    ... features = [10, 40]
    ... samples = { log = [10, 1000], num = 3, integer = true }
    ... '''
    >>> spec = parse_spec(text)
    >>> len(spec.points), sorted({p.params["samples"] for p in spec.points})
    (12, [10, 100, 1000])
    >>> len({p.seed for p in spec.points})
    12
    >>> parse_spec(text.replace("num = 3", "num = 0"))
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: <spec>: 'grid.samples.num' must be an int >= 1, got 0
    """
    from scalinglab import __version__

    ctx = _Ctx(source)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: invalid TOML: {exc}") from None
    model_name, adapter, name, description, run, replicates, base_seed, common = _parse_header(
        ctx, raw, source, default_name
    )
    blocks = _parse_blocks(ctx, raw, name)
    _check_block_parameters(ctx, raw, blocks, adapter)
    fit = _parse_fit(ctx, raw.get("fit"), adapter, run)
    total = sum(replicates * math.prod(len(g.rows) for g in b.groups) for b in blocks)
    if total > MAX_POINTS:
        raise ctx.fail(None, f"plans {total} points; the limit is {MAX_POINTS}")
    points, layout = _plan_points(
        ctx, blocks, adapter, model_name, run, replicates, base_seed, common
    )
    if not points:
        raise ctx.fail(None, "plans no points")
    return SweepSpec(
        name=name,
        description=description,
        model=model_name,
        run=run,
        replicates=replicates,
        base_seed=base_seed,
        common_seeds=common,
        fit=fit,
        layout=tuple(layout),
        points=tuple(points.values()),
        text=text,
        source=source,
        version=__version__,
        adapter=adapter,
    )
