"""Version counters: detect a saved array that an in-place op changed before backward used it.

Every tensor's storage has a counter (``Tensor._vc``, shared by views and ``detach()``) that each
in-place op increments. A recorded node notes its inputs' versions and its outputs' counters
(``Function.apply``). Before the engine calls a node's ``backward`` it compares them: equal
versions (the common case) cost one integer compare each. Only when a version moved does it look
at what the node saved, and it raises only if the changed memory is among the arrays ``backward``
will read, so an in-place change that cannot corrupt the gradient (the input of an add, the
output of a linear layer) passes, as in PyTorch.
"""
from __future__ import annotations


def check_versions(fn) -> None:
    """Raise PyTorch's RuntimeError if memory saved by ``fn`` was changed in place since forward.

    Args:
        fn: a recorded Function about to run its backward.
    """
    versions = fn.__dict__.get("in_versions")
    if versions is None:
        return
    for t, v in zip(fn.inputs, versions):
        if t._vc[0] != v and _saves(fn, lambda a, d=t._data: _same_memory(a, d)):
            raise RuntimeError(_message(fn, t._data, t._vc[0], v, None))
    for i, ((cell, v), out_id) in enumerate(zip(fn.out_versions, fn.out_ids)):
        if cell[0] != v and _saves(fn, lambda a, k=out_id: _is_output(a, k)):
            arr = _find(fn, lambda a, k=out_id: _is_output(a, k))
            raise RuntimeError(_message(fn, arr, cell[0], v, i))


def _saved_arrays(fn):
    """The arrays ``fn`` keeps for backward: its attributes, and one level into tuples/lists."""
    for name, value in fn.__dict__.items():
        if name in ("inputs", "in_versions", "out_versions", "out_ids", "out_meta", "retained"):
            continue
        if isinstance(value, (tuple, list)):
            for item in value:
                if hasattr(item, "shape") and hasattr(item, "dtype"):
                    yield item
        elif hasattr(value, "shape") and hasattr(value, "dtype"):
            yield value


def _find(fn, match):
    for a in _saved_arrays(fn):
        if match(a):
            return a
    return None


def _saves(fn, match) -> bool:
    return _find(fn, match) is not None


def _same_memory(a, d) -> bool:
    """Whether saved array ``a`` is ``d`` or a view sharing ``d``'s memory."""
    if a is d:
        return True
    base, dbase = getattr(a, "base", None), getattr(d, "base", None)
    return base is not None and (base is d or (dbase is not None and base is dbase))


def _is_output(a, out_id: int) -> bool:
    """Whether saved array ``a`` is the node's output (by identity, recorded as ``id``) or a view.

    The output and everything the node saved were alive together when forward returned, so an
    ``id`` match cannot be a different array that reused the address.
    """
    base = getattr(a, "base", None)
    return id(a) == out_id or (base is not None and id(base) == out_id)


def _message(fn, arr, now: int, expected: int, out_index) -> str:
    shape = list(getattr(arr, "shape", ()))
    dtype = getattr(arr, "dtype", "?")
    which = f", which is output {out_index} of {fn.name}," if out_index is not None else ""
    return (f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{dtype} tensor of shape {shape}]{which} is at version {now}; "
            f"expected version {expected} instead (saved by {fn.name} for its backward). Hint: "
            f"do the in-place change out of place (y = y + 1 instead of y += 1), or clone() "
            f"the tensor before changing it")
