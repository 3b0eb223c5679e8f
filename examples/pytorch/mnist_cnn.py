"""The classic MNIST convolutional network, as a plain PyTorch program.

Two 3x3 convolutions (1->32->64), max-pool, dropout 0.25, a 9216->128 hidden layer, dropout 0.5 and
a 10-way log-softmax trained with the negative log-likelihood, Adadelta (lr 1.0) and a StepLR
schedule (gamma 0.7). Data: the MNIST IDX files under ``--data`` when given, else a synthetic
10-class 28x28 set (see ``mnist_data.py``), so the program runs anywhere.

Usage: python mnist_cnn.py [--data DIR] [--epochs 2] [--batches N] [--save-model PATH]
The last line printed is ``RESULT {json}`` with the first and last training-batch losses, the test
loss and the test accuracy.
"""
import argparse
import json

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from mnist_data import load_digits
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))          # (N, 32, 26, 26)
        x = F.relu(self.conv2(x))          # (N, 64, 24, 24)
        x = F.max_pool2d(x, 2)             # (N, 64, 12, 12)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)            # (N, 9216)
        x = self.dropout2(F.relu(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)


def train(args, model, device, loader, optimizer, epoch):
    model.train()
    losses = []
    for batch_idx, (data, target) in enumerate(loader):
        if args.batches and batch_idx >= args.batches:
            break
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if batch_idx % args.log_interval == 0:
            print(f"Train epoch {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]"
                  f"\tloss {loss.item():.6f}")
    return losses


def test(model, device, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    n = len(loader.dataset)
    print(f"Test: average loss {test_loss / n:.4f}, "
          f"accuracy {correct}/{n} ({100.0 * correct / n:.1f}%)")
    return test_loss / n, correct / n


def main():
    parser = argparse.ArgumentParser(description="MNIST convolutional network")
    parser.add_argument("--data", default=None, help="folder with the MNIST IDX files")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--test-batch-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--batches", type=int, default=0, help="stop each epoch after N batches")
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--n-test", type=int, default=10000)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--num-workers", type=int, default=1)
    parser.add_argument("--no-accel", action="store_true", help="train on the CPU")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=10)
    parser.add_argument("--save-model", default=None, help="path for the trained state dict")
    args = parser.parse_args()

    use_accel = not args.no_accel and torch.accelerator.is_available()
    torch.manual_seed(args.seed)
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")

    (train_x, train_y), (test_x, test_y) = load_digits(args.data, args.n_train, args.n_test)
    train_x, test_x = (train_x - 0.1307) / 0.3081, (test_x - 0.1307) / 0.3081
    loader_kwargs = {"num_workers": args.num_workers, "pin_memory": use_accel}
    train_loader = DataLoader(TensorDataset(train_x, train_y), batch_size=args.batch_size,
                              shuffle=True, **loader_kwargs)
    test_loader = DataLoader(TensorDataset(test_x, test_y), batch_size=args.test_batch_size,
                             **loader_kwargs)

    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    losses = []
    for epoch in range(1, args.epochs + 1):
        losses += train(args, model, device, train_loader, optimizer, epoch)
        test_loss, accuracy = test(model, device, test_loader)
        scheduler.step()

    if args.save_model:
        torch.save(model.state_dict(), args.save_model)
    print("RESULT " + json.dumps({"first_loss": losses[0], "last_loss": losses[-1],
                                  "test_loss": test_loss, "accuracy": accuracy,
                                  "lr": scheduler.get_last_lr()[0], "device": str(device)}))


if __name__ == "__main__":
    main()
