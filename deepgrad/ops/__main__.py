"""``python -m deepgrad.ops > docs/ops.md``: print the op coverage table from the registry."""
from .registry import coverage_markdown

print(coverage_markdown())
