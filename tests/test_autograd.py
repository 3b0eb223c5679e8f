"""The autograd contract: engine, grad modes, anomaly detection, errors, seeding, dtype rules."""
from __future__ import annotations

import numpy as np
import pytest

import deepgrad as dg
import deepgrad.nn.functional as F
from deepgrad import nn
from deepgrad.autograd import AnomalyError, Function, GradcheckError


# ---- the engine ------------------------------------------------------------------------------
def test_100k_op_chain_backward_without_recursion_error():
    x = dg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    (y + 2.0).backward()
    assert x.grad.item() == 1.0


def test_gradients_accumulate_over_two_backward_calls():
    x = dg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy() + 3)


def test_shared_gradient_arrays_are_not_modified_in_place():
    # Add hands one array to both operands; accumulating into one must not change the other.
    a = dg.tensor([1.0, 1.0], requires_grad=True)
    b = dg.tensor([1.0, 1.0], requires_grad=True)
    (a + b).sum().backward()
    (a * 2).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 3.0])
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0])


def test_a_tensor_used_twice_gets_both_contributions():
    x = dg.tensor([2.0, -1.0], requires_grad=True)
    y = x * x + x
    y.backward(dg.ones(2))
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy() + 1)


def _paths_of_different_lengths(x):
    # ``a`` is the root's first input and also feeds the second one, through 1 and 3 more ops:
    # it must be finished only after every path into it (a DFS that marks nodes when pushed,
    # not when expanded, finishes it too early and drops the longer paths' gradients).
    a = x * 2.0
    b = a.exp()
    c = ((a * 0.5).tanh() + 1.0) * a
    return a + (b * a + c)


def test_shared_nodes_reached_by_paths_of_different_lengths():
    x = dg.tensor(np.array([0.3, -0.2, 0.1]), requires_grad=True)
    assert dg.autograd.gradcheck(_paths_of_different_lengths, [x])
    x.grad = None
    y = _paths_of_different_lengths(x)
    y.sum().backward()
    a = 2 * x.numpy()
    th = np.tanh(a / 2)
    expected = 2 * (1 + np.exp(a) * (a + 1) + 0.5 * (1 - th ** 2) * a + th + 1)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("make", [
    lambda x: (x.sigmoid() * x).sum(),
    lambda x: F.cross_entropy(x, np.array([0, 2, 1])),
    lambda x: F.cross_entropy(x, np.array([0, 2, 1]), label_smoothing=0.1),
    lambda x: F.log_softmax(x, 1).mean(),
    lambda x: F.binary_cross_entropy_with_logits(x, np.ones((3, 3))),
    lambda x: F.mse_loss(x, np.zeros((3, 3))),
], ids=["sigmoid_mul", "ce", "ce_smooth", "log_softmax", "bce_logits", "mse"])
def test_retain_graph_allows_a_second_identical_backward(make):
    x = dg.randn(3, 3, dtype=np.float64, requires_grad=True)
    loss = make(x)
    loss.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-12)


def test_backward_twice_through_a_freed_graph_says_retain_graph():
    x = dg.randn(3, requires_grad=True)
    loss = (x.exp() * 2).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        loss.backward()


def test_non_scalar_backward_needs_grad():
    x = dg.randn(2, 3, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"one-element.*\(2, 3\).*grad="):
        y.backward()
    with pytest.raises(RuntimeError, match="does not match"):
        y.backward(dg.ones(3))
    y.backward(dg.ones(2, 3))
    np.testing.assert_allclose(x.grad.numpy(), 2.0)


def test_backward_on_a_tensor_without_grad_is_a_clear_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        dg.ones(2).sum().backward()


def test_leaf_backward_seeds_its_own_grad():
    x = dg.tensor([1.0, 2.0], requires_grad=True)
    x.backward(dg.tensor([3.0, 4.0]))
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])


def test_zero_dim_results_hold_arrays_and_print():
    w = dg.tensor(2.0, requires_grad=True)
    y = w * 3.0 + w.exp()
    assert "grad_fn" in repr(y) and isinstance(y.numpy(), np.ndarray)
    y.backward()
    assert isinstance(w.grad._data, np.ndarray)
    np.testing.assert_allclose(w.grad.item(), 3 + np.exp(2.0), rtol=1e-6)


