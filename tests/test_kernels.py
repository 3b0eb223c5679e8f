"""Hot-op kernels against plain NumPy (ReLU: values, NaN, memory layout, every array shape) and the
scoped ufunc buffer of ``backend.long_runs``."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.ops import _kernels


@pytest.mark.parametrize("shape,axes", [
    ((64, 28, 28, 6), (0, 3, 1, 2)),  # an NCHW view of a channels-last conv output
    ((3, 40000), (1, 0)),
    ((100003,), None),  # a last chunk shorter than the others
    ((5, 7), None),  # below the chunked path's size
])
def test_relu_matches_maximum_and_keeps_layout(shape, axes):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    x.reshape(-1)[::97] = np.nan
    if axes:
        x = x.transpose(axes)
    y = _kernels.relu(x)
    ref = np.maximum(x, 0)
    assert y.dtype == x.dtype and y.shape == x.shape and y.strides == ref.strides
    np.testing.assert_array_equal(y, ref)  # NaN in the same places
    gap = x[..., ::2]  # not dense: the plain path
    np.testing.assert_array_equal(_kernels.relu(gap), np.maximum(gap, 0))


def test_relu_chunks_are_used_and_layer_gradient_matches():
    assert _kernels.CHUNK * 2 <= 64 * 28 * 28 * 6
    rng = np.random.default_rng(1)
    x = dg.tensor(rng.standard_normal((64, 6, 28, 28)), requires_grad=True)
    y = dg.nn.ReLU()(x)
    gy = rng.standard_normal(y.shape)
    (y * dg.tensor(gy)).sum().backward()
    np.testing.assert_array_equal(y.numpy(), np.maximum(x.numpy(), 0))
    np.testing.assert_array_equal(x.grad.numpy(), gy * (x.numpy() > 0))
    assert x.grad.dtype == np.float64


def test_long_runs_scopes_the_ufunc_buffer_and_restores_it():
    from deepgrad.backend import LONG_RUN_BUFSIZE, long_runs

    before = np.getbufsize()
    with long_runs(np):
        assert np.getbufsize() == LONG_RUN_BUFSIZE
    assert np.getbufsize() == before
    with pytest.raises(RuntimeError, match="inside"), long_runs(np):
        raise RuntimeError("inside the block")
    assert np.getbufsize() == before
    with long_runs(object()):  # another array module: nothing to set
        assert np.getbufsize() == before
    # Same values with either buffer: an add over strided runs of 640.
    a, b = np.arange(60 * 700.0).reshape(60, 700), np.ones((60, 640))
    ref = a[:, :640] + b
    with long_runs(np):
        a[:, :640] += b
    np.testing.assert_array_equal(a[:, :640], ref)
