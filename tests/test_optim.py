"""Optimizers: golden values from the published rules, API contract and bad input."""
import math

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn, optim

A = np.array([1.0, 4.0, 0.25, 2.0])
B = np.array([0.5, -1.0, 2.0, 0.0])
W0 = np.array([1.0, 1.0, -1.0, 3.0])


def _grad(w):
    """Gradient of the fixed quadratic f(w) = 1/2 sum a (w - b)^2."""
    return A * (w - B)


# ---- plain-NumPy references written from the papers / the chapter --------------------------
def ref_sgd_chapter_momentum(steps, lr, alpha):
    """Chapter: dw(n) = -eta g + alpha dw(n-1); w <- w + dw."""
    w, dw = W0.copy(), np.zeros(4)
    for _ in range(steps):
        dw = -lr * _grad(w) + alpha * dw
        w = w + dw
    return w


def ref_nesterov(steps, lr, mu):
    w, b = W0.copy(), None
    for _ in range(steps):
        g = _grad(w)
        b = g.copy() if b is None else mu * b + g
        w = w - lr * (g + mu * b)
    return w


def ref_adagrad(steps, lr, eps):
    w, r = W0.copy(), np.zeros(4)
    for _ in range(steps):
        g = _grad(w)
        r = r + g * g
        w = w - lr / (eps + np.sqrt(r)) * g
    return w


def ref_adadelta(steps, rho, eps):
    """Zeiler 2012, Algorithm 1 (no learning rate)."""
    w, eg2, edx2 = W0.copy(), np.zeros(4), np.zeros(4)
    for _ in range(steps):
        g = _grad(w)
        eg2 = rho * eg2 + (1 - rho) * g * g
        dx = -np.sqrt(edx2 + eps) / np.sqrt(eg2 + eps) * g
        edx2 = rho * edx2 + (1 - rho) * dx * dx
        w = w + dx
    return w


def ref_rmsprop(steps, lr, rho, eps, centered=False):
    w, r, gbar = W0.copy(), np.zeros(4), np.zeros(4)
    for _ in range(steps):
        g = _grad(w)
        r = rho * r + (1 - rho) * g * g
        gbar = rho * gbar + (1 - rho) * g
        var = r - gbar ** 2 if centered else r
        w = w - lr * g / (np.sqrt(var) + eps)
    return w


