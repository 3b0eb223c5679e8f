"""L-BFGS: limited-memory quasi-Newton steps re-evaluating the loss through a closure."""
from __future__ import annotations

from typing import Callable, Iterable

from ..autograd.grad_mode import enable_grad
from ..autograd.tensor import Tensor
from ..autograd.version import bump
from ..backend import get_array_module
from ._validate import check_nonneg
from .line_search import strong_wolfe
from .optimizer import Optimizer

#: per-step state kept as lists of flat arrays (not parameter-shaped, so restored as they are)
_HISTORY_KEYS = ("old_dirs", "old_stps")
_FLAT_KEYS = ("d", "prev_flat_grad")


def _loss_value(loss) -> float:
    return float(loss.item() if isinstance(loss, Tensor) else loss)


class LBFGS(Optimizer):
    r"""L-BFGS, ``torch.optim.LBFGS``'s algorithm, arguments and defaults.

    Each ``step(closure)`` runs up to ``max_iter`` iterations on the flattened parameters
    ``x`` (all parameters as one vector). With the last ``m = history_size`` pairs
    ``s_k = x_{k+1} - x_k`` and ``y_k = g_{k+1} - g_k`` (kept only when ``y.s > 1e-10``), the
    two-loop recursion gives the direction ``d = -H g`` with the initial Hessian guess
    ``H_0 = (y.s / y.y) I``::

        q = -g;  for k newest..oldest: a_k = rho_k s_k.q;  q -= a_k y_k       (rho_k = 1 / y_k.s_k)
        r = H_0 q;  for k oldest..newest: b = rho_k y_k.r;  r += (a_k - b) s_k;  d = r

    The first iteration ever steps ``t = min(1, 1 / |g|_1) lr`` along ``-g``; later ones try
    ``t = lr``. With ``line_search_fn="strong_wolfe"`` the step is chosen by a strong Wolfe line
    search (cubic interpolation, at most the step's remaining ``max_eval`` evaluations);
    otherwise ``x += t d`` is taken as it is. Iterations stop at
    ``max |g| <= tolerance_grad``, ``max |t d| <= tolerance_change``, a loss change below
    ``tolerance_change``, ``max_iter`` iterations or ``max_eval`` closure calls.

    Paper: Liu & Nocedal, "On the limited memory BFGS method for large scale optimization"
    (Math. Programming 1989); line search from Nocedal & Wright, "Numerical Optimization"
    (2006), Algorithms 3.5-3.6.

    Args:
        params: Tensors to optimize (one parameter group only).
        lr: step scale (default 1).
        max_iter: iterations per ``step`` (default 20).
        max_eval: closure calls per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when the largest gradient entry is at most this (1e-7).
        tolerance_change: stop when the step or the loss changes by less (1e-9).
        history_size: number of ``(s, y)`` pairs kept (100).
        line_search_fn: None or ``"strong_wolfe"``.

    State (``state_dict()["state"][0]``, PyTorch's keys): ``func_evals``, ``n_iter``, ``d``,
    ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``, ``prev_flat_grad``, ``prev_loss``
    and ``al`` (flat arrays and lists of them).
    """

    def __init__(self, params: Iterable, lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _check_group(self, group: dict) -> None:
        check_nonneg("LBFGS", group["lr"], "learning rate lr")
        for key in ("max_iter", "max_eval", "history_size"):
            value = group[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"LBFGS: invalid {key}: {value!r} (expected an int >= 1)")
        check_nonneg("LBFGS", group["tolerance_grad"], "tolerance_grad")
        check_nonneg("LBFGS", group["tolerance_change"], "tolerance_change")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: only 'strong_wolfe' is supported as line_search_fn, got "
                             f"{group['line_search_fn']!r}")

    def add_param_group(self, param_group: dict) -> None:
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # ---- flat views of the parameters ---------------------------------------------------------
    def _gather_flat_grad(self):
        xp = get_array_module(self._params[0]._data)
        parts = [xp.zeros(p._data.size, p.dtype) if p.grad is None else p.grad._data.reshape(-1)
                 for p in self._params]
        return xp.concatenate(parts)

    def _add_grad(self, step: float, direction) -> None:
        offset = 0
        for p in self._params:
            n = p._data.size
            xp = get_array_module(p._data)
            # p += step * d (cast to p's dtype first, as an in-place add does)
            update = (direction[offset:offset + n] * step).astype(p.dtype, copy=False)
            xp.add(p._data, update.reshape(p.shape), out=p._data)
            bump(p._vc)  # an in-place change: a graph that saved p refuses backward
            offset += n

    def _directional_evaluate(self, closure, x, t: float, d):
        self._add_grad(t, d)
        loss = _loss_value(closure())
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):
            p._data[...] = saved
            bump(p._vc)
        return loss, flat_grad

    # ---- the step -----------------------------------------------------------------------------
    def step(self, closure: Callable):
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` re-evaluates and returns the loss.

        Returns:
            The loss of the first closure call (before any update).
        """
        if closure is None:
            raise RuntimeError("LBFGS.step requires a closure that re-evaluates the model and "
                               "returns the loss")

        def evaluate():
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = _loss_value(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        xp = get_array_module(flat_grad)
        if float(xp.max(xp.abs(flat_grad))) <= tol_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, h_diag = -flat_grad, [], [], [], 1.0
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = float(xp.dot(y, s))
                if ys > 1e-10:  # keep only pairs with positive curvature
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                    old_dirs.append(y), old_stps.append(s), ro.append(1.0 / ys)
                    h_diag = ys / float(xp.dot(y, y))
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = float(xp.dot(old_stps[i], q)) * ro[i]
                    q -= al[i] * old_dirs[i]
                d = r = q * h_diag
                for i in range(len(old_dirs)):
                    be_i = float(xp.dot(old_dirs[i], r)) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(xp.sum(xp.abs(flat_grad)))) * lr
            else:
                t = lr
            gtd = float(xp.dot(flat_grad, d))
            if gtd > -tol_change:  # not a descent direction
                break

            evals = 0
            if group["line_search_fn"] is not None:
                x_init = [p._data.copy() for p in self._params]

                def along(step, x_init=x_init, d=d):
                    return self._directional_evaluate(evaluate, x_init, step, d)

                # the search may use what is left of this step's max_eval (as PyTorch does)
                loss, flat_grad, t, evals = strong_wolfe(along, xp, t, d, loss, flat_grad, gtd,
                                                         max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = float(xp.max(xp.abs(flat_grad))) <= tol_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:  # re-evaluate unless this was the last iteration
                    loss = _loss_value(evaluate())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = float(xp.max(xp.abs(flat_grad))) <= tol_grad
                    evals = 1
            current_evals += evals
            state["func_evals"] += evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if float(xp.max(xp.abs(d * t))) <= tol_change or abs(loss - prev_loss) < tol_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss

    # ---- serialization ------------------------------------------------------------------------
    def state_dict(self) -> dict:
        sd = super().state_dict()
        for st in sd["state"].values():
            for key in _HISTORY_KEYS + ("ro", "al"):
                if isinstance(st.get(key), list):
                    st[key] = [v.copy() if hasattr(v, "shape") else v for v in st[key]]
        return sd

    def _restore_entry(self, p: Tensor, st: dict, key) -> dict:
        xp = get_array_module(p._data)
        out = {}
        for k, v in st.items():
            if k in _HISTORY_KEYS:
                out[k] = [None if a is None else xp.array(a) for a in v]
            elif k in ("ro", "al"):
                out[k] = [None if a is None else float(a) for a in v]
            elif k in _FLAT_KEYS:
                out[k] = None if v is None else xp.array(v)
            elif k in ("t", "H_diag", "prev_loss"):
                out[k] = None if v is None else float(v)
            else:
                out[k] = int(v)
        return out
