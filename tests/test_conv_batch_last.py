"""The batch-innermost path of small convolutions and poolings against the channels-last path.

``conv_batch_last.py`` runs groups=1, stride-1 convolutions with few channels on (C, H, W, N)
arrays; patching ``BATCH_LAST_MAX_OUT`` to 0 sends the same call down the NHWC path, which has
its own reference tests. Poolings keep whichever layout they are given.
"""
import numpy as np
import pytest

import deepgrad as dg
import deepgrad.functional as F
from deepgrad.ops import conv as conv_ops
from deepgrad.ops import conv_cols
from deepgrad.ops.conv_cols import is_batch_last

# (C_in, C_out, kernel, padding, dilation, bias)
CASES = [
    (1, 6, (5, 5), (2, 2), (1, 1), True),   # LeNet's first conv: bias folded into the GEMM
    (1, 3, (3, 2), (0, 1), (2, 1), False),
    (6, 16, (5, 5), (0, 0), (1, 1), True),  # LeNet's second conv
    (3, 4, (2, 3), "same", (1, 2), True),
    (8, 2, (3, 3), (1, 0), (1, 1), False),
]


def _conv_and_grads(x, w, b, need=(True, True, True), **kw):
    ts = [dg.tensor(x, requires_grad=need[0]), dg.tensor(w, requires_grad=need[1])]
    if b is not None:
        ts.append(dg.tensor(b, requires_grad=need[2]))
    y = F.conv2d(*ts, **kw)
    gy = np.random.default_rng(9).standard_normal(y.shape)
    (y * dg.tensor(gy)).sum().backward()
    return y, [None if t.grad is None else t.grad.numpy() for t in ts]


@pytest.mark.parametrize("cin,cout,kernel,padding,dilation,bias", CASES)
def test_batch_last_path_equals_channels_last_path(monkeypatch, cin, cout, kernel, padding,
                                                   dilation, bias):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, cin, 11, 9))
    w = rng.standard_normal((cout, cin) + kernel)
    b = rng.standard_normal(cout) if bias else None
    y, grads = _conv_and_grads(x, w, b, padding=padding, dilation=dilation)
    assert is_batch_last(y._data)
    monkeypatch.setattr(conv_ops, "BATCH_LAST_MAX_OUT", 0)
    y_ref, grads_ref = _conv_and_grads(x, w, b, padding=padding, dilation=dilation)
    assert not is_batch_last(y_ref._data)
    np.testing.assert_allclose(y.numpy(), y_ref.numpy(), rtol=1e-12, atol=1e-12)
    for g, g_ref in zip(grads, grads_ref):
        np.testing.assert_allclose(g, g_ref, rtol=1e-12, atol=1e-11)


@pytest.mark.parametrize("cin,cout,kernel,padding,dilation,bias", CASES[1:4])
def test_batch_last_gradcheck(cin, cout, kernel, padding, dilation, bias):
    rng = np.random.default_rng(1)
    ts = [dg.tensor(rng.standard_normal((2, cin, 7, 6)), requires_grad=True),
          dg.tensor(rng.standard_normal((cout, cin) + kernel), requires_grad=True)]
    if bias:
        ts.append(dg.tensor(rng.standard_normal(cout), requires_grad=True))
    assert dg.gradcheck(lambda *t: F.conv2d(*t, padding=padding, dilation=dilation), ts)


@pytest.mark.parametrize("need", [(False, True, True), (False, False, True), (True, False, False)])
def test_batch_last_partial_gradients(monkeypatch, need):
    # The folded bias (one input channel) with a frozen weight, and a frozen weight and bias.
    monkeypatch.setattr(conv_cols, "GEMM_BLOCK_BYTES", 1 << 10)  # several column blocks
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((3, 1, 9, 9)), rng.standard_normal((4, 1, 3, 3)), \
        rng.standard_normal(4)
    _, grads = _conv_and_grads(x, w, b, need, padding=1)
    monkeypatch.setattr(conv_ops, "BATCH_LAST_MAX_OUT", 0)
    _, grads_ref = _conv_and_grads(x, w, b, need, padding=1)
    for flag, g, g_ref in zip(need, grads, grads_ref):
        assert (g is not None) == flag
        if flag:
            np.testing.assert_allclose(g, g_ref, rtol=1e-12, atol=1e-11)


