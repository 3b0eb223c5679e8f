"""Pooling ops and layers: naive-loop reference, gradcheck, torch parity, ties, errors."""
import numpy as np
import pytest

import deepgrad as dg
import deepgrad.functional as F
from deepgrad import nn


def naive_pool2d(x, kernel, stride, padding, kind):
    """Loops over windows; max pads with -inf, avg counts the zero padding (PyTorch's default)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    ho, wo = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    y = np.empty(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            win = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            y[:, :, i, j] = win.max(axis=(2, 3)) if kind == "max" else win.mean(axis=(2, 3))
    return y


# (kernel, stride, padding) on a 2 x 3 x 7 x 8 input
CASES = [((2, 2), (2, 2), (0, 0)), ((3, 3), (2, 2), (1, 1)), ((2, 3), (1, 2), (1, 0)),
         ((3, 3), (1, 1), (0, 0)), ((2, 2), (3, 3), (0, 0))]
POOLS = {"max": F.max_pool2d, "avg": F.avg_pool2d}


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", CASES)
def test_pool2d_naive_and_gradcheck(kind, case):
    kernel, stride, padding = case
    x = np.random.default_rng(1).standard_normal((2, 3, 7, 8))
    y = POOLS[kind](dg.tensor(x), kernel, stride, padding)
    np.testing.assert_allclose(y.numpy(), naive_pool2d(x, kernel, stride, padding, kind),
                               rtol=1e-12)
    xs = np.random.default_rng(2).standard_normal((1, 2, 5, 6))  # distinct values: no ties
    assert dg.gradcheck(lambda t: POOLS[kind](t, kernel, stride, padding),
                        [dg.tensor(xs, requires_grad=True)])


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", CASES)
def test_pool2d_torch_parity_with_ties(kind, case):
    torch = pytest.importorskip("torch")
    kernel, stride, padding = case
    rng = np.random.default_rng(3)
    # Rounded values make many tied maxima: the gradient must go to the first one only.
    x = np.round(rng.standard_normal((2, 3, 7, 8)), 0).astype(np.float32)
    xd, xt = dg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = POOLS[kind](xd, kernel, stride, padding)
    yt = getattr(torch.nn.functional, f"{kind}_pool2d")(xt, kernel, stride, padding)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-6)
    gy = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(gy)
    yt.backward(torch.from_numpy(gy))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_max_pool_tie_sends_gradient_once():
    x = dg.tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[1, 0], [0, 0]])


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 2, 1), (3, 1, 0)])
def test_pool1d_matches_2d_reference_gradcheck_and_torch(kind, k, s, p):
    x = np.random.default_rng(4).standard_normal((2, 3, 9))
    fn = getattr(F, f"{kind}_pool1d")
    y = fn(dg.tensor(x), k, s, p)
    ref = naive_pool2d(x[:, :, None], (1, k), (1, s or k), (0, p), kind)[:, :, 0]
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-12)
    assert dg.gradcheck(lambda t: fn(t, k, s, p), [dg.tensor(x, requires_grad=True)])
    torch = pytest.importorskip("torch")
    yt = getattr(torch.nn.functional, f"{kind}_pool1d")(torch.tensor(x), k, s, p)
    np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-12)


@pytest.mark.parametrize("size,out", [((6, 8), (3, 4)), ((7, 5), (3, 2)), ((5, 5), 1),
                                      ((7, 9), (4, None))])
def test_adaptive_avg_pool2d(size, out):
    x = np.random.default_rng(5).standard_normal((2, 3) + size)
    y = F.adaptive_avg_pool2d(dg.tensor(x), out)
    oh, ow = (out, out) if isinstance(out, int) else (out[0], out[1] or size[1])
    assert y.shape == (2, 3, oh, ow)
    for i in range(oh):  # bins [floor(i H / oh), ceil((i + 1) H / oh))
        h0, h1 = i * size[0] // oh, -(-(i + 1) * size[0] // oh)
        for j in range(ow):
            w0, w1 = j * size[1] // ow, -(-(j + 1) * size[1] // ow)
            np.testing.assert_allclose(y.numpy()[:, :, i, j],
                                       x[:, :, h0:h1, w0:w1].mean(axis=(2, 3)), rtol=1e-12)
    assert dg.gradcheck(lambda t: F.adaptive_avg_pool2d(t, out),
                        [dg.tensor(x[:1, :2], requires_grad=True)])
    torch = pytest.importorskip("torch")
    yt = torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), out)
    np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-12)


def test_pool_layers_and_dtype():
    x = dg.randn(2, 4, 8, 8)
    assert nn.MaxPool2d(2)(x).shape == (2, 4, 4, 4)
    assert nn.AvgPool2d(3, stride=1, padding=1)(x).shape == (2, 4, 8, 8)
    assert nn.AdaptiveAvgPool2d((1, 1))(x).shape == (2, 4, 1, 1)
    assert nn.MaxPool1d(2)(dg.randn(2, 4, 9)).shape == (2, 4, 4)
    assert nn.AvgPool1d(3, 2)(dg.randn(2, 4, 9)).shape == (2, 4, 4)
    assert nn.MaxPool2d(2)(x).dtype == np.float32
    assert nn.MaxPool2d(2)(x.double()).dtype == np.float64


@pytest.mark.parametrize("call,match", [
    (lambda: nn.MaxPool2d(2)(dg.zeros(2, 3, 8)), r"MaxPool2d\(kernel_size=2.*4-D.*\(2, 3, 8\)"),
    (lambda: F.max_pool2d(dg.zeros(1, 1, 4, 4), 2, stride=0), "stride must be positive"),
    (lambda: F.avg_pool2d(dg.zeros(1, 1, 2, 2), 3), r"kernel_size \(3, 3\) is larger"),
    (lambda: F.max_pool2d(dg.zeros(1, 1, 6, 6), 2, padding=2), "half the kernel"),
    (lambda: nn.AvgPool1d(2)(dg.zeros(2, 3, 4, 4)), r"AvgPool1d.*3-D"),
    (lambda: F.adaptive_avg_pool2d(dg.zeros(2, 3, 4), 2), "4-D"),
])
def test_pool_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
