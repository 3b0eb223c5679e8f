"""More activation modules (PyTorch's names and arguments) over ``ops.activation_ext``.

``inplace=True`` is accepted where PyTorch accepts it and computes out of place: the values and
gradients are the same; the module returns the result (true in-place arrives with the version
counters).
"""
from __future__ import annotations

import numpy

from ..autograd.tensor import DEFAULT_DTYPE
from ..ops import activation as A
from ..ops import activation_ext as E
from ..ops import activation_param as G
from .module import Module, Parameter


class _Inplace(Module):
    """An elementwise activation with only the ``inplace`` flag."""

    fn = staticmethod(E.silu)

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return self.fn(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class SiLU(_Inplace):
    """x sigmoid(x)."""


class Mish(_Inplace):
    """x tanh(softplus(x))."""

    fn = staticmethod(E.mish)


class SELU(_Inplace):
    """scale (max(0, x) + min(0, alpha (e^x - 1)))."""

    fn = staticmethod(E.selu)


class ReLU6(_Inplace):
    """min(max(x, 0), 6)."""

    fn = staticmethod(E.relu6)


class Hardsigmoid(_Inplace):
    """relu6(x + 3) / 6."""

    fn = staticmethod(E.hardsigmoid)


class Hardswish(_Inplace):
    """x relu6(x + 3) / 6."""

    fn = staticmethod(E.hardswish)


class LogSigmoid(Module):
    """log(sigmoid(x))."""

    def forward(self, input):  # noqa: A002
        return E.logsigmoid(input)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input):  # noqa: A002
        return G.tanhshrink(input)


class GELU(Module):
    """x Phi(x); ``approximate='tanh'`` for the tanh approximation."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input):  # noqa: A002
        return E.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class CELU(Module):
    """max(0, x) + min(0, alpha (e^(x/alpha) - 1))."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):  # noqa: A002
        return E.celu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Hardtanh(Module):
    """clamp(x, min_val, max_val)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0,
                 inplace: bool = False) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val {min_val} must not exceed max_val {max_val}")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):  # noqa: A002
        return E.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Softshrink(Module):
    """x - lambd sign(x) where |x| > lambd, else 0."""

    soft = True

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input):  # noqa: A002
        return (E.softshrink if self.soft else E.hardshrink)(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Hardshrink(Softshrink):
    """x where |x| > lambd, else 0."""

    soft = False


class Threshold(Module):
    """x where x > threshold, else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):  # noqa: A002
        return E.threshold(input, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}"


class PReLU(Module):
    """max(0, x) + a min(0, x) with a learnable ``weight`` of ``num_parameters`` values (one, or
    one per channel along dim 1), initialized to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(numpy.full(num_parameters, init,
                                           numpy.dtype(dtype or DEFAULT_DTYPE)))

    def reset_parameters(self) -> None:
        self.weight._data[...] = self.init

    def forward(self, input):  # noqa: A002
        return G.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Leaky ReLU with slope ~ U(lower, upper) per element in training, (lower + upper)/2 in
    evaluation."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):  # noqa: A002
        return G.rrelu(input, self.lower, self.upper, self.training)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}"


class GLU(Module):
    """a sigmoid(b) for the two halves a, b of ``dim``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        return G.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(Module):
    """softmax(-x) along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        return G.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels of (N, C, H, W) or (C, H, W) input."""

    def forward(self, input):  # noqa: A002
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected a 3-D or 4-D input, got shape "
                             f"{tuple(input.shape)}")
        return A.softmax(input, -3)
