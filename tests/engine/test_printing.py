"""The engine's tensor repr against torch's, byte for byte.

Every expected string is ``repr()`` of the same array as a torch tensor; the
formatter is called with ``module="torch"`` so that ``dtype=torch.float64``
compares equal too.
"""

import importlib
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def _load_printing():
    """The module under test, whether or not ``autograd_mini`` is importable yet."""
    try:
        return importlib.import_module("autograd_mini._printing")
    except ModuleNotFoundError as error:
        if error.name != "autograd_mini":
            raise
    path = Path(__file__).resolve().parents[2] / "autograd_mini" / "_printing.py"
    spec = importlib.util.spec_from_file_location("autograd_mini_printing", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


printing = _load_printing()

# A warning from printing would show up under every repr in a student's notebook.
pytestmark = pytest.mark.filterwarnings("error")

# Hypothesis' own deadline is a timing assertion; the suite stays fast by its
# example counts instead.
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])

GRAD_MODES = ("none", "requires_grad", "grad_fn")
# ops whose result holds exactly the input's values (NaN, -0.0 and inf included)
VALUE_PRESERVING_OPS = {
    "clone": lambda t: t.clone(),
    "mul_one": lambda t: t * 1,
    "reshape": lambda t: t.reshape(t.shape),
}


def torch_and_ours(arr, grad_mode="none", op="clone"):
    """(torch's repr, the engine's repr) of one array, as a leaf or op result."""
    t = torch.from_numpy(arr.copy())  # a C-ordered copy torch may own
    suffixes = []
    if grad_mode != "none":
        t.requires_grad_()
        suffixes = ["requires_grad=True"]
    if grad_mode == "grad_fn":
        t = VALUE_PRESERVING_OPS[op](t)
        suffixes = [f"grad_fn=<{t.grad_fn.name()}>"]
    ours = printing.format_tensor(arr, dtype_name=str(arr.dtype), suffixes=suffixes, module="torch")
    return repr(t), ours


def assert_prints_like_torch(arr, grad_mode="none", op="clone"):
    expected, actual = torch_and_ours(arr, grad_mode, op)
    assert actual == expected


# --- named behaviours ------------------------------------------------------

rng = np.random.default_rng(0)
NAMED_ARRAYS = {
    "scalar": np.array(52.4129, dtype=np.float32),
    "int_scalar": np.array(-7),
    "bool_scalar": np.array(True),
    "nan_scalar": np.array(np.nan, dtype=np.float32),
    "vector": rng.standard_normal(5).astype(np.float32),
    "whole_floats": np.array([1.0, -2.0, 30.0], dtype=np.float32),
    "negative_zero": np.array([-0.0, 0.0, 1.5], dtype=np.float32),
    "negative_zero_whole": np.array([-0.0, 2.0], dtype=np.float32),
    "only_zeros": np.zeros(4, dtype=np.float32),
    "nan_inf_only": np.array([np.nan, np.inf, -np.inf], dtype=np.float32),
    "nan_inf_and_values": np.array([np.nan, np.inf, -np.inf, 0.5, 2.0], dtype=np.float32),
    "nan_with_whole": np.array([np.nan, 1.0], dtype=np.float32),
    "sci_by_ratio": np.array([1.0, 1001.0, 0.5], dtype=np.float32),
    "sci_by_large": np.array([1.5e8, 2.5e8], dtype=np.float32),
    "sci_by_small": np.array([5e-5, 6e-5], dtype=np.float32),
    "sci_whole_floats": np.array([1.0, 1e9], dtype=np.float32),
    "sci_with_inf": np.array([np.inf, 1e10], dtype=np.float32),
    "float64": rng.standard_normal((2, 3)),
    "float64_whole": np.array([1.0, 2.0]),
    "float16": np.array([1.5, -0.25, 60000.0], dtype=np.float16),
    "int64": np.array([[1, -20], [300, 4]]),
    "int32": np.array([1, -2], dtype=np.int32),
    "bool": np.array([True, False]),
    "bool_matrix": np.array([[True, True], [False, True]]),
    "matrix": rng.standard_normal((3, 4)).astype(np.float32),
    "three_d": rng.standard_normal((2, 3, 4)).astype(np.float32),
    "four_d": rng.standard_normal((2, 2, 2, 3)).astype(np.float32),
    "long_vector_wraps": rng.standard_normal(40).astype(np.float32) * 100,
    "long_int_vector_wraps": np.arange(100),
    "wide_matrix_wraps": rng.standard_normal((2, 30)).astype(np.float32),
    "empty_vector": np.zeros(0, dtype=np.float32),
    "empty_matrix": np.zeros((0, 3), dtype=np.float32),
    "empty_3d": np.zeros((2, 0, 4), dtype=np.float32),
    "empty_int": np.zeros(0, dtype=np.int64),
    "empty_bool": np.zeros((0, 2), dtype=bool),
    "empty_float64": np.zeros(0),
    "summarized_vector": np.arange(1001, dtype=np.float32),
    "summarized_matrix": rng.standard_normal((40, 50)).astype(np.float32),
    "summarized_short_rows": rng.standard_normal((1000, 2)).astype(np.float32),
    "summarized_3d": rng.standard_normal((10, 10, 11)),
    "summarized_ints": np.arange(5000).reshape(50, 100),
    "threshold_is_inclusive": np.arange(1000, dtype=np.float32),
}


