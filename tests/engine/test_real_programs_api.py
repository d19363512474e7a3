"""The everyday APIs real programs call, on both engines: the same result (value, dtype,
shape, requires_grad, grad_fn name) or the same exception type and message.
Reprs may say autograd_mini where torch says torch."""
import warnings

import numpy as np
import pytest
import torch

import autograd_mini

FACTORIES = [
    "lib.tensor([1., 2.], device={d})", "lib.zeros(2, 3, device={d})",
    "lib.ones((2,), device={d}, requires_grad=True)", "lib.full((2,), 1.5, device={d})",
    "lib.empty(2, 3, device={d}).shape", "lib.rand(2, device={d}).shape",
    "lib.randn(2, 3, device={d}).shape", "lib.randint(0, 3, (2,), device={d}).shape",
    "lib.randperm(4, device={d}).sort()[0] if False else lib.randperm(4, device={d}).shape",
    "lib.arange(3, device={d})", "lib.linspace(0, 1, 3, device={d})",
    "lib.logspace(0, 1, 3, device={d})", "lib.eye(2, device={d})",
    "lib.zeros_like(x, device={d})", "lib.ones_like(x, device={d})",
    "lib.full_like(x, 2, device={d})", "lib.rand_like(x, device={d}).shape",
    "lib.randn_like(x, device={d}).shape", "lib.empty_like(x, device={d}).shape",
    "lib.as_tensor([1.], dtype=lib.float64, device={d})",
    "x.new_ones(2, device={d})",
]

