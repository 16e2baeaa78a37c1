from __future__ import annotations

import json
from pathlib import Path

import albumentations as A
import pytest

import safeaug
from safeaug.readers import read_pipeline


def _doc(transform: dict) -> dict:
    return {"__version__": "2.0.8", "transform": transform}


def test_object_and_dict_forms_give_the_same_tree_shape() -> None:
    pipe = A.Compose([A.OneOf([A.HorizontalFlip(), A.Rotate(limit=5)]), A.SomeOf([A.Blur()], n=1)])
    from_obj = read_pipeline(pipe)
    from_dict = read_pipeline(A.to_dict(pipe))
    shape = lambda n: (n.name, n.mode, n.location, n.p, tuple(shape(c) for c in n.children))  # noqa: E731
    assert shape(from_obj) == shape(from_dict)


def test_1x_fully_qualified_class_names_are_shortened() -> None:
    doc = _doc(
        {
            "__class_fullname__": "albumentations.core.composition.Compose",
            "transforms": [{"__class_fullname__": "albumentations.augmentations.transforms.HorizontalFlip", "p": 0.5}],
        }
    )
    report = safeaug.validate(doc, "chest_xray")
    assert report.codes() == ["SA101"] and report.findings[0].transform == "HorizontalFlip"


def test_an_unknown_class_name_is_a_config_error_with_a_suggestion() -> None:
    with pytest.raises(safeaug.ConfigError, match=r"'HorizontalFlp'.*did you mean 'HorizontalFlip'"):
        read_pipeline(_doc({"__class_fullname__": "Compose", "transforms": [{"__class_fullname__": "HorizontalFlp"}]}))


def test_a_custom_dotted_class_is_read_and_then_fails_closed() -> None:
    doc = _doc({"__class_fullname__": "Compose", "transforms": [{"__class_fullname__": "mylab.aug.Smear"}]})
    report = safeaug.validate(doc, "natural")
    assert report.codes() == ["SA401"]
    assert "register_transform" in report.findings[0].fix


@pytest.mark.parametrize(
    ("transform", "message"),
    [
        ({"transforms": []}, "no `__class_fullname__`"),
        ({"__class_fullname__": 3}, "must be a class name"),
        ({"__class_fullname__": "Compose", "transforms": "HorizontalFlip"}, "must be a list"),
        ({"__class_fullname__": "Compose", "transforms": ["HorizontalFlip"]}, "expected a transform"),
        ({"__class_fullname__": "Rotate", "p": 2}, "probability between 0 and 1"),
        ({"__class_fullname__": "Rotate", "p": "often"}, "probability"),
        ({"__class_fullname__": "SomeOf", "transforms": [], "n": -1}, "whole number"),
        ({"__class_fullname__": "Rotate", "limit": "wide"}, r"Rotate.limit: expected a number or a \[low, high\]"),
        ({"__class_fullname__": "Rotate", "limit": [1, 2, 3]}, "Rotate.limit"),
        ({"__class_fullname__": "Resize"}, "`height` is required"),
        ({"__class_fullname__": "Affine", "scale": {"z": 1}}, "Affine.scale"),
    ],
)
def test_bad_dicts_give_a_config_error_that_names_the_problem(transform: dict, message: str) -> None:
    with pytest.raises(safeaug.ConfigError, match=message):
        safeaug.validate(_doc(transform), "natural")


def test_a_transform_key_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(safeaug.ConfigError, match="mapping"):
        safeaug.validate({"transform": ["HorizontalFlip"]}, "natural")


def test_json_and_yaml_files_give_lines(tmp_path: Path) -> None:
    pipe = A.Compose([A.Rotate(limit=5), A.HorizontalFlip()])
    json_path = tmp_path / "aug.json"
    json_path.write_text(json.dumps(A.to_dict(pipe), indent=2))
    yaml_path = tmp_path / "aug.yaml"
    A.save(pipe, str(yaml_path), data_format="yaml")
    for path in (json_path, yaml_path):
        (finding,) = safeaug.validate(path, "chest_xray").findings
        assert finding.transform == "HorizontalFlip"
        assert finding.path == str(path)
        line = path.read_text().splitlines()[finding.line - 1]  # type: ignore[operator]
        assert "HorizontalFlip" in line


def test_malformed_files_give_file_and_line(tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{\n  "transform": {\n    "__class_fullname__": "Compose",,\n  }\n}\n')
    with pytest.raises(safeaug.ConfigError, match=r"bad.json:3: invalid JSON"):
        safeaug.validate(bad_json, "natural")
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("transform:\n  __class_fullname__: Compose\n  transforms: [\n")
    with pytest.raises(safeaug.ConfigError, match=r"bad.yaml:\d+: invalid YAML"):
        safeaug.validate(bad_yaml, "natural")


def test_yaml_tags_are_never_constructed(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(f"transform: !!python/object/apply:os.system\n  - touch {sentinel}\n")
    with pytest.raises(safeaug.ConfigError, match="tag not allowed"):
        safeaug.validate(path, "natural")
    assert not sentinel.exists()


def test_alias_bombs_are_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(safeaug.ConfigError, match="aliases"):
        safeaug.validate(path, "natural")


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(safeaug.ConfigError, match="nesting"):
        safeaug.validate(path, "natural")


def test_missing_file_and_wrong_suffix(tmp_path: Path) -> None:
    with pytest.raises(safeaug.ConfigError, match="no such file"):
        safeaug.validate(tmp_path / "nope.json", "natural")
    other = tmp_path / "aug.txt"
    other.write_text("x")
    with pytest.raises(safeaug.ConfigError, match=r"\.json, \.yaml, \.yml or \.py"):
        safeaug.validate(other, "natural")


def test_a_plain_function_is_an_unknown_transform() -> None:
    def mirror(image):  # type: ignore[no-untyped-def]
        return image[:, ::-1]

    report = safeaug.validate([mirror], "natural")
    assert report.codes() == ["SA401"]
    assert report.findings[0].transform.endswith("test_a_plain_function_is_an_unknown_transform.<locals>.mirror")
