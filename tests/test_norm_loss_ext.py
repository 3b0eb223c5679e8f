"""Normalizations, channel/alpha dropout and the new losses against PyTorch (float64 values and
gradients), gradcheck, state-dict names."""
from __future__ import annotations

import numpy as np
import pytest
from nn_parity import RNG, compare, gradcheck

import deepgrad as dg
import deepgrad.nn.functional as F
from deepgrad import nn

X = RNG.standard_normal((3, 4, 5, 6))
A, B, C = (RNG.standard_normal((5, 4)) * 2 for _ in range(3))
W = RNG.random((5, 4))
LOGP = np.log(RNG.dirichlet(np.ones(4), 5))
P = RNG.dirichlet(np.ones(4), 5)
COUNTS = RNG.poisson(2.0, (5, 4)).astype(float)
VAR = RNG.random((5, 4)) + 1e-3
Y = np.array([1, -1, 1, -1, -1])
ML_TARGET = np.array([[3, 0, -1, 1], [0, 1, 2, 3], [1, -1, 0, 0], [-1, 1, 2, 0], [2, 2, -1, 0]])
CLS = np.array([0, 3, 2, 1, 3])
CW = RNG.random(4) + 0.5

CASES = {  # name: (call(F, *arrays, red) for both libraries, arrays, grad flags)
    "layer_norm": (lambda F, x, w, b, r: F.layer_norm(x, (5, 6), w, b, 1e-3),
                   [X, RNG.standard_normal((5, 6)), RNG.standard_normal((5, 6))], (True,)),
    "rms_norm": (lambda F, x, w, r: F.rms_norm(x, (6,), w), [X, RNG.standard_normal(6)], (True,)),
    "group_norm": (lambda F, x, w, b, r: F.group_norm(x, 2, w, b),
                   [X, RNG.standard_normal(4), RNG.standard_normal(4)], (True,)),
    "instance_norm": (lambda F, x, w, b, r: F.instance_norm(x, weight=w, bias=b),
                      [X, RNG.standard_normal(4), RNG.standard_normal(4)], (True,)),
    "local_response_norm": (lambda F, x, r: F.local_response_norm(x, 3, 0.1, 0.6, 2.0), [X],
                            (True,)),
    "local_response_norm_3d": (lambda F, x, r: F.local_response_norm(x, 4), [X[:, :, 0]],
                               (True,)),
    "smooth_l1": (lambda F, a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.7), [A, B],
                  (True,)),
    "smooth_l1_beta0": (lambda F, a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.0),
                        [A, B], (True,)),
    "huber_weight": (lambda F, a, b, w, r: F.huber_loss(a, b, r, 0.7, w), [A, B, W],
                     (True, True, False)),
    "mse_weight": (lambda F, a, b, w, r: F.mse_loss(a, b, reduction=r, weight=w), [A, B, W],
                   (True, True, False)),
    "l1_weight": (lambda F, a, b, w, r: F.l1_loss(a, b, reduction=r, weight=w), [A, B, W],
                  (True, True, False)),
    "kl_div": (lambda F, a, b, r: F.kl_div(a, b, reduction=r), [LOGP, P], (True,)),
    "kl_div_log_target": (lambda F, a, b, r: F.kl_div(a, b, reduction=r, log_target=True),
                          [LOGP, np.log(P)], (True,)),
    "poisson_full": (lambda F, a, b, r: F.poisson_nll_loss(a, b, full=True, reduction=r),
                     [A, COUNTS], (True, False)),
    "poisson_rate": (lambda F, a, b, r: F.poisson_nll_loss(a, b, log_input=False, reduction=r),
                     [np.abs(A), COUNTS], (True, False)),
    "gaussian_full": (lambda F, a, b, v, r: F.gaussian_nll_loss(a, b, v, True, reduction=r),
                      [A, B, VAR], (True,)),
    "gaussian_per_sample_var": (lambda F, a, b, v, r: F.gaussian_nll_loss(a, b, v,
                                                                          reduction=r),
                                [A, B, VAR[:, 0]], (True,)),
    "soft_margin": (lambda F, a, y, r: F.soft_margin_loss(a, y, reduction=r),
                    [A, np.sign(B)], (True, False)),
    "cosine_embedding": (lambda F, a, b, y, r: F.cosine_embedding_loss(a, b, y, 0.2,
                                                                       reduction=r),
                         [A, B, Y], (True, True, False)),
    "margin_ranking": (lambda F, a, b, y, r: F.margin_ranking_loss(a, b, y, 0.3, reduction=r),
                       [A[:, 0], B[:, 0], Y.astype(float)], (True, True, False)),
    "hinge_embedding": (lambda F, a, y, r: F.hinge_embedding_loss(a, y, 0.5, reduction=r),
                        [A, np.sign(B)], (True, False)),
    "multilabel_margin": (lambda F, a, y, r: F.multilabel_margin_loss(a, y, reduction=r),
                          [A, ML_TARGET], (True,)),
    "multilabel_soft_margin": (lambda F, a, y, w, r: F.multilabel_soft_margin_loss(
        a, y, w, reduction=r), [A, (B > 0) * 1.0, CW], (True, False)),
    "multi_margin_p1": (lambda F, a, y, w, r: F.multi_margin_loss(a, y, 1, 0.7, w, reduction=r),
                        [A, CLS, CW], (True, False)),
    "multi_margin_p2": (lambda F, a, y, r: F.multi_margin_loss(a, y, 2, reduction=r),
                        [A, CLS], (True,)),
    "triplet": (lambda F, a, b, c, r: F.triplet_margin_loss(a, b, c, 0.5, p=1.5, reduction=r),
                [A, B, C], (True,)),
    "triplet_swap": (lambda F, a, b, c, r: F.triplet_margin_loss(a, b, c, swap=True,
                                                                 reduction=r), [A, B, C],
                     (True,)),
    "cosine_similarity": (lambda F, a, b, r: F.cosine_similarity(a, b), [A, B], (True,)),
    "normalize": (lambda F, a, r: F.normalize(a, dim=0), [A], (True,)),
    "normalize_p3": (lambda F, a, r: F.normalize(a, 3.0, dim=-1), [A], (True,)),
    "triplet_distance": (lambda F, a, b, c, r: F.triplet_margin_with_distance_loss(
        a, b, c, distance_function=lambda u, v: 1.0 - F.cosine_similarity(u, v), margin=0.3,
        swap=True, reduction=r), [A, B, C], (True,)),
    "pairwise_distance": (lambda F, a, b, r: F.pairwise_distance(a, b, 3, keepdim=True),
                          [A, B], (True,)),
}


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name, reduction):
    torch = pytest.importorskip("torch")
    call, arrays, grad = CASES[name]
    compare(lambda *a: call(F, *a, reduction),
            lambda *a: call(torch.nn.functional, *a, reduction), arrays, grad)


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck(name):
    call, arrays, grad = CASES[name]
    small = [a[:2] if a.ndim == 4 else a for a in arrays]
    gradcheck(lambda *a: call(F, *a, "mean"), small, grad)


