"""DataLoader: takes a dataset's samples in the sampler's order, batch_size at a time, and
collates each batch (tensors stacked along a new first dimension, tuples of them
transposed into a list of stacks), as torch.utils.data.DataLoader does in one process
(num_workers is accepted; the samples are the same without worker processes)."""
import collections.abc
import os
import warnings

import numpy as np

from .dataset import IterableDataset
from .sampler import (BatchSampler, RandomSampler, SequentialSampler, _InfiniteConstantSampler,
                      engine, random_seed)

_COLLATE_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                  "lists; found {}")


def default_collate(batch):
    """One batch from a list of samples, by the type of the first one, as torch's rule."""
    torch = engine()
    elem = batch[0]
    if isinstance(elem, torch.Tensor):
        return torch.stack(batch, 0)
    if isinstance(elem, np.ndarray):
        return default_collate([torch.as_tensor(b) for b in batch])
    if isinstance(elem, np.generic):
        return torch.as_tensor(np.array(batch))
    if isinstance(elem, float):
        return torch.tensor(batch, dtype=torch.float64)
    if isinstance(elem, int):  # bool too: a bool tensor
        return torch.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(collated)
        except TypeError:  # a mapping type that cannot be built from a dict
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(samples) for samples in zip(*batch)]
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_convert(data):
    """What a DataLoader with batch_size=None does to each sample: NumPy arrays to tensors,
    through containers; everything else as it is."""
    torch = engine()
    if isinstance(data, np.ndarray):
        return torch.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(d) for d in data]
    return data


class DataLoader:
    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="", in_order=True):
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            _check_iterable_options(shuffle, sampler, batch_sampler)
            sampler = _InfiniteConstantSampler()
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers, self.pin_memory, self.timeout = num_workers, pin_memory, timeout
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._check_worker_number_rationality()

    def _check_worker_number_rationality(self):
        """torch's warning when asked for more workers than the process has CPUs (the batches
        here are the same either way: no worker processes are made)."""
        if not self.num_workers:
            return
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        if cpus is None or self.num_workers > cpus:
            suggestion = ("DataLoader is not able to compute a suggested max number of worker in "
                          "current system." if cpus is None else
                          f"Our suggested max number of worker in current system is {cpus}"
                          f"{'' if hasattr(os, 'sched_getaffinity') else ' (`cpuset` is not taken into account)'}"
                          ", which is smaller than what this DataLoader is going to create.")
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in "
                          f"total. {suggestion} Please be aware that excessive worker creation "
                          "might get DataLoader running slow or even freeze, lower the worker "
                          "number to avoid potential slowness/freeze if necessary.", stacklevel=3)

    @property
    def _index_sampler(self):
        return self.sampler if self.batch_sampler is None else self.batch_sampler

    def __iter__(self):
        self._check_worker_number_rationality()
        return _SingleProcessDataLoaderIter(self)

    def __len__(self):
        if self._iterable:  # the dataset's length, in batches (a TypeError if it has none)
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else -(-length // self.batch_size)
            return length
        return len(self._index_sampler)


def _check_iterable_options(shuffle, sampler, batch_sampler):
    """An IterableDataset decides its own order: torch refuses anything that would reorder it."""
    if shuffle not in {False, None}:
        raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                         f"but got shuffle={shuffle}")
    if sampler is not None:
        raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                         f"but got sampler={sampler}")
    if batch_sampler is not None:
        raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler "
                         f"option, but got batch_sampler={batch_sampler}")


class _SingleProcessDataLoaderIter:
    """One pass over a DataLoader. Made as torch makes it: the sampler's iterator first (it
    draws nothing until the first batch), then a base seed for worker processes drawn from
    the loader's generator (the global one if None) on every pass, even unshuffled: a
    program's later random numbers depend on that draw."""

    def __init__(self, loader):
        self._dataset, self._collate_fn = loader.dataset, loader.collate_fn
        self._auto_collation = loader.batch_sampler is not None
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then "
                          "device pinned memory won't be used.", stacklevel=3)
        self._index_sampler = loader._index_sampler
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = random_seed(loader.generator)
        self._num_yielded = 0
        self._drop_last = loader.drop_last
        self._stream = iter(self._dataset) if loader._iterable else None

    def __iter__(self):
        return self

    def __next__(self):
        index = next(self._sampler_iter)
        self._num_yielded += 1
        if self._stream is not None:
            return self._collate_fn(self._next_from_stream(index))
        if not self._auto_collation:
            return self._collate_fn(self._dataset[index])
        getitems = getattr(self._dataset, "__getitems__", None)
        samples = getitems(index) if getitems else [self._dataset[i] for i in index]
        return self._collate_fn(samples)

    def _next_from_stream(self, index):
        """An IterableDataset's next sample, or batch of len(index) of them (shorter at the end,
        unless drop_last), as torch's _IterableDatasetFetcher takes them."""
        if not self._auto_collation:
            return next(self._stream)
        samples = []
        for _ in index:
            try:
                samples.append(next(self._stream))
            except StopIteration:
                self._stream = iter(())
                break
        if not samples or (self._drop_last and len(samples) < len(index)):
            raise StopIteration
        return samples

    def __len__(self):
        return len(self._index_sampler)
