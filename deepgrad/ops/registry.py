"""The op registry: one row per op gives its ``dg.*`` function, Tensor method, ``F`` alias and docs.

An op is a Function plus a wrapper (or a composite wrapper written with Tensor ops). Registering the
wrapper, with ``@register(family)`` next to its definition or as a row of a family's table, is all
it takes: ``install()`` puts the methods on Tensor, ``namespace('dg')`` / ``namespace('F')`` give
the package and ``F`` names, ``coverage_markdown()`` writes ``docs/ops.md``, and the op tests
iterate ``OPS`` so that a registered op without a test case fails.

Run ``python -m deepgrad.ops > docs/ops.md`` to regenerate the docs table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class OpInfo:
    """One registered op.

    Attributes:
        name: the PyTorch name (``dg.<name>``, ``Tensor.<name>``).
        fn: the wrapper taking Tensors (the first one is ``self`` for the method).
        family: section of the coverage table ("elementwise", "reduction", ...).
        function: exported as ``dg.<name>`` (False for method-only ops such as ``view``).
        method: installed as ``Tensor.<name>`` (False for ``dg.cat``-like functions); a
            callable is the method itself where its signature differs (``Tensor.where``).
        functional: also exported as ``F.<name>`` (as ``torch.nn.functional`` has it).
        differentiable: whether gradients flow through it (the docs table says so).
        aliases: other names for the same op (``clip`` for ``clamp``), registered alike.
        operators: Python operator methods bound to it (``__eq__``, ``__mod__``, ...).
    """

    name: str
    fn: Callable
    family: str
    function: bool = True
    method: bool | Callable = True
    functional: bool = False
    differentiable: bool = True
    aliases: tuple = ()
    operators: tuple = ()


OPS: dict[str, OpInfo] = {}
OPERATORS: dict[str, Callable] = {}  # Python protocol methods that are not one op's alias
ALIASES: dict[str, str] = {}  # alias -> canonical name

FAMILIES = ("arithmetic", "elementwise", "comparison", "reduction", "scan", "sorting",
            "indexing", "shape", "linalg", "activation", "creation", "conversion")


def register(family: str, *, name: str | None = None, function: bool = True,
             method: bool | Callable = True, functional: bool = False, differentiable: bool = True,
             aliases: tuple = (), operators: tuple = ()):
    """Decorator registering a wrapper under its own name (or ``name``); returns it unchanged."""
    if family not in FAMILIES:
        raise ValueError(f"register: unknown family {family!r}; expected one of {FAMILIES}")

    def deco(fn):
        op = name or fn.__name__
        if op in OPS or op in ALIASES:
            raise ValueError(f"register: op {op!r} is registered twice")
        OPS[op] = OpInfo(op, fn, family, function, method, functional, differentiable,
                         tuple(aliases), tuple(operators))
        for a in aliases:
            ALIASES[a] = op
        return fn

    return deco


def operator(name: str, fn: Callable) -> None:
    """Install ``fn`` as ``Tensor.<name>`` (``__getitem__``, ``__setitem__``, ``__format__``)."""
    OPERATORS[name] = fn


def row(name: str, fn: Callable, family: str, **kwargs) -> None:
    """Register ``fn`` as op ``name``: the table form of ``register`` for existing wrappers."""
    register(family, name=name, **kwargs)(fn)


def _entries():
    for op in OPS.values():
        yield op.name, op
        for a in op.aliases:
            yield a, op


def install(tensor_cls) -> None:
    """Put every registered method, alias and operator method on ``tensor_cls``."""
    for name, op in _entries():
        if op.method:
            setattr(tensor_cls, name, op.method if callable(op.method) else op.fn)
    for op in OPS.values():
        for dunder in op.operators:
            # ``__rmod__`` next to ``__mod__`` is the reflected form: ``2 % x`` is ``fn(2, x)``.
            reflected = dunder.startswith("__r") and f"__{dunder[3:]}" in op.operators
            setattr(tensor_cls, dunder, _reflect(op.fn) if reflected else op.fn)
    for name, fn in OPERATORS.items():
        setattr(tensor_cls, name, fn)


def _reflect(fn):
    def method(self, other):
        return fn(other, self)

    method.__name__ = f"r{fn.__name__}"
    return method


def namespace(kind: str) -> dict:
    """The functions to export: ``'dg'`` for the package, ``'F'`` for ``nn.functional``,
    ``'linalg'`` for ``dg.linalg``."""
    if kind == "linalg":  # ops registered as "linalg.<name>"
        return {name[7:]: op.fn for name, op in _entries() if name.startswith("linalg.")}
    if kind not in ("dg", "F"):
        raise ValueError(f"namespace: kind must be 'dg', 'F' or 'linalg', got {kind!r}")
    flag = "function" if kind == "dg" else "functional"
    return {name: op.fn for name, op in _entries() if getattr(op, flag)}


def coverage_markdown() -> str:
    """The docs coverage table: one line per family listing its ops and how each is reached."""
    lines = ["# Tensor operations", "",
             "Generated from `deepgrad.ops.registry` by "
             "`python -m deepgrad.ops > docs/ops.md`; a test checks it is current.", "",
             "Marks: `dg` = `deepgrad.<name>`, `T` = `Tensor.<name>`, `F` = "
             "`deepgrad.nn.functional.<name>`, `∂` = differentiable.", ""]
    for family in FAMILIES:
        ops = sorted((o for o in OPS.values() if o.family == family), key=lambda o: o.name)
        if not ops:
            continue
        lines += [f"## {family} ({len(ops)})", "", "| op | reached as | ∂ | aliases |",
                  "|---|---|---|---|"]
        for o in ops:
            where = " ".join(m for m, f in (("dg", o.function), ("T", o.method),
                                            ("F", o.functional),
                                            ("dg", o.name.startswith("linalg."))) if f)
            lines.append(f"| `{o.name}` | {where} | {'yes' if o.differentiable else 'no'} | "
                         f"{', '.join(f'`{a}`' for a in o.aliases)} |")
        lines.append("")
    return "\n".join(lines)

