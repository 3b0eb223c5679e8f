"""Predict sine waves with two stacked LSTM cells trained by L-BFGS, as a plain PyTorch program.

Data: ``--n-waves`` sine waves ``sin((t + shift) / T)`` of ``--length`` points with random integer
shifts (NumPy, saved with ``torch.save`` to ``--data-file`` and loaded back). Model:
``nn.LSTMCell(1, 51)`` -> ``nn.LSTMCell(51, 51)`` -> ``nn.Linear(51, 1)`` in float64
(``.double()``), unrolled over the sequence one step at a time; after the input ends it feeds its
own output back for ``--future`` steps. The first three waves are held out for testing; the rest
train with MSE and ``optim.LBFGS(lr=0.8)`` through a closure.

Usage: python time_sequence.py [--steps 15] [--n-waves 100] [--length 1000] [--future 1000]
The last line printed is ``RESULT {json}``: the training loss of the first and last L-BFGS steps,
the test loss, and the mean absolute value of the predicted future.
"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


def make_waves(n, length, period=20):
    """(n, length) float64 NumPy array of sine waves with random integer phase shifts."""
    x = np.empty((n, length), "int64")
    x[:] = np.array(range(length)) + np.random.randint(-4 * period, 4 * period, n).reshape(n, 1)
    return np.sin(x / 1.0 / period).astype("float64")


class Sequence(nn.Module):
    def __init__(self, hidden=51):
        super().__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, input, future=0):
        """(N, T) -> (N, T + future): one-step-ahead predictions, then free-running ones."""
        outputs = []
        n = input.size(0)
        h_t = torch.zeros(n, self.hidden, dtype=torch.double)
        c_t = torch.zeros(n, self.hidden, dtype=torch.double)
        h_t2 = torch.zeros(n, self.hidden, dtype=torch.double)
        c_t2 = torch.zeros(n, self.hidden, dtype=torch.double)
        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for _ in range(future):  # feed the prediction back in
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        return torch.cat(outputs, dim=1)


def main():
    parser = argparse.ArgumentParser(description="Sine-wave prediction with LSTM cells and L-BFGS")
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--n-waves", type=int, default=100)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--future", type=int, default=1000)
    parser.add_argument("--data-file", default="traindata.pt")
    args = parser.parse_args()

    np.random.seed(2)
    if not os.path.exists(args.data_file):
        with open(args.data_file, "wb") as f:
            torch.save(make_waves(args.n_waves, args.length), f)

    np.random.seed(0)
    torch.manual_seed(0)
    data = torch.load(args.data_file, weights_only=False)
    input = torch.from_numpy(data[3:, :-1])
    target = torch.from_numpy(data[3:, 1:])
    test_input = torch.from_numpy(data[:3, :-1])
    test_target = torch.from_numpy(data[:3, 1:])

    seq = Sequence()
    seq.double()
    criterion = nn.MSELoss()
    optimizer = optim.LBFGS(seq.parameters(), lr=0.8)
    train_losses = []
    for i in range(args.steps):
        def closure():
            optimizer.zero_grad()
            out = seq(input)
            loss = criterion(out, target)
            loss.backward()
            return loss
        train_losses.append(optimizer.step(closure).item())
        print(f"STEP {i}: loss {train_losses[-1]:.6g}")

        with torch.no_grad():
            pred = seq(test_input, future=args.future)
            test_loss = criterion(pred[:, :-args.future], test_target)
            print(f"test loss: {test_loss.item():.6g}")
        y = pred.detach().numpy()

    future_abs = float(np.abs(y[:, input.size(1):]).mean())
    print("RESULT " + json.dumps({"first_loss": train_losses[0], "last_loss": train_losses[-1],
                                  "test_loss": test_loss.item(), "future_abs_mean": future_abs}))


if __name__ == "__main__":
    main()