def ref_adam(steps, lr, b1, b2, eps, decoupled_wd=0.0):
    """Kingma & Ba, Algorithm 1 (+ Loshchilov & Hutter's decoupled decay)."""
    w, m, v = W0.copy(), np.zeros(4), np.zeros(4)
    for t in range(1, steps + 1):
        g = _grad(w)
        w = w * (1 - lr * decoupled_wd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat, vhat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        w = w - lr * mhat / (np.sqrt(vhat) + eps)
    return w


def ref_adamax(steps, lr, b1, b2, eps):
    w, m, u = W0.copy(), np.zeros(4), np.zeros(4)
    for t in range(1, steps + 1):
        g = _grad(w)
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        w = w - lr / (1 - b1 ** t) * m / u
    return w


def ref_nadam(steps, lr, b1, b2, eps, psi):
    """Dozat 2016 with PyTorch's momentum schedule mu_t = b1 (1 - 0.5 * 0.96^(t psi))."""
    w, m, v, prod = W0.copy(), np.zeros(4), np.zeros(4), 1.0
    for t in range(1, steps + 1):
        g = _grad(w)
        mu, mu_next = (b1 * (1 - 0.5 * 0.96 ** (k * psi)) for k in (t, t + 1))
        prod *= mu
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat = mu_next * m / (1 - prod * mu_next) + (1 - mu) * g / (1 - prod)
        w = w - lr * mhat / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return w


GOLDEN = [
    ("SGD", dict(lr=0.1), lambda n: ref_sgd_chapter_momentum(n, 0.1, 0.0)),
    ("SGD", dict(lr=0.1, momentum=0.9), lambda n: ref_sgd_chapter_momentum(n, 0.1, 0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True), lambda n: ref_nesterov(n, 0.1, 0.9)),
    ("Adagrad", dict(lr=0.5), lambda n: ref_adagrad(n, 0.5, 1e-10)),
    ("Adadelta", dict(), lambda n: ref_adadelta(n, 0.9, 1e-6)),
    ("RMSprop", dict(lr=0.01), lambda n: ref_rmsprop(n, 0.01, 0.99, 1e-8)),
    ("RMSprop", dict(lr=0.01, centered=True),
     lambda n: ref_rmsprop(n, 0.01, 0.99, 1e-8, centered=True)),
    ("Adam", dict(lr=0.1), lambda n: ref_adam(n, 0.1, 0.9, 0.999, 1e-8)),
    ("AdamW", dict(lr=0.1, weight_decay=0.5),
     lambda n: ref_adam(n, 0.1, 0.9, 0.999, 1e-8, decoupled_wd=0.5)),
    ("Adamax", dict(lr=0.1), lambda n: ref_adamax(n, 0.1, 0.9, 0.999, 1e-8)),
    ("NAdam", dict(lr=0.1), lambda n: ref_nadam(n, 0.1, 0.9, 0.999, 1e-8, 4e-3)),
]


@pytest.mark.parametrize("name,kwargs,ref", GOLDEN, ids=[f"{g[0]}-{i}" for i, g in
                                                         enumerate(GOLDEN)])
def test_golden_values_on_quadratic(name, kwargs, ref):
    p = nn.Parameter(W0.copy())
    opt = getattr(optim, name)([p], **kwargs)
    for _ in range(5):
        p.grad = dg.tensor(_grad(p._data))
        opt.step()
    np.testing.assert_allclose(p._data, ref(5), rtol=1e-9, atol=1e-12)
    assert p._data.dtype == np.float64


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_update_keeps_dtype_identity_and_leaves_grad_untouched(name):
    w = nn.Parameter(np.ones((3, 2), np.float32))
    data = w._data
    kwargs = dict(weight_decay=0.1) if name != "adadelta" else dict(weight_decay=0.1, lr=1.0)
    if name == "rprop":  # Rprop has no weight decay (as in PyTorch)
        kwargs = {}
    opt = optim.OPTIMIZERS[name]([w], **kwargs)
    g = np.full((3, 2), 0.5, np.float32)
    w.grad = dg.from_numpy(g)
    opt.step()
    assert w._data is data and w._data.dtype == np.float32  # updated in place
    assert np.all(g == 0.5)  # the gradient array was read, never written
    assert not np.allclose(w._data, 1.0)


def test_skips_params_without_grad_and_closure_returns_loss():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.SGD([a, b], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss) == 2.0
    np.testing.assert_allclose(a._data, [0.8, 0.8])
    np.testing.assert_allclose(b._data, [1.0, 1.0])
    assert b not in opt.state


def test_zero_grad_set_to_none_and_to_zeros_without_touching_old_array():
    p = nn.Parameter(np.ones(3, np.float32))
    opt = optim.SGD([p])
    g = np.ones(3, np.float32)
    p.grad = dg.from_numpy(g)
    opt.zero_grad(set_to_none=False)
    assert np.all(p.grad._data == 0) and np.all(g == 1)
    opt.zero_grad()
    assert p.grad is None


def test_param_groups_and_add_param_group():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.SGD([{"params": [a]}], lr=0.1, momentum=0.5)
    opt.add_param_group({"params": b, "lr": 0.2})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.2]
    assert opt.param_groups[1]["momentum"] == 0.5
    for p in (a, b):
        p.grad = dg.tensor(np.ones(2))
    opt.step()
    np.testing.assert_allclose(a._data, 0.9)
    np.testing.assert_allclose(b._data, 0.8)


