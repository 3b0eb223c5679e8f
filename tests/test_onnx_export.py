"""ONNX export: every exported model runs in onnxruntime and matches deepgrad's own output."""
import io

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def _run(model, inputs, names=None, dynamic=None, feeds=None, **kw):
    """Export ``model`` on ``inputs``; return (onnxruntime outputs, deepgrad outputs) on feeds."""
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    names = names or [f"in{i}" for i in range(len(inputs))]
    buf = io.BytesIO()
    dg.onnx.export(model, inputs, buf, input_names=names, dynamic_axes=dynamic, **kw)
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    feeds = feeds or inputs
    theirs = sess.run(None, {n: t.numpy() for n, t in zip(names, feeds)})
    model.eval()
    with dg.no_grad():
        ours = model(*feeds)
    flat = []

    def walk(r):
        if isinstance(r, (tuple, list)):
            for item in r:
                walk(item)
        else:
            flat.append(r.numpy())

    walk(ours)
    return theirs, flat


def _assert_close(theirs, ours, tol=2e-5):
    assert len(theirs) == len(ours)
    for a, b in zip(theirs, ours):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_mlp_with_a_dynamic_batch():
    dg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 16), nn.Sigmoid(),
                          nn.Linear(16, 3), nn.LogSoftmax(dim=1))
    dyn = {"in0": {0: "batch"}}
    _assert_close(*_run(model, dg.randn(5, 4), dynamic=dyn))
    _assert_close(*_run(model, dg.randn(5, 4), dynamic=dyn, feeds=(dg.randn(11, 4),)))


@pytest.mark.parametrize("build", [lambda: dg.models.lenet5(), lambda: dg.models.simple_cnn()])
def test_model_zoo_cnns(build):
    dg.manual_seed(1)
    model = build()
    x = dg.randn(3, 1, 28, 28)
    _assert_close(*_run(model, x, dynamic={"in0": {0: "n"}}, feeds=(dg.randn(2, 1, 28, 28),)))


class _Convs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.b = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=4, bias=False)
        self.pool = nn.AvgPool2d(2)
        self.head = nn.Linear(8, 5)

    def forward(self, x):
        h = dg.nn.functional.relu(self.bn(self.a(x)))
        h = self.pool(dg.nn.functional.leaky_relu(self.b(h), 0.1))
        h = dg.nn.functional.max_pool2d(h, 2, 1, 1)
        h = dg.nn.functional.adaptive_avg_pool2d(h, 1).flatten(1)
        return self.head(h)


def test_cnn_with_batchnorm_strides_dilation_groups_and_pools():
    dg.manual_seed(2)
    model = _Convs()
    model.train()
    model(dg.randn(8, 3, 16, 16))  # moves BatchNorm's running statistics off their defaults
    dg.onnx.export(model, dg.randn(2, 3, 16, 16), io.BytesIO())
    assert model.training  # export runs in eval mode and gives the mode back
    _assert_close(*_run(model, dg.randn(2, 3, 16, 16)))


@pytest.mark.parametrize("cls,kw", [
    (nn.LSTM, dict(num_layers=2)), (nn.LSTM, dict(bidirectional=True, batch_first=True)),
    (nn.GRU, dict(num_layers=2, bidirectional=True)), (nn.GRU, dict(reset_after=False)),
    (nn.RNN, dict(nonlinearity="relu", num_layers=2)), (nn.RNN, dict(bias=False)),
])
def test_recurrent_layers(cls, kw):
    dg.manual_seed(3)
    layer = cls(5, 7, **kw)
    x = dg.randn(4, 6, 5)
    _assert_close(*_run(layer, x), tol=3e-5)


