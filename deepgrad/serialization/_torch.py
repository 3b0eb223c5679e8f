"""Read files that ``torch.save`` wrote (its zip format) without importing torch.

The zip holds ``<prefix>/data.pkl`` (a pickle whose tensors are persistent ids ``("storage",
storage type, key, location, numel)``), the storages as ``<prefix>/data/<key>`` and
``<prefix>/byteorder``. The pickle is read by an unpickler that maps the few torch functions a
state dict uses (``_rebuild_tensor_v2``/``_v3``, ``_rebuild_parameter``, the storage types,
dtypes, ``torch.device``) to deepgrad rebuilds and resolves nothing else (besides the
allow-list), so a crafted file cannot run code. bfloat16 tensors are widened to float32.
"""
from __future__ import annotations

import io
import pickle
import zipfile

import numpy

from ..autograd.tensor import Tensor
from ._errors import CheckpointError, UnpicklingError
from ._format import bf16_to_f32
from ._pickle import allowed, unsafe_globals

_MAX_PICKLE = 1 << 30
# torch dtype name -> NumPy dtype string ('bf16': widened to float32 on load)
DTYPES = {"float32": "f4", "float": "f4", "float64": "f8", "double": "f8", "float16": "f2",
          "half": "f2", "bfloat16": "bf16", "int64": "i8", "long": "i8", "int32": "i4",
          "int": "i4", "int16": "i2", "short": "i2", "int8": "i1", "uint8": "u1",
          "bool": "b1", "uint16": "u2", "uint32": "u4", "uint64": "u8"}
STORAGES = {"FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16",
            "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
            "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8",
            "BoolStorage": "bool"}
_UNSUPPORTED = {"ComplexFloatStorage": "complex64", "ComplexDoubleStorage": "complex128",
                "QInt8Storage": "qint8", "QUInt8Storage": "quint8", "QInt32Storage": "qint32"}


class TorchDType:
    """What ``torch.<dtype>`` or ``torch.<X>Storage`` unpickles to here: just the name."""

    def __init__(self, name: str) -> None:
        self.name = name


class Unsupported:
    """Stands in for a tensor whose dtype deepgrad cannot hold; reported with its path."""

    def __init__(self, dtype: str) -> None:
        self.dtype = dtype


class _Storage:
    def __init__(self, array, dtype: str) -> None:
        self.array, self.dtype = array, dtype


def _check_ints(values, what: str, where: str) -> tuple:
    if not isinstance(values, tuple) or not all(type(v) is int and v >= 0 for v in values):
        raise UnpicklingError(f"{where}: tensor {what} {str(values)[:80]} is not a tuple of "
                              "non-negative ints (corrupted or crafted file)")
    return values


def _view(storage: _Storage, offset, size, stride, where: str):
    """The strided view a torch tensor describes, bounds-checked, as a new C array."""
    if isinstance(storage, Unsupported) or storage.dtype not in DTYPES:
        return Unsupported(storage.dtype)
    size, stride = _check_ints(size, "size", where), _check_ints(stride, "stride", where)
    if type(offset) is not int or offset < 0 or len(size) != len(stride):
        raise UnpicklingError(f"{where}: bad tensor offset/stride (corrupted or crafted file)")
    flat = storage.array
    if all(size):
        last = offset + sum((s - 1) * st for s, st in zip(size, stride))
        if last >= flat.size:
            raise UnpicklingError(f"{where}: a tensor reaches element {last} of a storage of "
                                  f"{flat.size} (corrupted or crafted file)")
        out = numpy.lib.stride_tricks.as_strided(
            flat[offset:], shape=size, strides=[st * flat.itemsize for st in stride])
    else:
        out = numpy.zeros(size, flat.dtype)
    out = numpy.array(out, dtype=flat.dtype.newbyteorder("="), order="C")
    return bf16_to_f32(out) if storage.dtype == "bfloat16" else out