def test_max_indices_are_constants_and_values_carry_gradient():
    x = dg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    values, indices = x.max(1)
    assert indices.grad_fn is None and not indices.requires_grad and indices.dtype == np.int64
    (values * dg.tensor([2.0, 3.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 2, 0], [3, 0, 0]])


# ---- requires_grad, detach, retain_grad ------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: dg.tensor([1, 2], requires_grad=True),
    lambda: dg.arange(3).requires_grad_(),
    lambda: dg.zeros(2, dtype=np.int64, requires_grad=True),
])
def test_integer_tensors_cannot_require_grad(make):
    with pytest.raises(TypeError, match="floating-point"):
        make()


def test_detach_shares_data_and_cuts_the_graph():
    x = dg.randn(3, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert d._data is y._data
    (d * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), d.numpy())  # d is a constant: no 2x path


def test_retain_grad_on_a_non_leaf():
    x = dg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = x + 1  # not retained
    (y * y + z).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), 2 * y.numpy())
    assert z.grad is None and not y.is_leaf


# ---- grad modes --------------------------------------------------------------------------------
def test_no_grad_context_manager_and_decorator():
    x = dg.randn(2, requires_grad=True)
    with dg.no_grad():
        y = x * 2
        assert not dg.is_grad_enabled()
        with dg.enable_grad():
            assert (x * 2).requires_grad
    assert dg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None

    @dg.no_grad()
    def f(t):
        return t.exp()

    assert not f(x).requires_grad and dg.is_grad_enabled()

    @dg.no_grad
    def g(t):
        return t * 2

    assert not g(x).requires_grad and g.__name__ == "g"
    with dg.set_grad_enabled(False):
        assert not (x + 1).requires_grad


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ValueError):
        with dg.no_grad():
            raise ValueError("boom")
    assert dg.is_grad_enabled()


# ---- anomaly detection -------------------------------------------------------------------------
def test_detect_anomaly_names_the_forward_op_and_shapes():
    x = dg.tensor(np.array([[-1.0, 2.0, 3.0]]), requires_grad=True)
    with pytest.raises(AnomalyError, match=r"forward of Log.*\(1, 3\)"):
        with dg.detect_anomaly():
            dg.log(x)


def test_detect_anomaly_names_the_backward_op_and_shapes():
    x = dg.tensor(np.array([0.0, 4.0]), requires_grad=True)
    with pytest.raises(AnomalyError, match=r"backward of Sqrt.*\(2,\)"):
        with dg.autograd.detect_anomaly():
            dg.sqrt(x).sum().backward()


def test_outside_anomaly_mode_nothing_is_checked_and_mode_is_restored():
    x = dg.tensor([1.0, 2.0], requires_grad=True)
    with dg.detect_anomaly():
        (x.exp() * 2).sum().backward()  # finite: no error
    assert np.geterr()["invalid"] == "warn"
    y = x * dg.tensor([float("nan"), 1.0])  # NaN input, no warning, no error outside the mode
    assert np.isnan(y.numpy()[0])


# ---- seeding -----------------------------------------------------------------------------------
def test_manual_seed_repeats_every_random_source():
    def draw():
        layer = nn.Linear(3, 2)
        drop = F.dropout(dg.ones(4, 4), 0.5)
        return (dg.randn(3, 2).numpy(), dg.rand(2).numpy(), dg.randint(0, 9, (5,)).numpy(),
                dg.randperm(6).numpy(), layer.weight.numpy().copy(), drop.numpy())

    dg.manual_seed(7)
    first = draw()
    dg.manual_seed(7)
    second = draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    dg.manual_seed(8)
    assert not np.array_equal(first[0], dg.randn(3, 2).numpy())


def test_rng_state_snapshot_restores_the_stream():
    state = dg.get_rng_state()
    a = dg.randn(4).numpy()
    dg.set_rng_state(state)
    np.testing.assert_array_equal(a, dg.randn(4).numpy())


