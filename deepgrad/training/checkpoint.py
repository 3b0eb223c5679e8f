"""Training checkpoints: everything a Trainer needs to continue a run bit for bit.

A checkpoint is one safetensors file (``deepgrad.save``: no pickle, atomic write, a checksum
over header and data) holding::

    {"format": "deepgrad.checkpoint", "version": 2, "epoch": k,
     "model": state dict, "optimizer": trainer.optimizer_state_dict(), "scheduler": ... or None,
     "rng": deepgrad.random.get_rng_state(), "loader_rng": {attribute: generator state},
     "history": History state, "callbacks": {"<index>:<class>": callback state},
     "global_step": train steps taken,
     "position": None | {"batch": b, "loader": DataLoader.state_dict(), "sums": {key: float},
                         "weights": {key: float}, "outputs": [arrays], "targets": [arrays]}}

A GANTrainer writes the same format; its "optimizer" entry holds both optimizers' states.

``epoch`` counts completed epochs. ``position`` is None at an epoch end; a checkpoint taken
inside epoch ``k`` (from ``on_batch_end``, or ``ModelCheckpoint(save_freq=N)``) records the
batches done, the loader's order and position and the epoch's running loss and metric inputs,
so the resumed run finishes that epoch with exactly the batches, masks and logs of the
uninterrupted one. Resuming restores the weights, the optimizer's moments and step counts, the
scheduler, the library's generator (dropout masks, the next epoch's shuffle) and any generator
owned by the training loader. Version 1 files (epoch ends only) still load.
"""
from __future__ import annotations

import os

import numpy

from ..random import get_rng_state, set_rng_state
from ..serialization import CheckpointError, load, save
from . import checkpoint_checks as checks

CHECKPOINT_FORMAT = "deepgrad.checkpoint"
CHECKPOINT_VERSION = 2
# Where a DataLoader may keep a private NumPy generator for shuffling/sampling.
_LOADER_RNG_ATTRS = ("generator", "sampler.generator", "batch_sampler.sampler.generator")
_REQUIRED = ("epoch", "model", "optimizer", "scheduler", "rng", "loader_rng", "history",
             "callbacks")


class EpochProgress:
    """Where the Trainer stands inside an epoch: batches done, and the running sums the
    epoch's logs are made from (size-weighted sums and weights of each logged key, and the
    metric inputs)."""

    def __init__(self, state: dict | None = None) -> None:
        state = state or {}
        self.batch = int(state.get("batch", 0))
        self.sums = {k: float(v) for k, v in state.get("sums", {}).items()}
        self.weights = {k: float(v) for k, v in state.get("weights", {}).items()}
        self.outputs = list(state.get("outputs", []))
        self.targets = list(state.get("targets", []))

    def state_dict(self) -> dict:
        host = [numpy.asarray(a.get() if hasattr(a, "get") else a) for a in self.outputs]
        tgts = [numpy.asarray(a.get() if hasattr(a, "get") else a) for a in self.targets]
        return {"batch": self.batch, "sums": {k: float(v) for k, v in self.sums.items()},
                "weights": dict(self.weights), "outputs": host, "targets": tgts}


def _loader_generators(loader) -> dict:
    found = {}
    for path in _LOADER_RNG_ATTRS:
        obj = loader
        for attr in path.split("."):
            obj = getattr(obj, attr, None)
        if isinstance(obj, numpy.random.Generator) and all(obj is not g for g in found.values()):
            found[path] = obj
    return found


def loader_rng_states(loader) -> dict:
    """States of the NumPy generators a loader owns (empty when it uses the library's)."""
    if loader is None:
        return {}
    return {k: g.bit_generator.state for k, g in _loader_generators(loader).items()}


def set_loader_rng_states(loader, states: dict) -> None:
    """Put saved generator states back into the loader's own generators."""
    gens = _loader_generators(loader) if loader is not None else {}
    for path, state in (states or {}).items():
        if path in gens:
            gens[path].bit_generator.state = state


def _callback_key(i: int, cb) -> str:
    return f"{i}:{type(cb).__name__}"


