"""MONAI bundle configs: references inside the file are read, expressions are unreadable values, nothing runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeaug.errors import ConfigError
from safeaug.readers import monai_bundle
from safeaug.readers.generic import Opaque

BUNDLE = {
    "imports": ["$import glob", "$import os"],
    "image_keys": ["image", "label"],
    "rot": 0.26,
    "train": {
        "preprocessing": {
            "_target_": "Compose",
            "transforms": [
                {"_target_": "LoadImaged", "keys": "@image_keys"},
                {"_target_": "RandRotated", "keys": "@image_keys", "range_x": "@rot", "prob": 0.5},
                {"_target_": "RandFlipd", "keys": "@image_keys", "prob": 0.5, "spatial_axis": 1, "_disabled_": True},
                {"_target_": "RandZoomd", "keys": "@image_keys", "min_zoom": "$@rot + 0.7", "_desc_": "zoom"},
            ],
        },
        "dataset": {"_target_": "Dataset", "data": "$[]", "transform": "@train#preprocessing"},
    },
    "validate": {"preprocessing": "%train#preprocessing"},
}


def prepared(doc: object) -> tuple[object, bool]:
    return monai_bundle.prepare(doc, {}, "bundle.json")


def test_references_are_read_and_bare_names_become_canonical() -> None:
    data, unreadable = prepared(BUNDLE)
    assert unreadable  # the `$` expressions
    assert isinstance(data, dict)
    pipe = data["train"]["preprocessing"]
    assert pipe["_target_"] == "monai.transforms.Compose"
    names = [t["_target_"] for t in pipe["transforms"]]
    # the disabled flip is gone: MONAI does not build it
    assert names == ["monai.transforms.LoadImaged", "monai.transforms.RandRotated", "monai.transforms.RandZoomd"]
    assert pipe["transforms"][1]["range_x"] == 0.26
    assert pipe["transforms"][1]["keys"] == ["image", "label"]
    assert "_desc_" not in pipe["transforms"][2]
    assert isinstance(pipe["transforms"][2]["min_zoom"], Opaque)
    # a pipeline handed to a dataset is read where it is defined, once
    assert data["train"]["dataset"]["transform"] == "@train#preprocessing"
    # a same-file macro copies what it names (not into a transform: read at its definition too)
    assert data["validate"]["preprocessing"] == "%train#preprocessing"
    assert data["train"]["dataset"]["_target_"] == "Dataset"  # not a MONAI transform: left as written


def test_a_transform_referenced_inside_a_composition_is_read_there() -> None:
    doc = {
        "flip": {"_target_": "RandFlipd", "keys": "image", "prob": 0.5, "spatial_axis": 1},
        "aug": {"_target_": "Compose", "transforms": ["@flip", {"_target_": "RandRotate90d", "keys": "image"}]},
    }
    data, _ = prepared(doc)
    first = data["aug"]["transforms"][0]  # type: ignore[index]
    assert first == {"_target_": "monai.transforms.RandFlipd", "keys": "image", "prob": 0.5, "spatial_axis": 1}


def test_colon_separators_and_list_items() -> None:
    doc = {"a": [{"x": 1}, {"x": 2}], "t": {"_target_": "RandFlipd", "keys": "image", "prob": "@a::1::x"}}
    data, unreadable = prepared(doc)
    assert not unreadable
    assert data["t"]["prob"] == 2  # type: ignore[index]


@pytest.mark.parametrize(
    "value",
    ["@missing", "@a#", "%other.json#train#preprocessing", "$0.5", "$__import__('os').system('touch PWNED')"],
)
def test_what_cannot_be_known_is_an_unreadable_value(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    doc = {"a": {"b": 1}, "t": {"_target_": "RandFlipd", "keys": "image", "prob": value}}
    data, unreadable = prepared(doc)
    assert unreadable
    assert isinstance(data["t"]["prob"], Opaque)  # type: ignore[index]
    assert not (tmp_path / "PWNED").exists()


def test_a_disabled_flag_written_as_an_expression_is_not_taken_as_disabled() -> None:
    doc = {"t": {"_target_": "Compose", "transforms": [{"_target_": "RandFlipd", "keys": "x", "_disabled_": "$True"}]}}
    data, _ = prepared(doc)
    assert len(data["t"]["transforms"]) == 1  # type: ignore[index]


def test_a_target_written_as_an_expression_stays_and_is_reported_later() -> None:
    doc = {"t": {"_target_": "Compose", "transforms": [{"_target_": "$monai.transforms.RandFlipd", "keys": "x"}]}}
    data, _ = prepared(doc)
    assert data["t"]["transforms"][0]["_target_"] == "$monai.transforms.RandFlipd"  # type: ignore[index]


def test_loops_end_and_expansion_is_bounded() -> None:
    loop = {"a": "@b", "b": "@a", "t": {"_target_": "RandFlipd", "keys": "x", "prob": "@a"}}
    data, unreadable = prepared(loop)
    assert unreadable and isinstance(data["t"]["prob"], Opaque)  # type: ignore[index]
    bomb: dict[str, object] = {"l0": list(range(10))}
    for i in range(1, 12):
        bomb[f"l{i}"] = [f"@l{i - 1}"] * 10
    bomb["t"] = {"_target_": "RandFlipd", "keys": "x", "prob": "@l11"}
    with pytest.raises(ConfigError, match="more than"):
        prepared(bomb)


def test_documents_that_are_not_bundles_are_left_alone() -> None:
    hydra = {"aug": {"_target_": "albumentations.Compose", "transforms": [{"_target_": "albumentations.Rotate"}]}}
    assert prepared(hydra) == (hydra, False)
    albu_names = {"t": {"_target_": "Compose", "transforms": [{"_target_": "Resize", "height": 8, "width": 8}]}}
    assert not monai_bundle.is_bundle(albu_names)  # names albumentations has too, and no bundle syntax
    plain_monai = {"t": {"_target_": "monai.transforms.RandFlipd", "keys": "image"}}
    assert not monai_bundle.is_bundle(plain_monai)  # nothing to resolve: read as Hydra
    assert monai_bundle.is_bundle({"t": {"_target_": "RandFlipd", "keys": "image"}})


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda c: (
            st.lists(c, max_size=4)
            | st.dictionaries(st.sampled_from(["_target_", "a", "b", "@a", "keys", "_disabled_"]), c, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_any_document_is_prepared_without_error_or_is_refused_clearly(doc: object) -> None:
    try:
        data, _ = prepared({"x": doc, "t": {"_target_": "RandFlipd", "keys": "@x"}})
    except ConfigError as exc:
        assert "more than" in str(exc)
    else:
        json.dumps(data, default=repr)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_bundle_whose_keys_are_escaped_is_still_read_as_one(tmp_path: Path, suffix: str) -> None:
    # the reader skips the bundle walk for a text without `_target_`; a key spelt with escapes reads the same
    import safeaug

    doc = {
        "prob": 1.0,
        "train": {
            "_target_": "Compose",
            "transforms": [{"_target_": "RandFlipd", "keys": ["image"], "prob": "@prob", "spatial_axis": 1}],
        },
    }
    plain = tmp_path / f"plain{suffix}"
    plain.write_text(json.dumps(doc))  # (JSON is YAML too)
    escaped = tmp_path / f"escaped{suffix}"
    escaped.write_text(json.dumps(doc).replace('"_target_"', '"\\u005ftarget_"'))
    assert "_target_" not in escaped.read_text()
    want = [(f.code, f.message) for f in safeaug.validate(plain, "chest_xray").findings]
    assert want and [(f.code, f.message) for f in safeaug.validate(escaped, "chest_xray").findings] == want
