"""What the nn and optim tests share: one stream of random numbers for both engines,
and running a torch program on either engine."""
import contextlib
import io
import re
import sys
from pathlib import Path

import numpy as np
import torch

import autograd_mini

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from _twin import assert_close, structure  # noqa: E402

ENGINES = {"torch": torch, "mini": autograd_mini}


def _filler(lib, rng, draw):
    def fill(self, a=0.0, b=1.0, *, generator=None):
        values = draw(rng, a, b, tuple(self.shape)).astype(np.float32 if self.dtype == lib.float32
                                                           else np.float64)
        with lib.no_grad():
            self.copy_(lib.tensor(values))
        return self
    return fill


def _factory(lib, rng, draw):
    def make(*size, requires_grad=False, dtype=None, device=None):
        shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return lib.tensor(draw(rng, shape).astype(np.float32), requires_grad=requires_grad)
    return make


def _normal(lib, rng):
    def normal(mean, std, size, *, generator=None):
        return lib.tensor(rng.normal(mean, std, tuple(size)).astype(np.float32))
    return normal


def _randperm(lib, rng):
    def randperm(n, *, generator=None, dtype=None, **kwargs):
        return lib.tensor(rng.permutation(n), dtype=lib.int64)
    return randperm


def same_draws(monkeypatch, seed=0):
    """Make `Tensor.uniform_` / `normal_` (what nn.init calls), `randn` / `rand` /
    `normal(mean, std, size)` and `randperm` (DataLoader's shuffled order) draw, in each
    engine, from its own NumPy generator seeded alike: the same program then makes the
    same numbers on both."""
    for lib in ENGINES.values():
        rng = np.random.default_rng(seed)
        monkeypatch.setattr(lib.Tensor, "uniform_", _filler(lib, rng, lambda r, a, b, s: r.uniform(a, b, s)))
        monkeypatch.setattr(lib.Tensor, "normal_", _filler(lib, rng, lambda r, m, sd, s: r.normal(m, sd, s)))
        monkeypatch.setattr(lib, "randn", _factory(lib, rng, lambda r, s: r.standard_normal(s)))
        monkeypatch.setattr(lib, "rand", _factory(lib, rng, lambda r, s: r.random(s)))
        monkeypatch.setattr(lib, "normal", _normal(lib, rng), raising=False)
        monkeypatch.setattr(lib, "randperm", _randperm(lib, rng))


def run_program(source, engine):
    """Run a torch program (as its text) on `engine`, with `import autograd_mini as torch`
    for mini; return what it printed and its variables."""
    if engine == "mini":
        source = source.replace("import torch\n", "import autograd_mini as torch\n")
    namespace = {"__name__": "__program__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, f"<{engine} program>", "exec"), namespace)
    return out.getvalue(), namespace


_NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?")


def assert_same_output(mini_text, torch_text, rtol=1e-4, atol=1e-5):
    """Same lines, the numbers in them equal within float32 training drift."""
    def skeleton(text):
        text = re.sub(r"0x[0-9a-fA-F]+", "0xADDR", text)
        return _NUMBER.sub("#", text), [float(n) for n in _NUMBER.findall(text)]
    (mini_shape, mini_numbers), (torch_shape, torch_numbers) = skeleton(mini_text), skeleton(torch_text)
    assert mini_shape == torch_shape
    np.testing.assert_allclose(mini_numbers, torch_numbers, rtol=rtol, atol=atol)


def copy_weights(mini_model, torch_model):
    """Start the mini model from the torch model's weights."""
    mini_model.load_state_dict(torch_model.state_dict())


__all__ = ["ENGINES", "assert_close", "assert_same_output", "copy_weights", "np", "run_program",
           "same_draws", "structure", "torch", "autograd_mini"]
