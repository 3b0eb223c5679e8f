"""Global switch for graph recording: ``no_grad`` and ``enable_grad``."""
from __future__ import annotations

import functools


class _State:
    """Mutable module state; ops read ``STATE.enabled`` on every call, so keep it one attribute."""

    __slots__ = ("enabled", "anomaly")

    def __init__(self) -> None:
        self.enabled = True
        self.anomaly = False


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
    """Set graph recording on or off inside: ``with dg.set_grad_enabled(False): ...``."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper
