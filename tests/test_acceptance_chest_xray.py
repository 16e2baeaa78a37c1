"""The chest_xray acceptance cases: what a radiologist would refuse, and what they would accept."""

from __future__ import annotations

import albumentations as A
import pytest

import safeaug

MIRRORS_OR_TURNS = [A.HorizontalFlip, A.VerticalFlip, A.Transpose, A.D4, A.RandomRotate90]


@pytest.mark.parametrize("cls", MIRRORS_OR_TURNS, ids=lambda c: c.__name__)
def test_mirrors_and_quarter_turns_are_refused(cls: type) -> None:
    pipeline = A.Compose([cls(p=0.5)])
    report = safeaug.validate(pipeline, "chest_xray")
    assert not report.ok
    assert {f.transform for f in report.errors} == {cls.__name__}
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safeaug.check(pipeline, "chest_xray")
    assert info.value.report == report
    assert cls.__name__ in str(info.value)


def test_horizontal_flip_is_refused_for_mirroring_with_the_reason() -> None:
    report = safeaug.validate(A.Compose([A.HorizontalFlip()]), "chest_xray")
    (finding,) = report.errors
    assert finding.code == "SA101"
    assert finding.location == "transforms[0]"
    assert "heart" in finding.reason
    assert "HorizontalFlip" in finding.fix


def test_a_flip_hidden_in_nested_compositions_is_refused() -> None:
    pipeline = A.Compose(
        [
            A.RandomGamma(),
            A.OneOf(
                [
                    A.NoOp(),
                    A.Sequential(
                        [A.SomeOf([A.RandomBrightnessContrast(), A.OneOrOther(A.NoOp(), A.HorizontalFlip())], n=1)]
                    ),
                ]
            ),
        ]
    )
    report = safeaug.validate(pipeline, "chest_xray")
    assert not report.ok
    (finding,) = [f for f in report.errors if f.code == "SA101"]
    assert finding.transform == "HorizontalFlip"
    assert finding.location == "transforms[1].transforms[1].transforms[0].transforms[1].transforms[1]"


@pytest.mark.parametrize("cls", [A.SquareSymmetry, A.TimeReverse], ids=lambda c: c.__name__)
def test_subclasses_of_mirrors_are_refused_by_what_they_do(cls: type) -> None:
    assert "SA101" in safeaug.validate(A.Compose([cls()]), "chest_xray").codes()


def test_affine_with_a_negative_scale_is_a_mirror() -> None:
    pipeline = A.Compose([A.Affine(scale={"x": (-1, -1), "y": (1, 1)}, p=1)])
    assert "SA101" in safeaug.validate(pipeline, "chest_xray").codes()


def test_rotate_with_default_arguments_is_refused() -> None:
    report = safeaug.validate(A.Compose([A.Rotate()]), "chest_xray")
    (finding,) = report.errors
    assert finding.code == "SA102"
    assert "±90°" in finding.message and "`limit=(-90, 90)`" in finding.message
    assert "Rotate(limit=(-15, 15))" in finding.fix


def test_two_rotations_whose_sum_exceeds_the_bound_are_refused() -> None:
    pipeline = A.Compose([A.Rotate(limit=10), A.Affine(rotate=(-10, 10))])
    report = safeaug.validate(pipeline, "chest_xray")
    (finding,) = report.errors
    assert finding.code == "SA102"
    assert finding.transform is None and finding.location == ""
    assert "±20°" in finding.message and "Rotate" in finding.message and "Affine" in finding.message


def test_two_rotations_within_the_bound_together_are_accepted() -> None:
    assert safeaug.validate(A.Compose([A.Rotate(limit=7), A.Affine(rotate=(-7, 7))]), "chest_xray").ok


def test_rotations_in_a_one_of_do_not_add_up() -> None:
    assert safeaug.validate(A.Compose([A.OneOf([A.Rotate(limit=15), A.Affine(rotate=(-15, 15))])]), "chest_xray").ok


def test_the_radiologists_pipeline_is_accepted() -> None:
    pipeline = A.Compose(
        [
            A.ElasticTransform(alpha=120, sigma=6, p=0.3),
            A.GridDistortion(num_steps=5, distort_limit=0.3, p=0.3),
            A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2),
            A.RandomGamma(gamma_limit=(80, 120)),
            A.CLAHE(),
            A.Affine(rotate=(-10, 10), scale=(0.9, 1.1), translate_percent=(-0.05, 0.05)),
        ]
    )
    report = safeaug.validate(pipeline, "chest_xray")
    assert report.ok, str(report)
    assert report.findings == ()


def test_a_forbidden_transform_with_p_zero_is_ignored() -> None:
    assert safeaug.validate(A.Compose([A.HorizontalFlip(p=0), A.OneOf([A.VerticalFlip()], p=0)]), "chest_xray").ok


def test_reflect_border_is_a_warning_not_an_error() -> None:
    report = safeaug.validate(A.Compose([A.Rotate(limit=5, border_mode=4)]), "chest_xray")
    assert report.ok
    assert [(f.code, f.severity) for f in report.findings] == [("SA109", "warning")]


def test_the_error_message_lists_every_error_one_line_each() -> None:
    pipeline = A.Compose([A.HorizontalFlip(), A.Rotate(limit=40), A.InvertImg()])
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safeaug.check(pipeline, "chest_xray")
    text = str(info.value)
    head = [line for line in text.splitlines() if line.startswith("  SA")]
    assert [line.split()[0] for line in head] == ["SA101", "SA102", "SA201"]
    assert "3 errors" in text.splitlines()[0]
    assert isinstance(info.value, ValueError)


def test_a_sum_that_breaks_the_bound_is_reported_beside_a_transform_that_breaks_it_alone() -> None:
    pipeline = A.Compose([A.RandomRotate90(), A.Rotate(limit=10), A.Affine(rotate=(-10, 10))])
    report = safeaug.validate(pipeline, "chest_xray")
    rotation = [f for f in report.errors if f.code == "SA102"]
    assert [f.transform for f in rotation] == [None, "RandomRotate90"]
    assert "Even without the transforms flagged above" in rotation[0].message
    assert "RandomRotate90" not in rotation[0].message and "±20°" in rotation[0].message
