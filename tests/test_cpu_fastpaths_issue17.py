"""The CPU speed paths of issue 17 against their generic references (values and gradients).

- ``cpu_conv_few``: convolutions with 2-4 input channels (RGB first layers), any stride,
  padding and dilation, against the NHWC im2col path (taken when ``FEW_CHANNELS_MAX`` is patched
  to 1) and a plain einsum reference, plus float64 gradchecks.
- ``cpu_batchnorm_nhwc``: training-mode batch norm of channels-last data, against the generic
  ``BatchNorm`` (taken for the same data in NCHW layout), running statistics included.
- ``Linear`` over 3-D inputs as one 2-D GEMM, against the row-by-row product.
"""
import numpy as np
import pytest
from test_conv_pool_fastpaths import reference_conv

import deepgrad as dg
import deepgrad.functional as F
from deepgrad.autograd import gradcheck
from deepgrad.ops import cpu_batchnorm_nhwc, cpu_conv_few

# (x shape, weight shape, stride, padding, dilation): odd sizes, 2-4 channels, batch 1 included.
FEW = [
    ((2, 3, 11, 13), (5, 3, 3, 3), (2, 2), (1, 1), (1, 1)),
    ((1, 3, 16, 15), (4, 3, 7, 7), (2, 2), (3, 3), (1, 1)),
    ((2, 2, 9, 10), (3, 2, 3, 2), (2, 3), (2, 1), (2, 1)),
    ((3, 4, 8, 8), (6, 4, 4, 4), (2, 2), (1, 1), (1, 1)),
    ((2, 3, 10, 9), (20, 3, 3, 3), (1, 1), (1, 1), (1, 1)),
    ((1, 3, 12, 12), (2, 3, 5, 5), (3, 3), (2, 2), (2, 2)),
    ((2, 3, 7, 7), (3, 3, 1, 1), (2, 2), (0, 0), (1, 1)),
]


def _conv(x, w, b, stride, padding, dilation, groups=1):
    ts = [dg.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = F.conv2d(*ts, stride=stride, padding=padding, dilation=dilation, groups=groups)
    gy = np.random.default_rng(1).standard_normal(y.shape).astype(x.dtype)
    few = getattr(y._ctx, "few", False)  # which path ran (backward frees the node's state)
    y.backward(dg.tensor(gy))
    return y, gy, [t.grad.numpy() for t in ts], few


@pytest.mark.parametrize("case", FEW)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_few_channel_conv_matches_references(case, dtype, monkeypatch):
    xs, ws, stride, padding, dilation = case
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(xs).astype(dtype), rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype)
    y, gy, grads, few = _conv(x, w, b, stride, padding, dilation)
    assert few == (ws[0] > 16 or stride != (1, 1))  # else the batch-innermost path
    ref, win = reference_conv(x, w, b, stride, padding, dilation)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(y.numpy(), ref, **tol)
    np.testing.assert_allclose(grads[1], np.einsum("nchwpq,nohw->ocpq", win, gy), **tol)
    np.testing.assert_allclose(grads[2], gy.sum(axis=(0, 2, 3)), **tol)
    # The generic NHWC path (the reference implementation) for the input gradient.
    monkeypatch.setattr(cpu_conv_few, "FEW_CHANNELS_MAX", 1)
    y2, _, grads2, few2 = _conv(x, w, b, stride, padding, dilation)
    assert not few2
    np.testing.assert_allclose(y.numpy(), y2.numpy(), **tol)
    for g, g2 in zip(grads, grads2):
        np.testing.assert_allclose(g, g2, **tol)


@pytest.mark.parametrize("case", [FEW[0], FEW[2], FEW[5]])
def test_few_channel_conv_gradcheck(case):
    xs, ws, stride, padding, dilation = case
    rng = np.random.default_rng(2)
    ts = [dg.tensor(rng.standard_normal(s), requires_grad=True) for s in (xs, ws, ws[:1])]
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation), ts)


def test_few_channel_conv_not_taken_for_groups_or_one_channel():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 9, 9)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    y = F.conv2d(dg.tensor(x), dg.tensor(w, requires_grad=True), stride=2, groups=2)
    assert not y._ctx.few
    ref = np.concatenate([reference_conv(x[:, 2 * g:2 * g + 2], w[3 * g:3 * g + 3],
                                         np.zeros(3, np.float32), (2, 2), (0, 0), (1, 1))[0]
                          for g in range(2)], axis=1)
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-4, atol=1e-4)
    x1 = rng.standard_normal((1, 1, 9, 9)).astype(np.float32)
    y1 = F.conv2d(dg.tensor(x1), dg.tensor(w[:, :1], requires_grad=True), stride=2)
    assert not y1._ctx.few


def _nhwc(a):
    """The NCHW view of an NHWC-contiguous copy of ``a`` (what a convolution outputs)."""
    perm = (0,) + tuple(range(2, a.ndim)) + (1,)
    inv = (0, a.ndim - 1) + tuple(range(1, a.ndim - 1))
    return np.ascontiguousarray(a.transpose(perm)).transpose(inv)