@pytest.mark.parametrize("block_bytes", [1 << 10, 2 * 14 * 9 * 5 * 8, 1 << 20])
def test_one_channel_columns_in_row_blocks(monkeypatch, block_bytes):
    # One output row per block, two rows per block (9 rows: a shorter last block), one block.
    monkeypatch.setattr(conv_cols, "GEMM_BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(6)
    x, w, b = rng.standard_normal((5, 1, 9, 9)), rng.standard_normal((4, 1, 3, 3)), \
        rng.standard_normal(4)
    y, grads = _conv_and_grads(x, w, b, padding=1)
    monkeypatch.setattr(conv_ops, "BATCH_LAST_MAX_OUT", 0)
    y_ref, grads_ref = _conv_and_grads(x, w, b, padding=1)
    np.testing.assert_allclose(y.numpy(), y_ref.numpy(), rtol=1e-12, atol=1e-12)
    for g, g_ref in zip(grads, grads_ref):
        np.testing.assert_allclose(g, g_ref, rtol=1e-12, atol=1e-11)


def test_chunked_columns_fall_back_to_channels_last(monkeypatch):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((4, 2, 8, 8)), rng.standard_normal((3, 2, 3, 3))
    whole, grads = _conv_and_grads(x, w, None, padding=1)
    monkeypatch.setattr(conv_ops, "COLS_BUDGET_BYTES", 18 * 64 * 8)  # one sample per chunk
    chunked, grads_chunked = _conv_and_grads(x, w, None, padding=1)
    assert is_batch_last(whole._data) and not is_batch_last(chunked._data)
    np.testing.assert_allclose(chunked.numpy(), whole.numpy(), rtol=1e-12, atol=1e-12)
    for g, g_ref in zip(grads_chunked, grads):
        np.testing.assert_allclose(g, g_ref, rtol=1e-12, atol=1e-11)


# (kind, kernel, stride, padding)
POOLS = [("max", 2, None, 0), ("max", 3, 2, 1), ("max", (2, 3), 1, (1, 0)), ("avg", 2, None, 0),
         ("avg", 3, 2, 1)]


@pytest.mark.parametrize("kind,kernel,stride,padding", POOLS)
def test_pool_keeps_batch_last_layout_and_values(kind, kernel, stride, padding):
    rng = np.random.default_rng(4)
    a = np.round(rng.standard_normal((5, 3, 9, 8)) * 2) / 2  # ties: the first maximum wins
    batch_last = np.ascontiguousarray(a.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    outs = []
    for arr in (batch_last, np.ascontiguousarray(a)):
        t = dg.from_numpy(arr).requires_grad_()
        assert t._data.strides == arr.strides  # the layout under test reaches the op
        y = pool(t, kernel, stride, padding)
        (y * dg.tensor(np.arange(y.numel()).reshape(y.shape) % 7)).sum().backward()
        outs.append((y, t.grad.numpy()))
    (y_bl, g_bl), (y_ref, g_ref) = outs
    assert is_batch_last(y_bl._data) and g_bl.strides[0] == g_bl.itemsize  # batch innermost
    np.testing.assert_array_equal(y_bl.numpy(), y_ref.numpy())
    np.testing.assert_allclose(g_bl, g_ref, rtol=1e-12, atol=1e-12)


def test_lenet_activations_stay_batch_last_and_match_torch():
    torch = pytest.importorskip("torch")
    model = dg.models.lenet5()
    x = np.random.default_rng(5).standard_normal((8, 1, 28, 28), dtype=np.float32)
    convs, layouts = [], []
    h = dg.tensor(x)
    for layer in list(model.children())[:6]:  # conv, relu, pool, conv, relu, pool
        h = layer(h)
        layouts.append(is_batch_last(h._data))
        if isinstance(layer, dg.nn.Conv2d):
            convs.append(layer)
    assert all(layouts)
    ref = torch.tensor(x)
    for i, mod in enumerate([torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(),
                             torch.nn.MaxPool2d(2), torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(),
                             torch.nn.MaxPool2d(2)]):
        if isinstance(mod, torch.nn.Conv2d):
            mod.load_state_dict({k: torch.tensor(np.asarray(v))
                                 for k, v in convs[i // 3].state_dict().items()})
        ref = mod(ref)
    np.testing.assert_allclose(h.numpy(), ref.detach().numpy(), rtol=1e-4, atol=1e-5)
