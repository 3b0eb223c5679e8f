"""Validation of a training checkpoint against a Trainer, before anything is changed.

Every field is checked, with dry runs on throwaway copies where the owner's own loader knows
best (optimizer, scheduler, callbacks, generators), so that a bad field (corrupted, crafted, or
from another setup) raises CheckpointError naming it while the trainer stays untouched.
"""
from __future__ import annotations

import copy
import numbers

import numpy

from ..autograd.tensor import Tensor
from ..serialization import CheckpointError

_EXPECTED = (RecursionError, ValueError, KeyError, TypeError, IndexError, AttributeError,
             OverflowError)


def _fail(where: str, field: str, why: str) -> CheckpointError:
    return CheckpointError(f"{where}: checkpoint field {field!r} is not valid: {why}")


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def check_int(where: str, field: str, value, minimum: int = 0) -> int:
    if not _is_int(value) or value < minimum:
        raise _fail(where, field, f"expected an int >= {minimum}, got {str(value)[:80]}")
    return int(value)


def check_state_dict(where: str, field: str, state, model) -> None:
    """Names, array-ness and shapes against ``model.state_dict()``."""
    if not isinstance(state, dict):
        raise _fail(where, field, f"expected a dict of arrays, got {type(state).__name__}")
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    if missing or unexpected:
        raise _fail(where, field, f"does not match the model: missing keys {missing[:10]}, "
                                  f"unexpected keys {unexpected[:10]}")
    for k, v in state.items():
        arr = v.numpy() if isinstance(v, Tensor) else v
        if not isinstance(arr, numpy.ndarray) or arr.dtype.kind not in "biuf":
            raise _fail(where, f"{field}.{k}", f"expected an array, got {type(v).__name__}")
        if arr.shape != tuple(own[k].shape):
            raise _fail(where, f"{field}.{k}", f"shape {arr.shape} does not match the model's "
                                               f"{tuple(own[k].shape)}")


def check_optimizer(where: str, state, optimizer, field: str = "optimizer") -> None:
    probe = copy.copy(optimizer)  # load_state_dict rebinds state and fills param_groups[:]
    probe.param_groups = list(optimizer.param_groups)
    try:
        probe.load_state_dict(state)
    except _EXPECTED as e:
        raise _fail(where, field, f"does not match this trainer: {_msg(e)}") from None


def _kind(v) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, numbers.Real):
        return "number"
    if isinstance(v, (list, tuple)):
        return "list"
    return type(v).__name__


def _check_kinds(where: str, field: str, state: dict, own: dict, strict: bool) -> None:
    """Each saved value must be of the kind the owner holds now (None stands for any)."""
    for k, v in state.items():
        if k not in own:
            if strict:
                raise _fail(where, f"{field}.{k}", "no such state here")
            continue
        a, b = _kind(own[k]), _kind(v)
        if a != b and "none" not in (a, b) and {a, b} != {"number", "bool"}:
            raise _fail(where, f"{field}.{k}", f"expected a {a}, got a {b}")


def check_scheduler(where: str, state, scheduler) -> None:
    if scheduler is None:
        return
    if state is None:
        raise _fail(where, "scheduler", "the checkpoint has no scheduler state, but the trainer "
                                        f"has a {type(scheduler).__name__}")
    if not isinstance(state, dict):
        raise _fail(where, "scheduler", f"expected a dict, got {type(state).__name__}")
    _check_kinds(where, "scheduler", state, scheduler.state_dict(), strict=True)
    try:
        copy.copy(scheduler).load_state_dict(state)
    except _EXPECTED as e:
        raise _fail(where, "scheduler", f"does not match this trainer: {_msg(e)}") from None


def check_generator_state(where: str, field: str, state, like=None) -> None:
    """Try the state on a fresh generator of the same kind as ``like`` (default PCG64)."""
    bit = type(like.bit_generator)() if like is not None else numpy.random.PCG64()
    try:
        bit.state = state
    except _EXPECTED as e:
        raise _fail(where, field, f"not a {type(bit).__name__} generator state ({_msg(e)})") \
            from None


def check_history(where: str, state) -> None:
    from .callbacks import History

    ok = isinstance(state, dict) and isinstance(state.get("history"), dict) and all(
        isinstance(k, str) and isinstance(v, list) for k, v in state["history"].items())
    if not ok:
        raise _fail(where, "history", "expected {'epoch': [...], 'history': {name: [...]}}")
    try:
        History().load_state_dict(state)
    except _EXPECTED as e:
        raise _fail(where, "history", _msg(e)) from None


def check_callbacks(where: str, states, callbacks, model, key) -> None:
    if not isinstance(states, dict):
        raise _fail(where, "callbacks", f"expected a dict, got {type(states).__name__}")
    for i, cb in enumerate(callbacks):
        name = key(i, cb)
        state = states.get(name)
        if state is None:
            continue
        field = f"callbacks.{name}"
        if not isinstance(state, dict):
            raise _fail(where, field, f"expected a dict, got {type(state).__name__}")
        _check_kinds(where, field, state, cb.state_dict(), strict=False)
        weights = state.get("best_weights")
        if isinstance(weights, dict) and model is not None:
            check_state_dict(where, f"{field}.best_weights", weights, model)
        try:
            copy.copy(cb).load_state_dict(state)
        except _EXPECTED as e:
            raise _fail(where, field, _msg(e)) from None


def check_position(where: str, pos) -> None:
    """The mid-epoch part: ``{"batch", "loader", "sums", "weights", "outputs", "targets"}``."""
    if pos is None:
        return
    if not isinstance(pos, dict):
        raise _fail(where, "position", f"expected a dict or None, got {type(pos).__name__}")
    check_int(where, "position.batch", pos.get("batch"), 1)
    for field in ("sums", "weights"):
        values = pos.get(field)
        if not isinstance(values, dict) or not all(
                isinstance(k, str) and isinstance(v, numbers.Real) and not isinstance(v, bool)
                for k, v in values.items()):
            raise _fail(where, f"position.{field}", "expected a dict of numbers by log key")
    outs, tgts = pos.get("outputs"), pos.get("targets")
    if not (isinstance(outs, list) and isinstance(tgts, list) and len(outs) == len(tgts) and
            all(isinstance(a, numpy.ndarray) for a in outs + tgts)):
        raise _fail(where, "position.outputs", "expected two lists of arrays of one length")
    loader = pos.get("loader")
    if not isinstance(loader, dict) or loader.get("order") is None or \
            loader.get("batches") != pos["batch"]:
        raise _fail(where, "position.loader", "expected the loader's position at batch "
                                              f"{pos['batch']}")


def _msg(e: BaseException) -> str:
    return str(e.args[0]) if e.args else type(e).__name__
