"""A pipeline written with ``A.save`` and read back from the file is judged exactly like the object."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import albumentations as A
from hypothesis import given, settings
from hypothesis import strategies as st

import safeaug
from tests.strategies import POLICIES, pipelines


def _verdict(report: safeaug.Report) -> list[tuple[Any, ...]]:
    # A finding of the whole pipeline has no transform: sort by text, so None and names compare.
    return sorted(((f.code, f.transform, f.location, f.severity, f.message) for f in report.findings), key=repr)


@settings(max_examples=40)
@given(pipe=pipelines(max_depth=2), fmt=st.sampled_from(["json", "yaml"]), policy=st.sampled_from(POLICIES))
def test_a_saved_pipeline_is_judged_like_the_object(pipe: Any, fmt: str, policy: str) -> None:
    root = pipe if isinstance(pipe, A.BaseCompose) else A.Compose([pipe])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"aug.{fmt}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            A.save(root, str(path), data_format=fmt)
        from_file = safeaug.validate(path, policy)
    assert _verdict(from_file) == _verdict(safeaug.validate(root, policy))
    assert all(f.line is not None and f.path == str(path) for f in from_file.findings)