CASES = [
    # devices
    "lib.device('cpu')", "str(lib.device('cpu'))", "lib.device('cpu', 0)", "lib.device('cpu:0')",
    "lib.device('cuda')", "lib.device('cuda:0').index", "lib.device('foo')",
    "lib.device('cpu') == lib.device('cpu')", "lib.device('cpu') == 'cpu'",
    "lib.device(lib.device('cpu'))", "x.device", "x.device == lib.device('cpu')", "x.device.type",
    "x.to('cpu') is x", "x.to(lib.device('cpu')) is x", "x.to(device='cpu') is x",
    "x.to(x.device) is x", "x.to('cuda')", "x.to('cpu', lib.float64)",
    "x.to(lib.float64).grad_fn.name()", "x.to(device='cpu', dtype=lib.float64).grad_fn.name()",
    "x.to(lib.tensor([1], dtype=lib.int32))", "x.to(lib.int64).requires_grad",
    "x.to('cpu', non_blocking=True) is x", "x.to('cpu', copy=True) is x",
    "x.cpu() is x", "x.cuda()", "x.is_cuda", "x.is_cpu", "x.get_device()",
    "lib.cuda.is_available()", "lib.cuda.device_count()", "lib.cuda.is_initialized()",
    "lib.cuda.manual_seed(0)", "lib.cuda.manual_seed_all(0)", "lib.cuda.current_device()",
    "lib.accelerator.is_available()", "lib.accelerator.current_accelerator()",
    "lib.accelerator.device_count()", "lib.backends.mps.is_available()",
    "lib.backends.cudnn.deterministic", "lib.version.cuda",
    "lib.get_default_device()", "lib.zeros(2, device=0)",
    # legacy constructors
    "lib.autograd.Variable(lib.tensor([1., 2.]), requires_grad=True)",
    "lib.autograd.Variable(lib.tensor([1., 2.]))", "lib.autograd.Variable()",
    "lib.autograd.Variable(lib.tensor([1, 2]), requires_grad=True)",
    "lib.autograd.Variable(lib.tensor([1., 2.]), volatile=True)",
    "lib.autograd.Variable([1., 2.])", "lib.autograd.Variable(x) is x",
    "isinstance(x, lib.autograd.Variable)", "lib.autograd.Variable(x * 2).grad_fn",
    "lib.FloatTensor([1, 2])", "lib.FloatTensor(2, 3).shape", "lib.FloatTensor(2, 3).dtype",
    "lib.FloatTensor()", "lib.FloatTensor([[1, 2], [3, 4]])",
    "lib.FloatTensor(lib.Size([2, 3])).shape", "lib.FloatTensor((2, 3))",
    "lib.FloatTensor(np.array([1, 2]))", "lib.FloatTensor(lib.tensor([1, 2]))",
    "lib.FloatTensor(lib.tensor([1., 2.]))", "lib.FloatTensor(2.5)",
    "lib.FloatTensor([1, 2], requires_grad=True)", "lib.DoubleTensor([1, 2])",
    "lib.LongTensor([1.7, 2])", "lib.LongTensor(3).shape", "lib.IntTensor([1, 2])",
    "lib.BoolTensor([1, 0])", "isinstance(lib.tensor([1.]), lib.FloatTensor)",
    "isinstance(lib.tensor([1]), lib.FloatTensor)", "isinstance(lib.tensor([1]), lib.LongTensor)",
    "isinstance(lib.FloatTensor([1]), lib.Tensor)", "type(lib.FloatTensor([1])) is lib.Tensor",
    "lib.Tensor([1, 2])", "lib.Tensor(2, 3).shape", "lib.Tensor()",
    "lib.Tensor([1, 2], requires_grad=True)", "lib.Tensor([1], dtype=lib.float64)",
    "lib.Tensor((2, 3))", "lib.Tensor(np.array([1, 2]))", "lib.Tensor(lib.tensor([1, 2]))",
    "lib.Tensor(2.5)", "lib.Tensor([[1, 2], [3, 4]]).requires_grad",
    "x.type()", "lib.tensor([1]).type()", "x.type(lib.float64)", "x.type(lib.DoubleTensor)",
    "x.type('torch.DoubleTensor')",
    # dtype conversions (integers and bools have no gradient)
    "x.float()", "x.double().grad_fn.name()", "x.int()", "x.long()", "x.bool()",
    "lib.tensor([1.5, -2.5]).int()", "x.half()", "(x.half() * 2 + 1).sum()", "(x.half() + x).dtype",
    "(x.half() * 2.5).dtype", "lib.ones(2, dtype=lib.half)", "x.to(lib.float16).grad_fn.name()", "x.type_as(lib.tensor([1]))",
    "lib.randn(size=(), requires_grad=True).shape", "lib.rand(size=(2, 3)).shape",
    "lib.zeros(size=(2, 3))", "lib.ones(size=[2])", "lib.empty(size=(1, 2)).shape",
    "lib.zeros(size=3)", "lib.ones(2, size=(3,))", "lib.randn(size=(2,), dtype=lib.float64).dtype",
    # NumPy's argument names, as d2l writes them
    "lib.arange(6.).reshape(2, 3).sum(axis=0)",
    "lib.arange(6.).reshape(2, 3).sum(axis=1, keepdims=True)",
    "lib.arange(6.).reshape(2, 3).mean(axis=0)", "lib.arange(6.).reshape(2, 3).max(axis=1).values",
    "lib.arange(6.).reshape(2, 3).min(axis=0, keepdims=True).indices",
    "lib.arange(6.).reshape(2, 3).argmax(axis=1)", "lib.arange(6.).reshape(2, 3).norm(dim=1)",
    "lib.sum(x * 2, axis=0)", "(x * 2).sum(axis=0).grad_fn.name()",
    "lib.logspace(0, 1, 3)", "lib.logspace(-1, 2, 7, base=2)",
    "lib.logspace(0, 1, 4, dtype=lib.float64)", "x.equal(x.detach())", "x.equal(x[:1])",
    "x.exp().grad_fn._saved_result.equal(x.exp())", "x.allclose(x + 1e-9)",
    "lib.logspace(0, 1, 3, requires_grad=True)",
    # new_* and other everyday calls
    "x.new_ones(2, 3)", "x.new_zeros((2,))", "x.new_tensor([1, 2])", "x.new_full((2,), 3)",
    "x.new_empty(2).shape", "lib.tensor([1.], dtype=lib.float64).new_ones(2)",
    "x.new_ones(2, requires_grad=True)", "x.new_tensor(lib.tensor([1.]))",
    "lib.is_floating_point(x)", "lib.is_grad_enabled()", "x.detach().clone()",
    "x.abs().sum()", "x.norm()", "(x * 2).sum().item()", "lib.ones_like(x)",
    "lib.randn(2, 3, requires_grad=True).requires_grad", "x.requires_grad_().is_leaf",
    # isinstance checks on the graph
    "isinstance((x * 2).grad_fn, lib.autograd.graph.Node)",
    "isinstance((x * 2).grad_fn.next_functions[0][0], lib._C._functions.AccumulateGrad)",
    "isinstance((x * 2).grad_fn.next_functions[0][0], lib.autograd.graph.Node)",
    "isinstance((x * 2).grad_fn, lib._C._functions.MulBackward0)",
    "isinstance((x * 2).grad_fn, lib._C._functions.AccumulateGrad)",
    "isinstance(x, lib.autograd.graph.Node)",
    # numpy and Python conversions of a tensor that requires grad
    "x.numpy()", "(x * 2).numpy()", "x.numpy(force=True)", "(x * 2).numpy(force=True)",
    "x.tolist()", "(x * 2).tolist()", "np.asarray(x)",
    "np.asarray(x.detach())", "np.asarray(x, dtype=np.float64)", "x.detach().numpy()",
    "x[0].item()", "np.float32(2) * x", "np.float64(2) + x", "x.numpy(True)",
    "lib.manual_seed(0).initial_seed()", "lib.Generator().manual_seed(3).initial_seed()",
]