BAD = [
    (lambda p: optim.SGD(p, lr=-0.1), ValueError, "-0.1"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=-1), ValueError, "-1"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "dampening=0.1"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), ValueError, "1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), ValueError, "-0.1"),
    (lambda p: optim.Adam(p, eps=-1e-8), ValueError, "-1e-08"),
    (lambda p: optim.NAdam(p, betas=(0.9,)), ValueError, "betas"),
    (lambda p: optim.RMSprop(p, alpha=-0.5), ValueError, "-0.5"),
    (lambda p: optim.Adagrad(p, lr_decay=-1.0), ValueError, "-1.0"),
    (lambda p: optim.Adadelta(p, rho=1.5), ValueError, "1.5"),
    (lambda p: optim.AdamW(p, weight_decay=-0.01), ValueError, "-0.01"),
    (lambda p: optim.Adam(p, lr=math.nan), ValueError, "nan"),
    (lambda p: optim.SGD(p + [np.ones(2)], lr=0.1), TypeError, "ndarray"),
    (lambda p: optim.SGD(p[0], lr=0.1), TypeError, "Tensor"),
    (lambda p: optim.SGD([], lr=0.1), ValueError, "empty"),
    (lambda p: optim.SGD([{"params": p}, {"params": p}], lr=0.1), ValueError, "more than one"),
    (lambda p: optim.SGD([{"params": p, "lr": -2.0}], lr=0.1), ValueError, "-2.0"),
    (lambda p: optim.SGD([p[0] * 2], lr=0.1), ValueError, "leaf"),
]


@pytest.mark.parametrize("make,exc,text", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_input_names_the_value(make, exc, text):
    params = [nn.Parameter(np.ones(2))]
    with pytest.raises(exc, match=text.replace("(", r"\(").replace(".", r"\.")):
        make(params)


def test_state_dict_layout_is_plain_and_copied():
    p = nn.Parameter(np.ones((2, 2), np.float32))
    opt = optim.Adam([p], lr=0.1, amsgrad=True)
    p.grad = dg.tensor(np.ones((2, 2), np.float32))
    opt.step()
    sd = opt.state_dict()
    assert sd["optimizer"] == "Adam"
    assert sd["param_groups"][0]["params"] == [0]
    assert sd["param_groups"][0]["betas"] == [0.9, 0.999]
    st = sd["state"][0]
    assert st["step"] == 1 and set(st) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    st["exp_avg"][...] = 123.0
    assert not np.any(opt.state[p]["exp_avg"] == 123.0)


def test_load_state_dict_rejects_foreign_or_mismatched_state_unchanged():
    p, q = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(3))
    sgd = optim.SGD([p], lr=0.1, momentum=0.9)
    adam = optim.Adam([p])
    p.grad = dg.tensor(np.ones(2))
    sgd.step()
    before = sgd.state_dict()
    with pytest.raises(ValueError, match="'Adam'"):
        sgd.load_state_dict(adam.state_dict())
    two = optim.SGD([p, q], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="2 parameters in the state, 1 here"):
        sgd.load_state_dict(two.state_dict())
    other = optim.SGD([q], lr=0.5, momentum=0.9)
    q.grad = dg.tensor(np.ones(3))
    other.step()
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        sgd.load_state_dict(other.state_dict())
    after = sgd.state_dict()
    assert after["param_groups"] == before["param_groups"]
    np.testing.assert_array_equal(after["state"][0]["momentum_buffer"],
                                  before["state"][0]["momentum_buffer"])


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_step_allocates_no_parameter_sized_arrays_after_the_first(name):
    import tracemalloc
    p = nn.Parameter(np.ones((500, 100), np.float32))  # 200 kB
    p.grad = dg.from_numpy(np.full((500, 100), 0.1, np.float32))
    kwargs = {"weight_decay": 0.1, **({"momentum": 0.9, "nesterov": True} if name == "sgd"
                                      else {})}
    if name == "rprop":  # Rprop has no weight decay (as in PyTorch)
        kwargs = {}
    opt = optim.OPTIMIZERS[name]([p], **kwargs)
    opt.step()  # creates the state and the scratch arrays
    tracemalloc.start()
    opt.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < p._data.nbytes // 4, (name, peak)
