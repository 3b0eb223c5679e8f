"""Version counters: backward refuses arrays changed in place after they were saved (as PyTorch)."""
import threading

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn

try:
    import torch
except ImportError:  # the torch comparisons skip; deepgrad's own expectations still run
    torch = None

MODIFIED = "modified by an inplace operation"


def _both(build):
    """Run ``build(lib)`` on deepgrad and, when installed, on torch; return the raised errors."""
    results = []
    for lib in (dg, torch):
        if lib is None:
            continue
        try:
            build(lib)
            results.append(None)
        except RuntimeError as e:
            results.append(str(e))
    return results


def _params(lib, shape=(3,)):
    return lib.tensor(np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape),
                      requires_grad=True)


# ---- cases that must raise ------------------------------------------------------------------
def _square_then_no_grad_update(lib):
    w = _params(lib)
    y = w * w
    with lib.no_grad():
        w += 1
    y.sum().backward()


def _step_between_two_backwards(lib):
    layer = (nn if lib is dg else torch.nn).Linear(3, 2)
    x = lib.ones(4, 3, requires_grad=True)  # torch then saves the weight for x's gradient
    loss = (layer(x) ** 2).sum()
    loss.backward(retain_graph=True)
    (dg.optim if lib is dg else torch.optim).SGD(layer.parameters(), lr=0.1).step()
    loss.backward()


def _exp_output_zeroed(lib):
    x = _params(lib)
    e = x.exp()
    e *= 0
    e.sum().backward()


def _detached_alias_changed(lib):
    a = _params(lib)
    y = a * a
    d = a.detach()
    d += 10
    y.sum().backward()


def _relu_output_changed(lib):
    x = lib.tensor([-1.0, 2.0, 3.0], requires_grad=True)
    r = x.relu()
    r.add_(1)
    r.sum().backward()


def _sigmoid_output_changed_under_no_grad(lib):
    x = _params(lib)
    s = x.sigmoid()
    with lib.no_grad():
        s.mul_(2)
    s.sum().backward()


def _view_of_saved_input_changed(lib):
    x = lib.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    y = x.exp()
    with lib.no_grad():
        y.reshape(6)[0:2].mul_(3)
    y.sum().backward()


@pytest.mark.parametrize("case", [_square_then_no_grad_update, _step_between_two_backwards,
                                  _exp_output_zeroed, _detached_alias_changed,
                                  _relu_output_changed, _sigmoid_output_changed_under_no_grad,
                                  _view_of_saved_input_changed])
def test_in_place_change_of_a_saved_array_raises_as_in_torch(case):
    errors = _both(case)
    for err in errors:
        assert err is not None and MODIFIED in err


def test_error_names_the_op_the_shape_and_the_versions():
    x = dg.ones(2, 3, requires_grad=True)
    e = x.exp()
    e *= 0
    with pytest.raises(RuntimeError) as info:
        e.sum().backward()
    msg = str(info.value)
    assert "output 0 of Exp" in msg and "[2, 3]" in msg
    assert "is at version 1; expected version 0" in msg


# ---- cases that must keep working -----------------------------------------------------------
def _manual_sgd(lib):
    w = _params(lib)
    for _ in range(3):
        loss = ((w * w).sum() - 1) ** 2
        loss.backward()
        with lib.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
    return w


def _unsaved_output_changed(lib):
    x = lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    w = _params(lib, (4, 3))
    y = (nn if lib is dg else torch.nn).functional.linear(x, w)
    y += 1  # linear saved x and w, not its output
    (y * y).sum().backward()
    return x.grad, w.grad


def _unsaved_input_changed(lib):
    x = lib.tensor([1.0, 2.0, 3.0])
    w = _params(lib)
    y = x + w  # add saves nothing
    with lib.no_grad():
        x += 1
    y.sum().backward()
    return w.grad


def _mul_in_place_both_require_grad(lib):
    x, w = _params(lib), lib.tensor([2.0, -1.0, 0.5], requires_grad=True)
    a = x * 1
    a.mul_(w)  # the old value of a is kept for w's gradient
    (a * a).sum().backward()
    return x.grad, w.grad


