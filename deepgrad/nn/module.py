"""Module and Parameter: the containers of learnable state, registered on attribute assignment."""
from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy

from ..autograd.tensor import Tensor, _as_array
from ..autograd.version import bump
from ..backend import as_device, default_device, resolve, to_device
from ..ops.device import parse_to_args
from .hooks import HooksMixin
from .module_paths import PathsMixin

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Parameter(Tensor):
    """A Tensor that a Module registers as learnable; ``requires_grad`` defaults to True.

    Host data is placed on the default device (``dg.set_default_device``), so layers built
    under a CUDA default are born there, as in PyTorch.
    """

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True) -> None:
        super().__init__(data._data if isinstance(data, Tensor) else data, requires_grad)
        if default_device() is not None:
            self._data = to_device(self._data, default_device())

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def _typename(value) -> str:
    """How a TypeError names an assigned value: ``deepgrad.Tensor`` or the qualified class."""
    if isinstance(value, Tensor):
        return "deepgrad.Tensor"
    cls = type(value)
    return cls.__qualname__ if cls.__module__ == "builtins" else \
        f"{cls.__module__}.{cls.__qualname__}"


class Module(HooksMixin, PathsMixin):
    """Base class of layers and models (PyTorch's contract).

    Assigning a Parameter, a Module or (via ``register_buffer``) a state tensor to an attribute
    registers it; the attribute stays a plain instance attribute, so ``self.weight`` in
    ``forward`` costs one dict lookup. Subclasses define ``forward``. Hooks (``HooksMixin``)
    and dotted-path lookups (``PathsMixin``) come from their own files.
    """

    training: bool

    def __init__(self) -> None:
        d = self.__dict__
        d["_parameters"] = OrderedDict()
        d["_modules"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent"] = set()
        d["_regularizers"] = {}
        d["training"] = True

    # ---- registration ---------------------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before "
                                 f"assigning attribute {name!r}")
        # PyTorch's rules. A Parameter or Module (re)registers the name and leaves the other
        # registries; a name registered as a parameter (child module) takes only a Parameter
        # (Module) or None, which keeps its slot, so a replaced layer keeps its place in a
        # Sequential and in the state dict. Anything else would silently drop it from
        # parameters() / state_dict() / the forward of a Sequential: TypeError.
        if isinstance(value, Parameter):
            d["_modules"].pop(name, None)
            d["_buffers"].pop(name, None)
            d["_parameters"][name] = value
        elif name in d["_parameters"]:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(deepgrad.nn.Parameter or None expected)")
            d["_parameters"][name] = None
        elif isinstance(value, Module):
            d["_buffers"].pop(name, None)
            d["_modules"][name] = value
        elif name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(deepgrad.nn.Module or None expected)")
            d["_modules"][name] = None
        elif name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                value = Tensor(value)
            d["_buffers"][name] = value
        d[name] = value

    def __delattr__(self, name: str) -> None:
        for key in ("_parameters", "_modules", "_buffers", "_regularizers"):
            self.__dict__[key].pop(name, None)
        del self.__dict__[name]

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or None, to declare an absent parameter such as a missing bias)."""
        if param is None:
            self.__dict__["_parameters"].pop(name, None)
            self.__dict__[name] = None
        else:
            setattr(self, name, param)

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Register non-learnable state (e.g. running statistics) that ``state_dict`` saves."""
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(tensor)
        if tensor is not None and default_device() is not None:
            tensor._data = to_device(tensor._data, default_device())
        self.__dict__["_buffers"][name] = tensor
        if not persistent:
            self.__dict__["_non_persistent"].add(name)
        self.__dict__[name] = tensor

    def add_module(self, name: str, module: "Module | None") -> None:
        setattr(self, name, module)

    def add_regularizer(self, param_name: str, regularizer) -> None:
        """Attach a penalty callable (Tensor -> scalar Tensor) to parameter ``param_name``."""
        if regularizer is None:
            self._regularizers.pop(param_name, None)
        else:
            self._regularizers[param_name] = regularizer

    # ---- traversal ------------------------------------------------------------------------
    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        """Yield (dotted name, module) for this module and every descendant (each once unless
        ``remove_duplicate=False``), names starting with ``prefix``."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(memo, f"{prefix}.{name}" if prefix else name,
                                           remove_duplicate)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True):
        """Yield (dotted name, Parameter) in registration order, each shared parameter once
        (unless ``remove_duplicate=False``); ``recurse=False``: this module's own only."""
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for mod_prefix, m in mods:
            for name, p in m._parameters.items():
                if p is not None and (id(p) not in seen or not remove_duplicate):
                    seen.add(id(p))
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), p

    def parameters(self, recurse: bool = True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True):
        """Yield (dotted name, buffer) like ``named_parameters``."""
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for mod_prefix, m in mods:
            for name, b in m._buffers.items():
                if b is not None and (id(b) not in seen or not remove_duplicate):
                    seen.add(id(b))
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), b

    def buffers(self, recurse: bool = True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ---- state ----------------------------------------------------------------------------
    def state_dict(self) -> "OrderedDict[str, numpy.ndarray]":
        """Parameters and persistent buffers by dotted name, as copied arrays on the module's
        device (NumPy on the CPU; PyTorch's names for the same architecture)."""
        out = OrderedDict()
        for mod_prefix, m in self.named_modules():
            dot = f"{mod_prefix}." if mod_prefix else ""
            for name, p in m._parameters.items():
                if p is not None:
                    out[dot + name] = p._data.copy()
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent:
                    out[dot + name] = b._data.copy()
        return out

    def _state_tensors(self) -> "OrderedDict[str, Tensor]":
        out = OrderedDict()
        for mod_prefix, m in self.named_modules():
            dot = f"{mod_prefix}." if mod_prefix else ""
            for name, p in m._parameters.items():
                if p is not None:
                    out[dot + name] = p
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent:
                    out[dot + name] = b
        return out

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy arrays (or Tensors) into the parameters and buffers of the same names.

        Every key and shape is checked before anything is written, so a failed load leaves
        the module unchanged. Arrays are copied onto each tensor's device. Raises KeyError
        (strict) or ValueError (shape) naming the keys.
        """
        own = self._state_tensors()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict for {type(self).__name__}: missing keys "
                           f"{missing}, unexpected keys {unexpected}")
        staged = []
        for k, t in own.items():
            if k not in state_dict:
                continue
            arr = _as_array(state_dict[k])
            if tuple(arr.shape) != tuple(t.shape):
                raise ValueError(f"load_state_dict for {type(self).__name__}: size mismatch "
                                 f"for {k}: checkpoint shape {tuple(arr.shape)}, model shape "
                                 f"{tuple(t.shape)}")
            staged.append((t, to_device(arr, t.device)))
        for t, arr in staged:
            t._data[...] = arr
            bump(t._vc)
        return IncompatibleKeys(missing, unexpected)

    # ---- modes and conversion -------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of all parameters (to None by default, as PyTorch)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = Tensor._make(p.grad._data * 0, False, None, 0)

    def apply(self, fn) -> "Module":
        """Call ``fn(module)`` on every submodule, then on this module (for custom init)."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """Move (``to(device)``) and/or cast (``to(dtype)``, floating tensors only) every
        parameter and buffer in place, gradients included; returns ``self``.

        Parameters keep their identity, so an optimizer built before the move still holds
        them (build it after the move anyway: its state is made on the parameters' device).
        """
        dev, dtype, _ = parse_to_args(None, args, kwargs)
        if dev is not None:
            dev, _ = resolve(dev)  # a clear error before anything moves
        for t in list(self.parameters()) + list(self.buffers()):
            if dev is not None:
                t._data = to_device(t._data, dev)
                if t.grad is not None:
                    t.grad._data = to_device(t.grad._data, dev)
            if dtype is not None and t._data.dtype.kind == "f" and t._data.dtype != dtype:
                t._data = t._data.astype(dtype)
                t.grad = None
        return self

    def cuda(self, device=None) -> "Module":
        """Move every parameter and buffer to a CUDA device (the current one if None)."""
        return self.to("cuda" if device is None else as_device(device))

    def cpu(self) -> "Module":
        """Move every parameter and buffer to host memory."""
        return self.to("cpu")

    def float(self) -> "Module":
        return self.to(numpy.float32)

    def double(self) -> "Module":
        return self.to(numpy.float64)

    def regularization_loss(self):
        """Sum of every attached regularizer's penalty over this module tree (0.0 if none)."""
        total = None
        for m in self.modules():
            for name, reg in m._regularizers.items():
                p = getattr(m, name, None)
                if p is not None:
                    term = reg(p)
                    total = term if total is None else total + term
        return total if total is not None else 0.0

    def num_parameters(self) -> int:
        """Total number of learnable scalars."""
        return sum(p._data.size for p in self.parameters())

    # ---- calling and printing -------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if "_has_hooks" in self.__dict__:
            return self._call_with_hooks(*args, **kwargs)
        return self.forward(*args, **kwargs)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        children = list(self._modules.items())
        if not children:
            return lines[0] + ")"
        for name, m in children:
            body = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"
