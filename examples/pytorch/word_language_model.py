"""Word-level language model (RNN_TANH, RNN_RELU, LSTM, GRU or Transformer), plain PyTorch.

The corpus (``wlm_data.Corpus``) is a generated grammar text, or ``--data DIR`` with
train/valid/test.txt. The training text is cut into ``--batch-size`` parallel streams
(``batchify``) read ``--bptt`` words at a time (``get_batch``); recurrent hidden state carries over
between chunks but is detached (``repackage_hidden``) so backpropagation stops at the chunk edge.
Each step clips the gradient norm and applies plain SGD by hand (``p.data.add_(p.grad,
alpha=-lr)``); the learning rate is divided by 4 whenever validation loss stops improving. The best
model is saved whole with ``torch.save(model, f)`` and loaded back to score the test split.

Usage: python word_language_model.py [--model LSTM] [--epochs 40] [--batches N] [--save PATH]
                                     [--onnx-export PATH]
The last line printed is ``RESULT {json}``: first and last training loss, validation and test
loss and perplexity, and the vocabulary size.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.onnx
import wlm_data
import wlm_model

parser = argparse.ArgumentParser(description="Word-level language model")
parser.add_argument("--data", default=None, help="folder with train.txt, valid.txt, test.txt")
parser.add_argument("--lines", type=int, default=2000, help="generated training lines")
parser.add_argument("--model", default="LSTM",
                    help="RNN_TANH, RNN_RELU, LSTM, GRU or Transformer")
parser.add_argument("--emsize", type=int, default=200)
parser.add_argument("--nhid", type=int, default=200)
parser.add_argument("--nlayers", type=int, default=2)
parser.add_argument("--lr", type=float, default=20)
parser.add_argument("--clip", type=float, default=0.25)
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--batches", type=int, default=0, help="stop each epoch after N batches")
parser.add_argument("--batch-size", type=int, default=20)
parser.add_argument("--bptt", type=int, default=35)
parser.add_argument("--dropout", type=float, default=0.2)
parser.add_argument("--tied", action="store_true",
                    help="tie the word embedding and softmax weights")
parser.add_argument("--seed", type=int, default=1111)
parser.add_argument("--log-interval", type=int, default=200)
parser.add_argument("--save", default="model.pt", help="path to save the final model")
parser.add_argument("--onnx-export", default="", help="path to export the final model as ONNX")
parser.add_argument("--nhead", type=int, default=2)
parser.add_argument("--no-accel", action="store_true")
args = parser.parse_args()

torch.manual_seed(args.seed)
use_accel = not args.no_accel and torch.accelerator.is_available()
device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")

corpus = wlm_data.Corpus(args.data, n_lines=args.lines, seed=args.seed)


def batchify(data, bsz):
    """1-D ids -> (len // bsz, bsz): column j is the j-th contiguous slice of the text."""
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous().to(device)


eval_batch_size = 10
train_data = batchify(corpus.train, args.batch_size)
val_data = batchify(corpus.valid, eval_batch_size)
test_data = batchify(corpus.test, eval_batch_size)

ntokens = len(corpus.dictionary)
if args.model == "Transformer":
    model = wlm_model.TransformerModel(ntokens, args.emsize, args.nhead, args.nhid, args.nlayers,
                                       args.dropout).to(device)
else:
    model = wlm_model.RNNModel(args.model, ntokens, args.emsize, args.nhid, args.nlayers,
                               args.dropout, args.tied).to(device)
criterion = nn.NLLLoss()


def repackage_hidden(h):
    """Detach hidden states from the graph of the previous chunk (tensors or tuples of them)."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def get_batch(source, i):
    """Inputs source[i:i+L] and targets source[i+1:i+1+L] flattened, L = min(bptt, rest)."""
    seq_len = min(args.bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


def evaluate(data_source):
    model.eval()
    total_loss = 0.0
    if args.model != "Transformer":
        hidden = model.init_hidden(eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i)
            if args.model == "Transformer":
                output = model(data).view(-1, ntokens)
            else:
                output, hidden = model(data, hidden)
                hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


def train(lr, epoch):
    model.train()
    losses, total_loss, start = [], 0.0, time.time()
    if args.model != "Transformer":
        hidden = model.init_hidden(args.batch_size)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        if args.batches and batch >= args.batches:
            break
        data, targets = get_batch(train_data, i)
        model.zero_grad()
        if args.model == "Transformer":
            output = model(data).view(-1, ntokens)
        else:
            hidden = repackage_hidden(hidden)
            output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        # clipping keeps exploding gradients in check in RNNs
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        losses.append(loss.item())
        total_loss += loss.item()
        if batch % args.log_interval == 0 and batch > 0:
            cur_loss = total_loss / args.log_interval
            ms = (time.time() - start) * 1000 / args.log_interval
            print(f"| epoch {epoch:3d} | {batch:5d}/{len(train_data) // args.bptt:5d} batches | "
                  f"lr {lr:02.2f} | ms/batch {ms:5.2f} | loss {cur_loss:5.2f} | "
                  f"ppl {math.exp(cur_loss):8.2f}")
            total_loss, start = 0.0, time.time()
    return losses


def export_onnx(path, batch_size, seq_len):
    print(f"The model is also exported in ONNX format at {os.path.realpath(path)}.")
    model.eval()
    dummy_input = torch.LongTensor(seq_len * batch_size).zero_().view(-1, batch_size).to(device)
    if args.model == "Transformer":
        torch.onnx.export(model, (dummy_input,), path)
    else:
        torch.onnx.export(model, (dummy_input, model.init_hidden(batch_size)), path)


lr = args.lr
best_val_loss = None
history = []
for epoch in range(1, args.epochs + 1):
    epoch_start = time.time()
    history += train(lr, epoch)
    val_loss = evaluate(val_data)
    print(f"| end of epoch {epoch:3d} | time {time.time() - epoch_start:5.2f}s | "
          f"valid loss {val_loss:5.2f} | valid ppl {math.exp(val_loss):8.2f}")
    if best_val_loss is None or val_loss < best_val_loss:
        with open(args.save, "wb") as f:
            torch.save(model, f)
        best_val_loss = val_loss
    else:
        lr /= 4.0  # anneal when validation stops improving

with open(args.save, "rb") as f:
    model = torch.load(f, weights_only=False)
    if args.model in ("RNN_TANH", "RNN_RELU", "LSTM", "GRU"):
        model.rnn.flatten_parameters()  # contiguous weights again after loading (cuDNN)

test_loss = evaluate(test_data)
print(f"| End of training | test loss {test_loss:5.2f} | test ppl {math.exp(test_loss):8.2f}")
if args.onnx_export:
    export_onnx(args.onnx_export, batch_size=1, seq_len=args.bptt)
print("RESULT " + json.dumps({"first_loss": history[0], "last_loss": history[-1],
                              "val_loss": best_val_loss, "val_ppl": math.exp(best_val_loss),
                              "test_loss": test_loss, "test_ppl": math.exp(test_loss),
                              "ntokens": ntokens, "lr": lr, "onnx": args.onnx_export or None}))
