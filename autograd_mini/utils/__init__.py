"""autograd_mini.utils: what torch.utils holds that training programs use: `data`
(Dataset, TensorDataset, DataLoader, random_split)."""
from . import data
