"""Learning-rate schedules: closed forms, PyTorch parity, state_dict, bad input."""
import math

import numpy as np
import pytest

from deepgrad import nn, optim
from deepgrad.optim import lr_scheduler as S


def _opt(lrs=(0.1,)):
    groups = [{"params": [nn.Parameter(np.ones(1))], "lr": lr} for lr in lrs]
    return optim.SGD(groups, lr=lrs[0], momentum=0.9)


def _sequence(sched, n, metrics=None):
    out = [sched.get_last_lr()[:]]
    for i in range(n):
        sched.optimizer.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        out.append(sched.get_last_lr()[:])
    return np.array(out)


SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5), lambda e, b: b * 0.5 ** (e // 3)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.1),
     lambda e, b: b * 0.1 ** sum(m <= e for m in [2, 5, 5, 9])),
    ("ExponentialLR", dict(gamma=0.9), lambda e, b: b * 0.9 ** e),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01),
     lambda e, b: 0.01 + (b - 0.01) * (1 + math.cos(math.pi * e / 7)) / 2),
    ("LambdaLR", dict(lr_lambda=lambda e: 1 / (1 + e)), lambda e, b: b / (1 + e)),
    ("LinearLR", dict(start_factor=0.25, total_iters=4),
     lambda e, b: b * (0.25 + 0.75 * min(e, 4) / 4)),
]


@pytest.mark.parametrize("name,kwargs,closed", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_sequence_matches_closed_form(name, kwargs, closed):
    sched = getattr(S, name)(_opt((0.1, 0.3)), **kwargs)
    got = _sequence(sched, 20)
    want = np.array([[closed(e, b) for b in (0.1, 0.3)] for e in range(21)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name,kwargs,closed", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_sequence_matches_torch(name, kwargs, closed):
    torch = pytest.importorskip("torch")
    sched = getattr(S, name)(_opt((0.1, 0.3)), **kwargs)
    tp = [torch.nn.Parameter(torch.ones(1)) for _ in range(2)]
    topt = torch.optim.SGD([{"params": [tp[0]], "lr": 0.1}, {"params": [tp[1]], "lr": 0.3}],
                           lr=0.1, momentum=0.9)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    want = [tsched.get_last_lr()[:]]
    for _ in range(20):
        topt.step()
        tsched.step()
        want.append(tsched.get_last_lr()[:])
    np.testing.assert_allclose(_sequence(sched, 20), np.array(want), rtol=1e-15, atol=0)


PLATEAU = [dict(), dict(mode="max", factor=0.5, patience=1, threshold_mode="abs",
                        threshold=0.05), dict(patience=2, cooldown=2, min_lr=0.02),
           dict(patience=0, factor=0.3, min_lr=[0.0, 0.05], eps=1e-3)]
METRICS = [1.0, 0.9, 0.95, 0.95, 0.89, 0.9, 0.9, 0.9, 0.9, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6,
           0.7, 0.7, 0.7, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4] * 2


@pytest.mark.parametrize("kwargs", PLATEAU)
def test_reduce_on_plateau_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    sched = S.ReduceLROnPlateau(_opt((0.1, 0.3)), **kwargs)
    tp = [torch.nn.Parameter(torch.ones(1)) for _ in range(2)]
    topt = torch.optim.SGD([{"params": [tp[0]], "lr": 0.1}, {"params": [tp[1]], "lr": 0.3}])
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    want = []
    for m in METRICS:
        tsched.step(m)
        want.append([g["lr"] for g in topt.param_groups])
    got = _sequence(sched, len(METRICS), METRICS)[1:]
    np.testing.assert_allclose(got, np.array(want), rtol=1e-15, atol=0)
    assert got[-1, 0] < 0.1  # it did cut


def test_reduce_on_plateau_patience_semantics():
    sched = S.ReduceLROnPlateau(_opt(), patience=2, factor=0.5)
    lrs = _sequence(sched, 6, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0])[1:, 0]
    np.testing.assert_allclose(lrs, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05])


@pytest.mark.parametrize("name,kwargs,closed", SCHEDULES[:4] + SCHEDULES[5:],
                         ids=[s[0] for s in SCHEDULES[:4] + SCHEDULES[5:]])
def test_state_dict_resumes(name, kwargs, closed):
    opt = _opt()
    sched = getattr(S, name)(opt, **kwargs)
    _sequence(sched, 4)
    sd = sched.state_dict()
    rest = _sequence(sched, 6)[1:]
    opt2 = _opt()
    opt2.load_state_dict(opt.state_dict())
    sched2 = getattr(S, name)(opt2, **kwargs)
    sched2.load_state_dict(sd)
    # a new scheduler applies its epoch-0 factor: the checkpointed lr is the truth (as in torch)
    opt2.param_groups[0]["lr"] = sd["_last_lr"][0]
    np.testing.assert_allclose(_sequence(sched2, 6)[1:], rest, rtol=1e-12)


def test_plateau_state_dict_and_foreign_state():
    sched = S.ReduceLROnPlateau(_opt(), patience=1)
    for m in (1.0, 2.0):
        sched.step(m)
    sd = sched.state_dict()
    assert sd["num_bad_epochs"] == 1 and sd["best"] == 1.0
    other = S.ReduceLROnPlateau(_opt(), patience=1)
    other.load_state_dict(sd)
    other.step(3.0)
    assert other.get_last_lr() == [pytest.approx(0.01)]
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        S.StepLR(_opt(), 2).load_state_dict(sd)


BAD = [
    (lambda o: S.StepLR(o, step_size=0), "0"),
    (lambda o: S.StepLR(o, step_size=2, gamma=-1.0), "-1.0"),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), "T_max"),
    (lambda o: S.LinearLR(o, start_factor=0.0), "0.0"),
    (lambda o: S.LinearLR(o, end_factor=1.5), "1.5"),
    (lambda o: S.LambdaLR(o, [lambda e: 1.0, lambda e: 1.0]), "2"),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), "1.0"),
    (lambda o: S.ReduceLROnPlateau(o, mode="up"), "up"),
    (lambda o: S.ReduceLROnPlateau(o, patience=-1), "-1"),
    (lambda o: S.MultiStepLR(o, milestones=[1.5]), "1.5"),
]


@pytest.mark.parametrize("make,text", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_arguments(make, text):
    with pytest.raises(ValueError, match=text.replace(".", r"\.")):
        make(_opt())


def test_not_an_optimizer():
    with pytest.raises(TypeError, match="Optimizer"):
        S.StepLR(object(), 2)
