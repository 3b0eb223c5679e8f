"""conv1d/conv2d and Conv1d/Conv2d: worked example, naive reference, gradcheck, torch parity."""
import math
import tracemalloc

import numpy as np
import pytest

import deepgrad as dg
import deepgrad.functional as F
from deepgrad import nn
from deepgrad.ops import conv as conv_ops


def naive_conv2d(x, w, b, stride, padding, dilation, groups):
    """Obviously correct loops over every output element (padding as (ph, pw) or 'same')."""
    n, c, h, wd = x.shape
    co, cg, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    if padding == "same":
        th, tw = dh * (kh - 1), dw * (kw - 1)
        pads = ((th // 2, th - th // 2), (tw // 2, tw - tw // 2))
    else:
        pads = ((padding[0], padding[0]), (padding[1], padding[1]))
    xp = np.pad(x, ((0, 0), (0, 0)) + pads)
    ho = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    wo = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, co, ho, wo))
    cog = co // groups
    for i in range(n):
        for o in range(co):
            g = o // cog
            for r in range(ho):
                for s in range(wo):
                    acc = 0.0 if b is None else b[o]
                    for ci in range(cg):
                        for p in range(kh):
                            for q in range(kw):
                                acc += xp[i, g * cg + ci, r * sh + p * dh, s * sw + q * dw] \
                                    * w[o, ci, p, q]
                    y[i, o, r, s] = acc
    return y


# (C_in, C_out, kernel, stride, padding, dilation, groups) on a 2 x C_in x 6 x 7 input
CASES_2D = [
    (1, 3, (3, 3), (1, 1), (0, 0), (1, 1), 1),
    (2, 3, (3, 3), (2, 2), (1, 1), (1, 1), 1),
    (2, 2, (2, 3), (1, 2), (1, 0), (2, 1), 1),
    (4, 6, (3, 3), (1, 1), (1, 1), (1, 1), 2),
    (4, 4, (3, 2), (1, 1), "same", (2, 1), 4),
    (3, 2, (3, 3), (2, 1), (2, 1), (1, 2), 1),
]


def _arrays(rng, cin, cout, kernel, groups, shape=(2, None, 6, 7)):
    x = rng.standard_normal((shape[0], cin) + shape[2:])
    w = rng.standard_normal((cout, cin // groups) + kernel)
    return x, w, rng.standard_normal(cout)


def test_chapter_worked_example():
    img = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0],
                    [0, 1, 1, 0, 0]], np.float32)
    filt = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], np.float32)
    y = F.conv2d(dg.tensor(img[None, None]), dg.tensor(filt[None, None]), dg.zeros(1))
    np.testing.assert_array_equal(y.numpy()[0, 0], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    assert y.dtype == np.float32


@pytest.mark.parametrize("case", CASES_2D)
def test_conv2d_matches_naive_loops(case):
    cin, cout, kernel, stride, padding, dilation, groups = case
    x, w, b = _arrays(np.random.default_rng(1), cin, cout, kernel, groups)
    y = F.conv2d(dg.tensor(x), dg.tensor(w), dg.tensor(b), stride, padding, dilation, groups)
    ref = naive_conv2d(x, w, b, stride, padding, dilation, groups)
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", CASES_2D)
def test_conv2d_gradcheck(case):
    cin, cout, kernel, stride, padding, dilation, groups = case
    x, w, b = _arrays(np.random.default_rng(2), cin, cout, kernel, groups, (1, None, 5, 6))
    ts = [dg.tensor(a, requires_grad=True) for a in (x, w, b)]
    assert dg.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups), ts)


@pytest.mark.parametrize("stride,padding,dilation,groups", [
    (1, 0, 1, 1), (2, 1, 1, 1), (1, "same", 2, 2), (3, 2, 1, 1), (1, "valid", 1, 2)])
def test_conv1d_matches_naive_and_gradcheck(stride, padding, dilation, groups):
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 4, 9)), rng.standard_normal((4, 4 // groups, 3)), \
        rng.standard_normal(4)
    y = F.conv1d(dg.tensor(x), dg.tensor(w), dg.tensor(b), stride, padding, dilation, groups)
    pad2 = padding if isinstance(padding, str) else (0, padding)
    if padding == "valid":
        pad2 = (0, 0)
    ref = naive_conv2d(x[:, :, None], w[:, :, None], b, (1, stride), pad2, (1, dilation),
                       groups)[:, :, 0]
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-10, atol=1e-10)
    ts = [dg.tensor(a, requires_grad=True) for a in (x, w, b)]
    assert dg.gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride, padding, dilation, groups), ts)


