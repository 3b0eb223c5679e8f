"""detect_anomaly(): stop at the first op whose forward or backward produced NaN or Inf."""
from __future__ import annotations

import numpy

from ..backend import get_array_module
from .grad_mode import ANOMALY


class AnomalyError(RuntimeError):
    """Raised inside ``detect_anomaly()`` when an op produced a non-finite value."""


def _bad(a) -> bool:
    if a is None or a.dtype.kind not in "fc":
        return False
    return not bool(get_array_module(a).isfinite(a).all())


def _shapes(arrays) -> str:
    return ", ".join(str(tuple(a.shape)) if a is not None else "None" for a in arrays)


def check_forward(fn, inputs, y) -> None:
    """Raise if forward output ``y`` of ``fn`` holds NaN/Inf (called only in anomaly mode)."""
    outs = y if isinstance(y, tuple) else (y,)
    if any(_bad(a) for a in outs):
        bad_in = any(_bad(t._data) for t in inputs)
        origin = "its inputs already did" if bad_in else "its inputs were finite"
        raise AnomalyError(f"detect_anomaly: forward of {type(fn).__name__} produced NaN/Inf "
                           f"({origin}); input shapes: {_shapes([t._data for t in inputs])}")


def check_backward(fn, gxs) -> None:
    """Raise if a gradient returned by ``fn.backward`` holds NaN/Inf (anomaly mode only)."""
    grads = gxs if isinstance(gxs, tuple) else (gxs,)
    if any(_bad(g) for g in grads):
        shapes = _shapes([t._data for t in fn.inputs]) if fn.inputs else "?"
        raise AnomalyError(f"detect_anomaly: backward of {type(fn).__name__} produced NaN/Inf "
                           f"gradients; input shapes: {shapes}; gradient shapes: "
                           f"{_shapes(grads)}")


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager: check every op's outputs and gradients for NaN/Inf and name the culprit.

    Slower (one finiteness test per array), so use it to debug, not to train. Inside it, NumPy's
    own floating-point warnings (divide, overflow, invalid) are off: they would fire first, from
    deep inside an op and without its name, whereas the check then raises ``AnomalyError``
    naming the op and its input shapes.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self):
        self.prev = ANOMALY.anomaly
        ANOMALY.anomaly = self.check_nan
        self.errstate = numpy.errstate(divide="ignore", over="ignore", invalid="ignore")
        if self.check_nan:
            self.errstate.__enter__()
        return self

    def __exit__(self, *exc):
        ANOMALY.anomaly = self.prev
        if self.check_nan:
            self.errstate.__exit__(*exc)
        return False
