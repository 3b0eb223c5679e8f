"""``torch.utils.data.dataloader``'s path: DataLoader and its helpers (aliases)."""
from ...data import DataLoader, default_collate, get_worker_info  # noqa: F401
