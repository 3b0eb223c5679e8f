"""Regularizers: Keras' convention, gradients, Linear integration, relation to weight decay."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn, optim
from deepgrad.regularizers import L1, L1L2, L2, REGULARIZERS

W = np.array([[0.5, -2.0, 0.0], [1.5, -0.25, 3.0]])

CASES = [
    (L1(0.1), 0.1 * np.abs(W).sum(), 0.1 * np.sign(W)),
    (L2(0.1), 0.1 * (W ** 2).sum(), 0.2 * W),
    (L1L2(l1=0.1, l2=0.3), 0.1 * np.abs(W).sum() + 0.3 * (W ** 2).sum(), 0.1 * np.sign(W)
     + 0.6 * W),
    (L1(), 0.01 * np.abs(W).sum(), 0.01 * np.sign(W)),
    (L2(), 0.01 * (W ** 2).sum(), 0.02 * W),
    (L1L2(), 0.0, np.zeros_like(W)),
]


@pytest.mark.parametrize("reg,penalty,grad", CASES, ids=[repr(c[0]) for c in CASES])
def test_penalty_and_gradient(reg, penalty, grad):
    w = nn.Parameter(W.copy())
    out = reg(w)
    assert out.shape == ()
    np.testing.assert_allclose(float(out), penalty, rtol=1e-12)
    out.backward()
    np.testing.assert_allclose(w.grad._data, grad, rtol=1e-12)


def test_gradcheck_l2_and_l1l2():
    w = dg.tensor(W + 0.1, dtype=dg.float64, requires_grad=True)
    assert dg.autograd.gradcheck(lambda t: L1L2(0.2, 0.7)(t), [w])


def test_works_on_a_parameter_list_and_keeps_float32():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    params = list(model.parameters())
    total = L2(0.5)(params)
    assert total.dtype == np.float32
    want = 0.5 * sum(float((p._data.astype(np.float64) ** 2).sum()) for p in params)
    np.testing.assert_allclose(float(total), want, rtol=1e-5)


def test_linear_weight_regularizer_contributes_penalty_and_gradient():
    dg.manual_seed(0)
    layer = nn.Linear(3, 2, weight_regularizer=L2(0.05), bias_regularizer=L1(0.1))
    w, b = layer.weight._data.astype(np.float64), layer.bias._data.astype(np.float64)
    reg = layer.regularization_loss()
    np.testing.assert_allclose(float(reg), 0.05 * (w ** 2).sum() + 0.1 * np.abs(b).sum(),
                               rtol=1e-5)
    model = nn.Sequential(layer, nn.Tanh())
    x = dg.from_numpy(np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32))
    data_loss = model(x).sum()
    data_loss.backward()
    g_data_w, g_data_b = layer.weight.grad._data.copy(), layer.bias.grad._data.copy()
    layer.zero_grad()
    (model(x).sum() + model.regularization_loss()).backward()
    np.testing.assert_allclose(layer.weight.grad._data, g_data_w + 0.1 * w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.bias.grad._data, g_data_b + 0.1 * np.sign(b), rtol=1e-5,
                               atol=1e-6)


def test_l2_penalty_equals_coupled_weight_decay_of_twice_the_coefficient():
    """L2(l2) in the loss == SGD(weight_decay = 2 * l2): the documented relation."""
    rng = np.random.default_rng(1)
    w0, target = rng.standard_normal(4), rng.standard_normal(4)
    a, b = nn.Parameter(w0.copy()), nn.Parameter(w0.copy())
    opt_a = optim.SGD([a], lr=0.1, momentum=0.9)
    opt_b = optim.SGD([b], lr=0.1, momentum=0.9, weight_decay=2 * 0.03)
    t = dg.tensor(target)
    for _ in range(10):
        for p, opt, reg in ((a, opt_a, True), (b, opt_b, False)):
            opt.zero_grad()
            loss = ((p - t) ** 2).sum()
            if reg:
                loss = loss + L2(0.03)(p)
            loss.backward()
            opt.step()
    np.testing.assert_allclose(a._data, b._data, rtol=1e-12)


def test_chapter_decay_form_is_sgd_weight_decay():
    """w <- (1 - eps alpha) w - eps grad J  ==  SGD(lr=eps, weight_decay=alpha)."""
    eps, alpha = 0.1, 0.2
    w = nn.Parameter(np.array([1.0, -2.0]))
    opt = optim.SGD([w], lr=eps, weight_decay=alpha)
    ref = w._data.copy()
    for _ in range(3):
        opt.zero_grad()
        (w * w * w).sum().backward()
        ref = (1 - eps * alpha) * ref - eps * 3 * ref ** 2
        opt.step()
    np.testing.assert_allclose(w._data, ref, rtol=1e-12)


@pytest.mark.parametrize("make,exc", [(lambda: L1(-0.1), ValueError), (lambda: L2("x"), ValueError),
                                      (lambda: L1L2(l2=-1), ValueError),
                                      (lambda: L2()([np.ones(2)]), TypeError),
                                      (lambda: L2()([]), ValueError)])
def test_bad_input(make, exc):
    with pytest.raises(exc):
        make()


def test_registry_and_config():
    assert REGULARIZERS["l1_l2"] is L1L2
    assert L1L2(0.1, 0.2).get_config() == {"l1": 0.1, "l2": 0.2}
    assert repr(L2(0.5)) == "L2(l2=0.5)"
