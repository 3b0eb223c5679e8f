"""lstm_lm: the word-level LSTM language model (embedding 10k x 200, 2-layer LSTM of 200 units,
dropout 0.2, decoder 200 -> 10k, cross-entropy), bptt 35, batch 20; SGD lr 20 with gradient
norm clipping at 0.25, the hidden state carried over (detached) from step to step."""
import numpy as np

VOCAB, UNITS, LAYERS, BPTT, BATCH = 10000, 200, 2, 35, 20


def _step(framework, seed):
    framework.manual_seed(seed)
    nn = framework.nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.2)
            self.encoder = nn.Embedding(VOCAB, UNITS)
            self.rnn = nn.LSTM(UNITS, UNITS, LAYERS, dropout=0.2)
            self.decoder = nn.Linear(UNITS, VOCAB)

        def forward(self, tokens, hidden):
            out, hidden = self.rnn(self.drop(self.encoder(tokens)), hidden)
            return self.decoder(self.drop(out)).reshape(-1, VOCAB), hidden

    model = LM()
    opt = framework.optim.SGD(model.parameters(), lr=20.0)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(seed)
    data = rng.integers(0, VOCAB, (BPTT + 1, BATCH))
    x, y = framework.from_numpy(data[:-1]), framework.from_numpy(data[1:].reshape(-1))
    zeros = np.zeros((LAYERS, BATCH, UNITS), np.float32)
    state = [(framework.from_numpy(zeros), framework.from_numpy(zeros.copy()))]

    def step():
        hidden = tuple(h.detach() for h in state[0])
        opt.zero_grad()
        out, state[0] = model(x, hidden)
        loss = loss_fn(out, y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()

    return step


def deepgrad_step(seed):
    import deepgrad

    return _step(deepgrad, seed)


def torch_step(seed):
    import torch

    return _step(torch, seed)
