"""nn basics: Module registration and state, containers, Linear init, nn.init, layer modules."""
from __future__ import annotations

import math

import numpy as np
import pytest

import deepgrad as dg
import deepgrad.nn.functional as F
from deepgrad import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(np.ones(1, np.float32))
        self.register_buffer("steps", dg.zeros(1))
        self.body = nn.Sequential(nn.Linear(3, 4), nn.Tanh(),
                                  nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5)))
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.ReLU()])
        self.heads = nn.ModuleDict({"cls": nn.Linear(4, 2), "reg": nn.Linear(4, 1, bias=False)})

    def forward(self, x):
        h = self.body(x)
        for b in self.blocks:
            h = b(h)
        return self.heads["cls"](h) * self.scale


NAMES = ["scale", "body.0.weight", "body.0.bias", "body.2.0.weight", "body.2.0.bias",
         "blocks.0.weight", "blocks.0.bias", "heads.cls.weight", "heads.cls.bias",
         "heads.reg.weight"]


# ---- registration ------------------------------------------------------------------------------
def test_named_parameters_use_dotted_pytorch_names():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == NAMES
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert list(net.state_dict()) == ["scale", "steps"] + NAMES[1:]
    assert [n for n, _ in net.named_buffers()] == ["steps"]
    assert net.num_parameters() == 1 + 16 + 20 + 20 + 10 + 4


def test_reassigning_and_deleting_attributes_updates_registration():
    net = Net()
    net.heads = nn.Identity()
    net.scale = None
    del net.blocks
    assert [n for n, _ in net.named_parameters()] == NAMES[1:5]
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, shared)
    assert len(list(seq.parameters())) == 2  # a shared layer counts once


def test_assigning_before_super_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.zeros(2))

    with pytest.raises(AttributeError, match=r"super\(\)\.__init__\(\)"):
        Bad()


def test_containers_index_iterate_and_grow():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    seq.append(nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear) and len(seq[:2]) == 2
    assert seq(dg.randn(5, 2)).shape == (5, 1)
    ml = nn.ModuleList([nn.Linear(1, 1)]).extend([nn.Tanh(), nn.Sigmoid()])
    assert len(ml) == 3 and isinstance(ml[1], nn.Tanh) and len(list(ml)) == 3
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.Linear(1, 2)
    assert list(md.keys()) == ["a", "b"] and "b" in md and len(md) == 2
    assert [n for n, _ in md.named_parameters()] == ["a.weight", "a.bias", "b.weight", "b.bias"]


# ---- state dicts -------------------------------------------------------------------------------
def test_state_dict_is_a_copy_and_round_trips_with_arrays_and_tensors():
    src, dst = Net(), Net()
    sd = src.state_dict()
    assert all(isinstance(v, np.ndarray) for v in sd.values())
    sd["scale"][0] = 99.0
    assert src.scale.numpy()[0] == 1.0  # a copy, not a view
    sd = src.state_dict()
    result = dst.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for k, v in dst.state_dict().items():
        np.testing.assert_array_equal(v, sd[k])
    as_tensors = {k: dg.tensor(v * 2) for k, v in sd.items()}
    dst.load_state_dict(as_tensors)
    np.testing.assert_allclose(dst.body[0].weight.numpy(), 2 * sd["body.0.weight"])


@pytest.mark.parametrize("edit, exc, pattern", [
    (lambda sd: sd.pop("body.0.bias"), KeyError, r"missing keys \['body.0.bias'\]"),
    (lambda sd: sd.update(extra=np.zeros(1)), KeyError, r"unexpected keys \['extra'\]"),
    (lambda sd: sd.update({"heads.cls.weight": np.zeros((3, 4))}), ValueError,
     r"heads.cls.weight.*\(3, 4\).*\(2, 4\)"),
])
def test_bad_state_dicts_fail_clearly_and_leave_the_module_unchanged(edit, exc, pattern):
    net = Net()
    before = net.state_dict()
    sd = {k: v + 1 for k, v in net.state_dict().items()}
    edit(sd)
    with pytest.raises(exc, match=pattern):
        net.load_state_dict(sd)
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_non_strict_load_returns_the_keys_and_loads_the_rest():
    net = Net()
    sd = net.state_dict()
    del sd["scale"]
    sd["body.0.weight"] = np.full((4, 3), 0.25)
    sd["bogus"] = np.zeros(2)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["scale"] and result.unexpected_keys == ["bogus"]
    np.testing.assert_allclose(net.body[0].weight.numpy(), 0.25)


