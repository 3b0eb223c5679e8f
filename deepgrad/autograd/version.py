"""Version counters: detect a saved array that an in-place op changed before backward used it.

Every tensor's storage has a counter cell ``Tensor._vc = [version, bumps]``, shared by views and
``detach()``: ``version`` counts the in-place changes (PyTorch's ``Tensor._version``) and
``bumps`` lists the global epochs of the last few (None before the first). ``EPOCH`` is one
global count of in-place changes. A recorded node notes the epoch it ran at (one integer read,
so recording costs next to nothing); before the engine calls its ``backward`` it compares that
with ``EPOCH``: equal (the common case) means nothing changed since. Otherwise it looks at the
inputs and outputs whose storage changed after that epoch, and raises only if the changed memory
is among the arrays ``backward`` will read, so an in-place change that cannot corrupt the
gradient (the input of an add, the output of a linear layer) passes, as in PyTorch.
"""
from __future__ import annotations

EPOCH = [0]  # in-place changes so far, over every tensor
_KEPT = 8  # epochs of the last changes kept per storage (for the "expected version" message)


def bump(cell) -> None:
    """Record one in-place change of the storage whose counter cell is ``cell`` (``t._vc``)."""
    cell[0] += 1
    EPOCH[0] = epoch = EPOCH[0] + 1
    bumps = cell[1]
    if bumps is None:
        cell[1] = [epoch]
    else:
        bumps.append(epoch)
        if len(bumps) > _KEPT:
            del bumps[0]


def check_versions(fn) -> None:
    """Raise PyTorch's RuntimeError if memory saved by ``fn`` was changed in place since forward.

    Args:
        fn: a recorded Function about to run its backward.
    """
    epoch = fn.epoch
    if epoch is None or epoch == EPOCH[0]:
        return
    for t in fn.inputs:
        cell = t._vc
        if _changed_after(cell, epoch) and \
                _find(fn, lambda a, d=t._data: same_memory(a, d)) is not None:
            raise RuntimeError(_message(fn, t._data, cell, epoch, None))
    cells = fn.__dict__.get("out_vcs") or [fn.out_vc]
    ids = fn.__dict__.get("out_ids") or [fn.out_id]
    for i, (cell, out_id) in enumerate(zip(cells, ids)):
        if _changed_after(cell, epoch):
            arr = _find(fn, lambda a, k=out_id: _is_output(a, k))
            if arr is not None:
                raise RuntimeError(_message(fn, arr, cell, epoch, i))


def _changed_after(cell, epoch: int) -> bool:
    bumps = cell[1]
    return bumps is not None and bumps[-1] > epoch


def _saved_arrays(fn):
    """The arrays ``fn`` keeps for backward: its attributes, and one level into tuples/lists."""
    for name, value in fn.__dict__.items():
        if name in ("inputs", "out_vc", "out_vcs", "out_ids", "out_meta", "retained"):
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


def same_memory(a, d) -> bool:
    """Whether array ``a`` is ``d`` or a view sharing ``d``'s memory (``d`` is its base, or both
    view one base array)."""
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


def _message(fn, arr, cell, epoch: int, out_index) -> str:
    now = cell[0]
    after = sum(1 for b in cell[1] if b > epoch)
    kept = len(cell[1])  # all changes after ``epoch`` are known if an older one is kept too
    exact = after < kept or now == kept
    expected = f"{now - after}" if exact else f"{now - after} or less"
    shape = list(getattr(arr, "shape", ()))
    dtype = getattr(arr, "dtype", "?")
    which = f", which is output {out_index} of {fn.name}," if out_index is not None else ""
    return (f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{dtype} tensor of shape {shape}]{which} is at version {now}; "
            f"expected version {expected} instead (saved by {fn.name} for its backward). Hint: "
            f"do the in-place change out of place (y = y + 1 instead of y += 1), or clone() "
            f"the tensor before changing it")
