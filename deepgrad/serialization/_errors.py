"""The errors that loading raises: unreadable files, and pickles that a weights-only load
refuses."""
from __future__ import annotations

import pickle


class CheckpointError(ValueError):
    """A file that cannot be read back: truncated, corrupted, of an unknown format, or holding
    what this loader refuses; the message names the file and what is wrong."""


class UnpicklingError(CheckpointError, pickle.UnpicklingError):
    """A weights-only load met something outside the allow-list (a class, a function); the
    message names it and the ways to allow it. Also a ``pickle.UnpicklingError``, as in
    PyTorch."""