def callback_states(callbacks) -> dict:
    """Non-empty ``state_dict()`` of each callback, keyed by position and class name."""
    out = {}
    for i, cb in enumerate(callbacks):
        state = cb.state_dict() if hasattr(cb, "state_dict") else {}
        if state:
            out[_callback_key(i, cb)] = state
    return out


def apply_callback_states(callbacks, states: dict) -> None:
    """Give each callback its saved state (matched by position and class name)."""
    for i, cb in enumerate(callbacks):
        state = (states or {}).get(_callback_key(i, cb))
        if state is not None:
            cb.load_state_dict(state)


def _position(trainer, where: str):
    """The mid-epoch record, or None at an epoch end; refuses what could not resume exactly."""
    progress = getattr(trainer, "_progress", None)
    if progress is None or progress.batch == 0:
        return None
    loader = trainer._train_loader
    epoch = f"batch {progress.batch} of epoch {trainer.epoch + 1}"
    if not callable(getattr(loader, "state_dict", None)):
        raise ValueError(f"save_checkpoint({where!r}) at {epoch}: the training loader "
                         f"({type(loader).__name__}) cannot record its position, so a resume "
                         "could not skip the batches already done; use a deepgrad DataLoader "
                         "or save at epoch ends")
    state = loader.state_dict()
    if state.get("batches") != progress.batch:
        raise ValueError(f"save_checkpoint({where!r}) at {epoch}: the loader has handed out "
                         f"{state.get('batches')} batches, the trainer has used "
                         f"{progress.batch}; the position would not be exact")
    return {**progress.state_dict(), "loader": state}


def write_checkpoint(trainer, path: str | os.PathLike) -> None:
    """Save ``trainer``'s full training state to ``path`` (atomically); inside an epoch too.

    Raises:
        ValueError: inside an epoch, with a loader that cannot record its position.
    """
    scheduler = trainer.scheduler
    save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, "epoch": trainer.epoch,
          "model": trainer.model.state_dict(), "optimizer": trainer.optimizer_state_dict(),
          "scheduler": scheduler.state_dict() if scheduler is not None else None,
          "rng": get_rng_state(), "loader_rng": loader_rng_states(trainer._train_loader),
          "history": trainer.history.state_dict(),
          "callbacks": callback_states(trainer.callbacks),
          "global_step": getattr(trainer, "global_step", 0),
          "position": _position(trainer, os.fspath(path))}, path, allow_pickle=False)


def validate(trainer, ck, where: str) -> None:
    """Check every field of a loaded checkpoint against ``trainer``; change nothing."""
    if not isinstance(ck, dict) or ck.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{where}: not a training checkpoint (no format "
                              f"{CHECKPOINT_FORMAT!r}); use deepgrad.load for state dicts")
    version = checks.check_int(where, "version", ck.get("version", 1), 1)
    if version > CHECKPOINT_VERSION:
        raise CheckpointError(f"{where}: checkpoint version {version} is newer than this "
                              f"deepgrad reads ({CHECKPOINT_VERSION})")
    missing = [k for k in _REQUIRED if k not in ck]
    if missing:
        raise CheckpointError(f"{where}: training checkpoint lacks entries {missing}")
    checks.check_int(where, "epoch", ck["epoch"])
    checks.check_state_dict(where, "model", ck["model"], trainer.model)
    named = trainer.named_optimizers()
    if list(named) == [""]:
        checks.check_optimizer(where, ck["optimizer"], named[""])
    elif not isinstance(ck["optimizer"], dict) or set(ck["optimizer"]) != set(named):
        raise CheckpointError(f"{where}: checkpoint field 'optimizer' is not valid: expected "
                              f"the states of {sorted(named)}")
    else:
        for name, opt in named.items():
            checks.check_optimizer(where, ck["optimizer"][name], opt, f"optimizer.{name}")
    checks.check_int(where, "global_step", ck.get("global_step", 0))
    checks.check_scheduler(where, ck["scheduler"], trainer.scheduler)
    checks.check_generator_state(where, "rng", ck["rng"])
    if not isinstance(ck["loader_rng"], dict):
        raise CheckpointError(f"{where}: checkpoint field 'loader_rng' is not valid: expected "
                              "a dict")
    gens = _loader_generators(trainer._train_loader) if trainer._train_loader is not None \
        else {}
    for path, state in ck["loader_rng"].items():
        checks.check_generator_state(where, f"loader_rng.{path}", state, gens.get(path))
    checks.check_history(where, ck["history"])
    checks.check_callbacks(where, ck["callbacks"], trainer.callbacks, trainer.model,
                           _callback_key)
    checks.check_position(where, ck.get("position"))


