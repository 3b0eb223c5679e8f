"""Optimizers (``torch.optim`` names, defaults and update rules)."""