@pytest.mark.parametrize(
    "name, grad_mode",
    [
        (name, mode)
        for name, arr in NAMED_ARRAYS.items()
        # only floating tensors can require grad
        for mode in (GRAD_MODES if arr.dtype.kind == "f" else ("none",))
    ],
)
def test_named_behaviour_prints_like_torch(name, grad_mode):
    assert_prints_like_torch(NAMED_ARRAYS[name], grad_mode)


def test_module_name_replaces_torch_in_dtype():
    arr = np.array([1.0, 2.0])
    expected = repr(torch.from_numpy(arr)).replace("torch.", "autograd_mini.")
    assert printing.format_tensor(arr, dtype_name="float64") == expected


# --- drawn arrays ----------------------------------------------------------

DTYPES = ["float32", "float64", "float16", "int64", "int32", "bool"]
SPECIAL_FLOATS = [0.0, -0.0, math.nan, math.inf, -math.inf]


def float_values():
    """Floats of every kind the formatter distinguishes."""
    mantissa_times_power = st.builds(
        lambda m, e: m * 10.0**e, st.floats(-10, 10), st.integers(-12, 12)
    )
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(10**6), 10**6).map(float),
        st.sampled_from(SPECIAL_FLOATS),
        mantissa_times_power,
    )


@st.composite
def arrays(draw, shapes):
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(shapes)
    if dtype == "bool":
        return draw(hnp.arrays(bool, shape))
    if dtype.startswith("int"):
        bits = np.iinfo(dtype).bits
        ints = st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        return draw(hnp.arrays(dtype, shape, elements=st.one_of(ints, st.integers(-50, 50))))
    # Drawn as float64, then rounded to the dtype; overflow to inf is a case too.
    values = draw(hnp.arrays(np.float64, shape, elements=float_values()))
    with np.errstate(over="ignore"):
        return values.astype(dtype)


@st.composite
def grad_modes(draw, arr):
    if arr.dtype.kind != "f":
        return "none", "clone"
    return draw(st.sampled_from(GRAD_MODES)), draw(st.sampled_from(sorted(VALUE_PRESERVING_OPS)))


small_shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)


@settings(max_examples=200, **SETTINGS)
@given(data=st.data())
def test_drawn_arrays_print_like_torch(data):
    arr = data.draw(arrays(small_shapes))
    grad_mode, op = data.draw(grad_modes(arr))
    assert_prints_like_torch(arr, grad_mode, op)


@st.composite
def summarized_arrays(draw):
    """More than 1000 elements, filled from a seeded generator at a drawn scale."""
    trailing = draw(st.lists(st.integers(1, 30), max_size=2))
    leading_min = 1000 // math.prod(trailing) + 1
    shape = (draw(st.integers(leading_min, leading_min + 40)), *trailing)
    gen = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["float", "whole", "int", "bool"]))
    if kind == "int":
        return gen.integers(-(10 ** draw(st.integers(0, 12))), 10**6, size=shape)
    if kind == "bool":
        return gen.random(shape) < 0.5
    values = gen.standard_normal(shape) * 10.0 ** draw(st.integers(-10, 10))
    if kind == "whole":
        values = np.round(values)
    flat = values.reshape(-1)
    for index in draw(st.lists(st.integers(0, flat.size - 1), max_size=5)):
        flat[index] = draw(st.sampled_from(SPECIAL_FLOATS))
    return values.astype(draw(st.sampled_from(["float32", "float64"])))


@settings(max_examples=60, **SETTINGS)
@given(data=st.data())
def test_summarized_arrays_print_like_torch(data):
    arr = data.draw(summarized_arrays())
    grad_mode, op = data.draw(grad_modes(arr))
    assert_prints_like_torch(arr, grad_mode, op)


# --- print options ---------------------------------------------------------

print_options = st.fixed_dictionaries(
    {},
    optional={
        "precision": st.integers(0, 8),
        "threshold": st.sampled_from([0, 5, 20, 1000, math.inf]),
        "edgeitems": st.integers(0, 4),
        "linewidth": st.integers(10, 120),
        "profile": st.sampled_from(["default", "short", "full"]),
        "sci_mode": st.sampled_from([None, True, False]),
    },
)


@settings(max_examples=150, **SETTINGS)
@given(data=st.data(), calls=st.lists(print_options, min_size=1, max_size=3))
def test_print_options_act_like_torch(data, calls):
    arr = data.draw(arrays(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=8)))
    grad_mode, op = data.draw(grad_modes(arr))
    try:
        # Several calls in a row: each call resets sci_mode, as in torch.
        for options in calls:
            torch.set_printoptions(**options)
            printing.set_printoptions(**options)
        assert_prints_like_torch(arr, grad_mode, op)
    finally:
        # The options are global in both libraries; leave the defaults for
        # the next example and the next test.
        torch.set_printoptions(profile="default")
        printing.set_printoptions(profile="default")
