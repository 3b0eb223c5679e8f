"""Function: the base of every differentiable op (forward and backward on plain arrays)."""
from __future__ import annotations

import numpy

from ..backend import device_of
from .anomaly import check_forward
from .grad_mode import ANOMALY, STATE
from .version import EPOCH, same_memory


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
    epoch = None  # the in-place-change count when the node was recorded (autograd/version.py)
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
        if ANOMALY.anomaly:
            check_forward(self, inputs, y)
        make = Tensor._make
        if self.n_out == 1:
            out = make(y, record, self if record else None, 0)
            if inputs:  # an output that is the first input's memory shares its version counter
                src = inputs[0]
                d = src._data
                try:
                    base = y.base
                except AttributeError:  # an array type without views
                    base = None
                if y is d or (base is not None and (base is d or base is getattr(d, "base", 0))):
                    out._vc = src._vc
                    if record:
                        self.is_view = True
            if record:
                self.inputs = inputs
                self.needs_input_grad = tuple([t.requires_grad for t in inputs])
                self.epoch = EPOCH[0]  # in-place changes after this one are checked at backward
                self.out_vc, self.out_id = out._vc, id(y)
            return out
        return self._apply_many(inputs, y, record)

    def _apply_many(self, inputs, ys, record: bool):
        """``apply`` for ops with several outputs (split, max with indices, RNN states)."""
        make = Tensor._make
        if record:  # before the outputs: differentiable_output may read needs_input_grad
            self.inputs = inputs
            self.needs_input_grad = tuple([t.requires_grad for t in inputs])
        outs = []
        for i, a in enumerate(ys):  # an integer output (indices) is a constant, as in PyTorch
            diff = record and self.differentiable_output(i)
            o = make(a, diff, self if diff else None, i)
            if inputs and same_memory(a, inputs[0]._data):
                o._vc = inputs[0]._vc
                if record:
                    self.is_view = True
            outs.append(o)
        if record:
            self.out_meta = [(a.shape, a.dtype) for a in ys]
            self.epoch = EPOCH[0]
            self.out_vcs, self.out_ids = [o._vc for o in outs], [id(a) for a in ys]
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
