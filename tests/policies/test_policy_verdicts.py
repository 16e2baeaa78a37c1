"""Per policy, pipelines a domain expert would accept or refuse, with the verdict the research gives.

Each case is (policy, parameters, pipeline, expected): ``OK`` means no error (warnings allowed), otherwise
the exact set of error codes. Pipelines are built lazily so a broken case fails alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import albumentations as A
import pytest

import safeaug

OK: frozenset[str] = frozenset()


def errors(*codes: str) -> frozenset[str]:
    return frozenset(codes)


def hue_only(opencv_units: int) -> Any:
    """A hue shift alone, in HueSaturationValue's OpenCV units (half degrees)."""
    return A.HueSaturationValue(hue_shift_limit=opencv_units, sat_shift_limit=0, val_shift_limit=0)


Case = tuple[str, dict[str, Any], Callable[[], list[Any]], frozenset[str]]


def isic_2020_winner() -> list[Any]:
    """The ISIC 2020 1st-place training pipeline, in albumentations 2.0 spelling."""
    return [
        A.Transpose(p=0.5),
        A.VerticalFlip(p=0.5),
        A.HorizontalFlip(p=0.5),
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=0.75),
        A.OneOf(
            [
                A.MotionBlur(blur_limit=5),
                A.MedianBlur(blur_limit=5),
                A.GaussianBlur(blur_limit=5, sigma_limit=(0.5, 1.5)),
                A.GaussNoise(std_range=(0.0087, 0.0215)),
            ],
            p=0.7,
        ),
        A.OneOf([A.GridDistortion(num_steps=5, distort_limit=1.0), A.ElasticTransform(alpha=3)], p=0.7),
        A.CLAHE(clip_limit=4.0, p=0.7),
        A.HueSaturationValue(hue_shift_limit=10, sat_shift_limit=20, val_shift_limit=10, p=0.5),
        A.Affine(scale=(0.9, 1.1), translate_percent=(-0.1, 0.1), rotate=(-15, 15), border_mode=0, p=0.85),
        A.CoarseDropout(num_holes_range=(1, 1), hole_height_range=(0.375, 0.375), hole_width_range=(0.375, 0.375)),
    ]


