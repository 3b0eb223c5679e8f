"""Flatten a module's parameters into one vector and write such a vector back."""
from __future__ import annotations

from typing import Iterable

from ...autograd.tensor import Tensor
from ...ops.shape import cat, reshape


def _tensors(parameters, where: str) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        raise TypeError(f"{where}: expected an iterable of Tensors, got a single Tensor; "
                        f"wrap it in a list")
    params = list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: parameters[{i}] is a {type(p).__name__}, expected a Tensor")
    return params


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Concatenate the flattened parameters into one 1-D Tensor (differentiable, a copy).

    Args:
        parameters: Tensors of shapes ``s_1, ..., s_k``.

    Returns:
        (sum_i prod(s_i),) Tensor: ``cat([p.reshape(-1) for p in parameters])``.
    """
    params = _tensors(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: expects a non-empty iterable of Tensors")
    return cat([reshape(p, (-1,)) for p in params], 0)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' arrays, in order (in place).

    Args:
        vec: (n,) Tensor with ``n`` the parameters' total number of elements.
        parameters: the Tensors to overwrite (their shapes and dtypes are kept).

    Raises:
        TypeError: ``vec`` is not a Tensor.
        ValueError: ``vec`` is not 1-D or its length differs from the total size.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, got "
                        f"{type(vec).__name__}")
    params = _tensors(parameters, "vector_to_parameters")
    total = sum(p._data.size for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: vec of shape {tuple(vec.shape)} does not "
                         f"match the parameters' {total} elements")
    offset = 0
    for p in params:
        n = p._data.size
        # in place, as torch's ``param._data = ...`` leaves the Parameter object in the module
        p._data[...] = vec._data[offset:offset + n].reshape(p.shape)
        offset += n
