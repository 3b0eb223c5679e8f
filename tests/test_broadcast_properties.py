"""Property tests (hypothesis): broadcasting ops give NumPy's values and gradients summed back to
each operand's shape, for any pair of broadcastable shapes."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import deepgrad as dg

OPS = {
    "add": (lambda a, b: a + b, lambda a, b, g: (g, g)),
    "sub": (lambda a, b: a - b, lambda a, b, g: (g, -g)),
    "mul": (lambda a, b: a * b, lambda a, b, g: (g * b, g * a)),
    "maximum": (dg.maximum, lambda a, b, g: (g * ((a > b) + 0.5 * (a == b)),
                                             g * ((b > a) + 0.5 * (a == b)))),
}


def _reduce_to(g, shape):
    """The obvious reference: sum over leading axes, then over stretched size-1 axes."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return g


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=40, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                 max_side=3),
       seed=st.integers(0, 2**16))
def test_broadcast_values_and_gradients(name, shapes, seed):
    fn, grads = OPS[name]
    rng = np.random.default_rng(seed)
    a_shape, b_shape = shapes.input_shapes
    a_np, b_np = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    a = dg.tensor(a_np, requires_grad=True)
    b = dg.tensor(b_np, requires_grad=True)
    out = fn(a, b)
    assert out.shape == shapes.result_shape
    g = rng.standard_normal(shapes.result_shape)
    out.backward(g)
    ga, gb = grads(np.broadcast_to(a_np, g.shape), np.broadcast_to(b_np, g.shape), g)
    np.testing.assert_allclose(a.grad.numpy(), _reduce_to(np.asarray(ga), a_shape), atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), _reduce_to(np.asarray(gb), b_shape), atol=1e-12)
    assert a.grad.shape == a_shape and b.grad.shape == b_shape
