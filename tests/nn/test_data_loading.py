"""torch.utils.data on both engines: what a DataLoader yields (batches, collation of tuples,
dicts, numbers and NumPy arrays, drop_last, batch_size=None), its length, TensorDataset,
random_split and the shuffled order (randperm drawn from one NumPy stream for both, see
same_draws), and `from torch.utils import data` when torch is autograd_mini."""
import os
import subprocess
import warnings
import sys

import numpy as np
import pytest

from _nn_twin import ENGINES, same_draws


def _plain(batch):
    """A batch as nested Python values, each tensor as (dtype name, values)."""
    if hasattr(batch, "tolist") and not isinstance(batch, np.ndarray):
        return (str(batch.dtype).rpartition(".")[2], batch.tolist())
    if isinstance(batch, dict):
        return {k: _plain(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return (type(batch).__name__, [_plain(b) for b in batch])
    return batch


def _both(build):
    return [[_plain(b) for b in build(lib)] for lib in (ENGINES["mini"], ENGINES["torch"])]


def _tensor_dataset(lib):
    x = lib.tensor(np.arange(14, dtype=np.float32).reshape(7, 2))
    return lib.utils.data.TensorDataset(x, lib.tensor(np.arange(7)))


@pytest.mark.parametrize("options", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                     dict(batch_size=7), dict(batch_size=None), dict()])
def test_tensor_dataset_batches(options):
    mini, ref = _both(lambda lib: lib.utils.data.DataLoader(_tensor_dataset(lib), **options))
    assert mini == ref


@pytest.mark.parametrize("options", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                     dict(batch_size=None), dict(batch_size=8)])
def test_lengths(options):
    lengths = [len(lib.utils.data.DataLoader(_tensor_dataset(lib), **options))
               for lib in ENGINES.values()]
    assert lengths[0] == lengths[1]


SAMPLES = {"numbers": [(1, 2.5), (3, 4.5), (5, 6.5)],
           "dicts": [{"x": np.ones(2, dtype=np.float32), "y": 1}, {"x": np.zeros(2, dtype=np.float32), "y": 0}],
           "lists": [[1, 2], [3, 4]], "bools": [True, False, True], "strings": [("a", 1), ("b", 2)],
           "arrays": [np.arange(3), np.arange(3, 6)]}


@pytest.mark.parametrize("name", SAMPLES)
def test_default_collate(name):
    mini, ref = _both(lambda lib: lib.utils.data.DataLoader(SAMPLES[name], batch_size=2))
    assert mini == ref


def test_samples_of_tensors_collate_with_their_dtype():
    mini, ref = _both(lambda lib: lib.utils.data.DataLoader(
        [(lib.ones(2, dtype=lib.float64), lib.tensor(3)) for _ in range(3)], batch_size=2))
    assert mini == ref


def test_tensor_dataset_indexing_and_errors():
    for lib in ENGINES.values():
        ds = _tensor_dataset(lib)
        assert len(ds) == 7 and ds[2][1].item() == 2 and ds[1:3][0].shape == (2, 2)
        with pytest.raises(AssertionError, match="Size mismatch between tensors"):
            lib.utils.data.TensorDataset(lib.ones(3), lib.ones(4))
        with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
            lib.utils.data.DataLoader(ds, shuffle=True, sampler=[0, 1])


def test_unequal_sequences_do_not_collate():
    for lib in ENGINES.values():
        with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
            next(iter(lib.utils.data.DataLoader([[1, 2], [3]], batch_size=2)))


def test_shuffled_order_comes_from_randperm(monkeypatch):
    """With randperm drawing from the shared stream, torch's RandomSampler and ours take the
    samples in the same order, epoch after epoch (each iter draws a new permutation)."""
    orders = []
    for lib in (ENGINES["mini"], ENGINES["torch"]):
        same_draws(monkeypatch, seed=5)
        loader = lib.utils.data.DataLoader(_tensor_dataset(lib), batch_size=2, shuffle=True)
        orders.append([[_plain(b) for b in loader] for _epoch in range(3)])
    assert orders[0] == orders[1]
    assert orders[0][0] != orders[0][1]


def test_random_split(monkeypatch):
    splits = []
    for lib in (ENGINES["mini"], ENGINES["torch"]):
        same_draws(monkeypatch, seed=6)
        if lib is ENGINES["torch"]:  # torch's dataset.py bound randperm at import: patch it there
            monkeypatch.setattr(lib.utils.data.dataset, "randperm", lib.randperm)
        parts = lib.utils.data.random_split(_tensor_dataset(lib), [0.5, 0.3, 0.2])
        splits.append([(type(p).__name__, list(p.indices), _plain(p[0])) for p in parts])
    assert splits[0] == splits[1]


