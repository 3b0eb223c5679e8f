"""Containers: Sequential, ModuleList, ModuleDict."""
from __future__ import annotations

from collections import OrderedDict

from .activation import ReLU
from .module import Module
from .pooling import MaxPool1d, MaxPool2d

_POOLS = (MaxPool1d, MaxPool2d)


def _observed(m: Module) -> bool:
    """True when a user can see what ``m`` receives: a hook registered on it (any non-empty
    ``*hook*`` registry in its ``__dict__``, whatever the hook flavour) or a ``forward``
    replaced on the instance."""
    return "forward" in m.__dict__ or any(v for k, v in m.__dict__.items() if "hook" in k)


def _pool_first_pair(m, nxt) -> bool:
    """``m`` is exactly ``nn.ReLU`` and ``nxt`` exactly a max-pool, neither observed."""
    return (type(m) is ReLU and type(nxt) in _POOLS and not _observed(m)
            and not _observed(nxt))


class Sequential(Module):
    """Apply modules in order: ``Sequential(Linear(2, 8), Tanh(), Linear(8, 1))``.

    As PyTorch's: a layer replaced by assignment (``seq[1] = nn.Tanh()``) keeps its place; a
    layer set to None keeps its slot (``len`` counts it) and ``forward`` raises TypeError
    naming it (PyTorch fails there too), so the removed layer never runs; ``del seq[i]``
    removes it and renumbers the layers ``'0', '1', ...``.

    ``pool_before_relu()`` opts in to one speed trick: a ReLU followed by a max-pool runs as
    max-pool then ReLU. ``relu(max_pool(x)) == max_pool(relu(x))`` exactly, gradients
    included (ReLU keeps the order of positive values, so the maxima and first-maximum ties
    are unchanged, and a window whose maximum is <= 0 gets zero gradient either way), and
    ReLU then touches a quarter of the values after a 2x2 pool (cnn2's step 15% faster). It
    is off by default because it is not invisible: the ReLU receives the pooled activation,
    which a hook or a wrapped ``forward`` on it would see. When on, it is decided at every
    forward, pair by pair: only an exact ``nn.ReLU`` right before an exact ``nn.MaxPool1d``/
    ``nn.MaxPool2d`` (not subclasses), and never when either has a hook registered or a
    ``forward`` set on the instance; ``named_modules``, ``state_dict`` and indexing keep the
    written order either way.
    """

    def __init__(self, *modules) -> None:
        super().__init__()
        self.__dict__["_pool_first"] = False
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self._add(name, m)
        else:
            for i, m in enumerate(modules):
                self._add(str(i), m)

    def _add(self, name: str, module) -> None:
        """Register ``module`` under ``name``; None takes a slot too (as PyTorch's add_module)."""
        if module is None:
            self.__dict__["_modules"][name] = None
            self.__dict__[name] = None
        else:
            setattr(self, name, module)

    def pool_before_relu(self, enabled: bool = True) -> "Sequential":
        """Opt in (or out) of running ReLU -> max-pool pairs as max-pool -> ReLU (see the class
        docstring: same values and gradients, less work, but a hook-visible reordering).

        Returns:
            self.
        """
        self.__dict__["_pool_first"] = bool(enabled)
        return self

    def forward(self, x):
        if self._pool_first:
            return self._forward_pool_first(x)
        for name, m in self._modules.items():
            if m is None:
                self._none_layer(name)
            x = m(x)
        return x

    def _forward_pool_first(self, x):
        items = list(self._modules.items())
        i = 0
        while i < len(items):
            name, m = items[i]
            if m is None:
                self._none_layer(name)
            nxt = items[i + 1][1] if i + 1 < len(items) else None
            if _pool_first_pair(m, nxt):
                x = m(nxt(x))
                i += 2
            else:
                x = m(x)
                i += 1
        return x

    def _none_layer(self, name: str):
        raise TypeError(f"Sequential: layer {name!r} is None and cannot run; delete it "
                        f"(del seq[{list(self._modules).index(name)}]) or set it to "
                        "nn.Identity()")

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Sequential(*list(self._modules.values())[i])
        return list(self._modules.values())[i]

    def __setitem__(self, i: int, module: Module) -> None:
        setattr(self, list(self._modules)[i], module)

    def __delitem__(self, i) -> None:
        """Remove layer(s) ``i`` (an index or a slice) and renumber the rest ``'0', '1', ...``
        (PyTorch renumbers too, named layers included)."""
        names = list(self._modules)
        if isinstance(i, slice):
            doomed = names[i]
        else:
            if not -len(names) <= i < len(names):
                raise IndexError(f"index {i} is out of range")
            doomed = [names[i]]
        for name in doomed:
            delattr(self, name)
        d = self.__dict__
        kept = list(d["_modules"].items())
        for name, _ in kept:
            del d[name]
        d["_modules"] = OrderedDict((str(k), m) for k, (_, m) in enumerate(kept))
        d.update(d["_modules"])

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module: Module) -> "Sequential":
        self._add(str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered (``layers.0.weight``, ...)."""

    def __init__(self, modules=()) -> None:
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> "ModuleList":
        setattr(self, str(len(self._modules)), module)
        return self

    def extend(self, modules) -> "ModuleList":
        for m in modules:
            self.append(m)
        return self

    def __getitem__(self, i):
        items = list(self._modules.values())
        return ModuleList(items[i]) if isinstance(i, slice) else items[i]

    def __setitem__(self, i: int, module: Module) -> None:
        setattr(self, list(self._modules)[i], module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class ModuleDict(Module):
    """A dict of modules whose parameters are registered under their keys."""

    def __init__(self, modules=None) -> None:
        super().__init__()
        for k, m in (modules or {}).items():
            setattr(self, k, m)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        setattr(self, key, module)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()
