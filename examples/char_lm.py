"""Character-level language model on the Zen of Python, trained with truncated BPTT.

The text ships with Python (``import this``). It is cut into ``batch`` parallel streams; each
training step runs the LSTM over the next ``bptt`` characters of every stream, starting from the
state the previous chunk ended in. That state is ``detach()``-ed: the forward computation carries
over the chunk boundary, the gradient does not (truncated backpropagation through time), which
keeps each backward pass ``bptt`` steps long. Gradients are clipped by global norm before each
Adam step. After training the model samples new text from a prompt.

Run: ``python examples/char_lm.py [--epochs 150] [--temperature 0.8]``.
"""
from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import math

import numpy as np

import deepgrad as dg
from deepgrad import nn


def zen_of_python() -> str:
    """The Zen of Python: ``this.s`` holds it ROT13-encoded (importing ``this`` prints it)."""
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    return codecs.decode(this.s, "rot13")


class CharLM(nn.Module):
    """Embedding -> LSTM -> Linear over the vocabulary; (B, T) ints -> (B, T, V) logits."""

    def __init__(self, vocab: int, embed: int = 32, hidden: int = 128) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, idx, state=None):
        y, state = self.lstm(self.embed(idx), state)
        return self.head(y), state


def train(text: str, epochs: int = 150, batch: int = 16, bptt: int = 32, lr: float = 3e-3,
          clip: float = 1.0, seed: int = 0):
    """Train on ``text``; returns (model, vocabulary, per-epoch mean loss in bits per char)."""
    dg.manual_seed(seed)
    vocab = sorted(set(text))
    ids = np.array([vocab.index(c) for c in text], dtype=np.int64)
    per_stream = (len(ids) - 1) // batch
    streams = ids[:per_stream * batch + 1]
    x_all = streams[:-1].reshape(batch, per_stream)  # row b: characters b*L .. (b+1)*L - 1
    y_all = streams[1:].reshape(batch, per_stream)
    model = CharLM(len(vocab))
    opt = dg.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history = []
    for _ in range(epochs):
        state, total, count = None, 0.0, 0
        for start in range(0, per_stream, bptt):
            x = dg.from_numpy(x_all[:, start:start + bptt])
            y = dg.from_numpy(y_all[:, start:start + bptt].reshape(-1))
            if state is not None:  # truncate BPTT: keep the values, drop the graph behind them
                state = tuple(s.detach() for s in state)
            logits, state = model(x, state)
            loss = loss_fn(logits.reshape(-1, len(vocab)), y)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            total += loss.item() * y.shape[0]
            count += y.shape[0]
        history.append(total / count / math.log(2))
    return model, vocab, history


def sample(model: CharLM, vocab: list, prompt: str, length: int = 200,
           temperature: float = 0.8, seed: int = 0) -> str:
    """Feed ``prompt`` and then the model's own draws, one character at a time."""
    rng = np.random.default_rng(seed)
    out = list(prompt)
    with dg.no_grad():
        logits, state = model(dg.tensor(np.array([[vocab.index(c) for c in prompt]])))
        for _ in range(length):
            z = logits._data[0, -1] / temperature
            p = np.exp(z - z.max())
            nxt = int(rng.choice(len(vocab), p=p / p.sum()))
            out.append(vocab[nxt])
            logits, state = model(dg.tensor(np.array([[nxt]])), state)
    return "".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=150)
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--prompt", default="Beautiful is")
    args = ap.parse_args()
    text = zen_of_python()
    model, vocab, history = train(text, epochs=args.epochs)
    print(f"{len(text)} characters, vocabulary {len(vocab)}; bits/char: first epoch "
          f"{history[0]:.2f}, last {history[-1]:.2f} (uniform: {math.log2(len(vocab)):.2f})")
    print(sample(model, vocab, args.prompt, temperature=args.temperature))


if __name__ == "__main__":
    main()