# ---- modes, conversion, grads, apply, repr ----------------------------------------------------
def test_float_double_to_convert_parameters_and_buffers():
    net = Net().double()
    assert all(t.dtype == np.float64 for t in list(net.parameters()) + list(net.buffers()))
    assert net(dg.randn(2, 3, dtype=np.float64)).dtype == np.float64
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())
    net.to(dg.float64)
    assert net.body[0].weight.dtype == np.float64
    net.to("cpu", dtype=np.float32)
    assert net.steps.dtype == np.float32
    if not dg.cuda.is_available():  # without CuPy and a GPU: a clear error, nothing moved
        with pytest.raises(RuntimeError, match="cuda.*not available"):
            net.to("cuda")
        assert net.steps.device == "cpu"


def test_train_eval_propagate_to_every_submodule():
    net = Net()
    assert all(m.training for m in net.modules())
    net.eval()
    assert not any(m.training for m in net.modules())
    x = dg.randn(4, 3)
    np.testing.assert_array_equal(net(x).numpy(), net(x).numpy())  # dropout off: deterministic
    net.train()
    assert net.body[2][1].training


def test_zero_grad_clears_every_parameter_grad():
    net = Net()
    net(dg.randn(2, 3)).sum().backward()
    grads = [p for p in net.parameters() if p.grad is not None]
    assert len(grads) >= 7
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in grads)
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_apply_visits_children_then_self_for_custom_init():
    visited = []

    def init_fn(m):
        visited.append(type(m).__name__)
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)

    net = Net()
    assert net.apply(init_fn) is net
    assert visited[-1] == "Net" and visited.count("Linear") == 5
    assert all(np.all(m.weight.numpy() == 0.5) for m in net.modules() if isinstance(m, nn.Linear))


def test_repr_is_readable():
    text = repr(Net())
    for piece in ["Net(", "(body): Sequential(", "(0): Linear(in_features=3, out_features=4, "
                  "bias=True)", "(1): Dropout(p=0.5)", "(reg): Linear(in_features=4, "
                  "out_features=1, bias=False)", "(1): ReLU()"]:
        assert piece in text, piece
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Parameter(np.zeros(1))).startswith("Parameter containing:")


def test_regularizers_attach_to_parameters():
    layer = nn.Linear(3, 2, weight_regularizer=lambda w: (w * w).sum() * 0.1)
    expected = 0.1 * (layer.weight.numpy() ** 2).sum()
    np.testing.assert_allclose(layer.regularization_loss().item(), expected, rtol=1e-6)
    assert nn.Linear(2, 2).regularization_loss() == 0.0


# ---- Linear and nn.init ------------------------------------------------------------------------
def test_linear_default_init_matches_pytorch_bounds():
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)  # kaiming_uniform(a=sqrt 5) gives exactly 1/sqrt(fan_in)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert w.shape == (300, 400) and b.shape == (300,) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    np.testing.assert_allclose(w.std(), bound / math.sqrt(3), rtol=0.01)  # U(-a, a): a / sqrt 3
    assert abs(w.mean()) < 0.01 * bound * 10
    assert np.abs(b).max() <= bound and b.std() > 0.5 * bound / math.sqrt(3)


def test_linear_forward_and_bias_false():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    x = dg.randn(5, 3)
    np.testing.assert_allclose(layer(x).numpy(), x.numpy() @ layer.weight.numpy().T, rtol=1e-6)
    with pytest.raises(ValueError, match="positive"):
        nn.Linear(0, 3)


@pytest.mark.parametrize("name, param, gain", [
    ("linear", None, 1.0), ("sigmoid", None, 1.0), ("conv2d", None, 1.0), ("tanh", None, 5 / 3),
    ("relu", None, math.sqrt(2)), ("leaky_relu", None, math.sqrt(2 / (1 + 0.01 ** 2))),
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)), ("selu", None, 0.75),
])
def test_calculate_gain(name, param, gain):
    assert nn.init.calculate_gain(name, param) == pytest.approx(gain)


def test_calculate_gain_rejects_unknown():
    with pytest.raises(ValueError, match="'swish'"):
        nn.init.calculate_gain("swish")


FAN_IN, FAN_OUT = 300, 200  # a (200, 300) weight: fan_in = 300, fan_out = 200


