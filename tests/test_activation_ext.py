"""New activations (F and modules) against PyTorch, gradcheck, inplace= accepted."""
from __future__ import annotations

import numpy as np
import pytest
from nn_parity import RNG, compare, gradcheck

import deepgrad as dg
import deepgrad.nn.functional as F
from deepgrad import nn

X = RNG.standard_normal((4, 6)) * 3
X[0, :4] = [0.0, 3.0, -3.0, 0.5]  # boundaries of the piecewise ones
X4 = RNG.standard_normal((2, 3, 4, 5)) * 2

CASES = {  # name: (deepgrad F call, torch F call name or callable, input)
    "gelu": (F.gelu, "gelu", X),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x, TF: TF.gelu(x, approximate="tanh"), X),
    "silu": (F.silu, "silu", X), "mish": (F.mish, "mish", X), "selu": (F.selu, "selu", X),
    # alpha = 0.5: PyTorch's CELU backward rounds 1/alpha to float32 (1e-7 off for 0.7).
    "celu": (lambda x: F.celu(x, 0.5), lambda x, TF: TF.celu(x, 0.5), X),
    "hardtanh": (lambda x: F.hardtanh(x, -2.0, 1.5), lambda x, TF: TF.hardtanh(x, -2.0, 1.5), X),
    "relu6": (F.relu6, "relu6", X), "hardsigmoid": (F.hardsigmoid, "hardsigmoid", X),
    "hardswish": (F.hardswish, "hardswish", X), "logsigmoid": (F.logsigmoid, "logsigmoid", X),
    "softshrink": (F.softshrink, "softshrink", X), "hardshrink": (F.hardshrink, "hardshrink", X),
    "tanhshrink": (F.tanhshrink, "tanhshrink", X),
    "threshold": (lambda x: F.threshold(x, 0.3, -2.0), lambda x, TF: TF.threshold(x, 0.3, -2.0),
                  X),
    "glu": (lambda x: F.glu(x, 1), lambda x, TF: TF.glu(x, 1), X),
    "softmin": (lambda x: F.softmin(x, 1), lambda x, TF: TF.softmin(x, 1), X),
    "rrelu_eval": (F.rrelu, "rrelu", X),
    "leaky_relu_inplace": (lambda x: F.leaky_relu(x * 1.0, 0.2, inplace=True),
                           lambda x, TF: TF.leaky_relu(x * 1.0, 0.2, inplace=True), X),
    "relu_inplace": (lambda x: F.relu(x * 1.0, inplace=True),
                     lambda x, TF: TF.relu(x * 1.0, inplace=True), X),
    "elu_inplace": (lambda x: F.elu(x * 1.0, 0.5, inplace=True),
                    lambda x, TF: TF.elu(x * 1.0, 0.5, inplace=True), X),
}


@pytest.mark.parametrize("name", list(CASES))
def test_activation_matches_torch(name):
    torch = pytest.importorskip("torch")
    ours, theirs, x = CASES[name]
    tf = (lambda t: getattr(torch.nn.functional, theirs)(t)) if isinstance(theirs, str) \
        else (lambda t: theirs(t, torch.nn.functional))
    # PyTorch's hardsigmoid backward multiplies by a float32 1/6 (3e-8 relative off).
    compare(ours, tf, [x], rtol=1e-7 if name == "hardsigmoid" else 1e-10)


@pytest.mark.parametrize("name", [n for n in CASES if "inplace" not in n])
def test_activation_gradcheck(name):
    x = X + 0.01  # away from the kinks, where finite differences straddle two pieces
    gradcheck(CASES[name][0], [x])


def test_prelu_per_channel_and_single_match_torch():
    torch = pytest.importorskip("torch")
    for w in (np.array([0.25]), RNG.uniform(0.1, 0.5, 3)):
        compare(F.prelu, torch.nn.functional.prelu, [X4, w])
        gradcheck(F.prelu, [X4 + 0.01, w])


def test_erf_gelu_accuracy_and_dtype():
    x = dg.tensor(np.linspace(-9, 9, 301).astype(np.float32))
    y = F.gelu(x)
    assert y.dtype == np.float32
    torch = pytest.importorskip("torch")
    ref = torch.nn.functional.gelu(torch.tensor(np.linspace(-9, 9, 301))).numpy()
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-6, atol=1e-6)


def test_modules_match_torch_and_accept_inplace():
    torch = pytest.importorskip("torch")
    pairs = [
        (nn.GELU(), torch.nn.GELU()), (nn.GELU("tanh"), torch.nn.GELU("tanh")),
        (nn.SiLU(inplace=True), torch.nn.SiLU()), (nn.Mish(), torch.nn.Mish()),
        (nn.SELU(True), torch.nn.SELU()), (nn.CELU(0.5, True), torch.nn.CELU(0.5)),
        (nn.Hardtanh(-0.5, 2.0, True), torch.nn.Hardtanh(-0.5, 2.0)),
        (nn.ReLU6(True), torch.nn.ReLU6()), (nn.Hardsigmoid(True), torch.nn.Hardsigmoid()),
        (nn.Hardswish(True), torch.nn.Hardswish()), (nn.LogSigmoid(), torch.nn.LogSigmoid()),
        (nn.Softshrink(0.3), torch.nn.Softshrink(0.3)), (nn.Hardshrink(), torch.nn.Hardshrink()),
        (nn.Tanhshrink(), torch.nn.Tanhshrink()), (nn.Threshold(0.1, 20, True),
                                                   torch.nn.Threshold(0.1, 20)),
        (nn.GLU(1), torch.nn.GLU(1)), (nn.Softmin(1), torch.nn.Softmin(1)),
        (nn.Softmax2d(), torch.nn.Softmax2d()), (nn.LeakyReLU(0.2, inplace=True),
                                                 torch.nn.LeakyReLU(0.2)),
        (nn.ELU(0.5, inplace=True), torch.nn.ELU(0.5)), (nn.ReLU(inplace=True), torch.nn.ReLU()),
        (nn.RReLU().eval(), torch.nn.RReLU().eval()), (nn.PReLU(3), torch.nn.PReLU(3)),
    ]
    for ours, theirs in pairs:
        x = X4[:, :2] if isinstance(ours, nn.GLU) else X4
        theirs.double()
        ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
        assert list(ours.state_dict()) == list(theirs.state_dict())
        compare(ours, theirs, [x], rtol=1e-7 if isinstance(ours, nn.Hardsigmoid) else 1e-10)


def test_prelu_weight_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.PReLU(3, init=0.1).double(), torch.nn.PReLU(3, init=0.1).double()
    ours(dg.tensor(X4)).sum().backward()
    theirs(torch.tensor(X4)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-12)


def test_rrelu_training_slopes_are_in_range_and_gradient_matches_them():
    x = dg.tensor(-np.ones((200, 50)), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.numpy()
    assert 0.1 <= slopes.min() < 0.12 and 0.28 < slopes.max() <= 0.3
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), slopes)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(dg.zeros(2), approximate="fast")
    with pytest.raises(RuntimeError, match="glu.*even"):
        F.glu(dg.zeros(2, 3))
    with pytest.raises(RuntimeError, match="prelu.*channels"):
        F.prelu(dg.zeros(2, 4), dg.zeros(3))


def test_random_slope_op_gradcheck():
    from deepgrad.ops.activation_param import RandomSlope
    slope = RNG.uniform(0.1, 0.3, X.shape)
    gradcheck(lambda x: RandomSlope(slope).apply(x), [X + 0.01])
