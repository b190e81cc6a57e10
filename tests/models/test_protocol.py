"""One generic check, run over every registered model (scalinglab.models.available()).

A model folder that defines ``MODEL`` is picked up automatically, so a new model is covered by
this file without editing it.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from matplotlib.axes import Axes

from scalinglab import InputError
from scalinglab.models import Model, Prediction, Simulation, available, get, standard_error
from scalinglab.models.protocol import components_of

MODELS = available()


def test_builtin_models_are_registered():
    assert {"mrs", "sgd"} <= set(MODELS)


def test_unknown_model_is_an_input_error():
    with pytest.raises(InputError, match="unknown model 'nope'"):
        get("nope")


@pytest.fixture(params=MODELS)
def model(request) -> Model:
    return get(request.param)


def test_model_object_follows_protocol(model):
    assert isinstance(model, Model)
    assert dataclasses.is_dataclass(model.config_type)
    assert model.config_type.__dataclass_params__.frozen
    cfg = model.example()
    assert isinstance(cfg, model.config_type)
    # the config validates on construction: a rebuilt copy equals the original
    assert model.config(**{f: getattr(cfg, f) for f in model.config_fields()}) == cfg


def _first_numeric_field(cfg) -> str:
    for f in dataclasses.fields(cfg):
        if isinstance(getattr(cfg, f.name), int) and not isinstance(getattr(cfg, f.name), bool):
            return f.name
    raise AssertionError("config has no integer field")


def test_config_rejects_impossible_value(model):
    cfg = model.example()
    name = _first_numeric_field(cfg)
    kw = {f: getattr(cfg, f) for f in model.config_fields()}
    kw[name] = -7
    with pytest.raises(InputError, match=name):
        model.config(**kw)


def _finite(x) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    return arr[np.isfinite(arr)]


def test_simulate_and_predict_share_the_result_types(model):
    cfg = model.example()
    sim = model.simulate(cfg, seeds=3, seed=1)
    pred = model.predict(cfg)
    assert isinstance(sim, Simulation) and isinstance(pred, Prediction)
    for res in (sim, pred):
        assert res.model == model.name
        assert str(res.status) in {"converged", "unavailable", "max_iter", "failed", "partial"}
        assert isinstance(res.message, str)
        assert isinstance(dict(components_of(res)), dict)
        summary = res.summary()
        json.dumps(summary, allow_nan=False)  # JSON-safe: NaN became null
        json.dumps(res.to_dict() if hasattr(res, "to_dict") else {}, default=lambda o: None)
        if res.axis is not None:
            name, values = res.axis
            assert isinstance(name, str) and np.size(values) == np.size(res.loss)
    assert sim.seeds == 3
    assert np.all(_finite(sim.loss) > 0)
    # one rule for the standard error: the seed-to-seed spread / sqrt(seeds)
    assert np.all(_finite(sim.loss_sem) >= 0)
    # the same seed gives the same numbers
    again = model.simulate(cfg, seeds=3, seed=1)
    np.testing.assert_array_equal(np.asarray(again.loss), np.asarray(sim.loss))


def test_one_seed_standard_error_is_nan_and_null_in_json(model):
    sim = model.simulate(model.example(), seeds=1, seed=0)
    assert np.all(np.isnan(np.asarray(sim.loss_sem, dtype=float)))
    summary = sim.summary()
    sem = summary["loss_sem"]
    assert sem is None or all(v is None for v in sem)


def test_theory_tracks_simulation_on_the_example(model):
    # The examples are small, so only a loose agreement is required: the theory is within a
    # factor 2 of the simulation (finite-size corrections at these sizes are 5-30 %).
    cfg = model.example()
    sim, pred = model.simulate(cfg, seeds=4, seed=0), model.predict(cfg)
    if pred.loss is None:
        pytest.skip(pred.message)
    ratio = _finite(np.asarray(pred.loss, dtype=float) / np.asarray(sim.loss, dtype=float))
    assert ratio.size and np.all((ratio > 0.5) & (ratio < 2.0)), ratio


def test_plot_draws_on_given_axes(model):
    from matplotlib.figure import Figure

    cfg = model.example()
    sim, pred = model.simulate(cfg, seeds=2, seed=0), model.predict(cfg)
    ax = Figure().add_subplot()
    out = sim.plot(ax=ax, theory=pred)
    assert out is ax and isinstance(out, Axes)
    assert ax.lines or ax.patches
    own = pred.plot()
    assert isinstance(own, Axes) and own is not ax


def test_sweep_adapter_reads_the_protocol_loss(model):
    if model.sweep is None:
        pytest.skip(f"{model.name} is not sweepable")
    adapter = model.sweep()
    cfg = model.example()
    params = {f: getattr(cfg, f) for f in model.config_fields()}
    built, canon = adapter.build(params)
    row = adapter.simulate(built, canon, 0)
    sim = model.simulate(built, seeds=canon.get("seeds", 4), seed=0)
    last = float(np.ravel(np.asarray(sim.loss, dtype=float))[-1])
    assert math.isclose(row[adapter.sim_loss], last, rel_tol=1e-12)


def test_standard_error_rule():
    # closed form: values 1, 2, 3 -> sd 1, sem 1/sqrt(3)
    assert math.isclose(standard_error([1.0, 2.0, 3.0]), 1 / math.sqrt(3), rel_tol=1e-15)
    assert math.isnan(standard_error([2.0]))
    np.testing.assert_allclose(standard_error(np.array([[1.0, 0.0], [3.0, 0.0]])), [1.0, 0.0])