@pytest.mark.parametrize("case", CASES_2D)
def test_conv2d_torch_parity(case):
    torch = pytest.importorskip("torch")
    cin, cout, kernel, stride, padding, dilation, groups = case
    rng = np.random.default_rng(4)
    x, w, b = (a.astype(np.float32) for a in _arrays(rng, cin, cout, kernel, groups))
    ours = [dg.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = F.conv2d(*ours, stride, padding, dilation, groups)
    yt = torch.nn.functional.conv2d(*theirs, stride=stride, padding=padding, dilation=dilation,
                                    groups=groups)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    gy = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(gy)
    yt.backward(torch.from_numpy(gy))
    for a, at in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_conv1d_torch_parity():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((3, 4, 11), (6, 2, 3), (6,)))
    ours = [dg.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = F.conv1d(*ours, stride=2, padding=1, dilation=2, groups=2)
    yt = torch.nn.functional.conv1d(*theirs, stride=2, padding=1, dilation=2, groups=2)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    y.sum().backward()
    yt.sum().backward()
    for a, at in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_chunked_batch_matches_one_chunk_and_bounds_memory(monkeypatch):
    rng = np.random.default_rng(6)
    x, w, b = (rng.standard_normal(s) for s in ((16, 3, 20, 20), (4, 3, 3, 3), (4,)))

    def run():
        ts = [dg.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = F.conv2d(*ts, padding=1)
        (y * y).sum().backward()
        return [y.numpy()] + [t.grad.numpy() for t in ts]

    whole = run()
    cols_bytes = 16 * 20 * 20 * 27 * 8
    monkeypatch.setattr(conv_ops, "COLS_BUDGET_BYTES", cols_bytes // 8)
    for a, c in zip(whole, run()):
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-9)
    # Forward under no_grad: peak = input + output + one chunk's columns, far below all columns.
    tracemalloc.start()
    with dg.no_grad():
        F.conv2d(dg.tensor(x), dg.tensor(w), dg.tensor(b), padding=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < x.nbytes + 16 * 4 * 400 * 8 + cols_bytes // 2


@pytest.mark.parametrize("x_shape,kwargs,match", [
    ((2, 3, 8), {}, r"Conv2d\(3, 4.*input must be 4-D .*\(2, 3, 8\)"),
    ((2, 5, 8, 8), {}, r"Conv2d\(3, 4.*5 channels.*expects 3"),
    ((2, 3, 2, 2), {}, r"kernel size \(3, 3\).*larger than the padded input"),
])
def test_layer_errors_name_layer_argument_and_shapes(x_shape, kwargs, match):
    layer = nn.Conv2d(3, 4, 3, **kwargs)
    with pytest.raises(ValueError, match=match):
        layer(dg.zeros(*x_shape))


@pytest.mark.parametrize("kwargs,match", [
    ({"stride": 0}, "stride must be positive"),
    ({"stride": -1}, "stride must be positive"),
    ({"groups": 2}, "groups=2 must be a positive int dividing in_channels=3"),
    ({"padding": "same", "stride": 2}, "padding='same' needs stride 1"),
])
def test_bad_layer_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.Conv2d(3, 4, 3, **kwargs)


def test_functional_errors():
    x, w = dg.zeros(1, 4, 5, 5), dg.zeros(6, 4, 3, 3)
    with pytest.raises(ValueError, match=r"conv2d: groups=3 must divide .* 4 .* 6"):
        F.conv2d(x, dg.zeros(6, 2, 3, 3), groups=3)
    with pytest.raises(ValueError, match=r"conv2d: stride must be positive, got \(0, 1\)"):
        F.conv2d(x, w, stride=(0, 1))
    with pytest.raises(ValueError, match=r"conv2d: bias shape \(5,\) must be \(6,\)"):
        F.conv2d(x, w, dg.zeros(5))
    with pytest.raises(ValueError, match="conv1d: input must be 3-D"):
        F.conv1d(x, dg.zeros(6, 4, 3))


def test_conv_layers_shapes_init_and_regularizer():
    layer = nn.Conv2d(4, 6, (3, 5), groups=2, weight_regularizer=lambda w: (w * w).sum())
    assert layer.weight.shape == (6, 2, 3, 5) and layer.bias.shape == (6,)
    bound = 1 / math.sqrt(2 * 3 * 5)  # kaiming_uniform(a=sqrt 5) gives U(-1/sqrt(fan_in), ...)
    assert np.abs(layer.weight.numpy()).max() <= bound
    assert np.abs(layer.weight.numpy()).max() > 0.8 * bound
    assert np.abs(layer.bias.numpy()).max() <= bound
    assert float(layer.regularization_loss()) == pytest.approx(
        float((layer.weight.numpy().astype(np.float64) ** 2).sum()), rel=1e-5)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    c1 = nn.Conv1d(2, 3, 4, bias=False, padding="same")
    assert c1.bias is None and c1(dg.randn(5, 2, 10)).shape == (5, 3, 10)


def test_output_dtype_layout_and_no_graph():
    x = dg.randn(2, 3, 8, 8)
    layer = nn.Conv2d(3, 5, 3, padding=1)
    y = layer(x)
    assert y.shape == (2, 5, 8, 8) and y.dtype == np.float32 and y.requires_grad
    with dg.no_grad():
        assert not layer(x).requires_grad
    d = nn.Conv2d(3, 5, 3).double()
    assert d(x.double()).dtype == np.float64