CASES: list[Case] = [
    # chest_xray (more in test_acceptance_chest_xray.py)
    (
        "chest_xray",
        {},
        lambda: [
            A.ElasticTransform(alpha=120, sigma=6, p=0.3),
            A.GridDistortion(num_steps=5, distort_limit=0.3, p=0.3),
            A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2),
            A.RandomGamma(gamma_limit=(80, 120)),
        ],
        OK,
    ),
    ("chest_xray", {}, lambda: [A.HorizontalFlip()], errors("SA101")),
    (
        "chest_xray",
        {},
        lambda: [hue_only(5)],
        errors("SA206"),
    ),
    ("chest_xray", {}, lambda: [A.ChannelShuffle()], errors("SA208")),
    ("chest_xray", {}, lambda: [A.Rotate(limit=45, border_mode=0)], errors("SA102")),
    ("chest_xray", {}, lambda: [A.RandomRain()], errors("SA203", "SA204", "SA406")),
    # mammography
    ("mammography", {}, lambda: [A.HorizontalFlip()], errors("SA101")),
    ("mammography", {"laterality_in_label": False}, lambda: [A.HorizontalFlip()], OK),
    ("mammography", {"laterality_in_label": False}, lambda: [A.VerticalFlip()], errors("SA102")),
    (
        "mammography",
        {},
        lambda: [
            A.ShiftScaleRotate(shift_limit=0.1, scale_limit=0.1, rotate_limit=20, border_mode=0),
            A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2),
        ],
        OK,
    ),
    ("mammography", {}, lambda: [A.Downscale(scale_range=(0.5, 0.5))], errors("SA302")),
    ("mammography", {}, lambda: [A.GaussianBlur(sigma_limit=(1, 2))], errors("SA301")),
    ("mammography", {}, lambda: [A.InvertImg()], errors("SA201")),
    # fundus
    ("fundus", {"laterality_in_label": True}, lambda: [A.HorizontalFlip()], errors("SA101")),
    ("fundus", {"laterality_in_label": False}, lambda: [A.HorizontalFlip()], OK),
    ("fundus", {"laterality_in_label": False}, lambda: [A.D4(), A.Rotate(limit=180, border_mode=0)], OK),
    ("fundus", {"laterality_in_label": True}, lambda: [A.D4()], errors("SA101", "SA102")),
    (
        "fundus",
        {},
        lambda: [
            A.Affine(scale=(0.87, 1.15), translate_percent=(-0.078, 0.078), rotate=(-20, 20)),
            A.FancyPCA(alpha=0.25),
        ],
        OK,
    ),
    (
        "fundus",
        {},
        lambda: [hue_only(15)],
        errors("SA206"),
    ),
    ("fundus", {}, lambda: [A.Solarize()], errors("SA202")),
    # dermoscopy
    ("dermoscopy", {}, lambda: [A.D4()], OK),
    ("dermoscopy", {}, lambda: [A.Rotate(limit=180, border_mode=0)], OK),
    ("dermoscopy", {}, isic_2020_winner, OK),
    (
        "dermoscopy",
        {},
        lambda: [hue_only(20)],
        errors("SA206"),
    ),
    ("dermoscopy", {}, lambda: [A.ColorJitter(brightness=0.3, contrast=0, saturation=0.3, hue=0.1)], errors("SA206")),
    ("dermoscopy", {}, lambda: [A.ToGray(p=0.2)], errors("SA209")),
    ("dermoscopy", {}, lambda: [A.RandomResizedCrop(size=(256, 256), scale=(0.4, 1.0))], OK),
    ("dermoscopy", {}, lambda: [A.RandomResizedCrop(size=(256, 256), scale=(0.1, 1.0))], errors("SA103", "SA108")),
    # histopathology
    ("histopathology", {}, lambda: [A.D4(), A.Rotate(limit=180, border_mode=0)], OK),
    (
        "histopathology",
        {},
        lambda: [A.HEStain(intensity_shift_range=(-0.05, 0.05)), A.ElasticTransform(alpha=100, sigma=10)],
        OK,
    ),
    ("histopathology", {}, lambda: [A.ColorJitter(brightness=0, contrast=0, saturation=0.1, hue=0.1)], OK),
    ("histopathology", {}, lambda: [A.ColorJitter(brightness=0, contrast=0, saturation=0.1, hue=0.3)], errors("SA206")),
    (
        "histopathology",
        {"stain_augmentation": "strong"},
        lambda: [A.ColorJitter(brightness=0, contrast=0, saturation=0.5, hue=0.5)],
        OK,
    ),
    ("histopathology", {}, lambda: [A.Posterize(num_bits=4)], errors("SA211")),
    ("histopathology", {}, lambda: [A.InvertImg()], errors("SA201")),
    ("histopathology", {}, lambda: [A.Affine(scale=(0.6, 1.4))], errors("SA103")),
    # ct
    ("ct", {}, lambda: [A.HorizontalFlip()], errors("SA101")),
    ("ct", {"lateral_labels": False}, lambda: [A.HorizontalFlip(), A.VerticalFlip()], errors("SA102")),
    ("ct", {}, lambda: [A.Affine(scale=(0.7, 1.4), rotate=(-15, 15)), A.RandomGamma(gamma_limit=(70, 150))], OK),
    ("ct", {}, lambda: [A.GaussianBlur(sigma_limit=(0.5, 1.0)), A.Downscale(scale_range=(0.5, 1.0))], OK),
    ("ct", {}, lambda: [A.HueSaturationValue()], errors("SA206", "SA207")),
    ("ct", {}, lambda: [A.Rotate(limit=30, border_mode=0)], errors("SA102")),
    ("ct", {}, lambda: [A.CLAHE()], OK),  # a warning: HU are quantitative
    # mri
    ("mri", {}, lambda: [A.HorizontalFlip()], errors("SA101")),
    ("mri", {"lateral_labels": False}, lambda: [A.HorizontalFlip()], OK),
    ("mri", {}, lambda: [A.RandomGamma(gamma_limit=(70, 150)), A.Affine(scale=(0.9, 1.1), rotate=(-10, 10))], OK),
    ("mri", {}, lambda: [A.RandomGamma(gamma_limit=(50, 200))], errors("SA205")),
    ("mri", {}, lambda: [A.ChannelShuffle()], errors("SA208")),
    ("mri", {}, lambda: [A.RandomBrightnessContrast(brightness_limit=0.4, contrast_limit=0)], errors("SA203")),
    # ocr
    ("ocr", {}, lambda: [A.RandomRotate90()], errors("SA102")),
    ("ocr", {}, lambda: [A.HorizontalFlip()], errors("SA101")),
    ("ocr", {}, lambda: [A.Transpose()], errors("SA101", "SA102")),
    (
        "ocr",
        {},
        lambda: [
            A.Rotate(limit=10, border_mode=0),
            A.ElasticTransform(alpha=34, sigma=4),
            A.InvertImg(p=0.1),
            A.GaussianBlur(sigma_limit=(0.5, 1.5)),
            # fit_output keeps the whole page in frame; with keep_size the warped page is cut to the frame
            A.Perspective(scale=(0.05, 0.1), fit_output=True),
        ],
        OK,
    ),
    # Perspective(keep_size=True) stretches the warped quadrilateral over the frame: on a 128x384 text line
    # coordinate maps keep a median 67% of the area (97% of draws keep less than 90%), so glyphs at the ends go.
    ("ocr", {}, lambda: [A.Perspective(scale=(0.05, 0.1))], errors("SA108")),
    ("ocr", {}, lambda: [A.Rotate(limit=30, border_mode=0)], errors("SA102")),
    ("ocr", {}, lambda: [A.RandomGridShuffle()], errors("SA404")),
    # traffic_signs
    ("traffic_signs", {}, lambda: [A.HorizontalFlip()], errors("SA101")),
    ("traffic_signs", {}, lambda: [A.Affine(rotate=(-15, 15), scale=(0.9, 1.1), translate_percent=(-0.1, 0.1))], OK),
    ("traffic_signs", {}, lambda: [A.RandomRotate90()], errors("SA102")),
    ("traffic_signs", {}, lambda: [A.ChannelShuffle()], errors("SA208")),
    (
        "traffic_signs",
        {},
        lambda: [hue_only(20)],
        errors("SA206"),
    ),
    ("traffic_signs", {}, lambda: [hue_only(5)], OK),
    # driving
    ("driving", {}, lambda: [A.HorizontalFlip()], errors("SA101")),
    ("driving", {}, lambda: [A.RandomRain(), A.RandomFog(), A.RandomSunFlare(), A.RandomShadow()], OK),
    ("driving", {}, lambda: [A.Affine(rotate=(-10, 10), scale=(0.8, 1.2)), A.RandomBrightnessContrast(0.3, 0.3)], OK),
    ("driving", {}, lambda: [A.VerticalFlip()], errors("SA101", "SA102")),
    ("driving", {}, lambda: [A.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.15)], errors("SA206")),
    ("driving", {}, lambda: [A.Affine(translate_percent=(-0.3, 0.3))], errors("SA104")),
    # remote_sensing
    ("remote_sensing", {}, lambda: [A.D4()], OK),
    (
        "remote_sensing",
        {},
        lambda: [A.D4(), A.Rotate(limit=180, border_mode=0), A.GaussianBlur(sigma_limit=(0.1, 1.0))],
        OK,
    ),
    ("remote_sensing", {}, lambda: [A.ToGray()], errors("SA209")),
    (
        "remote_sensing",
        {},
        lambda: [A.RandomBrightnessContrast(brightness_limit=0.4, contrast_limit=0)],
        errors("SA203"),
    ),
    ("remote_sensing", {"orientation_in_label": True}, lambda: [A.D4()], errors("SA101", "SA102")),
    ("remote_sensing", {"orientation_in_label": True}, lambda: [A.GaussNoise(std_range=(0.01, 0.03))], OK),
    ("remote_sensing", {}, lambda: [A.ChannelShuffle()], OK),  # a warning: colour ops do not help
    # small_objects
    ("small_objects", {"smallest_object_px": 16}, lambda: [A.Downscale(scale_range=(0.25, 0.25))], errors("SA302")),
    ("small_objects", {"smallest_object_px": 16}, lambda: [A.Downscale(scale_range=(0.5, 1.0))], OK),
    ("small_objects", {"smallest_object_px": 32}, lambda: [A.Downscale(scale_range=(0.25, 1.0))], OK),
    ("small_objects", {}, lambda: [A.RandomScale(scale_limit=(-0.75, 0.5))], errors("SA103")),
    ("small_objects", {}, lambda: [A.GaussianBlur(sigma_limit=(1, 3))], errors("SA301")),
    ("small_objects", {}, lambda: [A.D4(), A.RandomCrop(height=512, width=512)], OK),
    ("small_objects", {"image_level_labels": True}, lambda: [A.RandomCrop(height=512, width=512)], errors("SA108")),
    ("small_objects", {}, lambda: [A.ImageCompression(quality_range=(30, 90))], errors("SA304")),
    # natural
    ("natural", {}, lambda: [A.RandomResizedCrop(size=(224, 224)), A.HorizontalFlip()], OK),
    ("natural", {}, lambda: [A.VerticalFlip()], errors("SA102")),
    ("natural", {}, lambda: [A.RandomRotate90()], errors("SA102")),
    ("natural", {}, lambda: [A.RandomResizedCrop(size=(224, 224), scale=(0.01, 1.0))], errors("SA108")),
    ("natural", {}, lambda: [A.Rotate(limit=30, border_mode=0), A.ColorJitter()], OK),
    ("natural", {}, lambda: [A.Transpose()], errors("SA102")),
    # face_landmarks
    ("face_landmarks", {}, lambda: [A.HorizontalFlip()], errors("SA101")),
    ("face_landmarks", {}, lambda: [A.VerticalFlip()], errors("SA101", "SA102")),
    ("face_landmarks", {}, lambda: [A.RandomRotate90()], errors("SA102")),
    ("face_landmarks", {}, lambda: [A.Affine(rotate=(-30, 30), scale=(0.75, 1.25)), A.ColorJitter()], OK),
    ("face_landmarks", {}, lambda: [A.Affine(scale=(0.5, 1.5))], errors("SA103")),
    ("face_landmarks", {}, lambda: [A.RandomGridShuffle()], errors("SA404")),
    # vision_language
    ("vision_language", {}, lambda: [A.HorizontalFlip()], errors("SA101")),
    ("vision_language", {}, lambda: [A.RandomResizedCrop(size=(384, 384), scale=(0.5, 1.0))], OK),
    ("vision_language", {}, lambda: [A.RandomResizedCrop(size=(384, 384), scale=(0.2, 1.0))], errors("SA108")),
    (
        "vision_language",
        {},
        lambda: [A.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)],
        errors("SA206", "SA207"),
    ),
    ("vision_language", {}, lambda: [A.CoarseDropout()], errors("SA403")),
    (
        "vision_language",
        {},
        lambda: [
            A.Affine(rotate=(-20, 20), shear=(-10, 10)),
            A.RandomBrightnessContrast(0.2, 0),
            A.Sharpen(),
            A.Equalize(by_channels=False),
        ],
        OK,
    ),
    ("vision_language", {}, lambda: [A.InvertImg()], errors("SA201")),
    # shear=(-10, 10) draws each axis on its own: opposite shears turn by 10° more than `rotate` (measured 40°)
    ("vision_language", {}, lambda: [A.Affine(rotate=(-30, 30), shear=(-10, 10))], errors("SA102")),
]