NO_GRAD_CASES = ["x.numpy()", "(x * 2).numpy()", "np.asarray(x)", "float(x[0])"]
INFERENCE_CASES = ["x.numpy()", "np.asarray(x)"]


def _describe(value):
    if isinstance(value, (torch.Tensor, autograd_mini.Tensor)):
        return ("tensor", str(value.dtype).split(".")[-1], tuple(value.shape),
                value.requires_grad, value.is_leaf, value.detach().tolist(),
                None if value.grad_fn is None else value.grad_fn.name())
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.name, value.tolist())
    if isinstance(value, (autograd_mini.dtype, torch.dtype)):
        return ("dtype", str(value).split(".")[-1])
    if isinstance(value, tuple) and type(value) is not tuple:  # Size
        return ("size", tuple(value))
    if isinstance(value, (torch.device, autograd_mini.device)):
        return ("device", repr(value), str(value))
    if isinstance(value, (bool, int, float, str, type(None))):
        return value
    return ("object", type(value).__name__)


def _run(lib, code, mode=None):
    names = {"lib": lib, "np": np}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            names["x"] = lib.tensor([1., 2.], requires_grad=True)
            if mode is not None:
                with getattr(lib, mode)():
                    value = eval(code, names)
            else:
                value = eval(code, names)
            outcome = ("ok", _describe(value))
        except Exception as error:  # noqa: BLE001 - compared with torch's
            outcome = (type(error).__name__, str(error).replace("autograd_mini.", "torch."))
    return outcome, [(w.category.__name__, str(w.message).split(" (Triggered internally")[0])
                     for w in caught]


@pytest.mark.parametrize("code", CASES)
def test_api_matches_torch(code):
    assert _run(autograd_mini, code) == _run(torch, code)


@pytest.mark.parametrize("device", ["None", "'cpu'", "lib.device('cpu')", "'cpu:0'", "'cuda'",
                                    "'cuda:0'", "'meta'"[:0] or "0"])
@pytest.mark.parametrize("code", FACTORIES)
def test_every_factory_takes_a_device(code, device):
    code = code.format(d=device)
    assert _run(autograd_mini, code) == _run(torch, code)


@pytest.mark.parametrize("code", NO_GRAD_CASES)
def test_conversions_under_no_grad(code):
    assert _run(autograd_mini, code, "no_grad") == _run(torch, code, "no_grad")


@pytest.mark.parametrize("code", INFERENCE_CASES)
def test_conversions_under_inference_mode(code):
    assert _run(autograd_mini, code, "inference_mode") == _run(torch, code, "inference_mode")


