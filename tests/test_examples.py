"""Every example runs end to end (tiny settings, so it stays a smoke test) and says what it did.

xor.py and train_mlp.py have their own tests of the numbers they reach.
"""
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

CASES = [
    ("long_memory.py", ["--lengths", "5", "--steps", "5"], "lstm"),
    ("char_lm.py", ["--epochs", "2"], ""),
    ("gan_ring.py", ["--epochs", "1", "--anneal-epochs", "0", "--samples", "2048",
                     "--out", "{tmp}/ring.png"], "wrote"),
    ("gan_digits.py", ["--epochs", "1", "--out", "{tmp}/digits.png"], "wrote"),
    ("lenet.py", ["--epochs", "1"], "accuracy"),
]


@pytest.mark.parametrize("script,args,expect", CASES, ids=[c[0] for c in CASES])
def test_example_runs(script, args, expect, tmp_path):
    pytest.importorskip("sklearn")  # gan_digits and lenet fall back to scikit-learn's digits
    cmd = [sys.executable, str(EXAMPLES / script)] + [a.format(tmp=tmp_path) for a in args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert expect in done.stdout.lower()
    for png in tmp_path.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
