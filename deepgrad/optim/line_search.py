"""Strong Wolfe line search with cubic interpolation (Nocedal & Wright, Algorithms 3.5 and 3.6).

Used by L-BFGS. The search and its zoom phase follow ``torch.optim.lbfgs._strong_wolfe`` step
for step (same brackets, safeguards and iteration limits), so a seeded problem takes the same
trial steps in both libraries. Directions and gradients are flat arrays; losses and step sizes
are Python floats.
"""
from __future__ import annotations

import math


def cubic_interpolate(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                      bounds: tuple | None = None) -> float:
    """Minimizer of the cubic through ``(x1, f1, g1)`` and ``(x2, f2, g2)``, clipped to bounds.

    ``d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2)``, ``d2 = sqrt(d1^2 - g1 g2)``; the minimizer is
    ``x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2)`` (for ``x1 <= x2``). Without a real
    ``d2`` (no minimizer) the bounds' midpoint is returned. Default bounds: ``[x1, x2]``.
    """
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(pos, lo), hi)
    return (lo + hi) / 2.0


def strong_wolfe(obj_func, xp, t: float, d, f: float, g, gtd: float, c1: float = 1e-4,
                 c2: float = 0.9, tolerance_change: float = 1e-9, max_ls: int = 25):
    """Find a step ``t`` along ``d`` meeting the strong Wolfe conditions.

    Conditions: sufficient decrease ``f(t) <= f + c1 t g.d`` and curvature
    ``|g(t).d| <= -c2 g.d``.

    Args:
        obj_func: ``t -> (loss, flat gradient)`` at ``x + t d`` (parameters restored after).
        xp: the array module of ``d`` and ``g``.
        t: the first trial step.
        d: (n,) search direction; f, g, gtd: loss, flat gradient and ``g.d`` at ``t = 0``.
        c1, c2: the Wolfe constants; tolerance_change: the smallest bracket width (times
            ``max |d|``) worth refining; max_ls: the most function evaluations.

    Returns:
        ``(loss, flat gradient, t, evaluations)`` at the accepted step.
    """
    d_norm = float(xp.max(xp.abs(d)))
    g = g.copy()
    f_new, g_new = obj_func(t)
    evals = 1
    gtd_new = float(xp.dot(g_new, d))
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0
    bracket = bracket_f = bracket_g = bracket_gtd = None
    while ls_iter < max_ls:  # bracketing phase
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate: the next trial lies between 1.01 t - 0.01 t_prev and 10 t
        min_step, max_step = t + 0.01 * (t - t_prev), t * 10
        previous = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                              bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(t)
        evals += 1
        gtd_new = float(xp.dot(g_new, d))
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]

    insufficient = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:  # zoom phase
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                              bracket[1], bracket_f[1], bracket_gtd[1])
        # a trial too close to an end of the bracket is pushed 10% of its width inside,
        # unless the previous trial made enough progress
        top, bottom = max(bracket), min(bracket)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            if insufficient or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        f_new, g_new = obj_func(t)
        evals += 1
        gtd_new = float(xp.dot(g_new, d))
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new.copy(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new.copy(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals
