"""Review files written the way the page exports them, for the apply, agreement and file tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from safeaug.review.reviewfile import FORMAT, dump_review

Item = tuple[str, float, str | None]  # effect, magnitude, decision


def header(reviewer: str | None, policy: str = "chest_xray", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format": FORMAT,
        "policy": policy,
        "policy_params": {},
        "pipeline": "train.yaml",
        "reviewer": reviewer,
        "reviewed": "2026-12-01" if reviewer else None,
        "created": "2026-12-01",
        "blind": False,
        "key": None,
    }
    out.update(extra)
    return out


def items(rows: Sequence[Item]) -> list[dict[str, Any]]:
    return [
        {
            "id": f"e{k:04d}",
            "transform": "Rotate",
            "location": "transforms[0]",
            "effect": effect,
            "magnitude": magnitude,
            "image": f"images/e{k:04d}.png",
            "decision": decision,
            "realism": None,
            "note": None,
        }
        for k, (effect, magnitude, decision) in enumerate(rows)
    ]


@pytest.fixture
def write_review(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, rows: Sequence[Item], reviewer: str | None = None, **extra: Any) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(dump_review(header(reviewer or name, **extra), items(rows)), encoding="utf-8")
        return path

    return write
