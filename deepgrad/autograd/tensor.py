"""Tensor: an array with an optional gradient and a link to the Function that made it."""
from __future__ import annotations

import numpy

from ..backend import CPU, device_of, entry_of, get_array_module
from .grad_mode import STATE

DEFAULT_DTYPE = numpy.float32


def _as_array(data, dtype=None):
    """Turn Python data or an array into an array; Python floats become float32 by default."""
    if isinstance(data, Tensor):
        data = data._data
    xp = get_array_module(data)
    if isinstance(data, xp.ndarray):
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    if type(data).__module__.startswith("cupy") and entry_of(data) is None:
        from ..backend import resolve

        resolve("cuda")  # a CuPy array from user code: register CuPy, then take it as it is
        return _as_array(data, dtype)
    if isinstance(data, numpy.generic):
        return numpy.asarray(data, dtype=dtype)
    arr = numpy.asarray(data)
    if dtype is None and arr.dtype == numpy.float64:
        arr = arr.astype(DEFAULT_DTYPE)
    elif dtype is not None and arr.dtype != dtype:
        arr = arr.astype(dtype)
    return arr


class Tensor:
    """An n-dimensional array that records the ops applied to it for reverse-mode autodiff.

    Attributes:
        data: PyTorch's ``.data``: a Tensor sharing this one's memory, cut from the graph, with
            its own version counter (so ``p._data.add_(g, alpha=-lr)`` updates ``p`` without
            autograd seeing it, as in PyTorch). Assigning ``t._data = other`` swaps the memory.
        grad: a Tensor of ``data``'s shape after ``backward()``, else ``None``.
        requires_grad: whether gradients flow to this tensor.

    Inside the library the array itself is ``_data`` (NumPy, or CuPy on a GPU). The operators
    and most methods (``item``, ``tolist``, ``numel``, ``clone``, ``float``/``long``/...) are
    attached from the op registry (``ops/registry.py``) when ``deepgrad.ops`` is imported.
    """

    # ``_vc`` is the storage's version counter: a one-element list shared by every tensor that
    # views the same memory (views, ``detach()``); in-place ops increment it, and backward compares
    # it with the version each op recorded (``autograd/version.py``).
    __slots__ = ("_data", "grad", "requires_grad", "_ctx", "_out_idx", "_retain", "_vc",
                 "__weakref__")
    __array_priority__ = 1000  # so that ndarray <op> Tensor defers to Tensor's reflected operator

    def __init__(self, data, requires_grad: bool = False, dtype=None) -> None:
        self._data = _as_array(data, dtype)
        self.grad = None
        self._ctx = None
        self._out_idx = 0
        self._retain = False
        self._vc = [0, None]
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, requires_grad, ctx, idx):
        """Fast constructor for op outputs (no conversion, no checks)."""
        t = object.__new__(cls)
        t._data = data
        t.grad = None
        t.requires_grad = requires_grad
        t._ctx = ctx
        t._out_idx = idx
        t._retain = False
        t._vc = [0, None]
        return t

    # ---- properties -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by a recorded op."""
        return self._ctx is None

    @property
    def _version(self) -> int:
        """How many in-place ops changed this tensor's storage (PyTorch's ``Tensor._version``)."""
        return self._vc[0]

    @property
    def grad_fn(self):
        """The Function that produced this tensor (``None`` for leaves)."""
        return self._ctx

    @property
    def device(self):
        """Where the data lives: a ``dg.device`` (equal to strings such as ``"cpu"``)."""
        d = self._data
        if isinstance(d, (numpy.ndarray, numpy.generic)):
            return CPU
        return device_of(d)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def size(self, dim: int | None = None):
        """The shape, or its length along ``dim`` (PyTorch's ``size``)."""
        return self._data.shape if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        return self._data.ndim

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # ---- conversion -------------------------------------------------------------------------
    def numpy(self):
        """The data as a NumPy array (shares memory); a device tensor needs ``.cpu()`` first."""
        d = self._data
        if isinstance(d, numpy.ndarray):
            return d
        # A ufunc on 0-d arrays returns a NumPy scalar, so op outputs of shape () may hold one.
        if isinstance(d, numpy.generic):
            return numpy.asarray(d)
        raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                        f"Tensor.cpu() to copy the tensor to host memory first.")

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        return bool(self.item())

    def __array__(self, dtype=None, copy=None):
        return self.numpy() if dtype is None else self.numpy().astype(dtype)

    def __repr__(self) -> str:
        dev = self.device
        host = self.numpy() if dev is CPU else self._data.get()
        body = numpy.array2string(host, separator=", ", prefix="tensor(")
        extra = "" if dev is CPU else f", device='{dev}'"
        if self.dtype != DEFAULT_DTYPE and self.dtype != numpy.int64:
            extra += f", dtype={self.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn=<{self._ctx.name}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # ---- autograd ---------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place; only floating-point tensors can require gradients."""
        if requires_grad and self._data.dtype.kind not in "fc":
            raise TypeError(f"requires_grad: only floating-point tensors can require gradients, "
                            f"got dtype {self._data.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    @property
    def data(self) -> "Tensor":
        """A detached Tensor sharing this tensor's memory, with a version counter of its own."""
        return Tensor._make(self._data, False, None, 0)

    @data.setter
    def data(self, value) -> None:
        """``t._data = other``: ``t`` now holds ``other``'s memory (its shape and dtype too)."""
        self._data = value._data if isinstance(value, Tensor) else _as_array(value)

    def detach(self) -> "Tensor":
        """A tensor sharing this data (and its version counter) but cut from the graph."""
        t = Tensor._make(self._data, False, None, 0)
        t._vc = self._vc
        return t

    def detach_(self) -> "Tensor":
        self._ctx = None
        self.requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (as PyTorch's ``retain_grad``)."""
        if self._ctx is not None:
            self._retain = True
            retained = getattr(self._ctx, "retained", None)
            if retained is None:
                retained = self._ctx.retained = {}
            retained[self._out_idx] = self

    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        Args:
            grad: upstream gradient of ``self``'s shape; may be omitted for a one-element tensor.
            retain_graph: keep the graph so that backward can run through it again.
        """
        _backward(self, grad, retain_graph)

    def __hash__(self) -> int:
        return id(self)

    def astype(self, dtype) -> "Tensor":
        from ..ops.arithmetic import to_dtype

        return to_dtype(self, dtype)

    def to(self, *args, **kwargs) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other_tensor)``.

        Returns ``self`` when nothing changes (unless ``copy=True``); otherwise a tensor on the
        target device and dtype, still in the graph (gradients flow back to this device).
        """
        from ..ops.device import parse_to_args, to_device

        dev, dtype, copy = parse_to_args(self, args, kwargs)
        return to_device(self, dev, dtype, copy)

    def cuda(self, device=None) -> "Tensor":
        """This tensor on a CUDA device (``device``: an index or ``"cuda:i"``; current if None)."""
        from ..backend import as_device

        return self.to("cuda" if device is None else as_device(device))

    def cpu(self) -> "Tensor":
        """This tensor in host memory (``self`` when it is there already)."""
        return self if isinstance(self._data, (numpy.ndarray, numpy.generic)) else self.to("cpu")


def is_grad_enabled() -> bool:
    return STATE.enabled


from .engine import backward as _backward  # noqa: E402  (engine needs Tensor defined first)