def _copy_into_graph(lib):
    src = _params(lib, (3,))
    dst = lib.zeros(2, 3)
    dst.copy_(src * 2)
    (dst ** 2).sum().backward()
    return src.grad


def _zero_of_non_leaf(lib):
    x = _params(lib)
    y = x * 3
    y.zero_()
    (y + x).sum().backward()
    return x.grad


def _optimizer_steps_between_iterations(lib):
    layer = (nn if lib is dg else torch.nn).Linear(3, 1)
    with lib.no_grad():
        layer.weight.copy_(lib.tensor([[0.1, -0.2, 0.3]]))
        layer.bias.fill_(0.5)
    opt = (dg.optim if lib is dg else torch.optim).SGD(layer.parameters(), lr=0.1, momentum=0.9)
    x = lib.tensor(np.arange(12.0).reshape(4, 3) / 10, dtype=lib.float32)
    for _ in range(3):
        opt.zero_grad()
        ((layer(x) - 1) ** 2).mean().backward()
        opt.step()
    return layer.weight


@pytest.mark.parametrize("case", [_manual_sgd, _unsaved_output_changed, _unsaved_input_changed,
                                  _mul_in_place_both_require_grad, _copy_into_graph,
                                  _zero_of_non_leaf, _optimizer_steps_between_iterations])
def test_safe_in_place_patterns_work_and_match_torch(case):
    ours = case(dg)
    if torch is None:
        return
    theirs = case(torch)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(a.detach().numpy()), b.detach().numpy(),
                                   rtol=1e-6, atol=1e-7)


# ---- the counter itself ---------------------------------------------------------------------
def test_versions_count_like_torch_and_views_share_them():
    x = dg.zeros(2, 3)
    v = x.reshape(6)
    d = x.detach()
    v += 1
    x.mul_(2)
    d.add_(1, alpha=3)
    x.zero_()
    assert x._version == v._version == d._version == 4
    assert dg.zeros(3)._version == 0
    np.testing.assert_array_equal(x.numpy(), 0)
    if torch is not None:
        t = torch.zeros(2, 3)
        tv, td = t.reshape(6), t.detach()
        tv += 1
        t.mul_(2)
        td.add_(1, alpha=3)
        t.zero_()
        assert t._version == 4


def test_optimizer_step_and_load_state_dict_bump_versions():
    layer = nn.Linear(2, 2)
    w = layer.weight
    start = w._version  # nn.init's in-place fills count too, as in PyTorch
    (layer(dg.ones(1, 2)).sum()).backward()
    dg.optim.Adam(layer.parameters()).step()
    assert w._version == start + 1
    layer.load_state_dict(layer.state_dict())
    assert w._version == start + 2


@pytest.mark.parametrize("op", [lambda w: w.zero_(), lambda w: w.copy_(dg.ones(3)),
                                lambda w: w.add_(1), lambda w: w.__iadd__(1),
                                lambda w: w.fill_(2.0), lambda w: w.uniform_()])
def test_in_place_on_a_leaf_that_requires_grad_raises_and_no_grad_allows_it(op):
    w = dg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        op(w)
    with dg.no_grad():
        assert op(w) is w
    assert w._version == 1 and w.requires_grad and w.grad_fn is None


def test_in_place_keeps_pytorchs_shape_and_dtype_rules():
    i = dg.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        i += 1.5
    i += 1
    np.testing.assert_array_equal(i.numpy(), [2, 3, 4])
    f = dg.zeros(3)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        f += dg.ones(2, 3)
    f += dg.ones(1)
    np.testing.assert_array_equal(f.numpy(), 1)


def test_random_fills_write_in_place():
    dg.manual_seed(0)
    t = dg.zeros(1000, dtype=dg.float64)
    alias = t.reshape(10, 100)
    t.uniform_(-2, 2)
    assert t.dtype == np.float64 and -2 <= t.numpy().min() and t.numpy().max() < 2
    np.testing.assert_array_equal(alias.numpy().ravel(), t.numpy())
    t.normal_(3.0, 0.5)
    assert abs(t.numpy().mean() - 3.0) < 0.1 and abs(t.numpy().std() - 0.5) < 0.05
    assert t._version == 2


