"""Imports every module that registers ops, so that the registry is full before it is installed."""
from . import (
    _core_table,
    compare,
    conversion,
    elementwise,
    elementwise_binary,
    extras,
    factories,
    indexing,
    linalg_decomp,
    linalg_norms,
    linalg_power,
    linalg_products,
    masked,
    reduce_more,
    scan,
    setitem,
    shape_diag,
    shape_more,
    sorting,
    stacking,
)

MODULES = (_core_table, compare, conversion, elementwise, elementwise_binary, extras,
           factories,
           indexing, linalg_decomp,
           linalg_norms, linalg_power, linalg_products, masked, reduce_more, scan,
           setitem, shape_diag, shape_more, sorting, stacking)
