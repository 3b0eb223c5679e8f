"""Module hooks: forward pre/post hooks and full backward (pre-)hooks, with removable handles.

Full backward hooks use PyTorch's approach: the module's tensor inputs and outputs pass through
identity nodes; the output node's backward sees ``grad_output`` (and runs the backward
pre-hooks, which may replace it), the input node's backward sees ``grad_input`` and runs the
backward hooks, which may replace it before it flows on.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..autograd.tensor import Tensor

_NEXT_ID = itertools.count()


class RemovableHandle:
    """Returned by every ``register_*_hook``; ``remove()`` unregisters the hook.

    Also a context manager: ``with module.register_forward_hook(f): ...`` removes on exit.
    """

    def __init__(self, hooks: dict, *extra: dict) -> None:
        self.id = next(_NEXT_ID)
        self._dicts = (hooks,) + extra

    def remove(self) -> None:
        for d in self._dicts:  # the hook dict, then the flag sets
            if isinstance(d, set):
                d.discard(self.id)
            else:
                d.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class _Identity(Function):
    """Passes tensors through unchanged; its backward hands the gradients to ``on_grads``."""

    def __init__(self, n: int, on_grads) -> None:
        self.n_out, self.on_grads = n, on_grads

    def forward(self, *arrays):
        return arrays[0] if self.n_out == 1 else arrays

    def differentiable_output(self, index: int) -> bool:
        # a tensor that needs no grad stays a constant (PyTorch marks it non-differentiable),
        # so the hooks see zeros for it
        return self.needs_input_grad[index]

    def backward(self, *gys):
        out = self.on_grads(gys)
        return out[0] if self.n_out == 1 else out


def _wrap_tensors(values, positions: list, on_grads):
    """``values`` with its top-level tensors routed through one identity node (if any needs
    grad and grad mode is on); ``positions`` receives the tensors' positions in ``values``."""
    single = isinstance(values, Tensor)
    items = (values,) if single else values
    if not isinstance(items, tuple):
        return values
    where = [i for i, v in enumerate(items) if isinstance(v, Tensor)]
    positions.extend(where)
    if not where or not STATE.enabled or not any(items[i].requires_grad for i in where):
        return values
    outs = _Identity(len(where), on_grads).apply(*[items[i] for i in where])
    outs = (outs,) if len(where) == 1 else outs
    new = list(items)
    for i, t in zip(where, outs):
        new[i] = t
    return new[0] if single else tuple(new)


class BackwardHookState:
    """One forward call's link between its output and input identity nodes."""

    def __init__(self, module, hooks, pre_hooks) -> None:
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = None
        self.n_inputs, self.tensor_positions = 0, []
        self.inputs_hooked = False

    def setup_inputs(self, args: tuple) -> tuple:
        wrapped = _wrap_tensors(args, self.tensor_positions, self._on_input_grads)
        self.n_inputs = len(args)
        self.inputs_hooked = wrapped is not args
        return wrapped

    def setup_outputs(self, result):
        return _wrap_tensors(result, [], self._on_output_grads)

    def _on_output_grads(self, gys: tuple) -> tuple:
        for hook in self.pre_hooks:
            res = hook(self.module, gys)
            if res is not None:
                res = res if isinstance(res, tuple) else (res,)
                if len(res) != len(gys):
                    raise RuntimeError(f"Backward pre hook returned an invalid number of "
                                       f"grad_output, got {len(res)}, but expected {len(gys)}")
                gys = tuple(None if g is None else (g._data if isinstance(g, Tensor) else g)
                            for g in res)
        self.grad_outputs = gys
        if not self.inputs_hooked:  # no input needs grad: the hooks run now, grad_input None
            nothing = (None,) * self.n_inputs
            for hook in self.hooks:
                res = hook(self.module, nothing, self._as_tensors(gys))
                if res is not None and any(r is not None for r in res):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
        return gys

    def _on_input_grads(self, gxs: tuple) -> tuple:
        # one entry per positional argument, None for the non-tensors (PyTorch's layout)
        full = [None] * self.n_inputs
        for pos, g in zip(self.tensor_positions, gxs):
            full[pos] = g
        grad_out = self._as_tensors(self.grad_outputs or ())
        for hook in self.hooks:
            res = hook(self.module, self._as_tensors(full), grad_out)
            if res is None:
                continue
            res = res if isinstance(res, tuple) else (res,)
            if len(res) != len(full):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, "
                                   f"got {len(res)}, but expected {len(full)}")
            full = [None if g is None else (g._data if isinstance(g, Tensor) else g)
                    for g in res]
        return tuple(full[pos] for pos in self.tensor_positions)

    @staticmethod
    def _as_tensors(grads: tuple) -> tuple:
        return tuple(None if g is None else Tensor._make(g, False, None, 0) for g in grads)


