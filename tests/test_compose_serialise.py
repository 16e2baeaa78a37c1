"""safeaug.Compose keeps its policy through to_dict / from_dict, A.save / A.load, and is still read by the linter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import albumentations as A
import numpy as np
import pytest

import safeaug
from safeaug.policies.stored import policy_from_dict, policy_to_dict


def _transforms() -> list[A.BasicTransform]:
    return [
        A.Affine(rotate=(-10, 10), scale=(0.9, 1.1), p=0.7),
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=0.8),
        A.RandomGamma(gamma_limit=(80, 120), p=0.5),
    ]


def _image() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (48, 48), dtype=np.uint8)


def test_to_dict_records_a_builtin_policy_by_id_with_its_parameters() -> None:
    policy = safeaug.load_policy("small_objects", smallest_object_px=16)
    safe = safeaug.Compose([A.RandomGamma(gamma_limit=(90, 110))], policy=policy)
    stored = safe.to_dict()["transform"]["policy"]
    assert stored["id"] == "small_objects"
    assert stored["arguments"]["smallest_object_px"] == 16
    assert A.to_dict(safe)["transform"]["policy"] == stored
    assert "definition" not in stored


def test_from_dict_rebuilds_the_policy_with_its_parameters_and_the_pipeline() -> None:
    policy = safeaug.load_policy("small_objects", smallest_object_px=16)
    safe = safeaug.Compose([A.RandomGamma(gamma_limit=(90, 110))], policy=policy, seed=1)
    for loaded in (safeaug.Compose.from_dict(A.to_dict(safe)), A.from_dict(A.to_dict(safe))):
        assert isinstance(loaded, safeaug.Compose)
        assert loaded.policy == policy and loaded.policy.values["smallest_object_px"] == 16
        assert [type(t).__name__ for t in loaded.transforms] == ["RandomGamma"]


def test_a_custom_policy_is_stored_whole_and_comes_back_equal() -> None:
    base = safeaug.load_policy("chest_xray")
    custom = base.model_copy(update={"id": "my_ward", "title": "Our films"})
    safe = safeaug.Compose(_transforms(), policy=custom)
    stored = A.to_dict(safe)["transform"]["policy"]
    assert stored["id"] == "my_ward" and stored["definition"]["title"] == "Our films"
    text = json.dumps(A.to_dict(safe))  # plain JSON types only
    loaded = A.from_dict(json.loads(text))
    assert isinstance(loaded, safeaug.Compose) and loaded.policy == custom


def test_a_dict_edited_to_add_a_flip_is_refused_on_load() -> None:
    data = A.to_dict(safeaug.Compose(_transforms(), policy="chest_xray"))
    data["transform"]["transforms"].append({"__class_fullname__": "HorizontalFlip", "p": 0.5})
    with pytest.raises(safeaug.PolicyViolationError) as info:
        A.from_dict(data)
    assert info.value.report.codes() == ["SA101"]
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.Compose.from_dict(data)


def test_from_dict_of_a_plain_albumentations_dict_needs_a_policy() -> None:
    plain = A.to_dict(A.Compose(_transforms()))
    with pytest.raises(safeaug.PolicyError, match="records no policy"):
        safeaug.Compose.from_dict(plain)
    loaded = safeaug.Compose.from_dict(plain, policy="chest_xray")
    assert loaded.policy.id == "chest_xray"
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.Compose.from_dict(A.to_dict(A.Compose([A.Transpose()])), policy="chest_xray")


@pytest.mark.parametrize(
    "stored, match",
    [
        ({"id": "no_such_policy"}, "no such built-in policy"),
        ({"name": "chest_xray"}, "keys found: name"),
        ({"id": "small_objects", "arguments": {"smallest_object_px": "big"}}, "smallest_object_px"),
        ({"id": "x", "definition": {"id": "x", "title": "t", "invariants": [{"effect": "wobble"}]}}, "not a valid"),
    ],
)
def test_a_broken_stored_policy_is_a_clear_policy_error(stored: dict[str, Any], match: str) -> None:
    with pytest.raises(safeaug.PolicyError, match=match):
        policy_from_dict(stored)


def test_policy_round_trip_is_exact_for_every_builtin() -> None:
    for policy_id in safeaug.list_policies():
        policy = safeaug.load_policy(policy_id)
        assert policy_from_dict(json.loads(json.dumps(policy_to_dict(policy)))) == policy


@pytest.mark.parametrize("data_format", ["json", "yaml"])
def test_save_and_load_keep_the_policy_and_the_outputs(tmp_path: Path, data_format: str) -> None:
    safe = safeaug.Compose(_transforms(), policy="chest_xray", seed=4)
    path = tmp_path / f"pipeline.{data_format}"
    A.save(safe, str(path), data_format=data_format)
    loaded = A.load(str(path), data_format=data_format)
    assert isinstance(loaded, safeaug.Compose) and loaded.policy == safe.policy
    loaded.set_random_seed(4)
    safe.set_random_seed(4)
    np.testing.assert_array_equal(loaded(image=_image())["image"], safe(image=_image())["image"])


def test_the_validator_reads_a_serialised_safeaug_compose_as_a_composition() -> None:
    nested = A.Compose([safeaug.ReplayCompose([A.RandomGamma()], policy="chest_xray"), A.Rotate(limit=5)])
    for pipeline, edited in ((safeaug.Compose(_transforms(), policy="chest_xray"), ()), (nested, (0,))):
        data = A.to_dict(pipeline)
        assert safeaug.validate(data, "chest_xray").codes() == []
        node = data["transform"]
        for i in edited:
            node = node["transforms"][i]
        assert node["__class_fullname__"].startswith("safeaug.compose.")
        node["transforms"].append({"__class_fullname__": "Transpose", "p": 0.5})
        assert "SA101" in safeaug.validate(data, "chest_xray").codes()


@pytest.mark.parametrize("data_format", ["json", "yaml"])
def test_the_linter_reads_a_file_written_by_albumentations_save(tmp_path: Path, data_format: str) -> None:
    good = tmp_path / f"good.{data_format}"
    A.save(safeaug.Compose(_transforms(), policy="chest_xray"), str(good), data_format=data_format)
    flipped = safeaug.Compose(_transforms(), policy="natural")
    flipped.transforms.append(A.HorizontalFlip(p=0.5))  # built under a looser policy, then saved
    bad = tmp_path / f"bad.{data_format}"
    A.save(flipped, str(bad), data_format=data_format)
    run = [sys.executable, "-m", "safeaug.cli", "lint", "--policy", "chest_xray", "--format", "json"]
    ok = subprocess.run([*run, str(good)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    refused = subprocess.run([*run, str(bad)], capture_output=True, text=True, check=False)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert [f["code"] for f in json.loads(refused.stdout)["findings"]] == ["SA101"]


@pytest.mark.parametrize("data", [{"x": 1}, {"transform": {"p": 1.0}}, [1, 2]])
def test_from_dict_of_something_else_is_a_config_error_saying_what_it_expected(data: Any) -> None:
    with pytest.raises(safeaug.ConfigError, match="expected a dict from to_dict"):
        safeaug.Compose.from_dict(data, policy="chest_xray")
