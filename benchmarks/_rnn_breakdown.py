"""Per-phase timing of the deepgrad recurrent steps (wall clock, median)."""
import sys, time, statistics
sys.path.insert(0, '.')
import numpy as np
import deepgrad as dg
from deepgrad import nn
from benchmarks.workloads._recurrent import _data, INPUT, HIDDEN
import deepgrad.ops.rnn_lstm as LO
for arg in sys.argv[1:]:
    mode = arg.split('-')[0]
    LO.OVERLAP_WEIGHT_GRADS = not arg.endswith('-nooverlap')
    dg.manual_seed(0)
    rnn = getattr(nn, mode)(INPUT, HIDDEN); head = nn.Linear(HIDDEN, 10)
    opt = dg.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-3)
    xa, ya = _data(0); x, y = dg.from_numpy(xa), dg.from_numpy(ya)
    tf, tb, to = [], [], []
    for i in range(40):
        t0 = time.perf_counter()
        _, h = rnn(x); h = h[0] if mode == 'LSTM' else h
        loss = dg.nn.functional.cross_entropy(head(h[-1]), y)
        t1 = time.perf_counter(); opt.zero_grad(); loss.backward(); t2 = time.perf_counter()
        opt.step(); t3 = time.perf_counter()
        if i >= 10: tf.append(t1 - t0); tb.append(t2 - t1); to.append(t3 - t2)
    m = lambda a: statistics.median(a) * 1e3
    print(f"{arg}: forward {m(tf):.2f} ms, backward {m(tb):.2f} ms, adam {m(to):.2f} ms", flush=True)
