"""Every operation against torch: forward values, gradients, node names and the
next_functions structure, on shapes drawn by Hypothesis, in float32 and float64."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import broadcastable_shapes, array_shapes

import autograd_mini
from _twin import assert_close, make, structure

# name -> (program taking the module and tensors, number of tensor inputs, domain)
# Domains keep inputs away from kinks and poles, where the engines may legitimately
# pick different one-sided derivatives.
UNARY = {
    "neg": (lambda m, a: -a, "any"),
    "abs": (lambda m, a: a.abs(), "nonzero"),
    "exp": (lambda m, a: m.exp(a), "any"),
    "log": (lambda m, a: a.log(), "positive"),
    "sqrt": (lambda m, a: m.sqrt(a), "positive"),
    "sin": (lambda m, a: a.sin(), "any"),
    "cos": (lambda m, a: m.cos(a), "any"),
    "tanh": (lambda m, a: a.tanh(), "any"),
    "sigmoid": (lambda m, a: m.sigmoid(a), "any"),
    "relu": (lambda m, a: a.relu(), "nonzero"),
    "pow2": (lambda m, a: a ** 2, "any"),
    "pow3": (lambda m, a: a.pow(3), "any"),
    "powf": (lambda m, a: a ** 1.5, "positive"),
    "rpow": (lambda m, a: 2 ** a, "any"),
    "clamp": (lambda m, a: a.clamp(-0.5, 0.5), "nonzero"),
    "clamp_min": (lambda m, a: m.clamp(a, min=0.1), "nonzero"),
    "add_s": (lambda m, a: a + 2, "any"),
    "radd_s": (lambda m, a: 2 + a, "any"),
    "sub_s": (lambda m, a: a - 2, "any"),
    "rsub_s": (lambda m, a: 2 - a, "any"),
    "mul_s": (lambda m, a: a * 3, "any"),
    "rmul_s": (lambda m, a: 3 * a, "any"),
    "div_s": (lambda m, a: a / 3, "any"),
    "rdiv_s": (lambda m, a: 2 / a, "nonzero"),
    "sum": (lambda m, a: a.sum(), "any"),
    "mean": (lambda m, a: a.mean(), "any"),
    "max": (lambda m, a: a.max(), "distinct"),
    "min": (lambda m, a: m.min(a), "distinct"),
    "norm": (lambda m, a: a.norm(), "nonzero"),
    "norm1": (lambda m, a: a.norm(p=1), "nonzero"),
    "norm3": (lambda m, a: a.norm(p=3), "nonzero"),
    "clone": (lambda m, a: a.clone(), "any"),
    "flatten": (lambda m, a: a.reshape(-1), "any"),
    "expand": (lambda m, a: a.unsqueeze(0).expand(2, *a.shape), "any"),
    "square": (lambda m, a: a.square(), "any"),
}
BINARY = {
    "add": (lambda m, a, b: a + b, "any"),
    "sub": (lambda m, a, b: a - b, "any"),
    "mul": (lambda m, a, b: a * b, "any"),
    "div": (lambda m, a, b: a / b, "nonzero"),
    "pow": (lambda m, a, b: a ** b, "positive"),
    "maximum": (lambda m, a, b: m.maximum(a, b), "distinct"),
    "minimum": (lambda m, a, b: m.minimum(a, b), "distinct"),
    "where": (lambda m, a, b: m.where(a > b, a, b), "distinct"),
    "add_alpha": (lambda m, a, b: m.add(a, b, alpha=2), "any"),
}


def _draw(rng, shape, domain, dtype):
    x = rng.uniform(-2, 2, size=shape)
    if domain == "positive":
        x = np.abs(x) + 0.2
    elif domain in ("nonzero", "distinct"):
        x = np.where(np.abs(x) < 0.1, 0.3, x)
        if domain == "distinct":  # unique values: no ties for max/min/maximum
            x = x + np.arange(x.size).reshape(shape) * 1e-2
    return x.astype(dtype)


def _check(program, arrays, dtype):
    results, grads = [], []
    for lib in (autograd_mini, torch):
        inputs = [make(lib, a) for a in arrays]
        out = program(lib, *inputs)
        seed = np.random.default_rng(1).uniform(0.5, 1.5, size=tuple(out.shape)).astype(dtype)
        out.backward(lib.tensor(seed))
        results.append((out, structure(out)))
        grads.append([t.grad for t in inputs])
    (mini, mini_graph), (ref, ref_graph) = results
    tol = dict(rtol=2e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    assert_close(mini, ref, **tol)
    assert mini_graph == ref_graph
    for g_mini, g_ref in zip(*grads):
        assert_close(g_mini, g_ref, rtol=tol["rtol"] * 10, atol=tol["atol"] * 10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=8, deadline=None)
@given(shape=array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), seed=st.integers(0, 99))
def test_unary(name, dtype, shape, seed):
    program, domain = UNARY[name]
    _check(program, [_draw(np.random.default_rng(seed), shape, domain, dtype)], dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=8, deadline=None)
@given(shapes=broadcastable_shapes(shape=(2, 3), min_dims=0, max_dims=3, min_side=1, max_side=3),
       seed=st.integers(0, 99), flip=st.booleans())
def test_binary_broadcasting(name, dtype, shapes, seed, flip):
    program, domain = BINARY[name]
    rng = np.random.default_rng(seed)
    a, b = _draw(rng, (2, 3), domain, dtype), _draw(rng, shapes, domain, dtype)
    if name in ("maximum", "minimum", "where"):
        b = b + 0.005  # never equal to a value of a
    _check(program, [b, a] if flip else [a, b], dtype)


DIM_OPS = {
    "sum0": lambda m, a: a.sum(0),
    "sum_keep": lambda m, a: a.sum(1, keepdim=True),
    "sum_dims": lambda m, a: a.sum((0, 1)),
    "mean0": lambda m, a: a.mean(0),
    "mean_keep": lambda m, a: a.mean(-1, keepdim=True),
    "max0": lambda m, a: a.max(0).values,
    "max_keep": lambda m, a: a.max(1, keepdim=True)[0],
    "min1": lambda m, a: a.min(1).values,
    "norm_dim": lambda m, a: a.norm(dim=1),
    "reshape": lambda m, a: a.reshape(3, 4),
    "view": lambda m, a: a.view(-1),
    "t": lambda m, a: a.t(),
    "T": lambda m, a: a.T,
    "transpose": lambda m, a: a.transpose(0, 1),
    "permute": lambda m, a: a.permute(1, 0),
    "unsqueeze": lambda m, a: a.unsqueeze(1),
    "squeeze": lambda m, a: a.unsqueeze(0).squeeze(),
    "squeeze0": lambda m, a: a.unsqueeze(0).squeeze(0),
    "index_int": lambda m, a: a[1],
    "index_two": lambda m, a: a[0, 2],
    "index_col": lambda m, a: a[:, 1],
    "index_slice": lambda m, a: a[1:],
    "index_mixed": lambda m, a: a[0, 1:],
    "index_step": lambda m, a: a[:, ::2],
    "index_none": lambda m, a: a[None],
    "index_list": lambda m, a: a[[0, 2, 0]],
    "index_mask": lambda m, a: a[a > 0],
    "mv": lambda m, a: a @ m.tensor(np.linspace(-1, 1, 4).astype(a.detach().numpy().dtype)),
    "mm": lambda m, a: a @ a.t(),
    "dot": lambda m, a: a[0] @ a[1],
    "vecmat": lambda m, a: a[0] @ a.t(),
    "cat": lambda m, a: m.cat([a, a * 2], dim=1),
    "stack": lambda m, a: m.stack([a, a.exp()]),
    "select": lambda m, a: a.select(1, 2),
    "narrow": lambda m, a: a.narrow(1, 1, 2),
    "relu_mm": lambda m, a: (a @ a.t()).relu().sum(),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(DIM_OPS))
def test_shaped_ops(name, dtype):
    rng = np.random.default_rng(7)
    a = _draw(rng, (3, 4), "distinct", dtype)
    _check(DIM_OPS[name], [a], dtype)


def test_batched_matmul():
    rng = np.random.default_rng(3)
    a, b, c = (rng.standard_normal(s).astype(np.float32) for s in ((4, 2, 3), (3, 5), (4, 3, 5)))
    _check(lambda m, x, y: x @ y, [a, b], np.float32)
    _check(lambda m, x, y: x @ y, [a, c], np.float32)
    _check(lambda m, x, y: x @ y, [a, b[:, 0].copy()], np.float32)


def test_shared_node_and_scalar_structure_match_the_seed():
    """The field notes' description of torch's graph for the seed program."""
    x = autograd_mini.tensor([1.0, 2.0], requires_grad=True)
    y = x + 2
    t = (y * y * 3).sum()
    top = t.grad_fn.next_functions
    assert [type(n).__name__ for n, _ in top] == ["MulBackward0"]
    mul3 = top[0][0].next_functions
    assert mul3[1] == (None, 0)
    yy = mul3[0][0].next_functions
    assert yy[0][0] is yy[1][0] and yy[0][0].name() == "AddBackward0"
    acc = yy[0][0].next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is x
