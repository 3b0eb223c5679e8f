"""Trainer.resume validates the whole checkpoint first: a bad field is a CheckpointError that
names it, and the trainer (model, optimizer, scheduler, RNG, callbacks, epoch) is untouched."""
import copy

import numpy as np
import pytest
from state_compare import assert_same_state

import deepgrad as dg
from deepgrad import nn
from deepgrad.data import DataLoader, TensorDataset
from deepgrad.optim import Adam
from deepgrad.optim.lr_scheduler import StepLR
from deepgrad.serialization import CheckpointError
from deepgrad.training import EarlyStopping, ModelCheckpoint, Trainer


def _trainer(seed):
    dg.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((32, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True,
                        generator=np.random.default_rng(seed))
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = Adam(model.parameters(), lr=0.01)
    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=StepLR(opt, 2),
                      callbacks=[EarlyStopping("loss", patience=5, restore_best_weights=True),
                                 ModelCheckpoint("unused-{epoch}.safetensors",
                                                 save_best_only=True, monitor="loss")])
    return trainer, loader


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    path = tmp_path_factory.mktemp("ck") / "good.safetensors"
    trainer, loader = _trainer(0)
    trainer.callbacks = trainer.callbacks[:1]
    trainer.fit(loader, epochs=2)
    trainer.save_checkpoint(path)
    return dg.load(path)


def _set(ck, dotted, value):
    *parents, last = dotted.split("/")
    node = ck
    for p in parents:
        node = node[int(p) if isinstance(node, list) else p]
    if value is KeyError:
        del node[last]
    else:
        node[int(last) if isinstance(node, list) else last] = value


CASES = [
    ("version", "2", "'version'"),
    ("version", 99, "version 99 is newer"),
    ("epoch", -1, "'epoch'"),
    ("epoch", True, "'epoch'"),
    ("epoch", "3", "'epoch'"),
    ("model/0.weight", np.zeros((5, 3), np.float32), r"'model.0.weight'.*shape \(5, 3\)"),
    ("model/0.weight", "weights", "'model.0.weight'"),
    ("model/0.bias", KeyError, "'model'.*missing keys \\['0.bias'\\]"),
    ("optimizer/param_groups/0/lr", "fast", "'optimizer'"),
    ("optimizer/param_groups", "none", "'optimizer'"),
    ("optimizer/state", {"9": {"step": 1}}, "'optimizer'"),
    ("optimizer/optimizer", "SGD", "'optimizer'.*SGD"),
    ("scheduler/optimizer", 5, "'scheduler.optimizer'.*no such state"),
    ("scheduler/last_epoch", "x", "'scheduler.last_epoch'.*expected a number"),
    ("scheduler", None, "'scheduler'.*no scheduler state"),
    ("rng", {"bit_generator": "MT19937", "state": 5}, "'rng'"),
    ("rng", "seed", "'rng'"),
    ("loader_rng", "x", "'loader_rng'"),
    ("loader_rng/generator", {"bit_generator": "PCG64"}, "'loader_rng.generator'"),
    ("history", [1], "'history'"),
    ("history/epoch", ["a"], "'history'"),
    ("callbacks/0:EarlyStopping/wait", "x", "'callbacks.0:EarlyStopping.wait'"),
    ("callbacks/0:EarlyStopping/best_weights/2.bias", np.zeros(7, np.float32),
     "'callbacks.0:EarlyStopping.best_weights.2.bias'"),
    ("callbacks/0:EarlyStopping/best_epoch", [1], "'callbacks.0:EarlyStopping.best_epoch'"),
    ("callbacks", [], "'callbacks'"),
    ("position", {"batch": 0}, "'position.batch'"),
    ("position", {"batch": 2, "sums": {"loss": 1.0}, "weights": {"loss": 16}, "outputs": [],
                  "targets": [], "loader": {"order": None}}, "'position.loader'"),
    ("position", {"batch": 2, "sums": {"loss": "x"}, "weights": {}}, "'position.sums'"),
    ("position", 7, "'position'"),
]


@pytest.mark.parametrize("dotted, value, match", CASES,
                         ids=[f"{c[0]}={str(c[1])[:12]}" for c in CASES])
def test_bad_field_is_named_and_changes_nothing(tmp_path, good, dotted, value, match):
    ck = copy.deepcopy(good)
    _set(ck, dotted, value)
    path = tmp_path / "bad.safetensors"
    dg.save(ck, path, allow_pickle=False)  # valid checksum: as a crafted file would have
    trainer, loader = _trainer(5)
    trainer.fit(loader, epochs=1)
    before = (copy.deepcopy(trainer.model.state_dict()),
              copy.deepcopy(trainer.optimizer.state_dict()), trainer.scheduler.state_dict(),
              dg.random.get_rng_state(), loader.generator.bit_generator.state,
              [copy.deepcopy(cb.state_dict()) for cb in trainer.callbacks], trainer.epoch)
    with pytest.raises(CheckpointError, match=match) as info:
        trainer.resume(path)
    assert type(info.value) is CheckpointError and str(path) in str(info.value)
    after = (trainer.model.state_dict(), trainer.optimizer.state_dict(),
             trainer.scheduler.state_dict(), dg.random.get_rng_state(),
             loader.generator.bit_generator.state,
             [cb.state_dict() for cb in trainer.callbacks], trainer.epoch)
    assert_same_state(before, after)
    assert trainer._resumed is None


def test_good_checkpoint_still_resumes(tmp_path, good):
    dg.save(good, tmp_path / "ok.safetensors", allow_pickle=False)
    trainer, loader = _trainer(5)
    assert trainer.resume(tmp_path / "ok.safetensors") == 2


def test_version_1_checkpoint_without_position_resumes(tmp_path, good):
    ck = copy.deepcopy(good)
    ck["version"] = 1
    del ck["position"]
    dg.save(ck, tmp_path / "v1.safetensors", allow_pickle=False)
    trainer, loader = _trainer(5)
    assert trainer.resume(tmp_path / "v1.safetensors") == 2
    trainer.fit(loader, epochs=3)
    assert trainer.epoch == 3
