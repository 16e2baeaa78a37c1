"""The torchvision training-loop example runs: the draft is refused with reasons, the fix trains."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("torchvision")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "torchvision" / "train_loop.py"


def test_torchvision_training_loop_example() -> None:
    run = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    draft, fixed = out.split("fixed pipeline", 1)
    assert "ok=False" in draft
    for code in ("SA101", "SA102", "SA109"):  # the flip, the 30 degree turn, the reflecting pad
        assert code in draft
    assert "heart" in draft  # the domain's reason, not only a code
    assert "accepted by 'chest_xray'" in fixed
    assert fixed.count("batch shape (16, 1, 64, 64)") == 3
    assert "Traceback" not in run.stderr