# ---- errors that name the op and both shapes ----------------------------------------------------
@pytest.mark.parametrize("call, pattern", [
    (lambda: dg.randn(3, 4) + dg.randn(2, 3), r"add.*\(3, 4\).*\(2, 3\)"),
    (lambda: dg.randn(3, 4) * dg.randn(5), r"mul.*\(3, 4\).*\(5,\)"),
    (lambda: dg.randn(3, 4) @ dg.randn(3, 4), r"matmul.*\(3, 4\).*\(3, 4\)"),
    (lambda: dg.matmul(dg.randn(2, 3, 4), dg.randn(5, 2)), r"matmul.*\(2, 3, 4\).*\(5, 2\)"),
    (lambda: F.linear(dg.randn(3, 4), dg.randn(5, 3)), r"linear.*\(3, 4\).*\(5, 3\)"),
    (lambda: nn.Linear(3, 5)(dg.randn(2, 4)), r"Linear\(3, 5\).*\(2, 4\)"),
    (lambda: dg.cat([dg.randn(3, 4), dg.randn(2, 3)]), r"cat.*\(3, 4\).*\(2, 3\)"),
    (lambda: dg.stack([dg.randn(3), dg.randn(4)]), r"stack.*\(3,\).*\(4,\)"),
    (lambda: dg.randn(3, 4).reshape(5, 2), r"reshape.*\(3, 4\).*\(5, 2\)"),
    (lambda: F.mse_loss(dg.randn(3), dg.randn(4)), r"mse_loss.*\(3,\).*\(4,\)"),
    (lambda: dg.matmul(dg.randn(2, 3, 4), dg.randn(3, 4, 5)), r"matmul.*\(2, 3, 4\).*\(3, 4, 5\)"),
    (lambda: F.linear(dg.randn(2, 3), dg.randn(4, 3), dg.randn(5)), r"linear.*\(5,\).*\(4, 3\)"),
    (lambda: dg.where(dg.randn(3, 4) > 0, dg.randn(2), 0.0), r"where.*\(3, 4\).*\(2,\)"),
    (lambda: dg.maximum(dg.randn(3), dg.randn(4)), r"maximum.*\(3,\).*\(4,\)"),
    (lambda: F.binary_cross_entropy_with_logits(dg.randn(3, 2), dg.rand(3, 2),
                                                pos_weight=np.ones(3)), r"pos_weight.*\(3,\)"),
    (lambda: F.binary_cross_entropy(dg.rand(3, 2), dg.rand(3, 2), weight=np.ones(3)),
     r"binary_cross_entropy: weight.*\(3,\).*\(3, 2\)"),
    (lambda: dg.cat([dg.tensor(1.0), dg.tensor(2.0)]), r"cat: zero-dimensional"),
    (lambda: F.cross_entropy(dg.randn(3, 4), np.array([0, 1])), r"cross_entropy.*\(3, 4\)"),
])
def test_shape_mismatch_errors_name_op_and_shapes(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_bad_values_and_dtypes_are_named():
    with pytest.raises((TypeError, ValueError), match="integer"):
        F.cross_entropy(dg.randn(3, 4), np.array([0.0, 1.0, 2.0]))  # float class indices
    with pytest.raises(IndexError, match="target 7"):
        F.cross_entropy(dg.randn(3, 4), np.array([0, 7, 1]))
    with pytest.raises(ValueError, match="'avg'"):
        F.mse_loss(dg.randn(3), dg.randn(3), reduction="avg")
    with pytest.raises(IndexError, match="dim 3"):
        dg.randn(2, 2).sum(3)


# ---- dtype rules -------------------------------------------------------------------------------
@pytest.mark.parametrize("op", [
    lambda x: x * 2.5, lambda x: 2.5 * x, lambda x: x + 1, lambda x: 1 - x, lambda x: x / 3,
    lambda x: 3 / x, lambda x: x ** 2, lambda x: 2 ** x, lambda x: x * np.float64(2.0),
    lambda x: dg.where(x > 0, x, 0.0), lambda x: dg.maximum(x, 0.5), lambda x: x.clamp(0, 1),
    lambda x: x.mean(), lambda x: x.var(), lambda x: F.softplus(x, beta=2.0),
])
def test_python_scalars_keep_float32(op):
    x = dg.rand(3, requires_grad=True) + 0.5
    assert x.dtype == np.float32
    y = op(x)
    assert y.dtype == np.float32


def test_creation_dtypes_and_promotion():
    assert dg.tensor([1.0, 2.0]).dtype == np.float32
    assert dg.tensor(np.array([1.0])).dtype == np.float64
    assert dg.tensor([1, 2]).dtype == np.int64
    assert dg.tensor([1, 2], dtype=dg.float32).dtype == np.float32
    assert dg.arange(3).dtype == np.int64 and dg.arange(0, 1, 0.5).dtype == np.float32
    for make in (dg.zeros, dg.ones, dg.randn, dg.rand, dg.empty):
        assert make(2, 3).dtype == np.float32 and make((2, 3)).shape == (2, 3)
    assert dg.full((2,), 1.5).dtype == np.float32 and dg.eye(3).numpy().trace() == 3
    assert dg.zeros_like(dg.zeros(2, dtype=np.float64)).dtype == np.float64
    a = dg.randn(2, requires_grad=True)
    b = dg.randn(2, dtype=np.float64, requires_grad=True)
    y = a * b
    assert y.dtype == np.float64
    y.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_from_numpy_shares_memory_and_tensor_copies():
    arr = np.zeros(3, np.float32)
    shared, copied = dg.from_numpy(arr), dg.tensor(arr)
    arr[0] = 5
    assert shared.numpy()[0] == 5 and copied.numpy()[0] == 0


def test_tensor_basics():
    x = dg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.size() == (2, 3) and x.size(1) == 3
    assert len(x) == 2 and x.dtype == np.float32 and x.numel() == 6
    assert x.sum().item() == 21.0 and isinstance(x.sum().item(), float)
    assert "requires_grad=True" in repr(x) and "grad_fn=<Mul>" in repr(x * 2)
    cmp = x > 2
    assert cmp.dtype == np.bool_ and not cmp.requires_grad
    assert (x == x).numpy().all() and not (x != x).numpy().any()
    with pytest.raises(ValueError, match="6 elements"):
        x.item()
    with pytest.raises(TypeError):
        len(dg.tensor(1.0))


# ---- gradcheck itself --------------------------------------------------------------------------
class _WrongSquare(Function):
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        return gy * self.x  # missing the factor 2


def test_gradcheck_catches_a_wrong_backward_and_needs_float64():
    x = dg.randn(4, dtype=np.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="mismatch"):
        dg.autograd.gradcheck(lambda t: _WrongSquare().apply(t), [x])
    assert not dg.autograd.gradcheck(lambda t: _WrongSquare().apply(t), [x],
                                     raise_exception=False)
    with pytest.raises(TypeError, match="float64"):
        dg.autograd.gradcheck(lambda t: t * 2, [dg.randn(3, requires_grad=True)])


def test_gradcheck_random_direction_mode_on_a_large_input():
    x = dg.randn(30, 40, dtype=np.float64, requires_grad=True)
    w = dg.randn(40, 20, dtype=np.float64, requires_grad=True)
    assert dg.autograd.gradcheck(lambda a, b: (a @ b).tanh(), [x, w], mode="random")
    with pytest.raises(GradcheckError):
        dg.autograd.gradcheck(lambda t: _WrongSquare().apply(t), [x], mode="random")


def test_in_place_update_under_no_grad_changes_the_parameter_itself():
    w = dg.randn(3, requires_grad=True)
    before = w._data.copy()
    alias = w
    with dg.no_grad():
        w -= 0.5  # the classic manual SGD update must not rebind to a copy
    assert alias is w
    np.testing.assert_allclose(w._data, before - 0.5)
    assert w.requires_grad


def test_in_place_on_leaf_requiring_grad_while_recording_is_an_error():
    w = dg.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        w += 1


def test_in_place_on_non_leaf_keeps_gradients_right():
    w = dg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = w * w
    alias = h
    h += 1  # in place: h becomes the output of an Add whose input is h's old value
    assert alias is h and h._version == 1
    h.sum().backward()
    np.testing.assert_allclose(w.grad._data, 2 * w._data)
