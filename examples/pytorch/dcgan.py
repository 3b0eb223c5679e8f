"""A small DCGAN on synthetic images of disks, as a plain PyTorch program.

Generator: a 100-dimensional noise vector (N, nz, 1, 1) grows through ``ConvTranspose2d`` layers
(kernel 4; stride 1 to 4x4, then stride 2 doubling) with BatchNorm2d and ReLU to a Tanh image.
Discriminator: strided ``Conv2d`` layers with BatchNorm2d and ``LeakyReLU(0.2, inplace=True)`` down
to one sigmoid probability. Weights start from N(0, 0.02) (BatchNorm weight N(1, 0.02), bias 0)
through ``module.apply``; both nets train with BCELoss and Adam(lr 2e-4, betas (0.5, 0.999)).
Data: ``--n-images`` images of bright disks at random centres and radii on a dark field, in [-1, 1].

Usage: python dcgan.py [--image-size 16|32] [--epochs 5] [--batches N] [--outf DIR]
The last line printed is ``RESULT {json}``: the last losses and discriminator outputs, and the mean
and range of images generated from the fixed noise.
"""
import argparse
import json
import os
import random

import torch
import torch.backends.cudnn as cudnn
import torch.nn as nn
import torch.optim as optim
import torch.utils.data


def disks(n, size, generator):
    """(n, 1, size, size) images in [-1, 1]: a disk of value 1 on a field of -1."""
    coords = torch.arange(size, dtype=torch.float32)
    ys, xs = torch.meshgrid(coords, coords, indexing="ij")
    centre = torch.rand(n, 2, generator=generator) * (size * 0.5) + size * 0.25
    radius = torch.rand(n, generator=generator) * (size * 0.2) + size * 0.15
    dist2 = (ys - centre[:, 0].view(n, 1, 1)) ** 2 + (xs - centre[:, 1].view(n, 1, 1)) ** 2
    inside = dist2 <= radius.view(n, 1, 1) ** 2
    return torch.where(inside, 1.0, -1.0).unsqueeze(1)


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.constant_(m.bias, 0)


class Generator(nn.Module):
    def __init__(self, ngpu, nz, ngf, nc, image_size):
        super().__init__()
        self.ngpu = ngpu
        mult = image_size // 8
        layers = [nn.ConvTranspose2d(nz, ngf * mult, 4, 1, 0, bias=False),
                  nn.BatchNorm2d(ngf * mult), nn.ReLU(True)]          # 4x4
        while mult > 1:
            layers += [nn.ConvTranspose2d(ngf * mult, ngf * mult // 2, 4, 2, 1, bias=False),
                       nn.BatchNorm2d(ngf * mult // 2), nn.ReLU(True)]
            mult //= 2
        layers += [nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            return nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self, ngpu, ndf, nc, image_size):
        super().__init__()
        self.ngpu = ngpu
        layers = [nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
        mult, size = 1, image_size // 2
        while size > 4:
            layers += [nn.Conv2d(ndf * mult, ndf * mult * 2, 4, 2, 1, bias=False),
                       nn.BatchNorm2d(ndf * mult * 2), nn.LeakyReLU(0.2, inplace=True)]
            mult, size = mult * 2, size // 2
        layers += [nn.Conv2d(ndf * mult, 1, 4, 1, 0, bias=False), nn.Sigmoid()]
        self.main = nn.Sequential(*layers)

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)
        return output.view(-1, 1).squeeze(1)


def main():
    parser = argparse.ArgumentParser(description="DCGAN on synthetic disks")
    parser.add_argument("--image-size", type=int, default=32, choices=(16, 32, 64))
    parser.add_argument("--n-images", type=int, default=2048)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batches", type=int, default=0, help="stop each epoch after N batches")
    parser.add_argument("--nz", type=int, default=100)
    parser.add_argument("--ngf", type=int, default=32)
    parser.add_argument("--ndf", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.0002)
    parser.add_argument("--beta1", type=float, default=0.5)
    parser.add_argument("--ngpu", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--outf", default="dcgan_out", help="folder for samples and checkpoints")
    parser.add_argument("--seed", type=int, default=999)
    args = parser.parse_args()

    os.makedirs(args.outf, exist_ok=True)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    cudnn.benchmark = True
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")

    images = disks(args.n_images, args.image_size, torch.Generator().manual_seed(args.seed))
    dataset = torch.utils.data.TensorDataset(images)
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size, shuffle=True,
                                             num_workers=args.workers)

    netG = Generator(args.ngpu, args.nz, args.ngf, 1, args.image_size).to(device)
    netG.apply(weights_init)
    netD = Discriminator(args.ngpu, args.ndf, 1, args.image_size).to(device)
    netD.apply(weights_init)

    criterion = nn.BCELoss()
    fixed_noise = torch.randn(64, args.nz, 1, 1, device=device)
    real_label, fake_label = 1.0, 0.0
    optimizerD = optim.Adam(netD.parameters(), lr=args.lr, betas=(args.beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=args.lr, betas=(args.beta1, 0.999))

    for epoch in range(args.epochs):
        for i, (real_cpu,) in enumerate(dataloader):
            if args.batches and i >= args.batches:
                break
            # (1) update D: maximize log(D(x)) + log(1 - D(G(z)))
            netD.zero_grad()
            real = real_cpu.to(device)
            batch_size = real.size(0)
            label = torch.full((batch_size,), real_label, dtype=real.dtype, device=device)
            output = netD(real)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()

            noise = torch.randn(batch_size, args.nz, 1, 1, device=device)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()

            # (2) update G: maximize log(D(G(z)))
            netG.zero_grad()
            label.fill_(real_label)  # fake labels are real for the generator's loss
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()
            print(f"[{epoch}/{args.epochs}][{i}/{len(dataloader)}] Loss_D: {errD.item():.4f} "
                  f"Loss_G: {errG.item():.4f} D(x): {D_x:.4f} D(G(z)): {D_G_z1:.4f} / {D_G_z2:.4f}")

        torch.save(netG.state_dict(), f"{args.outf}/netG_epoch_{epoch}.pth")
        torch.save(netD.state_dict(), f"{args.outf}/netD_epoch_{epoch}.pth")

    with torch.no_grad():
        samples = netG(fixed_noise).detach().cpu()
    torch.save(samples, f"{args.outf}/fake_samples.pt")
    print("RESULT " + json.dumps({
        "loss_D": errD.item(), "loss_G": errG.item(), "D_x": D_x, "D_G_z": D_G_z2,
        "sample_mean": samples.mean().item(), "sample_min": samples.min().item(),
        "sample_max": samples.max().item(), "data_mean": images.mean().item()}))


if __name__ == "__main__":
    main()
