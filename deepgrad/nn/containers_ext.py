"""ParameterList, ParameterDict and Unflatten (PyTorch's containers and layer)."""
from __future__ import annotations

from ..ops.shape import reshape
from .module import Module, Parameter


def _as_parameter(value):
    """Parameters stay as they are; tensors and arrays become Parameters that require grad
    (PyTorch's ``Parameter(tensor)``)."""
    if isinstance(value, Parameter) or value is None:
        return value
    return Parameter(value)


class ParameterList(Module):
    """A list of parameters registered as ``0``, ``1``, ... (so ``plist.0`` in state dicts).
    Tensors and arrays are wrapped into Parameters."""

    def __init__(self, values=None) -> None:
        super().__init__()
        for v in values or ():
            self.append(v)

    def append(self, value) -> "ParameterList":
        setattr(self, str(len(self)), _as_parameter(value))
        return self

    def extend(self, values) -> "ParameterList":
        for v in values:
            self.append(v)
        return self

    def __getitem__(self, i):
        items = list(self._parameters.values())
        return ParameterList(items[i]) if isinstance(i, slice) else items[i]

    def __setitem__(self, i: int, value) -> None:
        setattr(self, list(self._parameters)[i], _as_parameter(value))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def extra_repr(self) -> str:
        return "\n".join(f"({i}): Parameter of shape {tuple(p.shape)}"
                         for i, p in enumerate(self))


class ParameterDict(Module):
    """A dict of parameters registered under their (string) keys."""

    def __init__(self, parameters=None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]

    def __setitem__(self, key: str, value) -> None:
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        delattr(self, key)

    def __contains__(self, key: str) -> bool:
        return key in self._parameters

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def keys(self):
        return self._parameters.keys()

    def values(self):
        return self._parameters.values()

    def items(self):
        return self._parameters.items()

    def get(self, key: str, default=None):
        return self._parameters.get(key, default)

    def pop(self, key: str) -> Parameter:
        value = self._parameters[key]
        del self[key]
        return value

    def update(self, parameters) -> None:
        items = parameters.items() if hasattr(parameters, "items") else parameters
        for k, v in items:
            self[k] = v

    def extra_repr(self) -> str:
        return "\n".join(f"({k}): Parameter of shape {tuple(p.shape)}" for k, p in self.items())


class Unflatten(Module):
    """Expand dim ``dim`` into ``unflattened_size``: (*, prod(sizes), *) -> (*, *sizes, *)."""

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):  # noqa: A002
        d = self.dim % input.ndim
        shape = tuple(input.shape[:d]) + self.unflattened_size + tuple(input.shape[d + 1:])
        known = [s for s in self.unflattened_size if s != -1]
        total = 1
        for s in known:
            total *= s
        if -1 not in self.unflattened_size and total != input.shape[d]:
            raise RuntimeError(f"Unflatten: unflattened_size {self.unflattened_size} does not "
                               f"multiply to dim {self.dim} of size {input.shape[d]} (input "
                               f"shape {tuple(input.shape)})")
        return reshape(input, *shape)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