def _bn(x, w, b, gy, affine=True):
    c = x.shape[1]
    xt = dg.from_numpy(x).requires_grad_(True)  # keeps x's memory layout
    wt, bt = (dg.tensor(w, requires_grad=True), dg.tensor(b, requires_grad=True)) if affine \
        else (None, None)
    rm, rv = dg.tensor(np.zeros(c, x.dtype)), dg.tensor(np.ones(c, x.dtype))
    y = F.batch_norm(xt, rm, rv, wt, bt, training=True, momentum=0.3)
    fused = y._ctx.fused  # which path ran (backward frees the node's state)
    y.backward(dg.from_numpy(gy))
    grads = [xt.grad.numpy()] + ([wt.grad.numpy(), bt.grad.numpy()] if affine else [])
    return y, grads, (rm.numpy(), rv.numpy()), fused


@pytest.mark.parametrize("shape", [(4, 5, 3, 3), (1, 3, 5, 4), (2, 64, 8, 8), (7, 6),
                                   (3, 4, 5), (2, 1, 3, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine", [True, False])
def test_fused_batchnorm_matches_generic(shape, dtype, affine, monkeypatch):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 3 + 2).astype(dtype)
    gy = rng.standard_normal(shape).astype(dtype)
    w, b = rng.standard_normal(shape[1]).astype(dtype), rng.standard_normal(shape[1]).astype(dtype)
    lay = _nhwc if len(shape) > 2 else (lambda a: a)
    y, grads, stats, fused = _bn(lay(x), w, b, lay(gy), affine)
    assert fused and y.dtype == dtype
    # The generic path, on NCHW-contiguous data (which it takes anyway, but for one channel).
    monkeypatch.setattr(cpu_batchnorm_nhwc, "channels_innermost", lambda a: False)
    y2, grads2, stats2, fused2 = _bn(np.ascontiguousarray(x), w, b, np.ascontiguousarray(gy),
                                     affine)
    assert not fused2
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(y.numpy(), y2.numpy(), **tol)
    for g, g2 in zip(grads + list(stats), grads2 + list(stats2)):
        np.testing.assert_allclose(g, g2, **tol)


def test_fused_batchnorm_gradcheck_and_torch():
    rng = np.random.default_rng(1)
    ts = [dg.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3, 3, 2), 3, 3)]

    def bn_nhwc(x, w, b):
        # gradcheck perturbs C-contiguous inputs: make the channels-last copy inside
        x = x.permute(0, 2, 3, 1).reshape(-1).reshape(2, 3, 2, 3).permute(0, 3, 1, 2)
        y = F.batch_norm(x, None, None, w, b, training=True)
        assert y._ctx is None or y._ctx.fused  # no node when gradcheck runs it without grad
        return y

    assert gradcheck(bn_nhwc, ts)
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 8, 5, 5)).astype(np.float32)
    y = F.batch_norm(dg.from_numpy(_nhwc(x)).requires_grad_(True), None, None, training=True)
    assert y._ctx.fused
    ty = torch.nn.functional.batch_norm(torch.from_numpy(x), None, None, training=True)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-4, atol=1e-5)


def test_linear_3d_is_one_gemm_with_the_same_values():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3, 7))
    w, b = rng.standard_normal((4, 7)), rng.standard_normal(4)
    ts = [dg.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = F.linear(*ts)
    gy = rng.standard_normal((5, 3, 4))
    y.backward(dg.tensor(gy))
    np.testing.assert_allclose(y.numpy(), np.einsum("tbi,oi->tbo", x, w) + b, rtol=1e-12)
    np.testing.assert_allclose(ts[0].grad.numpy(), np.einsum("tbo,oi->tbi", gy, w), rtol=1e-12)
    np.testing.assert_allclose(ts[1].grad.numpy(), np.einsum("tbo,tbi->oi", gy, x), rtol=1e-12)
    assert gradcheck(F.linear, [dg.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True),
                                dg.tensor(rng.standard_normal((2, 4)), requires_grad=True)])


@pytest.mark.parametrize("slope", [0.2, 0.0, 1.0, -0.3, 1.5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_leaky_relu_branch_free_is_exact(slope, dtype):
    rng = np.random.default_rng(0)
    x = _nhwc(rng.standard_normal((3, 4, 5, 2)).astype(dtype))
    x[0, 0, 0, 0], x[0, 1, 0, 0] = 0.0, np.nan
    if slope != 0:  # inf * 0 is NaN (with a warning) on every path
        x[1, 0, 0, 0], x[1, 1, 0, 0] = -np.inf, np.inf
    gy = rng.standard_normal(x.shape).astype(dtype)
    xt = dg.from_numpy(x).requires_grad_(True)
    y = dg.nn.LeakyReLU(slope)(xt)
    y.backward(dg.from_numpy(gy))
    s = dtype(slope)
    np.testing.assert_array_equal(y.numpy(), np.where(x > 0, x, x * s))  # NaN equal to NaN
    np.testing.assert_array_equal(xt.grad.numpy(), np.where(x > 0, gy, gy * s))
    assert y.dtype == xt.grad.dtype == dtype
    xg = dg.tensor(rng.standard_normal((2, 3)) + 0.5, requires_grad=True)
    assert gradcheck(lambda t: dg.nn.LeakyReLU(slope)(t), [xg])
