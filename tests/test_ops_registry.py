"""Table-driven tests over the op registry: every registered op has a case; each case is checked
against torch (values, dtypes, gradients of each input alone) when installed, by float64
gradcheck, and against its NumPy reference when it has one."""
from __future__ import annotations

import numpy as np
import pytest
from op_cases import arrays, dtype_name, flat, to_numpy, torch
from ops_table_elementwise import CASES as ELEMENTWISE
from ops_table_extras import CASES as EXTRAS
from ops_table_indexing import CASES as INDEXING
from ops_table_linalg import CASES as LINALG
from ops_table_reduce import CASES as REDUCE

import deepgrad as dg
from deepgrad.ops.registry import ALIASES, OPS, coverage_markdown

CASES = ELEMENTWISE + REDUCE + INDEXING + LINALG + EXTRAS
IDS = [c.id for c in CASES]


def test_case_ids_are_unique():
    assert len(IDS) == len(set(IDS)), sorted(i for i in IDS if IDS.count(i) > 1)


def test_every_registered_op_has_a_case():
    covered = {c.op for c in CASES}
    missing = sorted(set(OPS) - covered)
    assert not missing, f"registered ops without a test case: {missing}"
    unknown = sorted(covered - set(OPS) - set(ALIASES))
    assert not unknown, f"cases for ops that are not registered: {unknown}"


def test_docs_table_is_current():
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "docs" / "ops.md"
    assert path.read_text() == coverage_markdown() + "\n", (
        "docs/ops.md is stale: run python -m deepgrad.ops > docs/ops.md")


def _inputs(m, arrs, grad_index=None, all_grad=False):
    """Tensors of module ``m`` (deepgrad or torch); float ones require grad as asked."""
    return [m.tensor(a, requires_grad=bool(a.dtype.kind == "f" and (all_grad or i == grad_index)))
            for i, a in enumerate(arrs)]


def _dg_inputs(arrs, grad_index=None, all_grad=False):
    return _inputs(dg, arrs, grad_index, all_grad)


def _torch_inputs(arrs, grad_index=None, all_grad=False):
    return _inputs(torch, arrs, grad_index, all_grad)


def _float_indices(case):
    return [i for i, a in enumerate(arrays(case)) if a.dtype.kind == "f"]


def _loss(outs):
    """``sum_k <w_k, out_k>`` over the outputs that require grad (random ``w``, same for both)."""
    rng = np.random.default_rng(0)
    terms = []
    for o in outs:
        if isinstance(o, dg.Tensor) and o.requires_grad:
            w = rng.standard_normal(o.shape)
            terms.append((o * dg.tensor(w, dtype=o.dtype)).sum())
        elif torch is not None and isinstance(o, torch.Tensor) and o.requires_grad:
            w = rng.standard_normal(tuple(o.shape))
            terms.append((o * torch.tensor(w, dtype=o.dtype)).sum())
    return terms


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_and_dtypes_match_torch(case):
    if torch is None:
        pytest.skip("torch is not installed")
    for dtype in (np.float64, np.float32):
        arrs = arrays(case, dtype)
        got = flat(case.call(dg, *_dg_inputs(arrs)))
        want = flat(case.call(torch, *_torch_inputs(arrs)))
        assert len(got) == len(want), case.id
        tol = case.rtol if dtype == np.float64 else max(case.rtol, 2e-5)
        for g, w in zip(got, want):
            if isinstance(w, torch.Tensor):
                assert isinstance(g, dg.Tensor), (case.id, type(g))
                assert dtype_name(g) == dtype_name(w), (case.id, dtype_name(g), dtype_name(w))
            else:
                assert type(g) is type(w) or isinstance(g, type(w)), (case.id, g, w)
            gn, wn = to_numpy(g), to_numpy(w)
            assert gn.shape == wn.shape, (case.id, gn.shape, wn.shape)
            np.testing.assert_allclose(gn, wn, rtol=tol, atol=tol, err_msg=case.id)


TORCH_GRAD = [c for c in CASES if c.grad and c.torch_grad]


@pytest.mark.parametrize("case", TORCH_GRAD, ids=[c.id for c in TORCH_GRAD])
def test_gradients_match_torch_each_input_alone(case):
    if torch is None:
        pytest.skip("torch is not installed")
    arrs = arrays(case)
    indices = _float_indices(case)
    for which in indices + [None]:
        every = which is None
        if every and len(indices) < 2:
            continue
        d_in = _dg_inputs(arrs, which, every)
        t_in = _torch_inputs(arrs, which, every)
        d_terms = _loss(flat(case.call(dg, *d_in)))
        t_terms = _loss(flat(case.call(torch, *t_in)))
        assert len(d_terms) == len(t_terms), case.id
        if not t_terms:
            continue
        sum(t_terms).backward()
        sum(d_terms).backward()
        for d, t in zip(d_in, t_in):
            if not t.requires_grad:
                continue
            want = np.zeros(t.shape) if t.grad is None else t.grad.numpy(force=True)
            got = np.zeros(d.shape) if d.grad is None else d.grad.numpy()
            np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9,
                                       err_msg=f"{case.id} input {which}")


def _tensor_outputs(out):
    return tuple(o for o in flat(out) if isinstance(o, dg.Tensor))


@pytest.mark.parametrize("case", [c for c in CASES if c.grad and c.gradcheck],
                         ids=[c.id for c in CASES if c.grad and c.gradcheck])
def test_gradcheck_each_input_alone(case):
    arrs = arrays(case)
    for which in _float_indices(case):
        inputs = _dg_inputs(arrs, which)
        if not any(o.requires_grad for o in _tensor_outputs(case.call(dg, *inputs))):
            continue  # the output does not depend on this input (view_as's shape argument)
        assert dg.autograd.gradcheck(lambda *xs: _tensor_outputs(case.call(dg, *xs)), inputs), \
            f"{case.id} input {which}"


@pytest.mark.parametrize("case", [c for c in CASES if c.ref is not None],
                         ids=[c.id for c in CASES if c.ref is not None])
def test_numpy_reference(case):
    arrs = arrays(case)
    got = flat(case.call(dg, *_dg_inputs(arrs)))
    want = flat(case.ref(*[a.copy() for a in arrs]))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(to_numpy(g), np.asarray(w), rtol=1e-7, atol=1e-9,
                                   err_msg=case.id)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_no_graph_under_no_grad(case):
    arrs = arrays(case)
    inputs = _dg_inputs(arrs, all_grad=True)
    with dg.no_grad():
        outs = flat(case.call(dg, *inputs))
    for o in outs:
        if isinstance(o, dg.Tensor) and not any(o is t for t in inputs):
            assert not o.requires_grad and o.grad_fn is None, case.id
