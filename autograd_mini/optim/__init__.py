"""autograd_mini.optim: SGD, Adam, AdamW and RMSprop, updating parameters as torch.optim does, and
lr_scheduler, which changes their learning rates from step to step."""
from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD
