"""Policy parameters, the expression evaluator, ``when:`` conditions and the label-transform verdict."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import albumentations as A
import pytest

import safeaug
from safeaug.policies._expr import ExpressionError, evaluate_condition, evaluate_number, render_text
from safeaug.readers import read_pipeline

# ------------------------------------------------------------------------------------------ parameters


def test_small_objects_bounds_follow_the_parameters() -> None:
    default = safeaug.load_policy("small_objects")
    assert default.values == {"smallest_object_px": 16, "min_visible_px": 8, "image_level_labels": False}
    assert default.invariant("resolution").min == pytest.approx(0.5)  # type: ignore[union-attr]
    assert default.invariant("scale").min == pytest.approx(0.5)  # type: ignore[union-attr]
    assert default.invariant("blur").max == pytest.approx(2.0)  # type: ignore[union-attr]
    big = safeaug.load_policy("small_objects", smallest_object_px=64, min_visible_px=16)
    assert big.invariant("resolution").min == pytest.approx(0.25)  # type: ignore[union-attr]
    assert big.invariant("blur").max == pytest.approx(4.0)  # type: ignore[union-attr]
    # objects already below the visible size: no shrinking at all
    tiny = safeaug.load_policy("small_objects", smallest_object_px=4)
    assert tiny.invariant("resolution").min == 1.0  # type: ignore[union-attr]


def test_parameters_reach_the_texts() -> None:
    policy = safeaug.load_policy("small_objects", smallest_object_px=40)
    assert "objects of 40 px" in policy.description
    assert "40 px object" in policy.invariant("resolution").reason  # type: ignore[union-attr]


def test_small_objects_fix_hints_say_tile_instead_of_shrinking() -> None:
    report = safeaug.validate(
        A.Compose([A.Downscale(scale_range=(0.25, 0.25)), A.RandomScale(scale_limit=(-0.75, 0))]), "small_objects"
    )
    assert sorted(report.codes()) == ["SA103", "SA302"]
    for finding in report.errors:
        assert "tiles cut at full resolution" in finding.fix
        assert "strided backbones" in finding.fix
    resize = safeaug.validate(A.Compose([A.Resize(640, 640)]), "small_objects")
    assert [(f.code, f.severity) for f in resize.findings] == [("SA110", "warning")]
    assert "SAHI" in resize.findings[0].fix


def test_when_conditions_pick_the_invariant() -> None:
    on = safeaug.load_policy("fundus", laterality_in_label=True)
    off = safeaug.load_policy("fundus", laterality_in_label=False)
    assert on.invariant("mirror").allowed is False  # type: ignore[union-attr]
    assert off.invariant("mirror").allowed is True  # type: ignore[union-attr]
    assert on.invariant("rotation").max == 20  # type: ignore[union-attr]
    assert off.invariant("rotation").max is None  # type: ignore[union-attr]
    strong = safeaug.load_policy("histopathology", stain_augmentation="strong")
    assert strong.invariant("saturation") is None
    assert strong.invariant("hue").max is None  # type: ignore[union-attr]


def test_loading_caches_per_parameter_values() -> None:
    assert safeaug.load_policy("fundus") is safeaug.load_policy("fundus")
    assert safeaug.load_policy("fundus", laterality_in_label=False) is safeaug.load_policy(
        "fundus", laterality_in_label=False
    )
    assert safeaug.load_policy("fundus") is not safeaug.load_policy("fundus", laterality_in_label=False)
    a = safeaug.load_policy("small_objects", smallest_object_px=16)
    b = safeaug.load_policy("small_objects", smallest_object_px=32)
    assert a.invariant("resolution") != b.invariant("resolution")


def test_an_unknown_parameter_names_it_and_lists_the_declared_ones() -> None:
    with pytest.raises(safeaug.PolicyError) as info:
        safeaug.load_policy("small_objects", smallest_object=16)
    text = str(info.value)
    assert "`smallest_object`" in text
    assert "smallest_object_px: int = 16" in text and "min_visible_px: int = 8" in text


def test_a_policy_without_parameters_says_so() -> None:
    with pytest.raises(safeaug.PolicyError, match="declares no parameters"):
        safeaug.load_policy("ocr", strict=True)


@pytest.mark.parametrize(
    ("policy", "params", "expected"),
    [
        ("small_objects", {"smallest_object_px": "16"}, "expected an integer ≥ 1, got '16'"),
        ("small_objects", {"smallest_object_px": 16.5}, "expected an integer"),
        ("small_objects", {"smallest_object_px": True}, "expected an integer"),
        ("small_objects", {"smallest_object_px": 0}, "expected an integer ≥ 1, got 0"),
        ("fundus", {"laterality_in_label": 1}, "expected true or false, got 1"),
        ("fundus", {"laterality_in_label": "yes"}, "expected true or false"),
        ("histopathology", {"stain_augmentation": "medium"}, "one of 'light', 'strong'"),
        ("fundus", {"laterality_in_label": [True]}, "expected a number, true/false or a string"),
    ],
)
def test_a_parameter_of_the_wrong_type_is_refused(policy: str, params: dict[str, object], expected: str) -> None:
    with pytest.raises(safeaug.PolicyError) as info:
        safeaug.load_policy(policy, **params)
    assert expected in str(info.value)
    assert next(iter(params)) in str(info.value)


def test_parameters_cannot_be_applied_to_a_loaded_policy() -> None:
    policy = safeaug.load_policy("fundus")
    with pytest.raises(safeaug.PolicyError, match="already loaded"):
        safeaug.load_policy(policy, laterality_in_label=False)


def test_a_user_policy_declares_parameters_and_uses_them(tmp_path: Path) -> None:
    path = tmp_path / "line.yaml"
    path.write_text(
        "id: line\ntitle: Our inspection line\n"
        "parameters:\n"
        "  - name: defect_px\n    type: float\n    default: 6\n    description: smallest defect width\n"
        "  - name: strict\n    type: bool\n    default: false\n    description: refuse blur entirely\n"
        "invariants:\n"
        "  - effect: blur\n    max: defect_px / 4\n    when: not strict\n"
        "    reason: blur below a quarter of {defect_px} px\n"
        "  - effect: blur\n    allowed: false\n    when: strict\n    reason: no blur at all\n"
    )
    loose = safeaug.load_policy(path)
    assert loose.invariant("blur").max == 1.5  # type: ignore[union-attr]
    assert loose.invariant("blur").reason == "blur below a quarter of 6 px"  # type: ignore[union-attr]
    assert safeaug.load_policy(path, defect_px=10).invariant("blur").max == 2.5  # type: ignore[union-attr]
    assert safeaug.load_policy(path, strict=True).invariant("blur").allowed is False  # type: ignore[union-attr]
    assert safeaug.validate(A.Compose([A.GaussianBlur(sigma_limit=(0.5, 1.0))]), path).ok
    assert not safeaug.validate(
        A.Compose([A.GaussianBlur(sigma_limit=(0.5, 1.0))]), safeaug.load_policy(path, strict=True)
    ).ok


def test_an_extending_policy_can_change_a_parents_default(tmp_path: Path) -> None:
    path = tmp_path / "aerial.yaml"
    path.write_text(
        "id: aerial\ntitle: Aerial pedestrians\nextends: small_objects\n"
        "parameters:\n"
        "  - name: smallest_object_px\n    type: int\n    default: 12\n    min: 1\n    description: pedestrians\n"
    )
    policy = safeaug.load_policy(path)
    assert policy.values["smallest_object_px"] == 12
    assert policy.invariant("resolution").min == pytest.approx(8 / 12)  # type: ignore[union-attr]
    assert safeaug.load_policy(path, min_visible_px=6).invariant("resolution").min == pytest.approx(0.5)  # type: ignore[union-attr]


def test_redeclaring_a_parameter_with_another_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "id: p\ntitle: P\nextends: fundus\nparameters:\n"
        "  - name: laterality_in_label\n    type: int\n    default: 1\n    description: x\n"
    )
    with pytest.raises(safeaug.PolicyError, match=r"p.yaml:5: parameter `laterality_in_label` is bool"):
        safeaug.load_policy(path)


@pytest.mark.parametrize(
    ("bound", "message"),
    [
        ("__import__('os').system('true')", "only min(...) and max(...)"),
        ("defect_px ** 2", "not allowed"),
        ("defect_px.real", "not allowed"),
        ("abs(defect_px)", "only min(...) and max(...)"),
        ("defect_px / 0", "division by zero"),
        ("defect_pxx / 4", "unknown name `defect_pxx`; parameters: defect_px"),
        ("[1, 2]", "not allowed"),
        ("lambda: 1", "not allowed"),
        ("1 +", "cannot read"),
        ("'4'", "expected a number"),
    ],
)
def test_the_evaluator_refuses_what_is_not_arithmetic(tmp_path: Path, bound: str, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "id: p\ntitle: P\nparameters:\n  - name: defect_px\n    type: int\n    default: 4\n    description: d\n"
        f'invariants:\n  - effect: blur\n    max: "{bound}"\n    reason: r\n'
    )
    with pytest.raises(safeaug.PolicyError) as info:
        safeaug.load_policy(path)
    text = str(info.value)
    assert f"{path}:10:" in text and "invariants[0].max" in text
    assert message in text


def test_a_bad_condition_points_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "id: p\ntitle: P\nparameters:\n  - name: n\n    type: int\n    default: 4\n    description: d\n"
        "invariants:\n  - effect: blur\n    max: 1\n    reason: r\n    when: n\n"
    )
    with pytest.raises(safeaug.PolicyError, match=r"p.yaml:12: .*`n` is 4, not true/false"):
        safeaug.load_policy(path)


def test_errors_after_a_skipped_invariant_point_at_the_right_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "id: p\ntitle: P\ninvariants:\n"
        "  - effect: blur\n    max: 1\n    reason: r\n    when: false\n"
        "  - effect: rotation\n    min: 3\n    reason: r\n"
    )
    with pytest.raises(safeaug.PolicyError, match=r"p.yaml:8: .*invariants\[1\].*use `max`"):
        safeaug.load_policy(path)


def test_two_invariants_for_one_effect_without_exclusive_conditions_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "id: p\ntitle: P\ninvariants:\n"
        "  - effect: blur\n    max: 1\n    reason: r\n"
        "  - effect: blur\n    max: 2\n    reason: r\n    when: true\n"
    )
    with pytest.raises(safeaug.PolicyError, match="two invariants for `blur` apply at once"):
        safeaug.load_policy(path)


def test_derived_keys_cannot_be_written(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("id: p\ntitle: P\narguments: [[a, 1]]\n")
    with pytest.raises(safeaug.PolicyError, match=r"p.yaml:3: `arguments` is filled in by the loader"):
        safeaug.load_policy(path)


def test_evaluator_units() -> None:
    names: dict[str, bool | int | float | str] = {"a": 8, "b": 16, "flag": True, "mode": "light"}
    assert evaluate_number("min(1, a / b)", names) == 0.5
    assert evaluate_number("max(a, b) - -2 * (1 + 1)", names) == 20
    assert evaluate_condition("flag and a < b <= 16 and mode == 'light'", names) is True
    assert evaluate_condition('not flag or mode != "light"', names) is False
    assert evaluate_condition("true", {}) is True
    assert render_text("{a} px, σ {a / 4}, {{literal}}, {mode}", names) == "8 px, σ 2, {literal}, light"
    with pytest.raises(ExpressionError, match="cannot compare"):
        evaluate_condition("mode > 3", names)
    with pytest.raises(ExpressionError, match="not a number"):
        evaluate_number("flag * 2", names)
    with pytest.raises(ExpressionError, match="longer than"):
        evaluate_number("+".join(["1"] * 400), names)
    with pytest.raises(ExpressionError, match="unbalanced"):
        render_text("a } b", names)


# ------------------------------------------------------------------------------------------ label transforms


@pytest.mark.parametrize(
    ("policy", "params", "pipeline", "words"),
    [
        ("face_landmarks", {}, [A.HorizontalFlip()], "swaps left/right keypoint labels"),
        ("driving", {}, [A.HorizontalFlip()], "negates the steering angle"),
        ("vision_language", {}, [A.HorizontalFlip()], "rewrites left and right in the text"),
        ("traffic_signs", {}, [A.HorizontalFlip()], "maps each class through a flip table"),
        ("ct", {}, [A.HorizontalFlip()], "swaps left and right label classes"),
        ("remote_sensing", {"orientation_in_label": True}, [A.Rotate(limit=10)], "rotates the orientation labels"),
    ],
)
def test_a_plain_transform_is_refused_with_the_missing_label_transform(
    policy: str, params: dict[str, object], pipeline: list[object], words: str
) -> None:
    report = safeaug.validate(A.Compose(pipeline), safeaug.load_policy(policy, **params))
    (finding,) = report.errors
    assert finding.code in ("SA101", "SA102")
    assert finding.label_transform is not None and words in finding.label_transform
    assert (
        f"policy `{policy}` allows" in finding.message
        and "only together with a label transform that" in finding.message
    )
    assert words in finding.message
    assert "leaves the labels as they were" in finding.message
    assert "Remove" in finding.fix and words in finding.fix


def test_face_landmarks_message_reads_well() -> None:
    (finding,) = safeaug.validate(A.Compose([A.HorizontalFlip()]), "face_landmarks").findings
    assert finding.message.startswith("`HorizontalFlip` may mirror the image")
    assert (
        "policy `face_landmarks` allows mirror only together with a label transform that swaps left/right "
        "keypoint labels" in finding.message
    )
    assert "swap_left_right_keypoints" in finding.fix


class KeypointSwapFlip(A.HorizontalFlip):  # type: ignore[misc]
    """Stands in for a flip that swaps keypoint labels."""


def test_a_label_aware_flip_is_accepted_by_name(tmp_path: Path) -> None:
    name = read_pipeline(KeypointSwapFlip()).name
    path = tmp_path / "faces.yaml"
    path.write_text(
        f"id: faces\ntitle: Our faces\nextends: face_landmarks\nallow:\n"
        f"  - transform: {name}\n    reason: swaps left/right keypoint labels through our flip map\n"
    )
    assert safeaug.validate(A.Compose([KeypointSwapFlip()]), path).ok
    assert not safeaug.validate(A.Compose([A.HorizontalFlip()]), path).ok
    assert any("KeypointSwapFlip" in line for line in safeaug.load_policy(path).loosened)


@pytest.fixture
def swapping_flip() -> Iterator[type]:
    """A flip registered with a catalog entry that declares the label transform it performs."""

    class SwappingFlip(A.HorizontalFlip):  # type: ignore[misc]
        pass

    safeaug.register_transform(
        SwappingFlip, safeaug.Envelope(mirror=True), label_transforms={"swap_left_right_keypoints"}
    )
    try:
        yield SwappingFlip
    finally:
        safeaug.unregister_transform(SwappingFlip)


def test_a_transform_that_declares_the_label_transform_is_accepted(swapping_flip: type) -> None:
    assert safeaug.validate(A.Compose([swapping_flip()]), "face_landmarks").ok
    # it performs the keypoint swap, not a steering negation
    assert not safeaug.validate(A.Compose([swapping_flip()]), "driving").ok
    # a plain flip beside it is still refused, and only the plain flip is named
    report = safeaug.validate(A.Compose([swapping_flip(), A.HorizontalFlip()]), "face_landmarks")
    assert [f.location for f in report.errors] == ["transforms[1]"]


def test_needs_label_transform_must_not_be_combined_with_a_ban(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "id: p\ntitle: P\ninvariants:\n  - effect: mirror\n    allowed: false\n"
        "    needs_label_transform: {name: swap, does: swaps}\n    reason: r\n"
    )
    with pytest.raises(safeaug.PolicyError, match="keep one of them"):
        safeaug.load_policy(path)
