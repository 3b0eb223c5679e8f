"""Datasets: procedural (no files) and real (IDX files, scikit-learn's digits).

Every builder returns NumPy arrays ``(X, y)``: float32 inputs and int64 class labels (float32
``(N, 1)`` targets for regression tasks). ``TensorDataset(X, y)`` turns them into a Dataset.
"""
from .idx import read_idx, write_idx
from .real import default_root, digits, fashion_mnist, file_md5, mnist
from .sequences import adding_problem, first_token_memory, noisy_sine
from .synthetic import and_, blobs, circles, moons, or_, regression, spirals, xor

__all__ = [
    "read_idx", "write_idx", "default_root", "digits", "fashion_mnist", "file_md5", "mnist",
    "adding_problem", "first_token_memory", "noisy_sine", "and_", "blobs", "circles", "moons",
    "or_", "regression", "spirals", "xor",
]
