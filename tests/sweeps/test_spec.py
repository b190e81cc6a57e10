"""Sweep specs: grids, ranges, zips, blocks, seeds, identities, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sweeps_helpers import TOY, toy_spec_text

from scalinglab._validation import InputError
from scalinglab.sweeps.spec import load_spec, parse_spec, point_id, point_seed


def _values(spec, name):
    return [p.params[name] for p in spec.points]


def test_product_grid_with_replicates():
    spec = parse_spec(toy_spec_text())
    # 6 n-values x 3 t-values x 2 replicates
    assert len(spec.points) == 36
    assert sorted({p.params["n"] for p in spec.points}) == [1, 3, 6, 16, 40, 100]
    assert {p.params["t"] for p in spec.points} == {10, 100, 1000}
    assert {p.replicate for p in spec.points} == {0, 1}
    assert [p.idx for p in spec.points] == list(range(36))
    # canonical parameters carry the model's defaults
    assert all(p.params["fail_at"] == -1 for p in spec.points)


def test_ranges_log_linear_integer():
    spec = parse_spec(
        toy_spec_text(
            grid="n = { linear = [2, 10], num = 5, integer = true }\n"
            "t = { values = [7, 9] }\nalpha = { log = [0.1, 10], num = 3 }",
            fixed="",
        ).replace("alpha = 0.5\n", "")
    )
    assert sorted(set(_values(spec, "n"))) == [2, 4, 6, 8, 10]
    # log range: geometric, rounded to 12 significant digits (independent: 0.1 * 10**k)
    assert sorted(set(_values(spec, "alpha"))) == [0.1, 1.0, 10.0]


def test_integer_log_range_drops_duplicates():
    spec = parse_spec(toy_spec_text(grid="n = { log = [1, 4], num = 6, integer = true }\nt = [5]"))
    # geomspace(1, 4, 6) = 1, 1.32, 1.74, 2.30, 3.03, 4 -> rounds to 1, 1, 2, 2, 3, 4
    assert sorted(set(_values(spec, "n"))) == [1, 2, 3, 4]
    assert len(spec.points) == 4 * 2


def test_zip_varies_axes_together():
    text = toy_spec_text(grid="alpha = [0.5]", extra="[[zip]]\nn = [1, 2, 3]\nt = [10, 20, 30]")
    spec = parse_spec(text.replace("alpha = 0.5\n", "", 1))
    pairs = sorted({(p.params["n"], p.params["t"]) for p in spec.points})
    assert pairs == [(1, 10), (2, 20), (3, 30)]


def test_blocks_union_and_dedupe():
    text = (
        f'model = "{TOY}"\n[fixed]\nalpha = 1.0\n'
        '[[block]]\nname = "vs n"\n[block.grid]\nn = [1, 2, 3]\nt = [10]\n'
        '[[block]]\nname = "vs t"\nx = "t"\n[block.grid]\nt = [10, 20]\nn = [2]\n'
    )
    spec = parse_spec(text)
    # (n=2, t=10) is in both blocks: planned once, member of both
    assert len(spec.points) == 3 + 2 - 1
    shared = [p for p in spec.points if p.params["n"] == 2 and p.params["t"] == 10]
    assert len(shared) == 1 and shared[0].blocks == (0, 1)
    assert [b.x for b in spec.layout] == ["n", "t"]


def test_seeds_derived_from_spec_not_order():
    a = parse_spec(toy_spec_text())
    # the same grid written in another order plans the same points with the same seeds
    b = parse_spec(
        toy_spec_text(grid="t = [1000, 100, 10]\nn = { log = [1, 100], num = 6, integer = true }")
    )
    key = lambda s: {(p.params["n"], p.params["t"], p.replicate): (p.seed, p.id) for p in s.points}  # noqa: E731
    assert key(a) == key(b)
    seeds = [p.seed for p in a.points]
    assert len(set(seeds)) == len(seeds)  # every point its own stream
    assert all(0 <= s < 2**63 for s in seeds)
    # common random numbers: one seed per replicate
    c = parse_spec(toy_spec_text(head="common_seeds = true"))
    assert len({p.seed for p in c.points}) == 2
    # another base seed changes every seed
    d = parse_spec(toy_spec_text().replace("base_seed = 3", "base_seed = 4"))
    assert not set(seeds) & {p.seed for p in d.points}


def test_identity_covers_model_params_seed_run_version():
    params = {"n": 1, "t": 2}
    base = point_id("m", params, 5, "both", "1.0")
    assert point_id("m", params, 5, "both", "1.0") == base
    for other in (
        point_id("m2", params, 5, "both", "1.0"),
        point_id("m", {"n": 1, "t": 3}, 5, "both", "1.0"),
        point_id("m", params, 6, "both", "1.0"),
        point_id("m", params, 5, "simulate", "1.0"),
        point_id("m", params, 5, "both", "1.1"),
    ):
        assert other != base
    assert point_seed(0, 0, params, False) != point_seed(0, 1, params, False)


def test_mrs_spec_plans_with_model_defaults():
    text = (
        'model = "mrs"\n[fixed]\nlatent_dim = 500\nalpha = 1.0\nseeds = 2\n'
        '[grid]\nfeatures = [10, 20]\nsamples = [30]\nridge = [0.0, "opt"]\n'
    )
    spec = parse_spec(text)
    assert len(spec.points) == 4
    p = spec.points[0].params
    assert p["lambda_plus"] == 1.0 and p["noise_var"] == 0.0 and p["closed_form"] is False
    assert {q.params["ridge"] for q in spec.points} == {0.0, "opt"}
    assert spec.fit.form == "mrs"


BAD_SPECS = [
    ("model = [1", "invalid TOML"),
    ('model = "mrs"\nbogus = 1', "'bogus'"),
    ("[fixed]\nn = 1", "'model'"),
    ('model = "nope"', "'model'"),
    (toy_spec_text().replace('run = "both"', 'run = "sim"'), "'run'"),
    (toy_spec_text().replace("replicates = 2", "replicates = 0"), "'replicates'"),
    (toy_spec_text().replace("base_seed = 3", "base_seed = -1"), "'base_seed'"),
    (toy_spec_text().replace("base_seed = 3", "base_seed = 1.5"), "'base_seed'"),
    (toy_spec_text(grid="n = [1, 2]\nt = [1]\nnnn = [1]"), "'grid.nnn'"),
    (toy_spec_text(grid="n = 3\nt = [1]"), "'grid.n'"),
    (toy_spec_text(grid="n = []\nt = [1]"), "'grid.n'"),
    (toy_spec_text(grid="n = { log = [1, 100] }\nt = [1]"), "'grid.n.num'"),
    (toy_spec_text(grid="n = { log = [0, 100], num = 3 }\nt = [1]"), "'grid.n.log'"),
    (toy_spec_text(grid="n = { log = [1, 100], num = 0 }\nt = [1]"), "'grid.n.num'"),
    (toy_spec_text(grid="n = { log = [1, 10], lin = 2, num = 2 }\nt = [1]"), "'grid.n.lin'"),
    (toy_spec_text(grid="n = { values = [1.5], integer = true }\nt = [1]"), "'grid.n.values'"),
    (toy_spec_text(grid="n = [1, 2]\nt = [1]\nalpha = [1.0]"), "'grid.alpha'"),
    (toy_spec_text(grid="n = [1, -2]\nt = [1]"), "'grid.n'"),
    (toy_spec_text(grid="n = [1]\nt = [1]", fixed="sleep = -1.0"), "'fixed.sleep'"),
    (toy_spec_text(grid="n = [1]", extra="[[zip]]\nt = [1, 2]\nfail_at = [1]"), "'zip[0]'"),
    (toy_spec_text(extra='[fit]\nform = "kaplan"'), "'fit.form'"),
    (toy_spec_text(extra='[fit]\ngroup_by = ["zzz"]'), "'fit.group_by'"),
    (toy_spec_text(extra="[fit]\nmin_aspect = 0.5"), "'fit.min_aspect'"),
    (toy_spec_text(extra="[fit]\nwhere = { q = 1 }"), "'fit.where.q'"),
    (toy_spec_text(extra='[report]\nx = "sleep"'), "'report.x'"),
    (
        f'model = "{TOY}"\n[fixed]\nalpha = 1.0\n[[block]]\n[block.fixed]\nalpha = 2.0\n',
        "'block[0].fixed.alpha'",
    ),
    (
        'model = "mrs"\n[fixed]\nlatent_dim = 10\nfeatures = 5\nsamples = 5\n'
        "[grid]\nalpha = [1.0, -1.0]",
        "'grid.alpha'",
    ),
    (
        'model = "mrs"\n[fixed]\nlatent_dim = 10\nfeatures = 5\nsamples = 5\nalpha = 1.0\n'
        'ridge = "best"',
        "'fixed.ridge'",
    ),
]


@pytest.mark.parametrize(("text", "key"), BAD_SPECS)
def test_spec_errors_name_the_key(text, key):
    with pytest.raises(InputError) as info:
        parse_spec(text, source="s.toml")
    msg = str(info.value)
    assert key in msg
    assert msg.startswith("s.toml: ")
    assert "\n" not in msg


def test_cli_spec_error_exit_2_no_store(run_cli, write_spec, tmp_path):
    spec = write_spec(toy_spec_text(grid="n = [1, 2]\nt = [1]\nnnn = [1]"))
    db = tmp_path / "x.db"
    code, out, err = run_cli("sweep", "run", str(spec), "--db", str(db), "--quiet")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "'grid.nnn'" in err
    assert not db.exists()


def test_generated_values_are_stable_numbers():
    spec = parse_spec(
        toy_spec_text(grid="n = [1]\nt = [1]\nalpha = { linear = [0.1, 1.1], num = 11 }").replace(
            "alpha = 0.5\n", ""
        )
    )
    # numpy gives 0.1 + 0.2 = 0.30000000000000004 here; rounding to 12 significant digits makes
    # the stored value (and so the point identity) the number a person would write
    assert np.linspace(0.1, 1.1, 11)[2] != 0.3
    assert sorted(set(_values(spec, "alpha")))[:3] == [0.1, 0.2, 0.3]


EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_specs_validate(path):
    if "sgd" in path.name:
        pytest.importorskip("scalinglab.models.sgd", reason="the SGD model is not installed")
    spec = load_spec(path)
    assert spec.points and spec.fit.form in ("mrs", "chinchilla")
    assert all(b.x for b in spec.layout)
