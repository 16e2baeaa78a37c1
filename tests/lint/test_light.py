"""The lint path for built-in policies loads neither numpy nor pydantic (nor albumentations nor OpenCV),
and the pydantic-free policies it uses are the validated ones, field for field."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from safeaug.policies import _builtin_paths, load_builtin_plain, load_policy

HEAVY = ("numpy", "pydantic", "albumentations", "cv2")

CONFIG = """\
__version__: 2.0.8
transform:
  __class_fullname__: Compose
  p: 1.0
  transforms:
  - __class_fullname__: MotionBlur
    blur_limit: [3, 9]
    p: 0.5
  - __class_fullname__: Rotate
    limit: [-10, 10]
    p: 0.5
"""

PYTHON_CONFIG = """\
import albumentations as A

train = A.Compose([A.MotionBlur(blur_limit=7, p=0.3), A.OneOf([A.HorizontalFlip(), A.GaussianBlur()])])
"""


@pytest.mark.parametrize(("name", "text"), [("train.yaml", CONFIG), ("train.py", PYTHON_CONFIG)])
def test_linting_one_file_imports_no_heavy_module(tmp_path: Path, name: str, text: str) -> None:
    config = tmp_path / name
    config.write_text(text)
    code = (
        "import contextlib, io, sys\n"
        "import safeaug.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    status = safeaug.cli.main(['lint', {str(config)!r}, '--policy', 'chest_xray'])\n"
        "assert status == 1, out.getvalue()\n"
        "assert 'SA301' in out.getvalue(), out.getvalue()\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


def _data(value: Any) -> Any:
    """A policy's content as plain data, for the pydantic model and the plain copy alike."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(type(value), "model_fields"):
        return {name: _data(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, (tuple, list)):
        return tuple(_data(v) for v in value)
    return value


@pytest.mark.parametrize("policy_id", sorted(_builtin_paths()))
def test_the_plain_builtin_policy_is_the_validated_one(policy_id: str) -> None:
    plain, validated = load_builtin_plain(policy_id), load_policy(policy_id)
    assert _data(plain) == _data(validated)
    for inv in validated.invariants:
        twin = plain.invariant(inv.effect)
        assert (twin.code, twin.verdict, twin.bound_text()) == (inv.code, inv.verdict, inv.bound_text())
    assert plain.loosened == validated.loosened and plain.values == validated.values


@pytest.mark.parametrize(
    ("policy_id", "params"),
    [("fundus", {"laterality_in_label": False}), ("small_objects", {"smallest_object_px": 12})],
)
def test_parameters_bind_the_same_way(policy_id: str, params: dict[str, Any]) -> None:
    assert _data(load_builtin_plain(policy_id, **params)) == _data(load_policy(policy_id, **params))


def test_a_bad_parameter_is_refused_the_same_way() -> None:
    from safeaug.errors import PolicyError

    with pytest.raises(PolicyError) as plain:
        load_builtin_plain("small_objects", smallest_object_px="big")
    with pytest.raises(PolicyError) as validated:
        load_policy("small_objects", smallest_object_px="big")
    assert str(plain.value) == str(validated.value)
