"""python -m benchmarks.data_loading [--rounds R]: data pipeline speed vs PyTorch and imblearn.

One epoch of shuffled batches of 128 over an MNIST-sized (60000, 784) float32 set through each
framework's DataLoader + TensorDataset (and deepgrad's item-by-item path), a batch of image
augmentations, and SMOTE against imbalanced-learn. Rounds alternate the contenders; medians and
ranges are printed, with the ratio deepgrad / reference of the per-round medians.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import time

import numpy as np


def _time(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _epoch(loader) -> None:
    for _ in loader:
        pass


def loader_cases() -> dict:
    from deepgrad.data import DataLoader, Dataset, TensorDataset

    rng = np.random.default_rng(0)
    X = rng.random((60000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 60000)

    class Items(Dataset):
        def __len__(self):
            return len(y)

        def __getitem__(self, i):
            return X[i], y[i]

    cases = {"deepgrad TensorDataset": DataLoader(TensorDataset(X, y), 128, shuffle=True),
             "deepgrad item path": DataLoader(Items(), 128, shuffle=True)}
    if importlib.util.find_spec("torch"):
        import torch
        from torch.utils.data import DataLoader as TorchLoader
        from torch.utils.data import TensorDataset as TorchTensorDataset

        torch.set_num_threads(2)
        cases["torch TensorDataset"] = TorchLoader(
            TorchTensorDataset(torch.from_numpy(X), torch.from_numpy(y)), 128, shuffle=True)
    return {k: (lambda v=v: _epoch(v)) for k, v in cases.items()}


def other_cases() -> dict:
    from deepgrad.data import transforms as T
    from deepgrad.data.sampling import SMOTE

    imgs = np.random.default_rng(0).random((128, 1, 28, 28), dtype=np.float32)
    rot, aff = T.RandomRotation(15), T.RandomAffine(10, (0.1, 0.1), (0.9, 1.1), 5)
    cases = {"RandomRotation 128x1x28x28": lambda: rot(imgs),
             "RandomAffine 128x1x28x28": lambda: aff(imgs)}
    if importlib.util.find_spec("sklearn") and importlib.util.find_spec("imblearn"):
        from imblearn.over_sampling import SMOTE as REF_SMOTE
        from sklearn.datasets import make_classification

        Xc, yc = make_classification(n_samples=20000, n_features=20, weights=[0.2, 0.8],
                                     random_state=0)
        cases["deepgrad SMOTE 20000x20"] = lambda: SMOTE(random_state=0).fit_resample(Xc, yc)
        cases["imblearn SMOTE 20000x20"] = lambda: REF_SMOTE(random_state=0).fit_resample(Xc, yc)
    return cases


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(argv)
    for cases in (loader_cases(), other_cases()):
        times = {k: [] for k in cases}
        for _ in range(args.rounds):  # interleave contenders so drift hits all alike
            for k, fn in cases.items():
                times[k] += _time(fn, 1)
        for k, v in times.items():
            print(f"{k:32s} median {statistics.median(v) * 1e3:8.1f} ms "
                  f"(range {min(v) * 1e3:.1f}-{max(v) * 1e3:.1f})")
        for ours, ref in [("deepgrad TensorDataset", "torch TensorDataset"),
                          ("deepgrad SMOTE 20000x20", "imblearn SMOTE 20000x20")]:
            if ours in times and ref in times:
                ratio = statistics.median(times[ours]) / statistics.median(times[ref])
                print(f"ratio {ours} / {ref}: {ratio:.2f}")


if __name__ == "__main__":
    main()
