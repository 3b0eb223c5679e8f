"""Exact comparison of nested training states (dicts, lists, arrays, numbers) for the tests."""
import numpy as np


def assert_same_state(a, b) -> None:
    """``a`` and ``b`` hold the same keys, lengths, dtypes and values, recursively."""
    if isinstance(a, dict):
        assert sorted(map(str, a)) == sorted(map(str, b))
        for k in a:
            assert_same_state(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            assert_same_state(u, v)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b