def restore_checkpoint(trainer, path: str | os.PathLike) -> int:
    """Load ``path`` into ``trainer`` after validating all of it; on any error raise
    CheckpointError naming the field and leave the trainer as it was.

    Returns:
        The checkpoint's completed epoch count.
    """
    where = os.fspath(path)
    ck = load(where)
    validate(trainer, ck, where)
    model, scheduler = trainer.model, trainer.scheduler
    backup = (model.state_dict(), trainer.optimizer_state_dict(),
              scheduler.state_dict() if scheduler is not None else None, get_rng_state(),
              loader_rng_states(trainer._train_loader))
    try:
        model.load_state_dict(ck["model"])
        trainer.load_optimizer_state_dict(ck["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(ck["scheduler"])
        set_rng_state(ck["rng"])
        if trainer._train_loader is not None:
            set_loader_rng_states(trainer._train_loader, ck["loader_rng"])
            if ck.get("position") is not None:
                trainer._train_loader.load_state_dict(ck["position"]["loader"])
    except Exception as e:  # validated above; anything left still must not half-apply
        model.load_state_dict(backup[0])
        trainer.load_optimizer_state_dict(backup[1])
        if scheduler is not None:
            scheduler.load_state_dict(backup[2])
        set_rng_state(backup[3])
        set_loader_rng_states(trainer._train_loader, backup[4])
        raise CheckpointError(f"{where}: does not match this trainer: "
                              f"{checks._msg(e)}") from None
    trainer.epoch = int(ck["epoch"])
    trainer.global_step = int(ck.get("global_step", 0))  # absent from older checkpoints
    trainer._resumed = {"history": ck["history"], "callbacks": ck["callbacks"],
                        "loader_rng": ck["loader_rng"], "position": ck.get("position"),
                        "loader": trainer._train_loader}
    return trainer.epoch


def apply_resumed(trainer, resumed: dict, train_loader, start: int) -> EpochProgress | None:
    """At the start of ``fit``: callback states, the loader's generators and (mid-epoch) its
    position; returns the progress to continue the first epoch from, or None.

    Raises:
        CheckpointError: a mid-epoch checkpoint with a loader that cannot take its position.
        ValueError: a mid-epoch checkpoint and an ``initial_epoch`` other than its epoch.
    """
    apply_callback_states(trainer.callbacks, resumed["callbacks"])
    position = resumed.get("position")
    if resumed.get("loader") is not train_loader:
        set_loader_rng_states(train_loader, resumed["loader_rng"])
    if position is None:
        return None
    if start != trainer.epoch:
        raise ValueError(f"Trainer.fit: the resumed checkpoint stopped inside epoch "
                         f"{trainer.epoch + 1} (after batch {position['batch']}); "
                         f"initial_epoch={start} would skip or repeat part of it")
    if resumed.get("loader") is not train_loader:
        if not callable(getattr(train_loader, "load_state_dict", None)):
            raise CheckpointError(f"Trainer.fit: the checkpoint stopped inside an epoch, but "
                                  f"this loader ({type(train_loader).__name__}) cannot resume "
                                  "at a position; use a deepgrad DataLoader")
        try:
            train_loader.load_state_dict(position["loader"])
        except (ValueError, TypeError, KeyError) as e:
            raise CheckpointError(f"Trainer.fit: the checkpoint's loader position does not fit "
                                  f"this loader: {checks._msg(e)}") from None
    return EpochProgress(position)