def test_kl_div_batchmean_and_zero_targets():
    torch = pytest.importorskip("torch")
    p = P.copy()
    p[0, 1] = 0.0  # 0 log 0 = 0
    compare(lambda a, b: F.kl_div(a, b, reduction="batchmean"),
            lambda a, b: torch.nn.functional.kl_div(a, b, reduction="batchmean"), [LOGP, p],
            (True, False))


def test_instance_norm_running_stats_match_torch():
    torch = pytest.importorskip("torch")
    ours = nn.InstanceNorm2d(4, affine=True, track_running_stats=True, momentum=0.2).double()
    theirs = torch.nn.InstanceNorm2d(4, affine=True, track_running_stats=True,
                                     momentum=0.2).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    compare(ours, theirs, [X])
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(ours, name).numpy(),
                                   getattr(theirs, name).numpy(), rtol=1e-12)
    compare(ours.eval(), theirs.eval(), [X])


def test_norm_layers_state_dicts_and_outputs_match_torch():
    torch = pytest.importorskip("torch")
    pairs = [(nn.LayerNorm((5, 6)), torch.nn.LayerNorm((5, 6)), X),
             (nn.LayerNorm(6, bias=False), torch.nn.LayerNorm(6, bias=False), X),
             (nn.RMSNorm(6), torch.nn.RMSNorm(6), X),
             (nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4), X),
             (nn.InstanceNorm1d(4), torch.nn.InstanceNorm1d(4), X[:, :, 0]),
             (nn.InstanceNorm3d(3, affine=True), torch.nn.InstanceNorm3d(3, affine=True), X),
             (nn.LocalResponseNorm(2), torch.nn.LocalResponseNorm(2), X),
             (nn.BatchNorm3d(3), torch.nn.BatchNorm3d(3), X[None].repeat(2, 0))]
    for ours, theirs, x in pairs:
        theirs.double()
        sd = {k: RNG.standard_normal(v.shape) if v.dtype == torch.float64 else v.numpy()
              for k, v in theirs.state_dict().items()}
        assert list(ours.state_dict()) == list(sd), type(ours)
        ours.double().load_state_dict(sd)
        theirs.load_state_dict({k: torch.tensor(v) for k, v in sd.items()})
        compare(ours, theirs, [x])