@pytest.mark.parametrize("seeded_generator", [False, True])
def test_shuffled_order_after_manual_seed_is_torch_order(seeded_generator):
    """Nothing patched: the engine's random numbers are torch's, so is the order."""
    orders = []
    for lib in (ENGINES["mini"], ENGINES["torch"]):
        lib.manual_seed(13)
        generator = lib.Generator().manual_seed(4) if seeded_generator else None
        loader = lib.utils.data.DataLoader(_tensor_dataset(lib), batch_size=3, shuffle=True,
                                           generator=generator)
        orders.append([[_plain(b) for b in loader] for _epoch in range(3)] + [lib.rand(2).tolist()])
    assert orders[0] == orders[1]


def test_random_split_after_manual_seed_is_torch_split():
    splits = []
    for lib in (ENGINES["mini"], ENGINES["torch"]):
        lib.manual_seed(1)
        parts = lib.utils.data.random_split(_tensor_dataset(lib), [3, 4])
        seeded = lib.utils.data.random_split(range(10), [0.7, 0.3], generator=lib.Generator().manual_seed(42))
        splits.append([list(p.indices) for p in parts + seeded])
    assert splits[0] == splits[1]


def test_shuffle_uses_the_generator_given():
    """A DataLoader with its own generator, seeded twice alike, repeats its order."""
    lib = ENGINES["mini"]
    orders = []
    for _ in range(2):
        g = lib.Generator()
        g.manual_seed(7)
        loader = lib.utils.data.DataLoader(_tensor_dataset(lib), batch_size=7, shuffle=True, generator=g)
        orders.append(next(iter(loader))[1].tolist())
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(7))


def test_torch_utils_data_imports_when_torch_is_autograd_mini():
    """`import torch.nn`, `from torch.utils import data` ... give autograd_mini's modules, not a
    second copy of the engine loaded under the name torch."""
    program = """
import sys, autograd_mini
sys.modules["torch"] = autograd_mini
import torch.nn as nn
import torch.nn.functional as F
from torch.utils import data
from torch.utils.data import DataLoader
import torch.optim as optim
assert nn is autograd_mini.nn and F is autograd_mini.nn.functional and optim is autograd_mini.optim
assert data is autograd_mini.utils.data and DataLoader is data.DataLoader
assert isinstance(nn.Linear(2, 1).weight, autograd_mini.Tensor)
try:
    import torch.no_such_module
except ModuleNotFoundError as error:
    print(error)
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout == "No module named 'torch.no_such_module'\n"


def test_each_pass_draws_from_the_global_generator_as_torch_does(monkeypatch):
    """torch's DataLoader iterator takes a base seed (Tensor.random_) on every pass, shuffled
    or not, and a shuffling RandomSampler one more at its first batch: record the calls."""
    calls = {}
    for name, lib in ENGINES.items():
        log = calls[name] = []
        for attr in ("randperm", "randint"):
            original = getattr(lib, attr)
            monkeypatch.setattr(lib, attr, _logged(log, attr, original))
        if hasattr(lib.Tensor, "random_"):
            monkeypatch.setattr(lib.Tensor, "random_", _logged(log, "seed", lib.Tensor.random_))
        else:  # the engine's fallback draws its seed with randint
            monkeypatch.setattr(lib, "randint", _logged(log, "seed", lib.randint))
        for shuffle in (False, True):
            loader = lib.utils.data.DataLoader(_tensor_dataset(lib), batch_size=3, shuffle=shuffle)
            passes = iter(loader)
            log.append("iter")
            next(passes)
            log.append("first batch")
    assert calls["mini"] == calls["torch"]


def _logged(log, label, function):
    def call(*args, **kwargs):
        log.append(label)
        return function(*args, **kwargs)
    return call


@pytest.mark.parametrize("options", [dict(num_workers=len(os.sched_getaffinity(0)) + 1),
                                     dict(pin_memory=True), dict(num_workers=1)])
def test_warnings_as_torch(options):
    """d2l asks for 4 workers (this machine may have fewer); nothing here has pinned memory."""
    messages = []
    for lib in ENGINES.values():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loader = lib.utils.data.DataLoader(_tensor_dataset(lib), batch_size=4, **options)
            batches = len(list(loader))
        messages.append(([str(w.message) for w in caught], batches))
    assert messages[0] == messages[1]


def _stream(lib, n=7):
    class Squares(lib.utils.data.IterableDataset):
        def __iter__(self):
            return iter([(lib.tensor(float(i)), i * i) for i in range(n)])

        def __len__(self):
            return n
    return Squares()


@pytest.mark.parametrize("options", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                     dict(batch_size=None), dict(batch_size=7)])
def test_iterable_dataset(options):
    results = []
    for lib in (ENGINES["mini"], ENGINES["torch"]):
        loader = lib.utils.data.DataLoader(_stream(lib), **options)
        results.append(([_plain(b) for b in loader], [_plain(b) for b in loader], len(loader)))
    assert results[0] == results[1]


def test_iterable_dataset_refuses_shuffle():
    for lib in ENGINES.values():
        with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle=True"):
            lib.utils.data.DataLoader(_stream(lib), shuffle=True)
