"""Module lookups by dotted path (``get_submodule`` and friends) and dtype conversions."""
from __future__ import annotations

import numpy


class PathsMixin:
    """The lookup and conversion half of ``Module`` (PyTorch's names and errors)."""

    def get_submodule(self, target: str):
        """The submodule at dotted path ``target`` (``""`` is this module).

        Raises:
            AttributeError: naming the first missing part, or a part that is not a Module.
        """
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(f"{type(mod).__name__} has no attribute `{item}`")
            mod = getattr(mod, item)
            if not isinstance(mod, PathsMixin):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    def _owner_and_name(self, target: str):
        module_path, _, name = target.rpartition(".")
        return self.get_submodule(module_path), name

    def get_parameter(self, target: str):
        """The Parameter at dotted path ``target`` (e.g. ``"0.weight"``)."""
        mod, name = self._owner_and_name(target)
        if not hasattr(mod, name):
            raise AttributeError(f"{type(mod).__name__} has no attribute `{name}`")
        if name not in mod._parameters:
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return mod._parameters[name]

    def get_buffer(self, target: str):
        """The buffer at dotted path ``target`` (e.g. ``"bn.running_mean"``)."""
        mod, name = self._owner_and_name(target)
        if not hasattr(mod, name):
            raise AttributeError(f"{type(mod).__name__} has no attribute `{name}`")
        if name not in mod._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return mod._buffers[name]

    def register_module(self, name: str, module) -> None:
        """Alias of ``add_module``."""
        self.add_module(name, module)

    def half(self):
        """Cast floating parameters and buffers to float16."""
        return self.to(numpy.float16)
