"""Optimizer base: param groups, lazy per-parameter state, zero_grad, step, state_dict."""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy

from ..autograd.grad_mode import enable_grad
from ..autograd.tensor import Tensor
from ..autograd.version import bump
from ..backend import entry_of, get_array_module

#: key of ``state_dict()`` naming the optimizer class, so a foreign state is rejected
TYPE_KEY = "optimizer"


class Optimizer:
    """Base class of every optimizer (``torch.optim.Optimizer``'s contract).

    Subclasses call ``super().__init__(params, defaults)`` and implement ``_update(p, g, state,
    group)``, which changes ``p._data`` in place from the gradient array ``g`` (never written to:
    one gradient array may be shared by several tensors) and the per-parameter ``state`` dict
    (created empty on a parameter's first step). ``_check_group(group)`` validates a group's
    hyperparameters, raising ``ValueError`` that names the bad value.

    Args:
        params: an iterable of Tensors, or of dicts (param groups) each with a ``"params"`` key
            and optional per-group hyperparameters overriding ``defaults``.
        defaults: hyperparameter defaults for every group.

    Attributes:
        param_groups: list of dicts, each with a ``"params"`` list and every hyperparameter.
        state: per-parameter state keyed by the parameter Tensor (arrays and numbers).
    """

    def __init__(self, params: Iterable, defaults: dict) -> None:
        if isinstance(params, (Tensor, dict)):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of Tensors or of "
                            f"dicts, got a single {type(params).__name__}")
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{type(self).__name__}: params must be an ordered iterable; a set "
                            f"gives a different order (and state mapping) on each run")
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict] = []
        self._scratch_pool: dict = {}
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ---- groups -------------------------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own hyperparameters (missing ones take defaults).

        Raises:
            TypeError: ``param_group`` is not a dict, or holds a non-Tensor parameter.
            ValueError: a parameter already in another group, or a bad hyperparameter value.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"add_param_group: expected a dict, got {type(param_group).__name__}")
        params = param_group.get("params")
        if params is None:
            raise ValueError("add_param_group: the group has no 'params' key")
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("add_param_group: 'params' must be ordered (a list), got a set")
        params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__}: params[{i}] is a {type(p).__name__} "
                                f"({p!r:.60}), expected a Tensor")
            if not p.is_leaf:
                raise ValueError(f"{type(self).__name__}: params[{i}] (shape {p.shape}) is not "
                                 f"a leaf tensor; can't optimize a tensor made by an op")
        if len({id(p) for p in params}) != len(params):
            raise ValueError(f"{type(self).__name__}: a parameter appears twice in one group")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            if id(p) in seen:
                raise ValueError(f"{type(self).__name__}: a parameter (shape {p.shape}) appears "
                                 f"in more than one parameter group")
        group = {k: v for k, v in param_group.items() if k != "params"}
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_group(group)
        group["params"] = params
        self.param_groups.append(group)

    def _check_group(self, group: dict) -> None:
        """Validate one group's hyperparameters (subclasses override)."""

    # ---- stepping -----------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient (``None``, or a fresh zero array: never in place)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    xp = get_array_module(p.grad._data)
                    p.grad = Tensor._make(xp.zeros_like(p.grad._data), False, None, 0)

    def step(self, closure: Callable[[], Any] | None = None):
        """Apply one update to every parameter that has a gradient.

        Args:
            closure: optional callable that re-evaluates the model and returns the loss
                (run with gradients enabled before the update).

        Returns:
            The closure's loss, or ``None``.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        state = self.state
        update = self._update
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                st = state.get(p)
                if st is None:
                    st = state[p] = {}
                update(p, grad._data, st, group)
                bump(p._vc)  # an in-place change: a graph that saved p refuses backward
        return loss

    def _update(self, p: Tensor, g, state: dict, group: dict) -> None:
        raise TypeError(f"{type(self).__name__} does not define an update rule (_update)")

    def _scratch(self, like, slot: int = 0):
        """A reusable work array of ``like``'s shape and dtype (shared by all parameters).

        Rules that need a temporary (weight decay, ``lr * buf``) write it here instead of
        allocating a parameter-sized array each step. ``slot`` picks one of several independent
        arrays; each stays valid until the next ``_scratch`` call with the same slot.
        """
        key = (like.dtype, get_array_module(like), slot)
        buf = self._scratch_pool.get(key)
        if buf is None or buf.size < like.size:
            buf = key[1].empty(like.size, dtype=like.dtype)
            self._scratch_pool[key] = buf
        return buf[:like.size].reshape(like.shape)

    def _grad_with_decay(self, p: Tensor, g, group: dict):
        """The gradient after the group's ``maximize`` (negate) and weight decay.

        Coupled L2 decay is ``g + wd * p``. With ``decoupled_weight_decay`` (AdamW) the weights
        shrink in place, ``p <- p (1 - lr wd)``, and the gradient gets no decay term.
        Returns ``g`` itself when nothing applies to it; otherwise a scratch array (``g``
        untouched).
        """
        weight_decay, maximize = group["weight_decay"], group["maximize"]
        if group.get("decoupled_weight_decay"):
            if weight_decay != 0:
                get_array_module(p._data).multiply(p._data, 1 - group["lr"] * weight_decay,
                                                  out=p._data)
            weight_decay = 0.0
        if weight_decay == 0 and not maximize:
            return g
        xp = get_array_module(g)
        out = self._scratch(g)
        if weight_decay != 0:
            xp.multiply(p._data, weight_decay, out=out)
            if maximize:
                xp.subtract(out, g, out=out)
            else:
                xp.add(out, g, out=out)
        else:
            xp.negative(g, out=out)
        return out

    # ---- serialization ------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """A snapshot in PyTorch's layout, with parameters replaced by their running index.

        Returns:
            ``{"optimizer": class name, "state": {index: {name: array copy | number}},
            "param_groups": [{...hyperparameters..., "params": [indices]}]}``.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: (list(v) if isinstance(v, tuple) else v)
                      for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state.get(p)
                if st:
                    state[index[id(p)]] = {k: (v.copy() if hasattr(v, "shape") else v)
                                           for k, v in st.items()}
        return {TYPE_KEY: type(self).__name__, "state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a ``state_dict()`` snapshot; everything is validated before anything changes.

        Raises:
            ValueError: a state from another optimizer type, a different number of groups or
                of parameters per group, an unknown parameter index, or a state array whose
                shape differs from its parameter's.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or "param_groups" not in state_dict \
                or "state" not in state_dict:
            raise ValueError(f"{name}.load_state_dict: expected a dict with 'state' and "
                             f"'param_groups' keys")
        saved_type = state_dict.get(TYPE_KEY)
        if saved_type != name:
            raise ValueError(f"{name}.load_state_dict: the state belongs to optimizer "
                             f"{saved_type!r}, not {name!r}")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the state has {len(saved_groups)} param "
                             f"groups, this optimizer has {len(self.param_groups)}")
        by_index = {}
        for i, (g, sg) in enumerate(zip(self.param_groups, saved_groups)):
            if len(sg["params"]) != len(g["params"]):
                raise ValueError(f"{name}.load_state_dict: param group {i} has "
                                 f"{len(sg['params'])} parameters in the state, "
                                 f"{len(g['params'])} here")
            by_index.update(zip((int(k) for k in sg["params"]), g["params"]))
        new_state = {}
        for key, st in state_dict["state"].items():
            p = by_index.get(int(key))
            if p is None:
                raise ValueError(f"{name}.load_state_dict: state for unknown parameter index "
                                 f"{key!r}")
            new_state[p] = self._restore_entry(p, st, key)
        new_groups = []
        for g, sg in zip(self.param_groups, saved_groups):
            # keys missing from an older state keep their current values
            merged = {k: v for k, v in g.items() if k != "params"}
            merged.update({k: (tuple(v) if isinstance(self.defaults.get(k), tuple) else v)
                           for k, v in sg.items() if k != "params"})
            self._check_group(merged)
            merged["params"] = g["params"]
            new_groups.append(merged)
        self.state = new_state
        self.param_groups[:] = new_groups  # schedulers keep a reference to this list

    def _restore_entry(self, p: Tensor, st: dict, key) -> dict:
        """Copy one parameter's saved state onto its device/dtype, checking array shapes."""
        xp = get_array_module(p._data)
        out = {}
        for k, v in st.items():
            if isinstance(v, (bool, int, float, str)) or v is None:
                out[k] = v
                continue
            if not isinstance(v, xp.ndarray):  # host data, or another device's array
                v = v.get() if entry_of(v) is not None else numpy.asarray(v)
            arr = v
            if arr.ndim == 0:
                out[k] = int(arr) if arr.dtype.kind in "iub" else float(arr)
                continue
            if arr.shape != p.shape:
                raise ValueError(f"{type(self).__name__}.load_state_dict: state {k!r} of "
                                 f"parameter {key} has shape {arr.shape}, the parameter has "
                                 f"shape {p.shape}")
            out[k] = xp.array(arr, dtype=p.dtype if arr.dtype.kind == "f" else arr.dtype)
        return out

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

