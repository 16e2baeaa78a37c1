"""The chest X-ray training example runs, iterates its dataset and shows the refusal of a flip."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "training" / "chest_xray_dataset.py"


def test_chest_xray_dataset_example() -> None:
    run = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "accepted by 'chest_xray'" in out
    assert out.count("shape (4, 128, 128)") == 2 or out.count("shape (128, 128)") == 8  # DataLoader or plain loop
    refusal = out.split("adding HorizontalFlip is refused:", 1)[1]
    assert "SA101" in refusal and "HorizontalFlip" in refusal
    assert "heart" in refusal  # the domain reason, not only a code
    assert "Traceback" not in run.stderr
