"""Polynomial regression with one linear layer and a hand-written gradient step (plain PyTorch).

A random degree-4 polynomial ``y = w1 x + w2 x^2 + w3 x^3 + w4 x^4 + b`` is the target; the model is
``nn.Linear(4, 1)`` on the features ``[x, x^2, x^3, x^4]``. Each step draws a fresh batch of
``x ~ N(0, 1)``, takes the smooth-L1 loss, and updates every parameter by hand
(``p.data.add_(p.grad, alpha=-lr)``), until the loss falls below ``--tol``.

Usage: python regression.py [--batch-size 32] [--lr 0.1] [--tol 1e-3] [--max-steps 100000]
The last line printed is ``RESULT {json}``: steps taken, final loss, whether it converged, and the
largest coefficient error.
"""
import argparse
import json
from itertools import count

import torch
import torch.nn.functional as F

POLY_DEGREE = 4


def make_features(x):
    """(N,) -> (N, POLY_DEGREE) with columns x, x^2, ..., x^POLY_DEGREE."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def poly_desc(W, b):
    terms = " ".join(f"{w:+.2f} x^{i}" for i, w in enumerate(W, 1))
    return f"y = {terms} {b:+.2f}"


def main():
    parser = argparse.ArgumentParser(description="Fit a random polynomial")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--tol", type=float, default=1e-3)
    parser.add_argument("--max-steps", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    W_target = torch.randn(POLY_DEGREE, 1) * 5
    b_target = torch.randn(1) * 5

    def f(x):
        return x.mm(W_target) + b_target.item()

    def get_batch(batch_size):
        x = make_features(torch.randn(batch_size))
        return x, f(x)

    fc = torch.nn.Linear(W_target.size(0), 1)
    for step in count(1):
        batch_x, batch_y = get_batch(args.batch_size)
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        for param in fc.parameters():
            param.data.add_(param.grad, alpha=-args.lr)
        if loss < args.tol or step >= args.max_steps:
            break

    print(f"Loss {loss:.6f} after {step} batches")
    print("==> Learned function:\t" + poly_desc(fc.weight.view(-1).tolist(), fc.bias.item()))
    print("==> Actual function:\t" + poly_desc(W_target.view(-1).tolist(), b_target.item()))
    coef_error = max((fc.weight.view(-1) - W_target.view(-1)).abs().max().item(),
                     abs(fc.bias.item() - b_target.item()))
    print("RESULT " + json.dumps({"steps": step, "loss": loss, "converged": loss < args.tol,
                                  "coef_error": coef_error}))


if __name__ == "__main__":
    main()
