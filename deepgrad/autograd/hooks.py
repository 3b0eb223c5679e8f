"""Backward hooks: per-leaf post-accumulate-grad hooks and callbacks run when a backward ends.

The engine calls into this module only while at least one hook is registered, so a backward
without hooks pays one truthiness test. DistributedDataParallel is the user: it reduces a
bucket of gradients as soon as each of its parameters' gradients is final, and waits for all
buckets once the backward has finished.
"""
from __future__ import annotations

import itertools
import weakref

# id(leaf) -> {handle id: hook}; keyed by id (a Tensor's == is elementwise, so it cannot be a
# WeakKeyDictionary key) and emptied by a weakref callback, so a hook never keeps a leaf alive
HOOKS: dict = {}
_REFS: dict = {}
_ids = itertools.count()
_ACTIVE: list = []  # the BackwardHooks of the running backward(s), innermost last
_DEPTH = [0]  # hooks/callbacks running now (a backward started inside one is nested)


class RemovableHandle:
    """Returned by ``register_post_accumulate_grad_hook``; ``remove()`` unregisters the hook."""

    def __init__(self, tensor, key: int) -> None:
        self._tid, self.id = id(tensor), key

    def remove(self) -> None:
        hooks = HOOKS.get(self._tid)
        if hooks is not None:
            hooks.pop(self.id, None)
            if not hooks:
                _forget(self._tid)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def register_post_accumulate_grad_hook(tensor, hook) -> RemovableHandle:
    """Call ``hook(tensor)`` once per backward, after the last gradient of that backward has
    been accumulated into ``tensor.grad`` (PyTorch's ``Tensor.register_post_accumulate_grad_hook``).

    Args:
        tensor: a leaf tensor that requires grad.
        hook: ``hook(tensor) -> None``; it may read or replace ``tensor.grad``.

    Returns:
        A handle whose ``remove()`` unregisters the hook.
    """
    if not tensor.requires_grad:
        raise RuntimeError("register_post_accumulate_grad_hook: cannot register a hook on a "
                           "tensor that doesn't require gradient")
    if tensor._ctx is not None:
        raise RuntimeError("register_post_accumulate_grad_hook: post accumulate grad hooks "
                           "cannot be registered on non-leaf tensors")
    if not callable(hook):
        raise TypeError(f"register_post_accumulate_grad_hook: hook must be callable, got "
                        f"{type(hook).__name__}")
    key, tid = next(_ids), id(tensor)
    if tid not in HOOKS:
        HOOKS[tid] = {}
        _REFS[tid] = weakref.ref(tensor, lambda _ref, tid=tid: _forget(tid))
    HOOKS[tid][key] = hook
    return RemovableHandle(tensor, key)


def _forget(tid: int) -> None:
    HOOKS.pop(tid, None)
    _REFS.pop(tid, None)


def queue_callback(callback) -> None:
    """Run ``callback()`` once the running backward has finished (from inside a hook).

    Raises:
        RuntimeError: outside a backward that has hooked leaves.
    """
    if not _ACTIVE:
        raise RuntimeError("queue_callback: no backward with post-accumulate-grad hooks is "
                           "running; call it from inside such a hook")
    _ACTIVE[-1].callbacks.append(callback)


def run_hooks(t) -> None:
    """Call ``t``'s post-accumulate-grad hooks (the engine calls this once per backward)."""
    _DEPTH[0] += 1
    try:
        for hook in list(HOOKS.get(id(t), {}).values()):
            hook(t)
    finally:
        _DEPTH[0] -= 1


class BackwardHooks:
    """One backward's bookkeeping: how many gradient edges each hooked leaf still awaits.

    A leaf's hook fires when the last function in the topological order that takes it as an
    input has been processed (so a parameter used twice fires once, with the summed gradient).
    """

    def __init__(self, order) -> None:
        self.remaining: dict = {}
        self.received: set = set()
        self.callbacks: list = []
        for fn in order:
            for t in fn.inputs:
                if t._ctx is None and t.requires_grad and id(t) in HOOKS:
                    self.remaining[t] = self.remaining.get(t, 0) + 1
        if not _DEPTH[0]:  # not nested: any entry left is from a backward that raised
            _ACTIVE.clear()
        _ACTIVE.append(self)

    def edge(self, t, received: bool) -> None:
        """One gradient edge into ``t`` was processed (``received``: a gradient came along)."""
        left = self.remaining.get(t)
        if left is None:
            return
        if received:
            self.received.add(t)
        if left > 1:
            self.remaining[t] = left - 1
            return
        del self.remaining[t]
        if t in self.received:
            run_hooks(t)

    def finish(self) -> None:
        """Fire the hooks still pending (edges from functions that got no gradient), then run
        the queued callbacks."""
        try:
            for t in [t for t in self.remaining if t in self.received]:
                run_hooks(t)
            _DEPTH[0] += 1
            try:
                for callback in self.callbacks:
                    callback()
            finally:
                _DEPTH[0] -= 1
        finally:
            self.close()

    def close(self) -> None:
        if _ACTIVE and _ACTIVE[-1] is self:
            _ACTIVE.pop()


def _tensor_method(self, hook) -> RemovableHandle:
    return register_post_accumulate_grad_hook(self, hook)


_tensor_method.__doc__ = register_post_accumulate_grad_hook.__doc__


from .tensor import Tensor  # noqa: E402  (tensor.py imports the engine, which imports this)

Tensor.register_post_accumulate_grad_hook = _tensor_method