@pytest.mark.parametrize("fill, kind, scale", [
    (lambda t: nn.init.xavier_uniform_(t), "uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    (lambda t: nn.init.xavier_uniform_(t, gain=2.0), "uniform",
     2 * math.sqrt(6 / (FAN_IN + FAN_OUT))),
    (lambda t: nn.init.xavier_normal_(t), "normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    (lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"), "uniform",
     math.sqrt(2) * math.sqrt(3 / FAN_IN)),
    (lambda t: nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"), "uniform",
     math.sqrt(2) * math.sqrt(3 / FAN_OUT)),
    (lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu"), "normal",
     math.sqrt(2 / FAN_IN)),
    (lambda t: nn.init.kaiming_normal_(t, a=0.1), "normal",
     math.sqrt(2 / (1 + 0.01)) / math.sqrt(FAN_IN)),
    (lambda t: nn.init.uniform_(t, -0.3, 0.3), "uniform", 0.3),
    (lambda t: nn.init.normal_(t, 0.0, 0.05), "normal", 0.05),
], ids=["xavier_u", "xavier_u_gain", "xavier_n", "kaiming_u", "kaiming_u_fan_out", "kaiming_n",
        "kaiming_n_a", "uniform", "normal"])
def test_init_bounds_and_std(fill, kind, scale):
    t = nn.Parameter(np.zeros((FAN_OUT, FAN_IN), np.float32))
    assert fill(t) is t
    w = t.numpy()
    assert w.dtype == np.float32 and abs(w.mean()) < 0.02 * scale
    if kind == "uniform":
        assert np.abs(w).max() <= scale * (1 + 1e-6) and np.abs(w).max() > 0.99 * scale
        np.testing.assert_allclose(w.std(), scale / math.sqrt(3), rtol=0.02)
    else:
        np.testing.assert_allclose(w.std(), scale, rtol=0.02)


def test_constant_inits_and_fan_errors():
    t = nn.Parameter(np.ones((2, 3), np.float32))
    assert np.all(nn.init.zeros_(t).numpy() == 0)
    assert np.all(nn.init.ones_(t).numpy() == 1)
    assert np.all(nn.init.constant_(t, 0.7).numpy() == np.float32(0.7))
    with pytest.raises(ValueError, match=r"\(5,\)"):
        nn.init.xavier_uniform_(nn.Parameter(np.zeros(5, np.float32)))
    with pytest.raises(ValueError, match="'fan_avg'"):
        nn.init.kaiming_uniform_(t, mode="fan_avg")


# ---- layer modules equal their functional forms ------------------------------------------------
X = np.random.default_rng(3).standard_normal((4, 5)).astype(np.float32)
T_INT = np.array([0, 4, 2, 1])
T_BIN = (np.random.default_rng(4).random((4, 5)) > 0.5).astype(np.float32)
W5 = np.array([1.0, 2.0, 0.5, 1.0, 3.0], np.float32)


@pytest.mark.parametrize("module, functional", [
    (nn.Sign(), F.sign), (nn.Sigmoid(), F.sigmoid), (nn.Tanh(), F.tanh),
    (nn.Softsign(), F.softsign), (nn.ReLU(), F.relu), (nn.LeakyReLU(0.3),
                                                       lambda x: F.leaky_relu(x, 0.3)),
    (nn.ELU(0.7), lambda x: F.elu(x, 0.7)), (nn.Softplus(2.0, 5.0),
                                             lambda x: F.softplus(x, 2.0, 5.0)),
    (nn.Softmax(0), lambda x: F.softmax(x, 0)), (nn.LogSoftmax(1), lambda x: F.log_softmax(x, 1)),
    (nn.Identity(), lambda x: x), (nn.Flatten(0), lambda x: x.reshape(-1)),
    (nn.Dropout(0.5).eval(), lambda x: x),
], ids=lambda v: type(v).__name__ if isinstance(v, nn.Module) else "")
def test_activation_modules_equal_functional(module, functional):
    x = dg.tensor(X)
    np.testing.assert_array_equal(module(x).numpy(), functional(x).numpy())


