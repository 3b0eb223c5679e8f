"""A fully connected variational autoencoder on MNIST digits, as a plain PyTorch program.

Encoder 784 -> 400 -> (mu, logvar) of a 20-dimensional Gaussian; a sample ``mu + eps * std`` (the
reparameterization trick, ``eps ~ N(0, I)``) decodes 20 -> 400 -> 784 through a sigmoid. The loss
per batch is the summed binary cross-entropy of the reconstruction plus the KL divergence
``-1/2 * sum(1 + logvar - mu^2 - exp(logvar))``; Adam trains it. At the end 64 codes drawn from the
prior are decoded and written as an 8x8 grid to a PGM image. Data as in ``mnist_cnn.py``.

Usage: python vae.py [--data DIR] [--epochs 10] [--batches N] [--out DIR]
The last line printed is ``RESULT {json}`` with the first and last epoch's training loss per image,
the test loss per image and the mean pixel of the sampled images.
"""
import argparse
import json
import os

import torch
from mnist_data import load_digits
from torch import nn, optim
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset


class VAE(nn.Module):
    def __init__(self, latent=20):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, latent)
        self.fc22 = nn.Linear(400, latent)
        self.fc3 = nn.Linear(latent, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def write_pgm(images, path, nrow=8):
    """(N, 784) values in [0, 1] -> an nrow-wide grid of 28x28 tiles as a binary PGM file."""
    n = images.size(0) // nrow * nrow
    grid = images[:n].view(n // nrow, nrow, 28, 28).permute(0, 2, 1, 3).reshape(n // nrow * 28, -1)
    pixels = (grid * 255).round().to(torch.uint8)
    with open(path, "wb") as f:
        f.write(f"P5 {pixels.size(1)} {pixels.size(0)} 255\n".encode())
        f.write(bytes(pixels.flatten().tolist()))


def main():
    parser = argparse.ArgumentParser(description="VAE on MNIST digits")
    parser.add_argument("--data", default=None, help="folder with the MNIST IDX files")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batches", type=int, default=0, help="stop each epoch after N batches")
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--n-test", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="results", help="folder for the sampled image grid")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    (train_x, train_y), (test_x, test_y) = load_digits(args.data, args.n_train, args.n_test)
    train_loader = DataLoader(TensorDataset(train_x, train_y), batch_size=args.batch_size,
                              shuffle=True)
    test_loader = DataLoader(TensorDataset(test_x, test_y), batch_size=args.batch_size)

    model = VAE().to(device)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    epoch_losses = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, seen = 0.0, 0
        for i, (data, _) in enumerate(train_loader):
            if args.batches and i >= args.batches:
                break
            data = data.to(device)
            optimizer.zero_grad()
            recon, mu, logvar = model(data)
            loss = loss_function(recon, data, mu, logvar)
            loss.backward()
            optimizer.step()
            total += loss.item()
            seen += len(data)
        epoch_losses.append(total / seen)

        model.eval()
        test_loss = 0.0
        with torch.no_grad():
            for data, _ in test_loader:
                data = data.to(device)
                recon, mu, logvar = model(data)
                test_loss += loss_function(recon, data, mu, logvar).item()
        test_loss /= len(test_loader.dataset)
        print(f"epoch {epoch}: train loss {epoch_losses[-1]:.2f}, test loss {test_loss:.2f}")

    with torch.no_grad():
        sample = model.decode(torch.randn(64, 20).to(device)).cpu()
    os.makedirs(args.out, exist_ok=True)
    write_pgm(sample, os.path.join(args.out, "sample.pgm"))
    print("RESULT " + json.dumps({"first_loss": epoch_losses[0], "last_loss": epoch_losses[-1],
                                  "test_loss": test_loss, "sample_mean": sample.mean().item()}))


if __name__ == "__main__":
    main()
