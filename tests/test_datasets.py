"""Loading digits and user arrays, with one-line errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab._validation import InputError
from scalinglab.empirical.datasets import load_dataset, load_digits


def test_digits_is_bundled_and_cleaned():
    ds = load_digits()
    assert ds.x.shape == (1797, 61)  # 64 pixels minus the 3 that are 0 in every image
    assert ds.y.shape == (1797, 10)
    np.testing.assert_array_equal(ds.y.sum(axis=1), 1.0)  # one-hot
    assert np.all(ds.x.std(axis=0) > 0)
    assert load_dataset("digits").x.shape == (1797, 61)


@pytest.fixture
def arrays(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 4))
    y = rng.standard_normal(20)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    np.savez(tmp_path / "xy.npz", x=x, y=y)
    np.savetxt(tmp_path / "x.csv", x, delimiter=",")
    header = "a,b,c,d,label"
    np.savetxt(
        tmp_path / "xh.csv", np.column_stack([x, y]), delimiter=",", header=header, comments=""
    )
    return tmp_path, x, y


def test_user_formats_round_trip(arrays):
    path, x, y = arrays
    np.testing.assert_array_equal(load_dataset(path / "x.npy").x, x)
    ds = load_dataset(path / "x.npy", path / "y.npy")
    np.testing.assert_array_equal(ds.y[:, 0], y)
    ds = load_dataset(path / "xy.npz")
    np.testing.assert_array_equal(ds.y[:, 0], y)
    np.testing.assert_allclose(load_dataset(path / "x.csv").x, x, rtol=1e-15)
    ds = load_dataset(path / "xh.csv", "label")  # label column by name
    assert ds.columns == ["a", "b", "c", "d"]
    np.testing.assert_allclose(ds.y[:, 0], y, rtol=1e-15)
    assert load_dataset(path / "x.npy").y is None


def _write(path, text):
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("a,b,c\n1,2,3\n4,5,6\n7,8\n", r"ragged CSV: line 4 has 2 fields, expected 3"),
        ("1,2,3\n4,5,6\n7,8,x\n", r"line 3, column 3: 'x' is not a number"),
        ("1,2,3\n4,2,6\n7,2,9\n", r"constant column col_2 \(column 2\)"),
        ("1,2,3\n4,nan,6\n7,8,9\n", r"NaN or infinite values \(first at row 2, column 2"),
        ("", r"empty"),
    ],
)
def test_bad_csv_is_a_one_line_error(tmp_path, content, match):
    with pytest.raises(InputError, match=match) as err:
        load_dataset(_write(tmp_path / "d.csv", content))
    assert "\n" not in str(err.value)


def test_label_problems(arrays, tmp_path):
    path = arrays[0]
    np.save(tmp_path / "short.npy", np.arange(7.0))
    with pytest.raises(InputError, match="7 labels for 20 samples"):
        load_dataset(path / "x.npy", tmp_path / "short.npy")
    np.save(tmp_path / "const.npy", np.ones(20))
    with pytest.raises(InputError, match="labels are constant"):
        load_dataset(path / "x.npy", tmp_path / "const.npy")
    with pytest.raises(InputError, match="neither a file nor a column"):
        load_dataset(path / "xh.csv", "nope")
    with pytest.raises(InputError, match="own labels"):
        load_dataset("digits", path / "y.npy")


def test_other_bad_inputs(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_dataset(tmp_path / "missing.npy")
    np.save(tmp_path / "vec.npy", np.arange(5.0))
    with pytest.raises(InputError, match="2-D"):
        load_dataset(tmp_path / "vec.npy")
    (tmp_path / "x.txt").write_text("1,2\n")
    with pytest.raises(InputError, match="unsupported type"):
        load_dataset(tmp_path / "x.txt")
    (tmp_path / "bad.npy").write_bytes(b"not numpy")
    with pytest.raises(InputError, match="not a readable"):
        load_dataset(tmp_path / "bad.npy")


def test_drop_constant(tmp_path):
    ds = load_dataset(_write(tmp_path / "c.csv", "1,2,3\n4,2,6\n7,2,9\n"), drop_constant=True)
    assert ds.x.shape == (3, 2)
    assert ds.notes == ["dropped 1 constant column(s)"]