@pytest.mark.parametrize("module, functional, target", [
    (nn.MSELoss(), F.mse_loss, T_BIN),
    (nn.MSELoss(reduction="sum"), lambda x, t: F.mse_loss(x, t, "sum"), T_BIN),
    (nn.L1Loss(), F.l1_loss, T_BIN),
    (nn.QuadraticLoss(), F.quadratic_loss, T_BIN),
    (nn.CrossEntropyLoss(), F.cross_entropy, T_INT),
    (nn.CrossEntropyLoss(weight=W5, ignore_index=4, label_smoothing=0.2, reduction="sum"),
     lambda x, t: F.cross_entropy(x, t, W5, 4, "sum", 0.2), T_INT),
    (nn.NLLLoss(weight=W5), lambda x, t: F.nll_loss(F.log_softmax(x, 1), t, W5), T_INT),
    (nn.BCELoss(), lambda x, t: F.binary_cross_entropy(F.sigmoid(x), t), T_BIN),
    (nn.BCEWithLogitsLoss(pos_weight=W5), lambda x, t: F.binary_cross_entropy_with_logits(
        x, t, pos_weight=W5), T_BIN),
], ids=["mse", "mse_sum", "l1", "quadratic", "ce", "ce_kwargs", "nll", "bce", "bce_logits"])
def test_loss_modules_equal_functional(module, functional, target):
    x = dg.tensor(X)
    inp = F.log_softmax(x, 1) if isinstance(module, nn.NLLLoss) else \
        F.sigmoid(x) if isinstance(module, nn.BCELoss) else x
    np.testing.assert_allclose(module(inp, dg.tensor(target)).numpy(),
                               functional(x, dg.tensor(target)).numpy(), rtol=1e-6)


def test_quadratic_loss_is_half_the_summed_squared_error():
    o, t = dg.tensor(X), dg.tensor(T_BIN)
    np.testing.assert_allclose(nn.QuadraticLoss()(o, t).item(),
                               0.5 * ((T_BIN - X) ** 2).sum(), rtol=1e-6)


def _relu_inputs(monkeypatch) -> list:
    """Record the shape every nn.ReLU receives (a class-level patch, which the opt-in
    reordering does not look for: it shows which order ran)."""
    seen, forward = [], nn.ReLU.forward
    monkeypatch.setattr(nn.ReLU, "forward", lambda self, x: seen.append(x.shape) or
                        forward(self, x))
    return seen


@pytest.mark.parametrize("pool,shape", [(lambda: nn.MaxPool2d(2), (3, 4, 6, 6)),
                                        (lambda: nn.MaxPool2d(3, 2, 1), (2, 3, 7, 5)),
                                        (lambda: nn.MaxPool1d(2), (3, 4, 10))])
def test_sequential_pool_before_relu_equals_the_written_order(pool, shape, monkeypatch):
    # Rounded values: ties, zeros and all-negative windows, where the order could matter.
    x = np.round(np.random.default_rng(0).standard_normal(shape) * 2) / 2
    x[0, 0] = -np.abs(x[0, 0])  # a channel of windows with maxima <= 0
    relu, mp = nn.ReLU(), pool()
    model = nn.Sequential(nn.Identity(), relu, mp).pool_before_relu()
    seen = _relu_inputs(monkeypatch)
    outs = []
    for f in (model, lambda t: mp(relu(t))):
        t = dg.tensor(x, requires_grad=True)
        y = f(t)
        (y * dg.tensor(np.arange(y.numel()).reshape(y.shape) % 5 - 2.0)).sum().backward()
        outs.append((y.numpy(), t.grad.numpy()))
    assert seen == [outs[0][0].shape, shape]  # opted in: ReLU ran after the pool
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    np.testing.assert_array_equal(outs[0][1], outs[1][1])


def test_sequential_pool_before_relu_skips_subclasses_and_follows_replacements(monkeypatch):
    class MyReLU(nn.ReLU):
        pass

    x = dg.ones(1, 1, 4, 4)
    seen = _relu_inputs(monkeypatch)
    model = nn.Sequential(MyReLU(), nn.MaxPool2d(2)).pool_before_relu()
    model(x)
    assert seen == [(1, 1, 4, 4)]
    model[0] = nn.ReLU()
    model(x)
    assert seen[-1] == (1, 1, 2, 2)
    model[1] = nn.AvgPool2d(2)
    model(x)
    assert seen[-1] == (1, 1, 4, 4)
    model.pool_before_relu(False)[1] = nn.MaxPool2d(2)
    model(x)
    assert seen[-1] == (1, 1, 4, 4)


def test_replacing_a_layer_or_parameter_keeps_its_position():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    model[0] = nn.Linear(2, 3, bias=False)
    assert list(model.state_dict()) == ["0.weight", "2.weight", "2.bias"]
    lin = model[2]
    lin.weight = nn.Parameter(dg.zeros(1, 3))
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    layers = nn.ModuleList([nn.Tanh(), nn.ReLU()])
    layers[0] = nn.Sigmoid()
    assert [type(m).__name__ for m in layers] == ["Sigmoid", "ReLU"]