class TorchUnpickler(pickle.Unpickler):
    """Unpickles a torch ``data.pkl``; storages come from the zip on demand."""

    def __init__(self, data: bytes, archive, where: str, weights_only: bool, to_device) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")
        self.data, self.archive, self.where = data, archive, where
        self.weights_only, self.to_device = weights_only, to_device
        self.widened: dict[int, str] = {}
        self.storages: dict = {}
        self._keep: list = []
        self.functions = {
            "torch._utils._rebuild_tensor_v2": self._rebuild_v2,
            "torch._utils._rebuild_tensor_v3": self._rebuild_v3,
            "torch._utils._rebuild_parameter": self._rebuild_parameter,
            "torch._utils._rebuild_parameter_with_state": self._rebuild_parameter,
            "torch.device": self._device, "torch.Size": tuple,
            "collections.OrderedDict": __import__("collections").OrderedDict,
            "_codecs.encode": _latin1,
        }

    def _is_safe(self, name: str) -> bool:
        module, _, attr = name.rpartition(".")
        return (name in self.functions or allowed(name) is not None
                or (module in ("torch", "torch.storage") and
                    (attr in STORAGES or attr in _UNSUPPORTED or attr in DTYPES
                     or attr == "UntypedStorage")))

    def find_class(self, module: str, name: str):
        full = f"{module}.{name}"
        if full in self.functions:
            return self.functions[full]
        if module in ("torch", "torch.storage"):
            if name in STORAGES:
                return TorchDType(STORAGES[name])
            if name in _UNSUPPORTED:
                return TorchDType(_UNSUPPORTED[name])
            if name == "UntypedStorage":
                return TorchDType("uint8")
            return TorchDType(name)  # a dtype such as torch.uint16 (checked when used)
        obj = allowed(full)
        if obj is not None:
            return obj
        if module.split(".")[0] == "torch" or self.weights_only:
            from ._pickle import refusal

            err = refusal(self.where, module, name, self.data, self._is_safe)
            if not self.weights_only:
                raise UnpicklingError(f"{self.where}: the file pickles {full}, a PyTorch "
                                      "object deepgrad does not rebuild (only tensors, "
                                      "Parameters and containers load)")
            raise err
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], TorchDType) and isinstance(pid[2], str)
                and type(pid[4]) is int and pid[4] >= 0):
            raise UnpicklingError(f"{self.where}: unknown persistent id {str(pid)[:100]}")
        dtype, key, numel = pid[1].name, pid[2], pid[4]
        if key in self.storages:
            return self.storages[key]
        if dtype not in DTYPES:
            return Unsupported(dtype)
        code = DTYPES[dtype]
        itemsize = 2 if code == "bf16" else numpy.dtype(code).itemsize
        raw = self.archive.read_storage(key, numel * itemsize)
        order = self.archive.byteorder
        arr = numpy.frombuffer(raw, dtype=(order + "u2") if code == "bf16" else order + code)
        storage = self.storages[key] = _Storage(arr, dtype)
        return storage

    def _tensor(self, arr, requires_grad, cls=Tensor):
        if isinstance(arr, Unsupported):
            return arr
        t = cls(arr, requires_grad=bool(requires_grad) and arr.dtype.kind == "f")
        return self.to_device(t) if self.to_device is not None else t

    def _rebuild_v2(self, storage, offset, size, stride, requires_grad=False, hooks=None,
                    metadata=None):
        t = self._tensor(_view(storage, offset, size, stride, self.where), requires_grad)
        if isinstance(storage, _Storage) and storage.dtype == "bfloat16":
            self.widened[id(t)] = "bfloat16"
            self._keep.append(t)
        return t

    def _rebuild_v3(self, storage, offset, size, stride, requires_grad, hooks, dtype,
                    metadata=None):
        if not isinstance(storage, _Storage) or not isinstance(dtype, TorchDType):
            raise UnpicklingError(f"{self.where}: malformed tensor record")
        if dtype.name not in DTYPES:
            return Unsupported(dtype.name)
        code = DTYPES[dtype.name]
        typed = storage.array.view(self.archive.byteorder + ("u2" if code == "bf16" else code))
        return self._rebuild_v2(_Storage(typed, dtype.name), offset, size, stride,
                                requires_grad)

    def _rebuild_parameter(self, data, requires_grad, hooks=None, state=None):
        if isinstance(data, Unsupported):
            return data
        from ..nn.module import Parameter

        p = Parameter(data._data, requires_grad=bool(requires_grad))
        if id(data) in self.widened:
            self.widened[id(p)] = self.widened[id(data)]
            self._keep.append(p)
        return self.to_device(p) if self.to_device is not None else p

    @staticmethod
    def _device(kind, index=None):
        return kind if index is None else f"{kind}:{index}"


def _latin1(obj, encoding="latin1"):
    """``_codecs.encode`` as protocol-2 pickles use it for bytes (latin-1 text -> bytes)."""
    if encoding != "latin1" or not isinstance(obj, str):
        raise UnpicklingError("_codecs.encode is allowed only to rebuild latin-1 bytes")
    return obj.encode("latin1")


class Archive:
    """The zip's records, each size-checked before it is read."""

    def __init__(self, zf: zipfile.ZipFile, where: str) -> None:
        self.zf, self.where = zf, where
        pkl = [n for n in zf.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise CheckpointError(f"{where}: a zip file, but not one torch.save wrote (no single "
                                  "data.pkl record)")
        self.prefix = pkl[0][:-len("data.pkl")]
        order = self._read_small("byteorder", 16)
        self.byteorder = ">" if order == b"big" else "<"

    def _read_small(self, name: str, limit: int):
        try:
            info = self.zf.getinfo(self.prefix + name)
        except KeyError:
            return None
        if info.file_size > limit:
            raise CheckpointError(f"{self.where}: record {name} declares {info.file_size} "
                                  f"bytes, more than the {limit} it may hold")
        return self.zf.read(info)

    def pickle(self) -> bytes:
        return self._read_small("data.pkl", _MAX_PICKLE)

    def read_storage(self, key: str, nbytes: int) -> bytes:
        try:
            info = self.zf.getinfo(f"{self.prefix}data/{key}")
        except KeyError:
            raise CheckpointError(f"{self.where}: storage data/{key} is missing from the "
                                  "archive") from None
        if info.file_size != nbytes:
            raise CheckpointError(f"{self.where}: storage data/{key} holds {info.file_size} "
                                  f"bytes, but its tensor needs {nbytes} (corrupted file)")
        with self.zf.open(info) as f:
            data = f.read(nbytes + 1)
        if len(data) != nbytes:
            raise CheckpointError(f"{self.where}: storage data/{key} is truncated or corrupt")
        return data


def load_torch_zip(fileobj, where: str, weights_only: bool, to_device):
    """Load a ``torch.save`` zip: returns ``(object, {id(tensor): widened dtype},
    [unsupported paths])``."""
    try:
        zf = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise CheckpointError(f"{where}: a damaged zip file ({e})") from None
    with zf:
        archive = Archive(zf, where)
        data = archive.pickle()
        up = TorchUnpickler(data, archive, where, weights_only, to_device)
        try:
            obj = up.load()
        except CheckpointError:
            raise
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError,
                AttributeError, RecursionError, zipfile.BadZipFile) as e:
            raise UnpicklingError(f"{where}: the pickled object cannot be rebuilt "
                                  f"({type(e).__name__}: {e})") from None
    return obj, up.widened


__all__ = ["load_torch_zip", "unsafe_globals", "Unsupported"]
