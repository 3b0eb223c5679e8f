"""Conv3d, transposed convolutions, poolings with every option, F.unfold/fold, F.pad modes and
F.interpolate against PyTorch (float64, values and gradients) and gradcheck."""
from __future__ import annotations

import numpy as np
import pytest
from nn_parity import RNG, compare, gradcheck

import deepgrad as dg
import deepgrad.nn.functional as F
from deepgrad import nn

X4 = RNG.standard_normal((2, 4, 7, 8))
X3 = RNG.standard_normal((2, 4, 9))
X5 = RNG.standard_normal((2, 4, 5, 6, 5))
W_T2 = RNG.standard_normal((4, 3, 3, 2))
W_T1 = RNG.standard_normal((4, 3, 4))
W_3 = RNG.standard_normal((6, 2, 3, 2, 3))

CASES = {  # name: (call taking F, positional arrays)
    "conv_transpose2d": (lambda F, x, w: F.conv_transpose2d(x, w), [X4, W_T2]),
    "conv_transpose2d_all": (lambda F, x, w, b: F.conv_transpose2d(
        x, w, b, stride=2, padding=1, output_padding=1, groups=2, dilation=2),
        [X4, W_T2, RNG.standard_normal(6)]),
    "conv_transpose2d_uneven": (lambda F, x, w, b: F.conv_transpose2d(
        x, w, b, stride=(3, 2), padding=(2, 0), output_padding=(2, 1)),
        [X4[:1], W_T2, RNG.standard_normal(3)]),
    "conv_transpose1d": (lambda F, x, w, b: F.conv_transpose1d(
        x, w, b, stride=3, padding=2, output_padding=1, groups=4, dilation=1),
        [X3, RNG.standard_normal((4, 1, 4)), RNG.standard_normal(4)]),
    "conv_transpose1d_dilated": (lambda F, x, w: F.conv_transpose1d(
        x, w, stride=2, dilation=3, output_padding=2), [X3, W_T1]),
    "conv_transpose3d": (lambda F, x, w: F.conv_transpose3d(
        x, w, stride=(1, 2, 1), padding=1), [X5[:1], RNG.standard_normal((4, 2, 2, 3, 2))]),
    "conv3d": (lambda F, x, w, b: F.conv3d(x, w, b, stride=(1, 2, 2), padding=1,
                                           dilation=(2, 1, 1), groups=2),
               [X5, W_3, RNG.standard_normal(6)]),
    "conv3d_same": (lambda F, x, w: F.conv3d(x, w, padding="same"),
                    [X5, RNG.standard_normal((3, 4, 3, 1, 3))]),
    "max_pool2d_all": (lambda F, x: F.max_pool2d(x, 3, 2, 1, dilation=2, ceil_mode=True,
                                                 return_indices=True), [X4]),
    "max_pool2d_ceil": (lambda F, x: F.max_pool2d(x, (2, 3), 2, ceil_mode=True), [X4]),
    "max_pool1d_idx": (lambda F, x: F.max_pool1d(x, 3, 2, 1, dilation=2, return_indices=True),
                       [X3]),
    "max_pool3d": (lambda F, x: F.max_pool3d(x, 2, (1, 2, 2), 1, return_indices=True), [X5]),
    "avg_pool2d_excl": (lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                  count_include_pad=False), [X4]),
    "avg_pool2d_ceil": (lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), [X4]),
    "avg_pool2d_div": (lambda F, x: F.avg_pool2d(x, 3, 2, 1, divisor_override=5), [X4]),
    "avg_pool1d_excl": (lambda F, x: F.avg_pool1d(x, 3, 2, 1, True, False), [X3]),
    "avg_pool3d": (lambda F, x: F.avg_pool3d(x, 2, (1, 2, 2), 1, count_include_pad=False),
                   [X5]),
    "lp_pool2d": (lambda F, x: F.lp_pool2d(x, 2, 2, 2), [np.abs(X4) + 0.1]),
    "lp_pool1d": (lambda F, x: F.lp_pool1d(x, 3, 3, 2, ceil_mode=True), [np.abs(X3) + 0.1]),
    "adaptive_max_pool2d": (lambda F, x: F.adaptive_max_pool2d(x, (3, 5), True), [X4]),
    "adaptive_max_pool1d": (lambda F, x: F.adaptive_max_pool1d(x, 4), [X3]),
    "adaptive_avg_pool1d": (lambda F, x: F.adaptive_avg_pool1d(x, 4), [X3]),
    "unfold": (lambda F, x: F.unfold(x, (2, 3), dilation=(2, 1), padding=1, stride=(2, 3)),
               [X4]),
    "fold": (lambda F, x: F.fold(x, (7, 8), (2, 3), dilation=(2, 1), padding=1, stride=(2, 3)),
             [RNG.standard_normal((2, 24, 12))]),
    "pad_reflect": (lambda F, x: F.pad(x, (1, 2, 3, 4), mode="reflect"), [X4]),
    "pad_reflect_neg": (lambda F, x: F.pad(x, (-1, -2, 1, 2), mode="reflect"), [X4]),
    "pad_replicate_3d": (lambda F, x: F.pad(x, (1, 2, 3, 1, 2, 3), mode="replicate"), [X5]),
    "pad_replicate_neg": (lambda F, x: F.pad(x, (2, -1, -2, 4), mode="replicate"), [X4]),
    "pad_circular": (lambda F, x: F.pad(x, (3, 2, 1, 5), mode="circular"), [X4]),
    "pad_circular_1d_unbatched": (lambda F, x: F.pad(x, (4, 4), mode="circular"), [X3[0]]),
    "pad_constant_neg": (lambda F, x: F.pad(x, (1, -2, 0, 3, 1, 1), value=2.5), [X4]),
    "interp_nearest": (lambda F, x: F.interpolate(x, scale_factor=1.7), [X4]),
    "interp_nearest_exact": (lambda F, x: F.interpolate(x, size=(5, 11), mode="nearest-exact"),
                             [X4]),
    "interp_bilinear": (lambda F, x: F.interpolate(x, scale_factor=(2, 0.6), mode="bilinear"),
                        [X4]),
    "interp_bilinear_ac": (lambda F, x: F.interpolate(x, size=(8, 4), mode="bilinear",
                                                      align_corners=True), [X4]),
    "interp_bicubic": (lambda F, x: F.interpolate(x, scale_factor=1.7, mode="bicubic"), [X4]),
    "interp_bicubic_ac": (lambda F, x: F.interpolate(x, size=(8, 4), mode="bicubic",
                                                     align_corners=True), [X4]),
    "interp_linear": (lambda F, x: F.interpolate(x, scale_factor=2.5, mode="linear"), [X3]),
    "interp_trilinear": (lambda F, x: F.interpolate(x, scale_factor=(2, 1.5, 0.5),
                                                    mode="trilinear"), [X5]),
    "interp_area": (lambda F, x: F.interpolate(x, size=(3, 5), mode="area"), [X4]),
    "interp_recompute": (lambda F, x: F.interpolate(x, scale_factor=1.7, mode="bilinear",
                                                    recompute_scale_factor=True), [X4]),
    "pixel_shuffle": (lambda F, x: F.pixel_shuffle(x, 2), [X4]),
    "pixel_unshuffle": (lambda F, x: F.pixel_unshuffle(x, 2), [X4[..., :6, :]]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    call, arrays = CASES[name]
    compare(lambda *a: call(F, *a), lambda *a: call(torch.nn.functional, *a), arrays)


GRADCHECK = ["conv_transpose2d_all", "conv_transpose1d", "conv3d", "max_pool2d_all",
             "avg_pool2d_excl", "lp_pool1d", "adaptive_max_pool2d", "unfold", "fold",
             "pad_reflect_neg", "pad_circular", "interp_bicubic", "interp_bilinear_ac"]


@pytest.mark.parametrize("name", GRADCHECK)
def test_gradcheck(name):
    call, arrays = CASES[name]

    def first(*a):
        out = call(F, *a)
        return out[0] if isinstance(out, tuple) else out

    small = [a[:1] if a.ndim >= 3 and a.shape[0] == 2 and i == 0 else a
             for i, a in enumerate(arrays)]
    gradcheck(first, small)


def test_unpool_inverts_pool_like_torch():
    torch = pytest.importorskip("torch")
    y, idx = F.max_pool2d(dg.tensor(X4), 2, return_indices=True)
    ty, tidx = torch.nn.functional.max_pool2d(torch.tensor(X4), 2, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    compare(lambda v: F.max_unpool2d(v, idx, 2, output_size=(7, 8)),
            lambda v: torch.nn.functional.max_unpool2d(v, tidx, 2, output_size=(7, 8)),
            [y.numpy()])
    unpool = nn.MaxUnpool2d(2)
    assert unpool(y, idx).shape == (2, 4, 6, 8)


def test_layers_state_dicts_and_outputs_match_torch():
    torch = pytest.importorskip("torch")
    pairs = [
        (nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
         torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
         X4),
        (nn.ConvTranspose1d(4, 2, 3, bias=False), torch.nn.ConvTranspose1d(4, 2, 3, bias=False),
         X3),
        (nn.Conv3d(4, 2, 3, padding=1), torch.nn.Conv3d(4, 2, 3, padding=1), X5),
        (nn.Conv2d(4, 3, 3, padding=2, padding_mode="reflect"),
         torch.nn.Conv2d(4, 3, 3, padding=2, padding_mode="reflect"), X4),
        (nn.Conv1d(4, 3, 3, padding="same", padding_mode="circular", dilation=2),
         torch.nn.Conv1d(4, 3, 3, padding="same", padding_mode="circular", dilation=2), X3),
        (nn.MaxPool2d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True), X4),
        (nn.AvgPool2d(3, 2, 1, count_include_pad=False),
         torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False), X4),
        (nn.LPPool2d(2, 2), torch.nn.LPPool2d(2, 2), np.abs(X4) + 0.1),
        (nn.AdaptiveMaxPool2d((2, 3)), torch.nn.AdaptiveMaxPool2d((2, 3)), X4),
        (nn.AdaptiveAvgPool1d(3), torch.nn.AdaptiveAvgPool1d(3), X3),
        (nn.ReflectionPad2d((1, 2, 0, 3)), torch.nn.ReflectionPad2d((1, 2, 0, 3)), X4),
        (nn.ReplicationPad1d(2), torch.nn.ReplicationPad1d(2), X3),
        (nn.ZeroPad2d(1), torch.nn.ZeroPad2d(1), X4),
        (nn.ConstantPad3d(1, 3.5), torch.nn.ConstantPad3d(1, 3.5), X5),
        (nn.CircularPad2d(2), torch.nn.CircularPad2d(2), X4),
        (nn.Upsample(scale_factor=2, mode="bilinear"),
         torch.nn.Upsample(scale_factor=2, mode="bilinear"), X4),
        (nn.UpsamplingBilinear2d(size=(9, 9)), torch.nn.UpsamplingBilinear2d(size=(9, 9)), X4),
        (nn.UpsamplingNearest2d(scale_factor=3), torch.nn.UpsamplingNearest2d(scale_factor=3),
         X4),
        (nn.PixelShuffle(2), torch.nn.PixelShuffle(2), X4),
        (nn.Unfold(2, stride=2), torch.nn.Unfold(2, stride=2), X4[..., :6, :]),
    ]
    for ours, theirs, x in pairs:
        theirs.double()
        sd = theirs.state_dict()
        assert list(ours.state_dict()) == list(sd), type(ours)
        ours.load_state_dict({k: v.numpy() for k, v in sd.items()})
        compare(ours, theirs, [x])


def test_conv_transpose_output_size_and_default_init():
    torch = pytest.importorskip("torch")
    layer = nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1)
    assert layer(dg.tensor(X4.astype(np.float32)), output_size=(14, 16)).shape == (2, 3, 14, 16)
    assert layer.weight.shape == (4, 3, 3, 3)
    torch.manual_seed(0)
    tw = torch.nn.ConvTranspose2d(64, 32, 4).weight.detach().numpy()
    w = nn.ConvTranspose2d(64, 32, 4).weight.numpy()
    bound = 1 / np.sqrt(32 * 16)  # fan_in from the weight's dim 1, as PyTorch
    assert np.abs(w).max() <= bound and np.abs(tw).max() <= bound
    np.testing.assert_allclose(w.std(), tw.std(), rtol=0.05)


def test_bad_arguments_name_the_op():
    x = dg.zeros(1, 4, 5, 5)
    with pytest.raises(RuntimeError, match="conv_transpose2d.*output_padding"):
        F.conv_transpose2d(x, dg.zeros(4, 2, 3, 3), stride=2, output_padding=2)
    with pytest.raises(RuntimeError, match="conv_transpose2d.*channels"):
        F.conv_transpose2d(x, dg.zeros(3, 2, 3, 3))
    with pytest.raises(RuntimeError, match="reflect padding"):
        F.pad(x, (5, 0, 0, 0), mode="reflect")
    with pytest.raises(NotImplementedError, match="mode"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match="exactly one"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(x, size=3, align_corners=True)
    with pytest.raises(ValueError, match="half the kernel"):
        F.max_pool2d(x, 2, padding=2, ceil_mode=True)
    with pytest.raises(RuntimeError, match="fold: input shape"):
        F.fold(dg.zeros(1, 5, 4), (3, 3), 2)


def test_max_unpool_gradcheck():
    _, idx = F.max_pool2d(dg.tensor(X4[:1]), 2, return_indices=True)
    gradcheck(lambda v: F.max_unpool2d(v, idx, 2, output_size=(7, 8)),
              [RNG.standard_normal(idx.shape)])


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_dense_resampling_equals_the_gather_reference(mode):
    from deepgrad.ops import interpolate as I
    x = X4[:1]
    fast = F.interpolate(dg.tensor(x), scale_factor=(1.6, 0.7), mode=mode)
    old = I.DENSE_MAX
    try:
        I.DENSE_MAX = 0  # every dim through the gathers
        slow = F.interpolate(dg.tensor(x), scale_factor=(1.6, 0.7), mode=mode)
        gradcheck(lambda v: F.interpolate(v, size=(5, 9), mode=mode), [x])
    finally:
        I.DENSE_MAX = old
    np.testing.assert_allclose(fast.numpy(), slow.numpy(), rtol=1e-12, atol=1e-14)


def test_max_indices_fast_path_equals_reference():
    from deepgrad.ops import pool_ext as E
    x = np.round(RNG.standard_normal((2, 3, 9, 10)), 1)  # ties: the first maximum wins
    x[0, 0, :3, :3] = -np.inf  # a window of -inf only falls back to the reference
    for kw in ({"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1, "ceil_mode": True},
               {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 0), "dilation": 2,
                "ceil_mode": False}):
        geom = E._args("t", dg.tensor(x), 2, kw["kernel_size"], kw["stride"], kw["padding"],
                       kw["dilation"], kw["ceil_mode"])
        fast = E._max_indices(dg.tensor(x), *geom[:4], geom[4], geom[5])
        ref = E._max_indices_reference(dg.tensor(x), *geom[:4], geom[4], geom[5])
        np.testing.assert_array_equal(fast, ref)
        torch = pytest.importorskip("torch")
        _, tidx = torch.nn.functional.max_pool2d(torch.tensor(x[:, :, :, :]), return_indices=True,
                                                 **kw)
        np.testing.assert_array_equal(fast[1:], tidx.numpy()[1:])


def test_3d_adaptive_and_lp_pools_channel_shuffle_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    compare(lambda x: F.adaptive_avg_pool3d(x, (2, 4, 3)),
            lambda x: tf.adaptive_avg_pool3d(x, (2, 4, 3)), [X5])
    compare(lambda x: F.adaptive_max_pool3d(x, (3, 2, 4), True),
            lambda x: tf.adaptive_max_pool3d(x, (3, 2, 4), True), [X5])
    compare(lambda x: F.lp_pool3d(x, 2, 2), lambda x: tf.lp_pool3d(x, 2, 2), [np.abs(X5) + 0.1])
    compare(lambda x: F.channel_shuffle(x, 2), lambda x: tf.channel_shuffle(x, 2), [X4])
    compare(lambda x: F.upsample_bilinear(x, scale_factor=2),
            lambda x: tf.upsample_bilinear(x, scale_factor=2), [X4])
    compare(lambda x: F.upsample_nearest(x, size=(9, 5)),
            lambda x: tf.upsample_nearest(x, size=(9, 5)), [X4])
    for ours, theirs in ((nn.AdaptiveAvgPool3d(2), torch.nn.AdaptiveAvgPool3d(2)),
                         (nn.AdaptiveMaxPool3d((1, 2, 3)), torch.nn.AdaptiveMaxPool3d((1, 2, 3))),
                         (nn.LPPool3d(1.5, 2), torch.nn.LPPool3d(1.5, 2)),
                         (nn.ChannelShuffle(4), torch.nn.ChannelShuffle(4))):
        compare(ours, theirs, [np.abs(X5) + 0.1])
    gradcheck(lambda x: F.adaptive_avg_pool3d(x, (2, 3, 2)), [X5[:1, :2]])