def test_lstm_with_initial_states_and_unbatched_input():
    dg.manual_seed(4)
    layer = nn.LSTM(3, 4, num_layers=2)
    h0, c0 = dg.randn(2, 2, 4), dg.randn(2, 2, 4)

    class WithState(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = layer

        def forward(self, x, h, c):
            return self.rnn(x, (h, c))

    _assert_close(*_run(WithState(), (dg.randn(5, 2, 3), h0, c0)), tol=3e-5)
    _assert_close(*_run(layer, dg.randn(5, 3)), tol=3e-5)


def test_embedding_lstm_language_model_with_dynamic_sequence_length():
    dg.manual_seed(5)

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(20, 6)
            self.rnn = nn.LSTM(6, 8, batch_first=True)
            self.out = nn.Linear(8, 20)

        def forward(self, tokens):
            h, _ = self.rnn(self.emb(tokens))
            return self.out(h)

    tokens = dg.tensor(np.random.default_rng(0).integers(0, 20, (2, 7)))
    longer = dg.tensor(np.random.default_rng(1).integers(0, 20, (3, 9)))
    dyn = {"in0": {0: "batch", 1: "time"}}
    _assert_close(*_run(LM(), tokens, dynamic=dyn, feeds=(longer,)), tol=3e-5)


def test_shape_ops_reductions_and_indexing():
    class Ops(nn.Module):
        def forward(self, x):
            a = x[:, 1:3].permute(0, 2, 1)
            b = dg.cat([a, a * 2], dim=2).reshape(x.shape[0], -1)
            parts = x.split(2, dim=1)
            c = dg.stack([parts[0].sum(dim=1), parts[1].mean(dim=1)], dim=1)
            d = x.var(dim=1, keepdim=True) + x.max(dim=1)[0].unsqueeze(1)
            e = dg.clamp(x, -0.5, 0.5).abs().sqrt() + (x ** 2).exp().log()
            return b, c, d, e[..., 0], dg.nn.functional.softmax(x, dim=-1)

    x = dg.randn(2, 4, 3)
    _assert_close(*_run(Ops(), x))


def test_writes_to_a_path_and_names_inputs_and_outputs(tmp_path):
    model = nn.Sequential(nn.Linear(2, 2))
    path = tmp_path / "m.onnx"
    dg.onnx.export(model, (dg.randn(1, 2),), str(path), input_names=["features"],
                   output_names=["logits"])
    proto = onnx.load(str(path))
    assert [i.name for i in proto.graph.input] == ["features"]
    assert [o.name for o in proto.graph.output] == ["logits"]
    assert {i.name for i in proto.graph.initializer} >= {"0.weight", "0.bias"}


def test_an_op_without_a_conversion_is_a_clear_error():
    class Odd(nn.Module):
        def forward(self, x):
            return dg.nn.functional.dropout(x, 0.5, training=True)

    with pytest.raises(dg.onnx.OnnxExportError, match="no ONNX conversion for the op Dropout"):
        dg.onnx.export(Odd(), dg.randn(2, 2), io.BytesIO())
    with pytest.raises(dg.onnx.OnnxExportError, match="opset_version"):
        dg.onnx.export(nn.Linear(2, 2), dg.randn(1, 2), io.BytesIO(), opset_version=9)


@pytest.mark.parametrize("kw", [dict(), dict(activation="gelu", norm_first=True)])
def test_transformer_encoder(kw):
    dg.manual_seed(6)
    layer = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True, **kw)
    encoder = nn.TransformerEncoder(layer, 2)
    _assert_close(*_run(encoder, dg.randn(2, 5, 16)), tol=1e-5)


@pytest.mark.parametrize("layer", [
    nn.GELU(), nn.GELU(approximate="tanh"), nn.SiLU(), nn.Mish(), nn.Hardswish(),
    nn.Hardsigmoid(), nn.Hardtanh(-0.5, 0.7), nn.ReLU6(), nn.LogSigmoid(), nn.Softshrink(0.3),
    nn.Hardshrink(0.3), nn.Tanhshrink(), nn.Threshold(0.1, -2.0), nn.CELU(0.7), nn.SELU(),
    nn.PReLU(4), nn.LayerNorm(6), nn.GroupNorm(2, 4), nn.Softplus(beta=2.0),
], ids=lambda m: type(m).__name__)
def test_activations_and_normalizations(layer):
    dg.manual_seed(7)
    _assert_close(*_run(layer, dg.randn(3, 4, 6)))
