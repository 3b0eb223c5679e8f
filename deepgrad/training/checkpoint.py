"""Training checkpoints: everything a Trainer needs to continue a run bit for bit.

A checkpoint is one safetensors file (``deepgrad.save``: no pickle, atomic write) holding::

    {"format": "deepgrad.checkpoint", "version": 1, "epoch": k,
     "model": state dict, "optimizer": trainer.optimizer_state_dict(), "scheduler": ... or None,
     "rng": deepgrad.random.get_rng_state(), "loader_rng": {attribute: generator state},
     "history": History state, "callbacks": {"<index>:<class>": callback state},
     "global_step": train steps taken}

A GANTrainer writes the same format; its "optimizer" entry holds both optimizers' states.

Resuming restores the weights, the optimizer's moments and step counts, the scheduler, the
library's generator (so dropout masks and the next epoch's shuffle repeat) and any generator
owned by the training loader, so the continued run equals the uninterrupted one exactly.
"""
from __future__ import annotations

import os

import numpy

from ..random import get_rng_state, set_rng_state
from ..serialization import CheckpointError, load, save

CHECKPOINT_FORMAT = "deepgrad.checkpoint"
CHECKPOINT_VERSION = 1
# Where a DataLoader may keep a private NumPy generator for shuffling/sampling.
_LOADER_RNG_ATTRS = ("generator", "sampler.generator", "batch_sampler.sampler.generator")
_REQUIRED = ("epoch", "model", "optimizer", "scheduler", "rng", "loader_rng", "history",
             "callbacks")


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


def write_checkpoint(trainer, path: str | os.PathLike) -> None:
    """Save ``trainer``'s full training state to ``path`` (atomically)."""
    scheduler = trainer.scheduler
    save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, "epoch": trainer.epoch,
          "model": trainer.model.state_dict(), "optimizer": trainer.optimizer_state_dict(),
          "scheduler": scheduler.state_dict() if scheduler is not None else None,
          "rng": get_rng_state(), "loader_rng": loader_rng_states(trainer._train_loader),
          "history": trainer.history.state_dict(),
          "callbacks": callback_states(trainer.callbacks),
          "global_step": getattr(trainer, "global_step", 0)}, path, allow_pickle=False)


def restore_checkpoint(trainer, path: str | os.PathLike) -> int:
    """Load ``path`` into ``trainer``; on any mismatch restore what was there and raise.

    Returns:
        The checkpoint's completed epoch count.
    """
    where = os.fspath(path)
    ck = load(where)
    if not isinstance(ck, dict) or ck.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{where}: not a training checkpoint (no format "
                              f"{CHECKPOINT_FORMAT!r}); use deepgrad.load for state dicts")
    if ck.get("version", 0) > CHECKPOINT_VERSION:
        raise CheckpointError(f"{where}: checkpoint version {ck['version']} is newer than this "
                              f"deepgrad reads ({CHECKPOINT_VERSION})")
    missing = [k for k in _REQUIRED if k not in ck]
    if missing:
        raise CheckpointError(f"{where}: training checkpoint lacks entries {missing}")
    model, scheduler = trainer.model, trainer.scheduler
    backup = (model.state_dict(), trainer.optimizer_state_dict(),
              scheduler.state_dict() if scheduler is not None else None)
    try:
        model.load_state_dict(ck["model"])
        trainer.load_optimizer_state_dict(ck["optimizer"])
        if scheduler is not None:
            if ck["scheduler"] is None:
                raise ValueError("the checkpoint has no scheduler state, but the trainer has a "
                                 f"{type(scheduler).__name__}")
            scheduler.load_state_dict(ck["scheduler"])
    except (KeyError, ValueError, TypeError) as e:
        model.load_state_dict(backup[0])
        trainer.load_optimizer_state_dict(backup[1])
        if scheduler is not None:
            scheduler.load_state_dict(backup[2])
        msg = e.args[0] if e.args else repr(e)
        raise CheckpointError(f"{where}: does not match this trainer: {msg}") from None
    set_rng_state(ck["rng"])
    trainer.epoch = int(ck["epoch"])
    trainer.global_step = int(ck.get("global_step", 0))  # absent from older checkpoints
    trainer._resumed = {"history": ck["history"], "callbacks": ck["callbacks"],
                        "loader_rng": ck["loader_rng"]}
    if trainer._train_loader is not None:
        set_loader_rng_states(trainer._train_loader, ck["loader_rng"])
    return trainer.epoch
