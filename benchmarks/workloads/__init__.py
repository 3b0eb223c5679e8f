"""Reference workloads of BENCHMARKS.md, one module each.

A workload module defines ``deepgrad_step(seed)`` and ``torch_step(seed)``: each builds the model,
optimizer and a fixed synthetic batch, and returns a zero-argument callable that runs one training
step (forward, backward, optimizer update). Register new modules in ``WORKLOADS``.
"""

WORKLOADS = {
    "mlp": "benchmarks.workloads.mlp",
}
