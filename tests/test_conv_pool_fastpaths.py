"""The speed paths of conv2d and max_pool2d against a plain NumPy reference and their slow paths.

Paths: the one-channel conv (row-copy columns, GEMM in row blocks, bias folded into the GEMM,
the weight and bias gradients from one blocked GEMM), in both the channels-last and the
batch-innermost layout (``conv_batch_last.py``, which small stride-1 convs take unless
``BATCH_LAST_MAX_OUT`` is patched to 0), and the channels <= 16 max-pool (windows copied into a
contiguous stack first). Small block sizes are patched in so that the shapes stay small yet
cross several blocks.
"""
import numpy as np
import pytest

import deepgrad as dg
import deepgrad.functional as F
from deepgrad.ops import conv as conv_ops
from deepgrad.ops import conv_cols, pool

# (kernel, stride, padding, dilation) for a one-channel conv over 1x15x13 images.
ONE_CHANNEL = [
    ((3, 3), (1, 1), (1, 1), (1, 1)),
    ((5, 5), (1, 1), (2, 2), (1, 1)),
    ((3, 2), (2, 1), (1, 0), (1, 2)),
    ((2, 3), (1, 3), (0, 2), (2, 1)),
]


def reference_conv(x, w, b, stride, padding, dilation):
    """Output and the gradients of ``sum(y * gy)`` via sliding windows and einsum (groups=1)."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    kh, kw = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    win = np.lib.stride_tricks.sliding_window_view(
        xp, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    y = np.einsum("nchwpq,ocpq->nohw", win, w) + b[None, :, None, None]
    return y, win


def _run(x, w, b, need_w=True, need_b=True, **kw):
    ts = [dg.tensor(x), dg.tensor(w, requires_grad=need_w), dg.tensor(b, requires_grad=need_b)]
    y = F.conv2d(*ts, **kw)
    gy = np.random.default_rng(9).standard_normal(y.shape)
    (y * dg.tensor(gy)).sum().backward()
    return y.numpy(), gy, ts


@pytest.mark.parametrize("batch_last", [True, False])
@pytest.mark.parametrize("kernel,stride,padding,dilation", ONE_CHANNEL)
def test_one_channel_conv_blocked_gemm_matches_reference(monkeypatch, kernel, stride, padding,
                                                         dilation, batch_last):
    # 4 KiB blocks: 256-row blocks, so the 8 samples' rows span several blocks with a remainder.
    monkeypatch.setattr(conv_cols, "GEMM_BLOCK_BYTES", 4 << 10)
    if not batch_last:
        monkeypatch.setattr(conv_ops, "BATCH_LAST_MAX_OUT", 0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 1, 15, 13))
    w, b = rng.standard_normal((4, 1) + kernel), rng.standard_normal(4)
    y, gy, (_, tw, tb) = _run(x, w, b, stride=stride, padding=padding, dilation=dilation)
    ref, win = reference_conv(x, w, b, stride, padding, dilation)
    assert y.shape[0] * y.shape[2] * y.shape[3] > 256  # really more than one block
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tw.grad.numpy(), np.einsum("nchwpq,nohw->ocpq", win, gy),
                               rtol=1e-12, atol=1e-11)
    np.testing.assert_allclose(tb.grad.numpy(), gy.sum(axis=(0, 2, 3)), rtol=1e-12, atol=1e-11)


@pytest.mark.parametrize("batch_last", [True, False])
@pytest.mark.parametrize("need_w,need_b", [(True, False), (False, True), (True, True)])
def test_one_channel_folded_bias_with_frozen_weight_or_bias(monkeypatch, need_w, need_b,
                                                           batch_last):
    monkeypatch.setattr(conv_cols, "GEMM_BLOCK_BYTES", 4 << 10)
    if not batch_last:
        monkeypatch.setattr(conv_ops, "BATCH_LAST_MAX_OUT", 0)
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 1, 12, 12)), rng.standard_normal((3, 1, 3, 3)), \
        rng.standard_normal(3)
    y, gy, (_, tw, tb) = _run(x, w, b, need_w, need_b, padding=1)
    ref, win = reference_conv(x, w, b, (1, 1), (1, 1), (1, 1))
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)
    assert (tw.grad is not None) == need_w and (tb.grad is not None) == need_b
    if need_w:
        np.testing.assert_allclose(tw.grad.numpy(), np.einsum("nchwpq,nohw->ocpq", win, gy),
                                   rtol=1e-12, atol=1e-11)
        assert tw.grad.shape == w.shape
    if need_b:
        np.testing.assert_allclose(tb.grad.numpy(), gy.sum(axis=(0, 2, 3)), rtol=1e-12,
                                   atol=1e-11)


def test_one_channel_gradcheck_across_blocks_and_chunks(monkeypatch):
    monkeypatch.setattr(conv_cols, "GEMM_BLOCK_BYTES", 1 << 10)
    # Two chunks of one sample (289 rows: two 256-row blocks each): the columns, with their
    # ones row, are rebuilt in backward.
    monkeypatch.setattr(conv_ops, "COLS_BUDGET_BYTES", 9 * 17 * 17 * 8)
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((2, 1, 17, 17)), rng.standard_normal((2, 1, 3, 3)), \
        rng.standard_normal(2)
    ts = [dg.tensor(a, requires_grad=True) for a in (x, w, b)]
    assert dg.autograd.gradcheck(lambda *t: F.conv2d(*t, padding=1), ts)


def test_one_channel_float32_matches_torch_lenet_first_layer():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((64, 1, 28, 28), dtype=np.float32)
    w = rng.standard_normal((6, 1, 5, 5), dtype=np.float32) * 0.2
    b = rng.standard_normal(6, dtype=np.float32)
    y, gy, (_, tw, tb) = _run(x, w, b, padding=2)
    xt, wt, bt = torch.tensor(x), torch.tensor(w, requires_grad=True), \
        torch.tensor(b, requires_grad=True)
    yt = torch.nn.functional.conv2d(xt, wt, bt, padding=2)
    yt.backward(torch.tensor(gy, dtype=torch.float32))
    assert y.dtype == np.float32 and tw.grad.numpy().dtype == np.float32
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(tw.grad.numpy(), wt.grad.numpy(), rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(tb.grad.numpy(), bt.grad.numpy(), rtol=1e-4, atol=1e-2)


# (channels, kernel, stride, padding): the stacked path needs stride >= kernel.
POOLS = [(6, 2, None, 0), (3, 3, 3, 1), (16, (2, 3), (3, 3), (1, 1)), (5, 2, 3, 0),
         (17, 2, None, 0), (4, 3, 1, 1)]


@pytest.mark.parametrize("c,kernel,stride,padding", POOLS)
def test_max_pool_stacked_path_equals_view_path(monkeypatch, c, kernel, stride, padding):
    rng = np.random.default_rng(4)
    # Rounded, ReLU-like data: many ties, including all-zero windows.
    x = np.maximum(np.round(rng.standard_normal((3, c, 9, 10)), 0), 0).astype(np.float32)
    gy_rng = np.random.default_rng(5)

    def run():
        t = dg.tensor(x, requires_grad=True)
        y = F.max_pool2d(t, kernel, stride, padding)
        (y * dg.tensor(gy_rng.standard_normal(y.shape).astype(np.float32))).sum().backward()
        return y.numpy(), t.grad.numpy()

    fast = run()
    gy_rng = np.random.default_rng(5)
    monkeypatch.setattr(pool, "STACK_MAX_CHANNELS", 0)
    slow = run()
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_array_equal(fast[1], slow[1])
    # Each window's gradient goes to exactly one input when windows do not overlap.
    if stride in (None, kernel):
        assert np.count_nonzero(fast[1]) <= fast[0].size


def test_max_pool_stacked_path_ties_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x = np.maximum(np.round(rng.standard_normal((4, 6, 8, 8)) * 2) / 2, 0).astype(np.float32)
    x[0, 0, :2, :2] = [[0.0, 1.5], [1.5, 1.0]]  # equal maxima at offsets 1 and 2: first wins
    t = dg.tensor(x, requires_grad=True)
    F.max_pool2d(t, 2).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(xt, 2).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), xt.grad.numpy())
    assert t.grad.numpy()[0, 0, 0, 1] == 1 and t.grad.numpy()[0, 0, 1, 0] == 0


# (C_in, kernel, padding, dilation) for the stride-1, few-channel input gradient.
CHANNELS_FIRST = [
    (2, (3, 3), (1, 1), (1, 1)),
    (3, (2, 3), "same", (2, 1)),
    (6, (5, 5), (0, 0), (1, 1)),
    (8, (3, 2), (2, 0), (1, 3)),
]


@pytest.mark.parametrize("cout", [5, 20])  # batch-innermost conv; channels-last conv
@pytest.mark.parametrize("cin,kernel,padding,dilation", CHANNELS_FIRST)
def test_channels_first_input_grad_matches_per_offset_path(monkeypatch, cin, kernel, padding,
                                                           dilation, cout):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, cin, 9, 11))
    w, b = rng.standard_normal((cout, cin) + kernel), rng.standard_normal(cout)

    def input_grad():
        tx = dg.tensor(x, requires_grad=True)
        y = F.conv2d(tx, dg.tensor(w), dg.tensor(b), padding=padding, dilation=dilation)
        (y * dg.tensor(np.random.default_rng(9).standard_normal(y.shape))).sum().backward()
        return tx.grad.numpy()

    fast = input_grad()
    monkeypatch.setattr(conv_ops, "CHANNELS_FIRST_MAX", 0)  # the per-offset NHWC GEMMs
    np.testing.assert_allclose(fast, input_grad(), rtol=1e-12, atol=1e-12)
    monkeypatch.undo()
    ts = [dg.tensor(a, requires_grad=True) for a in (x[:1], w, b)]
    assert dg.gradcheck(lambda *t: F.conv2d(*t, padding=padding, dilation=dilation), ts)


def test_channels_first_input_grad_in_chunks(monkeypatch):
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((3, 2, 8, 8)), rng.standard_normal((4, 2, 3, 3))
    tx = dg.tensor(x, requires_grad=True)
    F.conv2d(tx, dg.tensor(w), padding=1).sum().backward()
    whole = tx.grad.numpy()
    monkeypatch.setattr(conv_ops, "COLS_BUDGET_BYTES", 18 * 64 * 8)  # one sample per chunk
    tx = dg.tensor(x, requires_grad=True)
    F.conv2d(tx, dg.tensor(w), padding=1).sum().backward()
    np.testing.assert_allclose(tx.grad.numpy(), whole, rtol=1e-12, atol=1e-12)


def test_channels_first_input_grad_float32_matches_torch_lenet_second_layer():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x = rng.standard_normal((64, 6, 14, 14), dtype=np.float32)
    w = rng.standard_normal((16, 6, 5, 5), dtype=np.float32) * 0.1
    gy = rng.standard_normal((64, 16, 10, 10), dtype=np.float32)
    tx = dg.tensor(x, requires_grad=True)
    (F.conv2d(tx, dg.tensor(w)) * dg.tensor(gy)).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.conv2d(xt, torch.tensor(w)).backward(torch.tensor(gy))
    assert tx.grad.dtype == np.float32
    np.testing.assert_allclose(tx.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
