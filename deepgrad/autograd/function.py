"""Function: the base of every differentiable op (forward and backward on plain arrays)."""
from __future__ import annotations

import numpy

from ..backend import device_of
from .anomaly import check_forward
from .grad_mode import STATE


class Function:
    """One differentiable op. Subclasses define ``forward(*arrays)`` and ``backward(*gys)``.

    ``forward`` receives the input arrays and returns one array (or a tuple when the subclass sets
    ``n_out > 1``). ``backward`` receives one upstream gradient per output (``gy``; zeros stand in
    for outputs that got no gradient) and returns one gradient per input, ``None`` where
    ``self.needs_input_grad[i]`` is false or the input is not differentiable. Returned gradients
    may have the broadcast shape; the engine reduces them to the input's shape.

    Hyperparameters go to ``__init__``; arrays needed by backward are saved on ``self`` in
    ``forward``. Calling ``Fn(...).apply(*tensors)`` runs forward and, when grad recording is on
    and an input requires grad, links the node into the graph.
    """

    n_out = 1
    is_view = False  # set on a node whose output views its first input's memory
    inputs = None  # the input Tensors while the node is part of a live graph
    released = False  # set once backward freed the saved arrays

    def apply(self, *inputs):
        """Run forward on ``inputs`` (Tensors) and return the output Tensor(s).

        An output that is the input's array or a view of it shares the input's version counter,
        so an in-place change through either is seen by both. While recording, the node notes
        its inputs' versions and its outputs' counters; the engine checks them before backward
        (``autograd/version.py``).
        """
        try:
            y = self.forward(*[t._data for t in inputs])
        except (TypeError, ValueError) as exc:  # free when nothing is raised (Python 3.11+)
            check_same_device(self.name, inputs, exc)
            raise
        record = False
        if STATE.enabled:
            for t in inputs:
                if t.requires_grad:
                    record = True
                    break
        if STATE.anomaly:
            check_forward(self, inputs, y)
        make = Tensor._make
        if not record:
            if self.n_out == 1:
                out = make(y, False, None, 0)
                if inputs:
                    _share_if_view(out, y, inputs[0])
                return out
            outs = tuple(make(a, False, None, 0) for a in y)
            for o, a in zip(outs, y):
                _share_if_view(o, a, inputs[0])
            return outs
        self.inputs = inputs
        self.needs_input_grad = tuple([t.requires_grad for t in inputs])
        self.in_versions = [t._vc[0] for t in inputs]
        if self.n_out == 1:
            out = make(y, True, self, 0)
            if _share_if_view(out, y, inputs[0]):
                self.is_view = True
            self.out_ids = (id(y),)
            self.out_versions = ((out._vc, out._vc[0]),)
            return out
        self.out_meta = [(a.shape, a.dtype) for a in y]
        outs = []
        for i, a in enumerate(y):  # an integer output (indices) is a constant, as in PyTorch
            diff = self.differentiable_output(i)
            o = make(a, diff, self if diff else None, i)
            if _share_if_view(o, a, inputs[0]):
                self.is_view = True
            outs.append(o)
        self.out_ids = tuple(id(a) for a in y)
        self.out_versions = tuple((o._vc, o._vc[0]) for o in outs)
        return tuple(outs)

    def differentiable_output(self, index: int) -> bool:
        """Whether output ``index`` carries gradient (integer outputs such as indices do not)."""
        return True

    def release(self) -> None:
        """Drop the saved arrays and the links to the inputs (after a backward without retain)."""
        self.__dict__.clear()
        self.released = True

    @property
    def name(self) -> str:
        """The op's name as error messages show it."""
        return type(self).__name__


def _share_if_view(out, y, src) -> bool:
    """Give ``out`` the version counter of ``src`` when array ``y`` is ``src``'s memory.

    Views are unary ops (reshape, transpose, indexing, split), so only the first input is
    compared: ``y`` is its array, or both are views of the same base array.
    """
    d = src._data
    base = getattr(y, "base", None)
    if y is d or (base is not None and (base is d or base is getattr(d, "base", None))):
        out._vc = src._vc
        return True
    return False
def check_same_device(op: str, inputs, exc: Exception | None = None) -> None:
    """Raise RuntimeError naming ``op`` and two devices when ``inputs`` live on different ones.

    Called only once an op's forward has failed, so the CPU path pays nothing for it; arrays
    of two devices always fail there, since a device module refuses host arrays.
    """
    seen = []
    for t in inputs:
        if isinstance(t._data, numpy.generic):  # a Python scalar operand: fits any device
            continue
        d = device_of(t._data)
        if d not in seen:
            seen.append(d)
    if len(seen) > 1:
        raise RuntimeError(f"{op}: expected all tensors to be on the same device, but found at "
                           f"least two devices, {seen[0]} and {seen[1]}") from exc


def unbroadcast(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched, so that it has ``shape``."""
    if g.shape == shape:
        return g
    nd = g.ndim - len(shape)
    if nd < 0:
        return g.reshape(shape)
    axes = list(range(nd))
    for i, n in enumerate(shape):
        if n == 1 and g.shape[nd + i] != 1:
            axes.append(nd + i)
    if axes:
        g = g.sum(axis=tuple(axes), keepdims=True)
    return g.reshape(shape)


from .tensor import Tensor  # noqa: E402  (the knot: Tensor and Function refer to each other)
