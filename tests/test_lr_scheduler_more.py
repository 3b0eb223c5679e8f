"""OneCycleLR, CyclicLR, warm restarts, Polynomial/Constant/Multiplicative, SequentialLR and
ChainedScheduler against torch.optim.lr_scheduler step for step, and resumed from state dicts."""
import math

import numpy as np
import pytest

import deepgrad as dg
from deepgrad.optim import lr_scheduler as dls

torch = pytest.importorskip("torch")
tls = torch.optim.lr_scheduler


def _optimizers(kind: str):
    ps = [dg.zeros(2, requires_grad=True), dg.zeros(3, requires_grad=True)]
    ts = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    groups = lambda p: [{"params": [p[0]]}, {"params": [p[1]], "lr": 0.05}]  # noqa: E731
    if kind == "sgd":
        return (dg.optim.SGD(groups(ps), lr=0.1, momentum=0.9),
                torch.optim.SGD(groups(ts), lr=0.1, momentum=0.9))
    return dg.optim.Adam(groups(ps), lr=0.1), torch.optim.Adam(groups(ts), lr=0.1)


CASES = {
    "onecycle-cos": ("sgd", lambda m, o: m.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=30)),
    "onecycle-3phase-linear": ("adam", lambda m, o: m.OneCycleLR(
        o, max_lr=0.3, epochs=3, steps_per_epoch=10, pct_start=0.25, anneal_strategy="linear",
        three_phase=True)),
    "cyclic-triangular": ("sgd", lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=4)),
    "cyclic-triangular2": ("adam", lambda m, o: m.CyclicLR(
        o, [0.01, 0.02], [0.1, 0.2], step_size_up=3, step_size_down=5, mode="triangular2")),
    "cyclic-exp-range": ("sgd", lambda m, o: m.CyclicLR(
        o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.95, cycle_momentum=False)),
    "cyclic-scale-fn": ("sgd", lambda m, o: m.CyclicLR(
        o, 0.01, 0.1, step_size_up=2, scale_fn=lambda x: 0.5 ** x, scale_mode="iterations")),
    "warm-restarts": ("sgd", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=4, eta_min=1e-3)),
    "warm-restarts-mult": ("adam", lambda m, o: m.CosineAnnealingWarmRestarts(o, 3, T_mult=2)),
    "polynomial": ("sgd", lambda m, o: m.PolynomialLR(o, total_iters=8, power=2.0)),
    "constant": ("sgd", lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=4)),
    "multiplicative": ("adam", lambda m, o: m.MultiplicativeLR(o, lambda e: 0.9 + 0.01 * e)),
    "linear": ("sgd", lambda m, o: m.LinearLR(o, start_factor=0.2, total_iters=6)),
    "sequential": ("sgd", lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=4), m.ExponentialLR(o, gamma=0.9),
            m.CosineAnnealingLR(o, T_max=5)], milestones=[5, 12])),
    "sequential-constant-step": ("adam", lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.3, total_iters=3), m.StepLR(o, 3, gamma=0.5),
            m.MultiStepLR(o, [2, 5], gamma=0.2), m.PolynomialLR(o, 6)], milestones=[4, 10, 16])),
    "sequential-restarts": ("sgd", lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, 0.5, total_iters=3), m.CosineAnnealingWarmRestarts(o, 4)], [3])),
    "chained": ("sgd", lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.1, total_iters=2), m.ExponentialLR(o, gamma=0.9)])),
    "chained-cyclic": ("adam", lambda m, o: m.ChainedScheduler(
        [m.LinearLR(o, 0.5, total_iters=5), m.MultiplicativeLR(o, lambda e: 0.95)],
        optimizer=o)),
}


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


@pytest.mark.parametrize("name", list(CASES))
def test_learning_rates_and_momenta_match_torch(name):
    kind, make = CASES[name]
    opt, topt = _optimizers(kind)
    sched, tsched = make(dls, opt), make(tls, topt)
    for step in range(30):
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12), step
        assert [g["lr"] for g in opt.param_groups] == pytest.approx(
            [g["lr"] for g in topt.param_groups], rel=1e-12)
        assert _momenta(opt) == pytest.approx(_momenta(topt), rel=1e-12), step
        opt.step(), topt.step()
        if step < 29 or not name.startswith("onecycle"):
            sched.step(), tsched.step()


@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_resume_continues_the_same_sequence(name):
    kind, make = CASES[name]
    opt, _ = _optimizers(kind)
    sched = make(dls, opt)
    for _ in range(7):
        sched.step()
    saved_opt, saved = opt.state_dict(), sched.state_dict()
    expected = []
    for _ in range(10):
        sched.step()
        expected.append(sched.get_last_lr())
    opt2, _ = _optimizers(kind)
    sched2 = make(dls, opt2)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    got = []
    for _ in range(10):
        sched2.step()
        got.append(sched2.get_last_lr())
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_warm_restarts_fractional_epochs_match_torch():
    opt, topt = _optimizers("sgd")
    sched = dls.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=3)
    tsched = tls.CosineAnnealingWarmRestarts(topt, T_0=2, T_mult=3)
    for epoch in np.arange(0, 12, 0.25):
        sched.step(float(epoch))
        tsched.step(float(epoch))
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)


def test_errors_match_torch_messages():
    opt, _ = _optimizers("sgd")
    with pytest.raises(ValueError, match="total_steps OR"):
        dls.OneCycleLR(opt, 0.1)
    sched = dls.OneCycleLR(opt, 0.1, total_steps=2)
    sched.step(), sched.step()
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        sched.step()
    with pytest.raises(ValueError, match="mode is invalid"):
        dls.CyclicLR(opt, 0.1, 1.0, mode="sine")
    rms = dg.optim.Adagrad([dg.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError, match="momentum or beta1"):
        dls.CyclicLR(rms, 0.1, 1.0)
    with pytest.raises(ValueError, match="one more than the number of milestone"):
        dls.SequentialLR(opt, [dls.ConstantLR(opt)], milestones=[3])
    other, _ = _optimizers("sgd")
    with pytest.raises(ValueError, match="same optimizer"):
        dls.ChainedScheduler([dls.ConstantLR(opt), dls.ConstantLR(other)])
    with pytest.raises(ValueError, match="between 0 and 1"):
        dls.ConstantLR(opt, factor=2)
    assert math.isclose(dls.PolynomialLR(opt, 4, 1.0).get_last_lr()[0],
                        opt.param_groups[0]["lr"])


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "LinearLR",
                                  "CosineAnnealingLR", "PolynomialLR", "ConstantLR"])
def test_deprecated_step_with_epoch_uses_the_closed_form_as_torch(name):
    kwargs = {"StepLR": dict(step_size=3), "MultiStepLR": dict(milestones=[2, 4, 4]),
              "ExponentialLR": dict(gamma=0.8), "LinearLR": dict(total_iters=4),
              "CosineAnnealingLR": dict(T_max=6), "PolynomialLR": dict(total_iters=6),
              "ConstantLR": dict(total_iters=3)}[name]
    opt, topt = _optimizers("sgd")
    sched, tsched = getattr(dls, name)(opt, **kwargs), getattr(tls, name)(topt, **kwargs)
    for epoch in (5, 2, 7, 0, 3):
        with pytest.warns(UserWarning):
            sched.step(epoch)
        with pytest.warns(UserWarning):
            tsched.step(epoch)
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)
