"""batch_norm and BatchNorm1d/2d: formulas, running statistics, gradcheck, torch parity."""
import numpy as np
import pytest

import deepgrad as dg
import deepgrad.functional as F
from deepgrad import nn

SHAPES = [(6, 3), (4, 3, 5), (2, 3, 4, 5)]


def _axes(x):
    return (0,) + tuple(range(2, x.ndim))


@pytest.mark.parametrize("shape", SHAPES)
def test_training_forward_and_running_stats(shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 3 + 2
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = dg.tensor(np.zeros(3)), dg.tensor(np.ones(3))
    y = F.batch_norm(dg.tensor(x), rm, rv, dg.tensor(w), dg.tensor(b), training=True,
                     momentum=0.2, eps=1e-5)
    bshape = (1, 3) + (1,) * (len(shape) - 2)
    mean, var = x.mean(axis=_axes(x)), x.var(axis=_axes(x))
    ref = (x - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape) + 1e-5) * w.reshape(bshape) \
        + b.reshape(bshape)
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-10, atol=1e-10)
    m = x.size // 3
    np.testing.assert_allclose(rm.numpy(), 0.2 * mean, rtol=1e-12)
    np.testing.assert_allclose(rv.numpy(), 0.8 + 0.2 * var * m / (m - 1), rtol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_gradcheck(shape, training):
    rng = np.random.default_rng(1)
    ts = [dg.tensor(rng.standard_normal(s), requires_grad=True) for s in (shape, (3,), (3,))]
    rm, rv = dg.tensor(rng.standard_normal(3)), dg.tensor(rng.random(3) + 0.5)
    assert dg.gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training, 0.0), ts)
    assert dg.gradcheck(lambda x: F.batch_norm(x, rm, rv, None, None, training, 0.0), ts[:1])


@pytest.mark.parametrize("shape", SHAPES)
def test_layer_matches_torch_train_then_eval(shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    cls = "BatchNorm1d" if len(shape) < 4 else "BatchNorm2d"
    ours, theirs = getattr(nn, cls)(3, momentum=0.3), getattr(torch.nn, cls)(3, momentum=0.3)
    w = rng.standard_normal(3).astype(np.float32)
    ours.weight._data[...] = w
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(w))
    for step in range(3):
        x = (rng.standard_normal(shape) * (step + 1)).astype(np.float32)
        xd, xt = dg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, yt = ours(xd), theirs(xt)
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
        gy = rng.standard_normal(shape).astype(np.float32)
        y.backward(gy)
        yt.backward(torch.from_numpy(gy))
        np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    for name in ("weight", "bias"):
        np.testing.assert_allclose(getattr(ours, name).grad.numpy(),
                                   getattr(theirs, name).grad.numpy(), rtol=1e-4, atol=1e-4)
    sd, sdt = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(sdt)
    for k in sd:
        np.testing.assert_allclose(sd[k], sdt[k].numpy(), rtol=1e-5, atol=1e-6)
    assert int(sd["num_batches_tracked"]) == 3
    ours.eval()
    theirs.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(ours(dg.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)


def test_eval_uses_running_stats_and_does_not_update_them():
    bn = nn.BatchNorm1d(2)
    bn.running_mean._data[...] = [1.0, -1.0]
    bn.running_var._data[...] = [4.0, 0.25]
    bn.eval()
    y = bn(dg.tensor(np.array([[3.0, 0.0], [1.0, -1.0]], np.float32)))
    np.testing.assert_allclose(y.numpy(), [[1.0, 2.0], [0.0, 0.0]], atol=1e-4)
    np.testing.assert_array_equal(bn.running_mean.numpy(), [1.0, -1.0])
    assert int(bn.num_batches_tracked.numpy()) == 0


def test_momentum_none_is_cumulative_average():
    bn = nn.BatchNorm1d(1, momentum=None)
    batches = [np.array([[1.0], [3.0]]), np.array([[5.0], [7.0]]), np.array([[0.0], [0.0]])]
    for b in batches:
        bn(dg.tensor(b.astype(np.float32)))
    np.testing.assert_allclose(bn.running_mean.numpy(), [np.mean([2.0, 6.0, 0.0])], rtol=1e-6)


def test_no_affine_no_tracking():
    bn = nn.BatchNorm2d(3, affine=False, track_running_stats=False)
    assert list(bn.state_dict()) == [] and bn.weight is None
    x = dg.randn(4, 3, 2, 2) * 5
    bn.eval()  # without running stats, eval still normalizes with the batch statistics
    y = bn(x).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)


@pytest.mark.parametrize("call,match", [
    (lambda: nn.BatchNorm2d(3)(dg.zeros(2, 3, 4)), r"BatchNorm2d\(3\).*4-D.*\(2, 3, 4\)"),
    (lambda: nn.BatchNorm1d(3)(dg.zeros(2, 4)), r"BatchNorm1d\(3\).*3 channels.*\(2, 4\)"),
    (lambda: nn.BatchNorm1d(3)(dg.zeros(1, 3)), "more than 1 value per channel"),
    (lambda: nn.BatchNorm1d(0), "num_features must be positive"),
    (lambda: F.batch_norm(dg.zeros(2, 3), None, None), "required when training=False"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_regularizer_and_dtype():
    bn = nn.BatchNorm1d(4, weight_regularizer=lambda w: (w * w).sum())
    assert float(bn.regularization_loss()) == pytest.approx(4.0)
    assert bn(dg.randn(8, 4)).dtype == np.float32
