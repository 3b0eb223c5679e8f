"""Optimizers (``torch.optim`` names, defaults and update rules), schedules and 2-D paths."""
from . import lr_scheduler, surfaces
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .nadam import NAdam
from .optimizer import Optimizer
from .paths import trace, trace_many
from .rmsprop import RMSprop
from .sgd import SGD

#: lookup by name (e.g. from a config file or the command line)
OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "adadelta": Adadelta, "rmsprop": RMSprop,
              "adam": Adam, "adamw": AdamW, "adamax": Adamax, "nadam": NAdam}

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax",
           "NAdam", "OPTIMIZERS", "lr_scheduler", "surfaces", "trace", "trace_many"]
