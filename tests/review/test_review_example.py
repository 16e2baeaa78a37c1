"""The chest X-ray walk-through runs end to end: page, two readers, agreement, a tightened policy, lint."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

import safeaug

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "review" / "walkthrough.py"


def test_walkthrough(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE), str(tmp_path)])
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(EXAMPLE), run_name="__main__")
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "Cohen's kappa, readers: ann, bo" in out
    assert "lint exit code 1" in out
    policy = safeaug.load_policy(str(tmp_path / "chest_xray_reviewed.yaml"))
    assert policy.invariant("rotation").max == 3.75  # type: ignore[union-attr]
    assert policy.invariant("gamma").min == 0.85  # type: ignore[union-attr]
    assert (tmp_path / "page" / "index.html").is_file()
    films = sorted((tmp_path / "films").glob("film?.png"))
    assert len(films) == 3
