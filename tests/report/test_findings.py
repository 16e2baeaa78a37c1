"""Finding: its hand-written constructor stays the dataclass it declares."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest
from hand_built import FLIP

from safeaug import Finding


def test_the_constructor_takes_exactly_the_fields_with_their_defaults() -> None:
    params = list(inspect.signature(Finding).parameters.values())
    fields = dataclasses.fields(Finding)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        want = inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        assert p.default == want, p.name


def _finding() -> Finding:
    return dataclasses.replace(FLIP, references=("a",), input_size=(224, 224))


def test_every_field_is_set_compared_and_frozen() -> None:
    f = _finding()
    assert dataclasses.asdict(f) == {
        "code": "SA101",
        "severity": "error",
        "message": FLIP.message,
        "transform": "HorizontalFlip",
        "location": "transforms[0]",
        "line": 4,
        "reason": FLIP.reason,
        "fix": "Remove `HorizontalFlip`.",
        "effect": None,
        "policy": "chest_xray",
        "references": ("a",),
        "path": "configs/a,b:c.yaml",
        "label_transform": None,
        "input_size": (224, 224),
    }
    assert f == _finding() and hash(f) == hash(_finding())
    assert f != dataclasses.replace(f, line=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.code = "SA102"  # type: ignore[misc]


def test_replace_and_pickle_keep_every_field() -> None:
    f = _finding()
    g = dataclasses.replace(f, message="other")
    assert g.message == "other" and g.input_size == (224, 224) and g.references == ("a",)
    assert pickle.loads(pickle.dumps(f)) == f


def test_a_missing_or_unknown_argument_is_refused_as_a_dataclass_would() -> None:
    with pytest.raises(TypeError):
        Finding(code="SA101", severity="error", message="m", transform=None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Finding(code="SA101", severity="error", message="m", transform=None, location="", colour="red")  # type: ignore[call-arg]
