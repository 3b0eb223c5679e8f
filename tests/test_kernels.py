"""The chunked ReLU kernel against plain NumPy: values, NaN, memory layout, every array shape."""
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