class HooksMixin:
    """The hook half of ``Module``: registration, and ``__call__`` running the hooks.

    Hook dicts are created on first registration, so a module without hooks keeps the plain
    ``forward`` call path (one dict lookup).
    """

    def _hook_dict(self, name: str) -> OrderedDict:
        d = self.__dict__
        if name not in d:
            d[name] = OrderedDict()
            d["_hook_flags"] = d.get("_hook_flags", {"kwargs": set(), "always": set()})
            d["_has_hooks"] = True
        return d[name]

    def _register(self, name: str, hook, prepend: bool, flags=()) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"{type(self).__name__}.register_{name.strip('_')}: hook must be "
                            f"callable, got {type(hook).__name__}")
        hooks = self._hook_dict(name)
        marks = self.__dict__["_hook_flags"]
        handle = RemovableHandle(hooks, *(marks[f] for f in ("kwargs", "always")))
        hooks[handle.id] = hook
        for flag in flags:
            marks[flag].add(handle.id)
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)`` (or ``(module, args, kwargs)``) before ``forward``.

        It may return new args (a tuple, or one value) — or with ``with_kwargs`` a pair
        ``(args, kwargs)`` — to replace the inputs.
        """
        return self._register("_forward_pre_hooks", hook, prepend,
                              ("kwargs",) if with_kwargs else ())

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)`` (or ``(module, args, kwargs, output)``) after
        ``forward``; a non-None return replaces the output. ``always_call`` runs it even when
        ``forward`` raises."""
        flags = (("kwargs",) if with_kwargs else ()) + (("always",) if always_call else ())
        return self._register("_forward_hooks", hook, prepend, flags)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output)`` when the gradient w.r.t. the outputs is ready; it may
        return a replacement tuple."""
        return self._register("_backward_pre_hooks", hook, prepend)

    def register_full_backward_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` once the gradients w.r.t. the module's
        inputs are computed (one entry per positional argument, None for non-tensors; all None when
        no input needs grad, zeros for one that doesn't beside one that does, as in
        PyTorch); it may return a replacement ``grad_input`` tuple."""
        return self._register("_backward_hooks", hook, prepend)

    def _call_with_hooks(self, *args, **kwargs):
        d = self.__dict__
        marks = d["_hook_flags"]
        for hook_id, hook in list(d.get("_forward_pre_hooks", {}).items()):
            if hook_id in marks["kwargs"]:
                res = hook(self, args, kwargs)
                if res is not None:
                    if not (isinstance(res, tuple) and len(res) == 2):
                        raise RuntimeError(f"forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {res!r}.")
                    args, kwargs = res
            else:
                res = hook(self, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)
        bw = None
        if d.get("_backward_hooks") or d.get("_backward_pre_hooks"):
            bw = BackwardHookState(self, list(d.get("_backward_hooks", {}).values()),
                                   list(d.get("_backward_pre_hooks", {}).values()))
            args = bw.setup_inputs(args)
        forward_hooks = list(d.get("_forward_hooks", {}).items())
        called = set()
        try:
            result = self.forward(*args, **kwargs)
            for hook_id, hook in forward_hooks:
                called.add(hook_id)
                if hook_id in marks["kwargs"]:
                    res = hook(self, args, kwargs, result)
                else:
                    res = hook(self, args, result)
                if res is not None:
                    result = res
        except Exception:
            for hook_id, hook in forward_hooks:
                if hook_id in marks["always"] and hook_id not in called:
                    try:
                        if hook_id in marks["kwargs"]:
                            hook(self, args, kwargs, None)
                        else:
                            hook(self, args, None)
                    except Exception:
                        pass  # the original error is the one to report
            raise
        if bw is not None:
            result = bw.setup_outputs(result)
        return result