def test_in_place_on_a_view_of_a_graph_tensor_is_refused_not_silently_wrong():
    x = dg.ones(3, requires_grad=True)
    y = x * 2
    v = y[0:2]
    with pytest.raises(RuntimeError, match="view"):
        v.mul_(3)


# ---- grad mode ------------------------------------------------------------------------------
def test_grad_mode_is_per_thread():
    entered, release = threading.Event(), threading.Event()

    def hold_no_grad():
        with dg.no_grad():
            entered.set()
            release.wait(5)

    t = threading.Thread(target=hold_no_grad)
    t.start()
    entered.wait(5)
    try:
        assert dg.is_grad_enabled()
        y = dg.ones(2, requires_grad=True) * 2
        assert y.requires_grad
    finally:
        release.set()
        t.join()
    seen = []
    with dg.no_grad():
        worker = threading.Thread(target=lambda: seen.append(dg.is_grad_enabled()))
        worker.start()
        worker.join()
    assert seen == [True]


def test_set_grad_enabled_as_call_context_and_decorator():
    try:
        dg.set_grad_enabled(False)
        assert not dg.is_grad_enabled()
        assert not (dg.ones(1, requires_grad=True) * 2).requires_grad
    finally:
        dg.set_grad_enabled(True)
    assert dg.is_grad_enabled()
    with dg.set_grad_enabled(False):
        assert not dg.is_grad_enabled()
    assert dg.is_grad_enabled()

    @dg.set_grad_enabled(False)
    def f():
        return dg.is_grad_enabled()

    assert dg.is_grad_enabled() and f() is False and dg.is_grad_enabled()


def test_inference_mode():
    x = dg.ones(2, requires_grad=True)
    with dg.inference_mode():
        assert dg.is_inference_mode_enabled() and not dg.is_grad_enabled()
        assert (x * 2).grad_fn is None
    assert not dg.is_inference_mode_enabled() and dg.is_grad_enabled()
    with dg.inference_mode(False):
        assert (x * 2).grad_fn is not None

    @dg.inference_mode
    def g():
        return (x * 2).requires_grad

    @dg.inference_mode()
    def h():
        return dg.is_grad_enabled()

    assert g() is False and h() is False


def test_lbfgs_changes_of_parameters_bump_versions():
    w = dg.tensor([1.0, -2.0], requires_grad=True)
    opt = dg.optim.LBFGS([w], lr=0.5, max_iter=3)

    def closure():
        opt.zero_grad()
        loss = ((w - 3.0) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert w._version >= 1  # each change of w in the step bumps it
    y = w * w
    opt.step(closure)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_data_is_a_detached_tensor_sharing_memory_as_in_torch():
    p = nn.Linear(3, 2).weight
    p.grad = dg.ones(2, 3)
    before, version = p.numpy().copy(), p._version
    d = p.data
    assert isinstance(d, dg.Tensor) and not d.requires_grad and d.grad_fn is None
    d.add_(p.grad, alpha=-0.1)  # the manual SGD step of PyTorch's examples
    np.testing.assert_allclose(p.numpy(), before - 0.1, rtol=1e-6)
    assert p._version == version  # .data sidesteps the version check, as in PyTorch
    p.data = dg.zeros(4)  # assignment swaps the memory (and shape)
    assert p.shape == (4,) and p.requires_grad
    if torch is not None:
        tp = torch.nn.Parameter(torch.ones(2))
        tp.data.add_(1)
        assert tp._version == 0 and tp.data.requires_grad is False


def test_generator_and_legacy_constructors():
    g = dg.Generator().manual_seed(3)
    a = dg.randn(4, generator=g)
    b = dg.randn(4, generator=dg.Generator().manual_seed(3))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert g.initial_seed() == 3
    state = g.get_state()
    x = dg.rand(2, generator=g)
    g.set_state(state)
    np.testing.assert_array_equal(dg.rand(2, generator=g).numpy(), x.numpy())
    assert dg.randperm(5, generator=g).dtype == np.int64
    assert dg.LongTensor(2, 3).shape == (2, 3) and dg.LongTensor(2, 3).dtype == np.int64
    assert dg.FloatTensor([1, 2]).dtype == np.float32
    nn.LSTM(2, 3).flatten_parameters()  # accepted: deepgrad keeps no cuDNN buffer

