"""Side-by-side speed and memory benchmarks of deepgrad against PyTorch (CPU)."""