def test_loss_modules_match_torch():
    torch = pytest.importorskip("torch")
    pairs = [
        (nn.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5), [A, B]),
        (nn.HuberLoss("sum", 0.5), torch.nn.HuberLoss("sum", 0.5), [A, B]),
        (nn.MSELoss(reduce=False), torch.nn.MSELoss(reduce=False), [A, B]),
        (nn.L1Loss(size_average=False), torch.nn.L1Loss(size_average=False), [A, B]),
        (nn.KLDivLoss(reduction="batchmean"), torch.nn.KLDivLoss(reduction="batchmean"),
         [LOGP, P]),
        (nn.PoissonNLLLoss(), torch.nn.PoissonNLLLoss(), [A, COUNTS]),
        (nn.GaussianNLLLoss(full=True), torch.nn.GaussianNLLLoss(full=True), [A, B, VAR]),
        (nn.CosineEmbeddingLoss(0.1), torch.nn.CosineEmbeddingLoss(0.1), [A, B, Y]),
        (nn.MarginRankingLoss(0.2), torch.nn.MarginRankingLoss(0.2), [A, B, np.sign(C)]),
        (nn.HingeEmbeddingLoss(), torch.nn.HingeEmbeddingLoss(), [A, np.sign(B)]),
        (nn.MultiLabelMarginLoss(), torch.nn.MultiLabelMarginLoss(), [A, ML_TARGET]),
        (nn.MultiLabelSoftMarginLoss(), torch.nn.MultiLabelSoftMarginLoss(), [A, (B > 0) * 1.]),
        (nn.MultiMarginLoss(p=2), torch.nn.MultiMarginLoss(p=2), [A, CLS]),
        (nn.TripletMarginLoss(swap=True), torch.nn.TripletMarginLoss(swap=True), [A, B, C]),
        (nn.SoftMarginLoss(), torch.nn.SoftMarginLoss(), [A, np.sign(B)]),
        (nn.TripletMarginWithDistanceLoss(margin=0.5), torch.nn.TripletMarginWithDistanceLoss(
            margin=0.5), [A, B, C]),
        (nn.PairwiseDistance(), torch.nn.PairwiseDistance(), [A, B]),
        (nn.CosineSimilarity(), torch.nn.CosineSimilarity(), [A, B]),
    ]
    for ours, theirs, arrays in pairs:
        compare(ours, theirs, arrays, (True, False))


@pytest.mark.parametrize("kind,spatial", [("dropout1d", 1), ("dropout2d", 2), ("dropout3d", 3)])
def test_channel_dropout_zeroes_whole_channels(kind, spatial):
    x = dg.tensor(np.ones((300, 20) + (3,) * spatial), requires_grad=True)
    y = getattr(F, kind)(x, 0.3)
    out = y.numpy().reshape(300, 20, -1)
    assert (out.min(axis=2) == out.max(axis=2)).all()  # one draw per channel
    assert abs((out[:, :, 0] == 0).mean() - 0.3) < 0.02
    assert set(np.unique(out)) == {0.0, 1 / 0.7}
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())
    assert getattr(F, kind)(x, 0.3, training=False) is x


def test_dropout_modules_train_and_eval():
    x = dg.tensor(np.ones((64, 8, 4, 4)))
    layer = nn.Dropout2d(0.5, inplace=True)
    out = layer(x).numpy()
    assert (out.reshape(64, 8, -1).std(axis=2) == 0).all() and (out == 0).any()
    assert layer.eval()(x) is x
    assert nn.Dropout(0.2, inplace=True).eval()(x) is x
    assert nn.Dropout1d(0.1)(dg.ones(4, 3, 5)).shape == (4, 3, 5)
    assert nn.Dropout3d(0.1)(dg.ones(2, 3, 2, 2, 2)).shape == (2, 3, 2, 2, 2)


def test_alpha_dropout_keeps_mean_and_variance():
    x = dg.tensor(RNG.standard_normal((2000, 400)))
    for fn in (F.alpha_dropout, F.feature_alpha_dropout):
        y = fn(x, 0.2, training=True).numpy()
        assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    assert nn.AlphaDropout(0.2).eval()(x) is x
    assert nn.FeatureAlphaDropout(0.2)(dg.ones(3, 4, 2)).shape == (3, 4, 2)


def test_bad_arguments_raise():
    with pytest.raises(RuntimeError, match="layer_norm.*normalized_shape"):
        F.layer_norm(dg.zeros(2, 3), (4,))
    with pytest.raises(ValueError, match="GroupNorm.*divisible"):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match="dropout2d.*between 0 and 1"):
        F.dropout2d(dg.zeros(2, 3, 4, 4), 1.5)
    with pytest.raises(ValueError, match="mse_loss.*same size"):
        F.mse_loss(dg.zeros(2, 3), dg.zeros(2, 3), weight=dg.ones(3))
    with pytest.raises(ValueError, match="reduction"):
        F.smooth_l1_loss(dg.zeros(2), dg.zeros(2), reduction="avg")
    with pytest.raises(IndexError, match="multi_margin_loss"):
        F.multi_margin_loss(dg.zeros(2, 3), np.array([0, 3]))
    with pytest.raises(ValueError, match="var has negative"):
        F.gaussian_nll_loss(dg.zeros(2), dg.zeros(2), dg.tensor([-1.0, 1.0]))


def test_dropout2d_reads_3d_input_as_batched_1d_with_a_warning():
    x = dg.tensor(np.ones((200, 8, 5)))
    with pytest.warns(UserWarning, match="3D input to dropout2d"):
        y = F.dropout2d(x, 0.5).numpy()
    assert (y.min(axis=2) == y.max(axis=2)).all()  # one draw per (sample, channel)
    assert 0.4 < (y[:, :, 0] == 0).mean() < 0.6
