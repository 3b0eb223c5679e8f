"""Reference workloads of BENCHMARKS.md, one module each.

A workload module defines ``deepgrad_step(seed)`` and ``torch_step(seed)``: each builds the model,
optimizer and a fixed synthetic batch, and returns a zero-argument callable that runs one training
step (forward, backward, optimizer update). Register new modules in ``WORKLOADS``.
"""

WORKLOADS = {
    "mlp": "benchmarks.workloads.mlp",
    "lenet": "benchmarks.workloads.lenet",
    "cnn2": "benchmarks.workloads.cnn2",
    "sgd_step": "benchmarks.workloads.sgd_step",
    "adam_step": "benchmarks.workloads.adam_step",
    "lstm": "benchmarks.workloads.lstm",
    "lstm_cell_loop": "benchmarks.workloads.lstm_cell_loop",
    "gru": "benchmarks.workloads.gru",
    "rnn": "benchmarks.workloads.rnn",
    "gan": "benchmarks.workloads.gan",
    # The workloads of issue 17: sizes people train at.
    "mnist_net": "benchmarks.workloads.mnist_net",
    "resnet_small": "benchmarks.workloads.resnet_small",
    "stem224": "benchmarks.workloads.stem224",
    "conv224": "benchmarks.workloads.conv224",
    "conv224_train": "benchmarks.workloads.conv224_train",
    "dcgan_d": "benchmarks.workloads.dcgan_d",
    "lstm_lm": "benchmarks.workloads.lstm_lm",
    "transformer": "benchmarks.workloads.transformer",
}
