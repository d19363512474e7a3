"""The seed tutorial's profiler, Jacobian and high-level API cells, unchanged, on autograd_mini.

The cells below are copied from /work/shared/seed/autograd-fundamentals.md (In [23]
to In [30]). Each runs twice, as a notebook would run it: once with
`import autograd_mini as torch`, once with torch itself. The random inputs the cells
draw on autograd_mini are replayed on torch, so both runs compute the same thing and
must print the same text and display the same value (except the profiler's timings).
"""
import ast
import contextlib
import io

import numpy as np
import torch

import autograd_mini
from _autograd_compare import table_rows

PROFILER_CELL = """\
device = torch.device('cpu')
run_on_gpu = False
if torch.cuda.is_available():
    device = torch.device('cuda')
    run_on_gpu = True
    
x = torch.randn(2, 3, requires_grad=True)
y = torch.rand(2, 3, requires_grad=True)
z = torch.ones(2, 3, requires_grad=True)

with torch.autograd.profiler.profile(use_cuda=run_on_gpu) as prf:
    for _ in range(1000):
        z = (z / x) * y
        
print(prf.key_averages().table(sort_by='self_cpu_time_total'))
"""

JACOBIAN_CELLS = [
    """\
x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000: # calculate the L2 norm of the data (torch.sqrt(torch.sum(torch.pow(y, 2))) == y.data.norm())
    y = y * 2

print(y)
# y.backward() # Uncommented, this would result in an error
""",
    """\
v = torch.tensor([1.0, 1.0, 0.0001], dtype=torch.float) # stand-in for gradients
y.backward(v)

print(x.grad)
""",
    """\
# Another example

dx = 0.1
x = torch.arange(1, 1.8, dx, requires_grad=True)
f = x**2 + torch.sqrt(x) # the gradient of this is 2*x + 0.5/sqrt(x)

f.backward(torch.ones(f.shape))
print(x.grad)
""",
]

HIGH_LEVEL_API_CELLS = [
    """\
def exp_adder(x, y):
    return 2 * x.exp() + 3 * y

inputs = (torch.rand(1), torch.rand(1)) # arguments for the function
print(inputs)
torch.autograd.functional.jacobian(exp_adder, inputs)
""",
    """\
inputs = (torch.rand(3), torch.rand(3)) # arguments for the function
print(inputs)
torch.autograd.functional.jacobian(exp_adder, inputs)
""",
    """\
inputs = (torch.rand(1), torch.rand(1)) # arguments for the function
print(inputs)
torch.autograd.functional.hessian(exp_adder, inputs)
""",
    """\
def do_some_doubling(x):
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    return y

inputs = torch.randn(3)
my_gradients = torch.tensor([0.1, 1.0, 0.0001])
torch.autograd.functional.vjp(do_some_doubling, inputs, v=my_gradients)
""",
]


class _Replayed:
    """A module stand-in for the cells' `torch`: rand/randn record the values they draw
    (recording) or hand back the recorded ones (replaying); everything else is the module's."""

    def __init__(self, module, recorded=None):
        self._module = module
        self._replaying = recorded is not None
        self.values = list(recorded) if self._replaying else []

    def __getattr__(self, name):
        return getattr(self._module, name)

    def _draw(self, factory, *size, requires_grad=False):
        if self._replaying:
            return self._module.tensor(self.values.pop(0), requires_grad=requires_grad)
        t = getattr(self._module, factory)(*size, requires_grad=requires_grad)
        self.values.append(np.array(t.tolist(), dtype=np.float32))
        return t

    def rand(self, *size, **kwargs):
        return self._draw("rand", *size, **kwargs)

    def randn(self, *size, **kwargs):
        return self._draw("randn", *size, **kwargs)


def _run_cell(source, namespace):
    """Run a cell as Jupyter does: (its printed text, the repr of its last expression or None)."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tree, "<cell>", "exec"), namespace)
        value = None
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
    return out.getvalue(), None if value is None else repr(value)


def _run_twice(cells):
    """Each cell's (text, value) on autograd_mini and on torch, with the same random inputs."""
    mini_torch = _Replayed(autograd_mini)
    mini_ns = {"torch": mini_torch}
    mini = [_run_cell(cell, mini_ns) for cell in cells]
    ref_ns = {"torch": _Replayed(torch, mini_torch.values)}
    ref = [_run_cell(cell, ref_ns) for cell in cells]
    return mini, ref, mini_ns, ref_ns


def test_jacobian_cells_print_what_torch_prints():
    mini, ref, _, _ = _run_twice(JACOBIAN_CELLS)
    assert mini == ref


def test_high_level_api_cells_show_what_torch_shows():
    mini, ref, _, _ = _run_twice(HIGH_LEVEL_API_CELLS)
    assert mini == ref
    assert all(value is not None for _, value in mini)


def test_profiler_cell_table_has_torchs_layout_and_counts():
    ((mini_text, _),), ((ref_text, _),), _, _ = _run_twice([PROFILER_CELL])
    mini_lines, ref_lines = mini_text.splitlines(), ref_text.splitlines()
    assert mini_lines[:3] == ref_lines[:3]  # separator, column titles, separator
    assert len(mini_lines) == len(ref_lines)
    assert mini_lines[-2].startswith("Self CPU time total: ")
    assert table_rows(mini_text) == table_rows(ref_text) == {
        "aten::mul": (1000, None), "aten::div": (1000, None)}


def test_profiler_cell_key_averages():
    _, _, mini_ns, _ = _run_twice([PROFILER_CELL])
    rows = {row.key: row for row in mini_ns["prf"].key_averages()}
    assert {key: row.count for key, row in rows.items()} == {"aten::mul": 1000, "aten::div": 1000}
    # nothing nests inside these operations: their self time is their whole time
    assert all(row.self_cpu_time_total == row.cpu_time_total for row in rows.values())
