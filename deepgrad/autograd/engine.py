"""Reverse-mode engine: iterative topological order, gradient reduction and accumulation."""
from __future__ import annotations

import numpy

from ..backend import get_array_module
from .anomaly import check_backward
from .function import unbroadcast
from .grad_mode import ANOMALY
from .hooks import HOOKS, BackwardHooks, run_hooks
from .tensor import Tensor, _as_array
from .version import EPOCH, check_versions

_FREED = ("backward: trying to backward through the graph a second time, after its saved arrays "
          "were freed; call .backward(retain_graph=True) the first time to backward through it "
          "again")


def _topological_order(root):
    """Functions reachable from ``root``, each before the functions that made its inputs.

    An explicit stack, not recursion: a 100,000-step chain must not hit Python's recursion limit.
    """
    order = []
    seen = set()
    stack = [(root, False)]
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            order.append(fn)
            continue
        # Mark a node when it is expanded, not when pushed: a node pushed early but reached
        # again through a longer path must still be finished before every node that uses it.
        if fn in seen:
            continue
        seen.add(fn)
        if fn.released:
            raise RuntimeError(_FREED)
        stack.append((fn, True))
        for t in fn.inputs:
            c = t._ctx
            if c is not None and c not in seen and t.requires_grad:
                stack.append((c, False))
    order.reverse()
    return order


def backward(root: Tensor, grad=None, retain_graph: bool = False) -> None:
    """Backpropagate from ``root``; see ``Tensor.backward``.

    Gradient arrays are never modified in place after they are handed on (one array can be the
    gradient of several inputs, e.g. of both operands of an add), so accumulation rebinds.
    """
    if not root.requires_grad:
        raise RuntimeError("backward: tensor does not require grad and has no grad_fn; set "
                           "requires_grad=True on a leaf it depends on")
    if grad is None:
        if root._data.size != 1:
            raise RuntimeError(f"backward: grad can be implicitly created only for one-element "
                               f"outputs, got shape {root.shape}; pass grad= of that shape")
        gy = get_array_module(root._data).ones_like(root._data)
    else:
        gy = _as_array(grad, root.dtype)
        if gy.shape != root.shape:
            raise RuntimeError(f"backward: grad shape {gy.shape} does not match the tensor's "
                               f"shape {root.shape}")
    root_fn = root._ctx
    if root_fn is None:  # a leaf: its gradient is the seed itself
        _accumulate_leaf(root, gy)
        if id(root) in HOOKS:
            run_hooks(root)
        return
    pending = {root_fn: _slots(root_fn, root._out_idx, gy)}
    anomaly = ANOMALY.anomaly
    order = _topological_order(root_fn)
    # post-accumulate-grad hooks (autograd/hooks.py): None, so free, unless one is registered
    hooks = BackwardHooks(order) if HOOKS else None
    for fn in order:
        gys = pending.pop(fn, None)
        if gys is None:
            continue
        if fn.epoch != EPOCH[0]:  # an in-place change since this node ran: look closer
            check_versions(fn)
        if fn.n_out == 1:
            gxs = fn.backward(gys[0])
        else:
            xp = get_array_module(*[g for g in gys if g is not None])
            gxs = fn.backward(*[g if g is not None else xp.zeros(*m) for g, m in
                                zip(gys, fn.out_meta)])
        retained = fn.__dict__.get("retained")
        if retained:
            for idx, t in retained.items():
                if gys[idx] is not None:
                    t.grad = Tensor._make(gys[idx], False, None, 0)
        if anomaly:
            check_backward(fn, gxs)
        if type(gxs) is not tuple:
            gxs = (gxs,)
        for t, g in zip(fn.inputs, gxs):
            if g is None or not t.requires_grad:
                if hooks is not None:
                    hooks.edge(t, False)
                continue
            if g.shape != t._data.shape:
                g = unbroadcast(g, t._data.shape)
            c = t._ctx
            if c is None:
                _accumulate_leaf(t, g)
                if hooks is not None:
                    hooks.edge(t, True)
            else:
                slots = pending.get(c)
                if slots is None:
                    pending[c] = _slots(c, t._out_idx, g)
                else:
                    old = slots[t._out_idx]
                    slots[t._out_idx] = g if old is None else old + g
        if not retain_graph:
            fn.release()
    if hooks is not None:
        hooks.finish()


def _slots(fn, idx, g):
    slots = [None] * fn.n_out
    slots[idx] = g
    return slots


def _accumulate_leaf(t: Tensor, g) -> None:
    if g.dtype != t._data.dtype:
        g = g.astype(t._data.dtype)
    if t.grad is not None:
        g = t.grad._data + g  # a new array: the old one may be shared with other tensors
    if isinstance(g, numpy.generic):  # a ufunc on 0-d arrays gave a scalar: keep .grad an array
        g = numpy.asarray(g)
    t.grad = Tensor._make(g, False, None, 0)
