"""autograd_mini.utils.data, as torch.utils.data: datasets (what one sample is), samplers
(in which order samples are taken) and DataLoader (which takes them in batches)."""
from .dataloader import DataLoader, default_collate, default_convert
from .dataset import (ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,
                      random_split)
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler
