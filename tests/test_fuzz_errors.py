"""Whatever it is given, safeaug answers with a report or with its own error, never a stray exception.

Generated configs in every dialect (``albumentations.save``, Hydra, jsonargparse, ``class_name``/``name`` +
``params``, mmdet ``Albu``, the single-key list form, Python source) carry hostile argument values: huge
integers, NaN, dates, lists where numbers belong, nested junk. ``validate()`` must return a report or raise a
:class:`~safeaug.SafeaugError`; ``lint()`` must report each file as checked or unreadable, never as a crash
("please report it"), and raw text of any kind must be refused cleanly.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

import albumentations as A
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import safeaug
from safeaug.lint import lint

pytestmark = pytest.mark.slow  # a property suite: hypothesis fuzzes configs, dicts and files

NAMES = [
    "Rotate",
    "Affine",
    "HorizontalFlip",
    "RandomResizedCrop",
    "RandomSizedCrop",
    "GaussNoise",
    "CoarseDropout",
    "ColorJitter",
    "HueSaturationValue",
    "MotionBlur",
    "GridDistortion",
    "ImageCompression",
    "Flip",
    "JpegCompression",
    "Cutout",
    "IAAAffine",
    "OneOf",
    "SomeOf",
    "SelectiveChannelTransform",
    "Compose",
    "NoSuchTransform",
    "mylib.MyAug",
]
ARGUMENTS = [
    "limit",
    "p",
    "scale",
    "rotate",
    "shear",
    "border_mode",
    "size",
    "height",
    "width",
    "std_range",
    "var_limit",
    "hue",
    "blur_limit",
    "n",
    "channels",
    "always_apply",
    "quality_lower",
    "transforms",
]

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from([10**30, -(10**400), 2**64]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["${a.b}", "${oc.env:X}", "2020-01-01", "", "jpeg"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
ARGS = st.dictionaries(st.sampled_from(ARGUMENTS), VALUES, max_size=4)


@st.composite
def transform(draw: st.DrawFn, depth: int = 0) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(NAMES))
    args = draw(ARGS)
    if name in ("OneOf", "SomeOf", "SelectiveChannelTransform", "Compose") and depth < 2:
        args["transforms"] = draw(st.lists(transform(depth + 1), max_size=3))
    return name, args


def _dialect(kind: str, item: tuple[str, Any]) -> Any:
    name, args = item
    if isinstance(args.get("transforms"), list) and all(isinstance(t, tuple) for t in args["transforms"]):
        args = {**args, "transforms": [_dialect(kind, t) for t in args["transforms"]]}
    if kind == "native":
        return {"__class_fullname__": name, **args}
    if kind == "hydra":
        return {"_target_": f"albumentations.{name}" if "." not in name else name, **args}
    if kind == "class_path":
        return {"class_path": f"albumentations.{name}" if "." not in name else name, "init_args": args}
    if kind in ("class_name", "name"):
        return {kind: name, "params": args}
    if kind == "mmdet":
        return {"type": name, **args}
    return {name: args}  # the single-key form


DIALECTS = ["native", "hydra", "class_path", "class_name", "name", "mmdet", "single"]


@st.composite
def document(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from(DIALECTS))
    steps = [_dialect(kind, t) for t in draw(st.lists(transform(), min_size=1, max_size=4))]
    if kind == "native":
        return kind, {"transform": {"__class_fullname__": "Compose", "transforms": steps}}
    if kind == "mmdet":
        return kind, {"train_pipeline": [{"type": "Albu", "transforms": steps}]}
    if kind == "hydra":
        return kind, {"aug": {"a": {"b": 5}}, "train": {"_target_": "albumentations.Compose", "transforms": steps}}
    return kind, {"train_transforms": steps}


def _plain(value: Any) -> Any:
    """A value JSON can hold (JSON has no NaN in the strict sense, but Python's json writes it)."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


POLICIES = st.sampled_from(["chest_xray", "natural", "ocr", "histopathology"])


@given(doc=document(), policy=POLICIES)
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_validate_on_any_dict_returns_a_report_or_raises_its_own_error(doc: tuple[str, Any], policy: str) -> None:
    _, data = doc
    for candidate in [data, *([data["transform"]] if "transform" in data else [])]:
        try:
            report = safeaug.validate(candidate, policy)
        except safeaug.SafeaugError:
            continue
        assert isinstance(report, safeaug.Report)


@given(doc=document(), suffix=st.sampled_from([".yaml", ".json", ".py"]))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_lint_on_any_config_file_checks_or_refuses_it_cleanly(doc: tuple[str, Any], suffix: str) -> None:
    _, data = doc
    data = _plain(data)
    if suffix == ".yaml":
        text = yaml.safe_dump(data, sort_keys=False)
    elif suffix == ".json":
        text = json.dumps(data)
    else:  # mmengine-style module-level assignments
        text = "\n".join(f"{key} = {value!r}" for key, value in data.items()) + "\n"
        text = text.replace("nan", "float('nan')").replace("inf", "float('inf')")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"config{suffix}"
        path.write_text(text)
        result = lint([str(path)], policy="chest_xray")
    assert result.files + result.skipped + result.unreadable >= 1
    assert not any("please report" in p.message for p in result.problems), result.problems


RAW = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "transform: {__class_fullname__: Rotate, limit: [}",
            "import albumentations as A\nt = A.Compose([A.Rotate(limit=",
            '{"transform": {"__class_fullname__": "Compose", "transforms": 5}}',
            "a: &x [*x]\n",
            "\ufeff{}",
            "limit: 2020-01-01T10:00:00\n",
        ]
    ),
)


@given(text=RAW, suffix=st.sampled_from([".yaml", ".json", ".py"]))
def test_lint_on_raw_text_never_crashes(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"raw{suffix}"
        path.write_bytes(text.encode("utf-8", errors="replace"))
        result = lint([str(path)], policy="chest_xray")
    assert not any("please report" in p.message for p in result.problems), result.problems


@given(text=RAW)
def test_validate_on_raw_yaml_text_raises_only_its_own_errors(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "raw.yaml"
        if not _encodable(text):
            return
        path.write_text(text, encoding="utf-8")
        with contextlib.suppress(safeaug.SafeaugError):  # anything else fails the test
            safeaug.validate(path, "chest_xray")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_live_objects_the_issue_names() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        selective = A.SelectiveChannelTransform([A.RandomBrightnessContrast(p=1)], channels=[0])
    report = safeaug.validate(selective, "chest_xray")
    assert [f.code for f in report.findings] == ["SA208"]
    assert "SelectiveChannelTransform" in report.findings[0].message
    bad = {"__class_fullname__": "Rotate", "limit": 10, "border_mode": []}
    for value in (bad, {**bad, "border_mode": 0, "limit": 10**400}, {**bad, "limit": datetime.date(2020, 1, 1)}):
        try:
            safeaug.validate(value, "chest_xray")
        except safeaug.ConfigError as exc:
            assert "Rotate" in str(exc)


def _default_objects() -> list[Any]:
    """Every albumentations transform that builds with no arguments, and each inside a OneOf and a
    SelectiveChannelTransform."""
    from safeaug.catalog._signatures import PARAMETERS

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sorted(PARAMETERS):
            cls = getattr(A, name, None)
            if cls is None or name in ("Compose", "OneOf", "SomeOf", "Sequential", "ReplayCompose", "OneOrOther"):
                continue
            try:
                obj = cls()
            except Exception:
                continue  # needs arguments (sizes, reference images): covered by the dict fuzzing above
            out.append(obj)
    return out


@given(policy=st.sampled_from(["chest_xray", "natural", "ocr", "histopathology", "remote_sensing", "driving"]))
@settings(max_examples=6)
def test_validate_on_every_default_albumentations_object(policy: str) -> None:
    objects = _default_objects()
    assert len(objects) > 50
    for obj in objects:
        for pipeline in (obj, A.OneOf([obj]), A.SelectiveChannelTransform([obj], channels=[0])):
            try:
                report = safeaug.validate(pipeline, policy)
            except safeaug.SafeaugError:
                continue
            assert isinstance(report, safeaug.Report)


def test_a_1x_size_past_any_float_is_a_user_error_with_its_line(tmp_path: Path) -> None:
    """A 1.x ``height`` with 400 digits is shown in the message without turning it into a float."""
    config = tmp_path / "config.yaml"
    config.write_text(
        "transform:\n  __class_fullname__: Compose\n  transforms:\n"
        f"  - __class_fullname__: RandomResizedCrop\n    height: -{'1' * 400}\n"
    )
    result = lint([config], policy="chest_xray")
    assert [(p.line, "please report it" in p.message) for p in result.problems] == [(4, False)]
    assert "RandomResizedCrop" in result.problems[0].message
