"""autograd_mini.optim: SGD, Adam and RMSprop, updating parameters as torch.optim does."""
from . import lr_scheduler
from .adam import Adam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD
