"""ParameterList/Dict, Unflatten, Bilinear, EmbeddingBag, new nn.init functions and the
``deepgrad.nn.modules.*`` paths."""
from __future__ import annotations

import importlib

import numpy as np
import pytest
from nn_parity import RNG, compare, gradcheck

import deepgrad as dg
import deepgrad.nn.functional as F
from deepgrad import nn
from deepgrad.nn import init

W = RNG.standard_normal((10, 3))
IDX = np.array([1, 2, 4, 5, 4, 3, 2, 9, 0, 0])
OFFSETS = np.array([0, 4, 4, 7])  # bag 1 is empty


def test_parameter_list_and_dict_register_like_torch():
    torch = pytest.importorskip("torch")

    class Ours(nn.Module):
        def __init__(self):
            super().__init__()
            self.plist = nn.ParameterList([nn.Parameter(np.ones(2)), dg.tensor(np.zeros(3))])
            self.pdict = nn.ParameterDict({"a": nn.Parameter(np.ones(1))})
            self.pdict["b"] = nn.Parameter(np.ones((2, 2)))

    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.plist = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2)),
                                                 torch.zeros(3)])
            self.pdict = torch.nn.ParameterDict({"a": torch.nn.Parameter(torch.ones(1))})
            self.pdict["b"] = torch.nn.Parameter(torch.ones(2, 2))

    ours = Ours()
    assert list(ours.state_dict()) == list(Theirs().state_dict())
    assert len(ours.plist) == 2 and isinstance(ours.plist[1], nn.Parameter)
    assert ours.plist[1].requires_grad
    ours.plist.append(np.ones(4))
    assert [tuple(p.shape) for p in ours.plist] == [(2,), (3,), (4,)]
    assert "b" in ours.pdict and list(ours.pdict.keys()) == ["a", "b"]
    assert ours.pdict.pop("a").shape == (1,) and "a" not in ours.pdict
    assert len(list(ours.parameters())) == 4


def test_unflatten_and_flatten_round_trip():
    x = dg.randn(2, 12, 5)
    y = nn.Unflatten(1, (3, 4))(x)
    assert y.shape == (2, 3, 4, 5)
    assert nn.Unflatten(-1, (5, -1))(x).shape == (2, 12, 5, 1)
    np.testing.assert_array_equal(nn.Flatten(1, 2)(y).numpy(), x.numpy())
    with pytest.raises(RuntimeError, match="Unflatten"):
        nn.Unflatten(1, (5, 4))(x)


def test_bilinear_matches_torch_and_gradchecks():
    torch = pytest.importorskip("torch")
    arrays = [RNG.standard_normal((4, 3)), RNG.standard_normal((4, 5)),
              RNG.standard_normal((2, 3, 5)), RNG.standard_normal(2)]
    compare(F.bilinear, torch.nn.functional.bilinear, arrays)
    gradcheck(F.bilinear, arrays)
    ours, theirs = nn.Bilinear(3, 5, 2).double(), torch.nn.Bilinear(3, 5, 2).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert np.abs(ours.weight.numpy()).max() <= 1 / np.sqrt(3)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    compare(ours, theirs, arrays[:2])


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_matches_torch(mode):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    compare(lambda w: F.embedding_bag(IDX, w, OFFSETS, mode=mode),
            lambda w: tf.embedding_bag(torch.tensor(IDX), w, torch.tensor(OFFSETS), mode=mode),
            [W])
    compare(lambda w: F.embedding_bag(IDX.reshape(2, 5), w, mode=mode, padding_idx=4),
            lambda w: tf.embedding_bag(torch.tensor(IDX.reshape(2, 5)), w, mode=mode,
                                       padding_idx=4), [W])
    last = np.array([0, 4, 4, 7, 10])
    compare(lambda w: F.embedding_bag(IDX, w, last, mode=mode, include_last_offset=True),
            lambda w: tf.embedding_bag(torch.tensor(IDX), w, torch.tensor(last), mode=mode,
                                       include_last_offset=True), [W])


def test_embedding_bag_per_sample_weights_and_module():
    torch = pytest.importorskip("torch")
    psw = RNG.random(10)
    compare(lambda w, p: F.embedding_bag(IDX, w, OFFSETS, mode="sum", per_sample_weights=p),
            lambda w, p: torch.nn.functional.embedding_bag(
                torch.tensor(IDX), w, torch.tensor(OFFSETS), mode="sum",
                per_sample_weights=p), [W, psw])
    gradcheck(lambda w: F.embedding_bag(IDX, w, OFFSETS, mode="mean"), [W])
    bag = nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0)
    assert list(bag.state_dict()) == ["weight"] and not bag.weight.numpy()[0].any()
    assert bag(dg.tensor(IDX), dg.tensor(OFFSETS)).shape == (4, 3)
    with pytest.raises(ValueError, match="offsets"):
        F.embedding_bag(IDX, dg.tensor(W), np.array([1, 3]))


def test_new_init_functions_match_torch():
    torch = pytest.importorskip("torch")
    w = dg.tensor(np.zeros((6, 2, 3, 3)))
    tw = torch.empty(6, 2, 3, 3)
    init.dirac_(w, 2)
    torch.nn.init.dirac_(tw, 2)
    np.testing.assert_array_equal(w.numpy(), tw.numpy())
    e = dg.tensor(np.zeros((3, 5)))
    np.testing.assert_array_equal(init.eye_(e).numpy(), torch.nn.init.eye_(torch.empty(3, 5)))
    t = init.trunc_normal_(dg.tensor(np.zeros((300, 300))), 0.5, 1.0, -1.0, 1.5).numpy()
    tt = torch.nn.init.trunc_normal_(torch.empty(300, 300), 0.5, 1.0, -1.0, 1.5).numpy()
    assert t.min() >= -1.0 and t.max() <= 1.5
    np.testing.assert_allclose([t.mean(), t.std()], [tt.mean(), tt.std()], atol=0.01)
    s = init.sparse_(dg.tensor(np.zeros((10, 40))), 0.3).numpy()
    assert ((s == 0).sum(axis=0) == 3).all()
    for name in ("conv_transpose2d", "selu", "tanh", "relu"):
        assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name)
    assert init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain(
        "leaky_relu", 0.2)
    for fn in ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
               "orthogonal_", "trunc_normal_", "constant_", "zeros_", "ones_", "eye_",
               "dirac_", "uniform_", "normal_", "sparse_", "calculate_gain"):
        assert callable(getattr(init, fn))


def test_init_writes_in_place_into_the_parameter():
    p = nn.Parameter(np.zeros((4, 4), np.float32))
    data = p._data
    assert init.eye_(p) is p and p._data is data and p.dtype == np.float32


TORCH_PATHS = {
    "activation": ["ReLU", "GELU", "LeakyReLU", "MultiheadAttention", "Softmax"],
    "batchnorm": ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"],
    "container": ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"],
    "conv": ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d"],
    "dropout": ["Dropout", "Dropout2d", "AlphaDropout"],
    "flatten": ["Flatten", "Unflatten"], "fold": ["Fold", "Unfold"],
    "instancenorm": ["InstanceNorm1d", "InstanceNorm2d"], "linear": ["Linear", "Identity",
                                                                     "Bilinear"],
    "loss": ["CrossEntropyLoss", "SmoothL1Loss", "KLDivLoss", "TripletMarginLoss"],
    "module": ["Module"], "normalization": ["LayerNorm", "GroupNorm", "LocalResponseNorm"],
    "padding": ["ReflectionPad2d", "ZeroPad2d"], "pixelshuffle": ["PixelShuffle"],
    "pooling": ["MaxPool2d", "AdaptiveAvgPool2d", "MaxUnpool2d", "LPPool2d"],
    "rnn": ["LSTM", "GRU", "RNN", "LSTMCell"], "sparse": ["Embedding", "EmbeddingBag"],
    "transformer": ["Transformer", "TransformerEncoderLayer"], "upsampling": ["Upsample"],
    "distance": ["PairwiseDistance", "CosineSimilarity"], "channelshuffle": ["ChannelShuffle"],
}


@pytest.mark.parametrize("module", list(TORCH_PATHS))
def test_nn_modules_paths_are_aliases(module):
    mod = importlib.import_module(f"deepgrad.nn.modules.{module}")
    for name in TORCH_PATHS[module]:
        assert getattr(mod, name) is getattr(nn, name)
    pytest.importorskip("torch")
    tmod = importlib.import_module(f"torch.nn.modules.{module}")
    for name in TORCH_PATHS[module]:
        assert hasattr(tmod, name)  # the same path exists in PyTorch


def test_init_accepts_the_array_behind_a_parameter():
    p = nn.Parameter(np.zeros((8, 3, 4, 4), np.float32))
    init.normal_(p.data, 1.0, 0.02)  # DCGAN's weights_init style
    init.constant_(p.data[0], 0.0)
    assert abs(p.numpy()[1:].mean() - 1.0) < 0.01 and not p.numpy()[0].any()
