"""Per-thread switches for graph recording: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``."""
from __future__ import annotations

import functools
import threading


class _State(threading.local):
    """Grad mode of the calling thread (PyTorch keeps it thread-local).

    Every thread starts with recording on: a ``no_grad`` block in one thread never turns off
    recording in another. Ops read ``STATE.enabled`` on every call, so keep it one attribute.
    """

    def __init__(self) -> None:
        self.enabled = True
        self.inference = False


class _Anomaly:
    """Anomaly detection, one switch for the process (as PyTorch's ``set_detect_anomaly``); a
    plain attribute because every op reads it."""

    __slots__ = ("anomaly",)

    def __init__(self) -> None:
        self.anomaly = False


ANOMALY = _Anomaly()


STATE = _State()


def is_grad_enabled() -> bool:
    """Whether ops currently record a graph."""
    return STATE.enabled


class _GradMode:
    """Context manager and decorator that sets grad recording to ``self.mode`` inside."""

    mode = True

    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = self.mode
        return self

    def __exit__(self, *exc):
        STATE.enabled = self.prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class _NoArgGradMode(_GradMode):
    """Also usable as a bare decorator, ``@dg.no_grad``, as in PyTorch 2."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoArgGradMode):  # noqa: N801 - PyTorch's name
    """Build no graph inside: ``with dg.no_grad(): ...``, ``@dg.no_grad()`` or ``@dg.no_grad``."""

    mode = False


class enable_grad(_NoArgGradMode):  # noqa: N801 - PyTorch's name
    """Re-enable graph recording inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradMode):  # noqa: N801 - PyTorch's name
    """Turn graph recording on or off, as a call or around a block (PyTorch's semantics).

    ``dg.set_grad_enabled(False)`` switches recording off at once for this thread; used as
    ``with dg.set_grad_enabled(False): ...`` the previous mode comes back at the block's end; as
    a decorator it sets the mode around each call.
    """

    def __init__(self, mode: bool) -> None:
        self.prev = STATE.enabled
        self.mode = bool(mode)
        STATE.enabled = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        STATE.enabled = self.prev
        return False

    def __call__(self, fn):
        STATE.enabled = self.prev  # decorating must not leave the mode switched
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class inference_mode(_GradMode):  # noqa: N801 - PyTorch's name
    """``with dg.inference_mode(): ...``, ``@dg.inference_mode()`` or ``@dg.inference_mode``:
    build no graph inside.

    ``inference_mode(False)`` leaves the current mode as it is. PyTorch also marks tensors made
    inside as "inference tensors" that later refuse autograd; deepgrad records no graph for them
    (they are plain tensors without ``grad_fn``), which gives the same results.
    """

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # used bare as a decorator: ``mode`` is the function

    def __init__(self, mode: bool = True) -> None:
        self.inside = bool(mode)

    def __enter__(self):
        self.prev = (STATE.enabled, STATE.inference)
        if self.inside:
            STATE.enabled, STATE.inference = False, True
        return self

    def __exit__(self, *exc):
        STATE.enabled, STATE.inference = self.prev
        return False

    def __call__(self, fn):
        inside = self.inside

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(inside):
                return fn(*args, **kwargs)

        return wrapper


def is_inference_mode_enabled() -> bool:
    """Whether the calling thread is inside an ``inference_mode()`` block."""
    return STATE.inference