def _id(case: Case) -> str:
    policy, params, make, expected = case
    names = "+".join(type(t).__name__ for t in make())
    args = ",".join(f"{k}={v}" for k, v in params.items())
    verdict = "ok" if not expected else "-".join(sorted(expected))
    return f"{policy}({args})-{names}-{verdict}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_verdict(case: Case) -> None:
    policy_id, params, make, expected = case
    policy = safeaug.load_policy(policy_id, **params)
    report = safeaug.validate(A.Compose(make()), policy)
    assert {f.code for f in report.errors} == expected, str(report)
    assert report.ok == (not expected)
    for finding in report.errors:
        assert finding.reason and finding.fix, finding


def test_every_builtin_policy_has_at_least_six_cases() -> None:
    counts = {pid: 0 for pid in safeaug.list_policies()}
    for policy_id, *_ in CASES:
        counts[policy_id] += 1
    assert all(n >= 6 for n in counts.values()), counts


def test_warnings_that_the_tables_expect_are_there() -> None:
    ct = safeaug.validate(A.Compose([A.CLAHE()]), "ct")
    assert [(f.code, f.severity) for f in ct.findings] == [("SA210", "warning")]
    rs = safeaug.validate(A.Compose([A.ChannelShuffle()]), "remote_sensing")
    assert [(f.code, f.severity) for f in rs.findings] == [("SA208", "warning")]
    winner = safeaug.validate(A.Compose(isic_2020_winner()), "dermoscopy")
    assert {f.code for f in winner.warnings} == {"SA207"}  # HSV's additive saturation shift
