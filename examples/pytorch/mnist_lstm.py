"""Classify MNIST digits with an LSTM that reads each image row by row, as a plain PyTorch program.

Each 28x28 image is a sequence of 28 rows of 28 pixels fed to ``nn.LSTM(batch_first=True)``; the
last time step's hidden state goes through a linear layer to 10 logits, trained with cross-entropy
and Adam. Data as in ``mnist_cnn.py`` (IDX files under ``--data``, else synthetic digits).

Usage: python mnist_lstm.py [--data DIR] [--epochs 2] [--batches N]
The last line printed is ``RESULT {json}`` with the first and last training-batch losses, the test
loss and the test accuracy.
"""
import argparse
import json

import torch
import torch.nn as nn
import torch.nn.functional as F
from mnist_data import load_digits
from torch.utils.data import DataLoader, TensorDataset


class RowLSTM(nn.Module):
    def __init__(self, input_size=28, hidden_size=64, num_layers=1, num_classes=10):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, images):
        rows = images.squeeze(1)            # (N, 28 time steps, 28 features)
        output, (h_n, c_n) = self.lstm(rows)
        return self.fc(output[:, -1, :])    # logits from the last step's hidden state


def run_epoch(model, loader, device, optimizer=None, max_batches=0):
    """One pass; trains when an optimizer is given. Returns (per-batch losses, accuracy)."""
    model.train(optimizer is not None)
    losses, correct, seen = [], 0, 0
    with torch.set_grad_enabled(optimizer is not None):
        for i, (images, labels) in enumerate(loader):
            if max_batches and i >= max_batches:
                break
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            loss = F.cross_entropy(logits, labels)
            if optimizer is not None:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            losses.append(loss.item())
            correct += (logits.argmax(1) == labels).sum().item()
            seen += labels.size(0)
    return losses, correct / seen


def main():
    parser = argparse.ArgumentParser(description="MNIST rows through an LSTM")
    parser.add_argument("--data", default=None, help="folder with the MNIST IDX files")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batches", type=int, default=0, help="stop each epoch after N batches")
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--n-test", type=int, default=10000)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    (train_x, train_y), (test_x, test_y) = load_digits(args.data, args.n_train, args.n_test)
    train_loader = DataLoader(TensorDataset(train_x, train_y), batch_size=args.batch_size,
                              shuffle=True)
    test_loader = DataLoader(TensorDataset(test_x, test_y), batch_size=256)

    model = RowLSTM(hidden_size=args.hidden).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    history = []
    for epoch in range(1, args.epochs + 1):
        losses, train_acc = run_epoch(model, train_loader, device, optimizer, args.batches)
        history += losses
        test_losses, test_acc = run_epoch(model, test_loader, device)
        print(f"epoch {epoch}: train loss {sum(losses) / len(losses):.4f} acc {train_acc:.3f}, "
              f"test loss {sum(test_losses) / len(test_losses):.4f} acc {test_acc:.3f}")

    print("RESULT " + json.dumps({"first_loss": history[0], "last_loss": history[-1],
                                  "test_loss": sum(test_losses) / len(test_losses),
                                  "accuracy": test_acc}))


if __name__ == "__main__":
    main()
