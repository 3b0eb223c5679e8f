"""Training: the Trainer loop, Keras-style callbacks, metrics by name and training checkpoints."""
from .callbacks import (
    Callback,
    CallbackList,
    CSVLogger,
    History,
    LearningRateScheduler,
    TerminateOnNaN,
)
from .checkpoint import CHECKPOINT_FORMAT
from .gan import GANTrainer
from .metric_fns import METRICS
from .monitor import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau
from .progress import ProgressBar
from .trainer import Trainer

__all__ = [
    "Callback", "CallbackList", "CSVLogger", "History", "LearningRateScheduler",
    "TerminateOnNaN", "CHECKPOINT_FORMAT", "METRICS", "EarlyStopping", "ModelCheckpoint",
    "ReduceLROnPlateau", "ProgressBar", "Trainer", "GANTrainer",
]
