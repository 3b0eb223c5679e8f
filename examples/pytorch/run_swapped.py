"""Run a PyTorch program on deepgrad after the import swap alone, nothing else changed.

    python examples/pytorch/run_swapped.py PROGRAM.py [program arguments...]

The program's text is rewritten in memory, one import line at a time:

    import torch                      -> import deepgrad as torch
    import torch as T                 -> import deepgrad as T
    import torch.nn as nn             -> import deepgrad.nn as nn       (any torch.X, alias kept)
    import torch.onnx                 -> import deepgrad.onnx
    from torch.X import a, b          -> from deepgrad.X import a, b    (also ``from torch import``)

Modules that sit next to the program (``import mnist_data`` in ``mnist_cnn.py``) get the same
rewrite when the program imports them; nothing is written to disk (no ``__pycache__`` of the
swapped text). The program then runs as ``__main__`` with ``sys.argv`` set to its arguments.
"""
import importlib.abc
import importlib.util
import os
import re
import sys
import types

_IMPORT = re.compile(r"^(?P<indent>[ \t]*)import[ \t]+torch(?P<sub>(?:\.\w+)*)"
                     r"(?P<alias>[ \t]+as[ \t]+\w+)?(?P<tail>[ \t]*(?:#.*)?)$", re.M)
_FROM = re.compile(r"^(?P<indent>[ \t]*)from[ \t]+torch(?P<sub>(?:\.\w+)*)(?P<rest>[ \t]+import\b)",
                   re.M)
_LEFT = re.compile(r"^[ \t]*(?:import|from)[ \t]+torch\b", re.M)


def _swap_import(m):
    alias = m["alias"] or ""
    if not m["sub"] and not alias:
        alias = " as torch"  # the program keeps calling the package ``torch``
    return f"{m['indent']}import deepgrad{m['sub']}{alias}{m['tail']}"


def swap_imports(source, filename="<program>"):
    """``source`` with every ``torch`` import pointing at ``deepgrad``; other text untouched.

    Raises:
        ValueError: a ``torch`` import in a form the swap does not cover (``import torch, os``).
    """
    swapped = _IMPORT.sub(_swap_import, source)
    swapped = _FROM.sub(lambda m: f"{m['indent']}from deepgrad{m['sub']}{m['rest']}", swapped)
    left = _LEFT.search(swapped)
    if left:
        line = swapped.count("\n", 0, left.start()) + 1
        raise ValueError(f"{filename}:{line}: import form not covered by the swap: "
                         f"{swapped[left.start():swapped.find(chr(10), left.start())]!r}")
    return swapped


class _SwappedLoader(importlib.abc.Loader):
    def __init__(self, path):
        self.path = path

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module):
        with open(self.path, encoding="utf8") as f:
            code = compile(swap_imports(f.read(), self.path), self.path, "exec")
        exec(code, module.__dict__)


class _SiblingFinder(importlib.abc.MetaPathFinder):
    """Finds top-level modules that are ``.py`` files in the program's folder."""

    def __init__(self, folder):
        self.folder = folder

    def find_spec(self, name, path=None, target=None):
        candidate = os.path.join(self.folder, name + ".py")
        if path is not None or "." in name or not os.path.isfile(candidate):
            return None
        return importlib.util.spec_from_file_location(name, candidate,
                                                      loader=_SwappedLoader(candidate))


def run_program(path, argv):
    """Run ``path`` as ``__main__`` after the import swap, with ``sys.argv = [path, *argv]``."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    with open(path, encoding="utf8") as f:
        code = compile(swap_imports(f.read(), path), path, "exec")
    sys.meta_path.insert(0, _SiblingFinder(folder))
    sys.path.insert(0, folder)
    sys.argv = [path, *argv]
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    exec(code, main.__dict__)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: run_swapped.py PROGRAM.py [program arguments...]")
    sys.path.pop(0)  # this folder is the program's only if the program lives here
    run_program(sys.argv[1], sys.argv[2:])
