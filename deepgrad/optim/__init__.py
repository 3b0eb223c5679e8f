"""Optimizers (``torch.optim`` names, defaults and update rules), schedules and 2-D paths."""
from . import lr_scheduler, surfaces
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .paths import trace, trace_many
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

#: lookup by name (e.g. from a config file or the command line); LBFGS is left out because
#: its step needs a closure, which the name-driven loops (lab, paths) don't pass
OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "adadelta": Adadelta, "rmsprop": RMSprop,
              "adam": Adam, "adamw": AdamW, "adamax": Adamax, "nadam": NAdam,
              "radam": RAdam, "asgd": ASGD, "rprop": Rprop}

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax",
           "NAdam", "OPTIMIZERS", "lr_scheduler", "surfaces", "trace", "trace_many", "RAdam",
           "ASGD", "Rprop", "LBFGS"]
