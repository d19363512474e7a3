"""The seed tutorial's code cells, unchanged, on both engines.

Each cell below is copied verbatim from ../shared/seed/autograd-fundamentals.md
(the profiler and torch.autograd.functional cells are tested in tests/autograd/).
Both engines run the cells in order in one namespace each, with randn/rand
drawing the same numbers, and must print the same text (object addresses
masked, `autograd_mini.` read as `torch.`)."""
import contextlib
import io
import re
import warnings

import numpy as np
import pytest
import torch

import autograd_mini

SEED_CELLS = [
    # In [2]
    "import torch\nimport numpy as np\nimport matplotlib.pyplot as plt \n",
    # In [3]
    "x = torch.linspace(0., 6., steps=10, requires_grad=True)\ny = x + 2\n\n\n"
    "x = torch.randn(4, requires_grad=True)\n\ny = x+2\n",
    # In [4] .. In [8]
    "print('x:',x) # created by the user\n",
    "print(x.grad_fn)\n",
    "print('y:',y)\n",
    "print(y.grad_fn)\n",
    "z = y * y * 3\nprint('z:',z) # the result of a multiplication of y with itself (squaring) "
    "and multiply by 3 \nprint(z.grad_fn) \n",
    # In [10] .. In [12]
    "t = z.sum() # here t is a TENSOR of DIMENSION 0\nprint('t:',t)\nprint(t.grad_fn)\n",
    "t.backward()\n",
    "print('x.grad:\\n',x.grad) # dt/dx\n",
    # In [14]
    "print(' t:')\nprint(t.grad_fn)\nprint(t.grad_fn.next_functions)\n"
    "print(t.grad_fn.next_functions[0][0].next_functions)\n"
    "print(t.grad_fn.next_functions[0][0].next_functions[0][0].next_functions)\n"
    "print(t.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0].next_functions)\n"
    "print('\\n z:')\nprint(z.grad_fn)\nprint('\\n y:')\nprint(y.grad_fn)\nprint('\\n x:')\n"
    "print(x.grad_fn)\n",
    # In [18]
    "a = torch.ones(2, 3, requires_grad=True)\nprint(a)\n\nb1 = 2 * a\nprint(b1)\n\n"
    "a.requires_grad = False\nb2 = 2 * a\nprint(b2)\n",
    # In [19]
    "a = torch.ones(2, 3, requires_grad=True) * 2\nb = torch.ones(2, 3, requires_grad=True) * 3\n\n"
    "c1 = a + b\nprint('c1:\\n', c1)\n\nwith torch.no_grad():\n    c2 = a + b\n    print('c2:\\n', c2)\n\n"
    "c3 = a * b\nprint('c3:\\n', c3)\n",
    # In [20]
    "def add_tensors1(x, y):\n    return x + y\n\n@torch.no_grad()\ndef add_tensors2(x, y):\n"
    "    return x + y\n\n\na = torch.ones(2, 3, requires_grad=True) * 2\n"
    "b = torch.ones(2, 3, requires_grad=True) * 3\n\nc1 = add_tensors1(a, b)\nprint('c1:\\n', c1)\n\n"
    "c2 = add_tensors2(a, b)\nprint('c2:\\n', c2)\n",
    # In [21]
    "x = torch.rand(5, requires_grad=True)\ny = x.detach()\n\nprint(x)\nprint(y)\n",
    # In [24]
    "x = torch.randn(3, requires_grad=True)\ny = x * 2\nwhile y.data.norm() < 1000: # calculate the L2 "
    "norm of the data (torch.sqrt(torch.sum(torch.pow(y, 2))) == y.data.norm())\n    y = y * 2\n\n"
    "print(y)\n# y.backward() # Uncommented, this would result in an error\n",
    # In [25]
    "v = torch.tensor([1.0, 1.0, 0.0001], dtype=torch.float) # stand-in for gradients\ny.backward(v)\n\n"
    "print(x.grad)\n",
    # In [26]
    "dx = 0.1\nx = torch.arange(1, 1.8, dx, requires_grad=True)\nf = x**2 + torch.sqrt(x) # the gradient "
    "of this is 2*x + 0.5/sqrt(x)\n\nf.backward(torch.ones(f.shape))\nprint(x.grad)\n",
]

# The exercise (In [15] and the cell after it): the seed shows only its output.
EXERCISE = (
    "x = torch.linspace(-2, 2, steps=25, requires_grad=True)\nprint(x)\n"
    "a = x ** 2\nb = 2 * a\nc = torch.sin(x)\nd = b * c\nf = torch.exp(d)\n"
    "f.backward(torch.ones_like(f))\nprint('x.grad:\\n', x.grad)\n"
    "print([n.name() for n in (f.grad_fn, d.grad_fn, b.grad_fn, a.grad_fn, c.grad_fn)])\n"
)


def _shared_random(module, seed):
    """randn/rand of `module` drawing from one NumPy stream, so both engines see one input."""
    rng = np.random.default_rng(seed)

    def draw(sampler):
        def factory(*size, requires_grad=False, dtype=None):
            shape = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
            return module.tensor(sampler(shape).astype(np.float32), requires_grad=requires_grad)
        return factory
    return {"randn": draw(rng.standard_normal), "rand": draw(rng.random)}


def _run(cells, engine, monkeypatch, seed=0):
    module = torch if engine == "torch" else autograd_mini
    for name, fn in _shared_random(module, seed).items():
        monkeypatch.setattr(module, name, fn)
    namespace, printed = {}, []
    for cell in cells:
        if engine == "mini":
            cell = cell.replace("import torch\n", "import autograd_mini as torch\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("error")  # the seed's cells warn about nothing
            exec(compile(cell, "<seed>", "exec"), namespace)
        text = re.sub(r" at 0x[0-9a-fA-F]+", " at 0xADDR", out.getvalue())
        printed.append(text.replace("autograd_mini.", "torch."))
    return printed, namespace


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seed_cells_print_what_torch_prints(seed, monkeypatch):
    expected, _ = _run(SEED_CELLS, "torch", monkeypatch, seed)
    got, ns = _run(SEED_CELLS, "mini", monkeypatch, seed)
    assert ns["torch"] is autograd_mini
    for cell, mine, theirs in zip(SEED_CELLS, got, expected):
        assert mine == theirs, f"cell differs:\n{cell}"


def test_seed_exercise_matches_torch(monkeypatch):
    expected, _ = _run([SEED_CELLS[0], EXERCISE], "torch", monkeypatch)
    got, _ = _run([SEED_CELLS[0], EXERCISE], "mini", monkeypatch)
    assert got == expected
    assert "ExpBackward0" in got[1] and "SinBackward0" in got[1]


def test_seed_commented_error_lines_raise_torch_errors(monkeypatch):
    """The seed comments out lines that fail; uncommented, they fail the same way."""
    failing = [
        "x = torch.randn(3, requires_grad=True)\ny = x * 2\ny.backward()\n",
        "a = torch.linspace(0., 2. * np.pi, steps=25, requires_grad=True)\ntorch.sin_(a)\n",
    ]
    for cell in failing:
        errors = []
        for engine in ("torch", "mini"):
            with pytest.raises(RuntimeError) as info:
                _run([SEED_CELLS[0], cell], engine, monkeypatch)
            errors.append(str(info.value))
        assert errors[0] == errors[1]