def test_default_device():
    def program(lib):
        out = []
        try:
            for where in ("cpu", None, "cuda"):
                lib.set_default_device(where)
                out.append(_run(lib, "lib.get_default_device()"))
                out.append(_run(lib, "lib.zeros(2)"))
        finally:
            lib.set_default_device(None)
        out.append(_run(lib, "lib.zeros(2)"))
        return out

    assert program(autograd_mini) == program(torch)


def test_float_of_a_tensor_that_requires_grad_warns_once_per_process():
    """torch warns once (TORCH_WARN_ONCE); run in fresh processes so "once" is exact."""
    import subprocess
    import sys
    code = ("import warnings, {lib} as t\nx = t.tensor([1., 2.], requires_grad=True)\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    float(x[0]); float(x[1]); float(x.detach()[0])\n"
            "print([str(m.message).split(' (Triggered')[0] for m in w])")
    out = [subprocess.run([sys.executable, "-c", code.format(lib=lib)], capture_output=True,
                          text=True, check=True).stdout for lib in ("autograd_mini", "torch")]
    assert out[0] == out[1]
    assert "Converting a tensor with requires_grad=True" in out[0]


@pytest.mark.parametrize("data", ["[x, x * 2]", "[[[x]]]", "[x.detach(), 3.0]"])
def test_tensor_of_tensors_that_require_grad_warns_as_float_does(data):
    """torch.tensor([x]) takes x's number: the same once-per-process warning, at the line
    that called torch.tensor, and none for a detached x."""
    import subprocess
    import sys
    code = ("import warnings, {lib} as t\nx = t.tensor(2., requires_grad=True)\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            f"    a = t.tensor({data})\n"
            "    float(x)\n"
            "print([(str(m.message), m.filename, m.lineno) for m in w], a.tolist(), a.requires_grad)")
    out = [subprocess.run([sys.executable, "-c", code.format(lib=lib)], capture_output=True,
                          text=True, check=True).stdout for lib in ("autograd_mini", "torch")]
    assert out[0] == out[1]

def test_generators_reproduce_their_numbers():
    def program(lib):
        g = lib.Generator().manual_seed(7)
        a = lib.randn(3, generator=g).tolist()
        g.manual_seed(7)
        b = lib.randn(3, generator=g).tolist()
        lib.manual_seed(1)
        c = lib.rand(2).tolist()
        lib.manual_seed(1)
        d = lib.rand(2).tolist()
        return a == b, c == d, lib.initial_seed(), repr(lib.manual_seed(1)).startswith(
            "<torch._C.Generator object at")

    assert program(autograd_mini) == program(torch)


def test_set_default_dtype():
    def program(lib):
        lib.set_default_dtype(lib.float64)
        try:
            made = (str(lib.tensor([1.5]).dtype), str(lib.zeros(1).dtype),
                    str(lib.get_default_dtype()))
        finally:
            lib.set_default_dtype(lib.float32)
        return [m.split(".")[-1] for m in made], _run(lib, "lib.set_default_dtype(lib.int64)")

    assert program(autograd_mini) == program(torch)


@pytest.mark.parametrize("mode", ["'floor'", "'trunc'", "None", "'round'"])
@pytest.mark.parametrize("other", ["b", "2.", "-2"])
def test_div_with_a_rounding_mode(mode, other):
    """torch.div(a, b, rounding_mode=...) records DivBackward2 even for None; floor and
    trunc have zero gradients, None those of a / b."""
    def program(lib):
        a = lib.tensor([5., -5., 7., 0.5], requires_grad=True)
        b = lib.tensor([2., 2., -2., 3.], requires_grad=True)
        r = eval(f"lib.div(a, {other}, rounding_mode={mode})")
        r.sum().backward()
        ints = lib.div(lib.tensor([5, -5]), 2, rounding_mode=eval(mode)) if eval(mode) != "round" \
            else None
        return (_describe(r), [None if t.grad is None else t.grad.tolist() for t in (a, b)],
                None if ints is None else _describe(ints))

    def outcome(lib):
        try:
            return program(lib)
        except Exception as error:  # noqa: BLE001 - compared with torch's
            return type(error).__name__, str(error)

    assert outcome(autograd_mini) == outcome(torch)
