"""A cut-out after the frame grew around the image hides more of the content than its share of the frame."""

from __future__ import annotations

from pathlib import Path

import albumentations as A
import pytest

import safeaug

DROPOUT = A.CoarseDropout(num_holes_range=(1, 4), hole_height_range=(0.05, 0.1), hole_width_range=(0.05, 0.1), p=0.5)


def _codes(report: safeaug.Report) -> list[tuple[str, str, str]]:
    return [(f.code, f.severity, f.location) for f in report.findings]


def test_a_pad_in_pixels_before_a_cut_out_is_a_warning_naming_both() -> None:
    report = safeaug.validate([A.PadIfNeeded(512, 512), DROPOUT], "chest_xray")
    assert _codes(report) == [("SA407", "warning", "transforms[0]")]
    [finding] = report.findings
    assert "`PadIfNeeded`" in finding.message and "`CoarseDropout`" in finding.message
    assert "depends on the input size" in finding.message and "10% of the area" in finding.message
    assert "Cut out before padding" in (finding.fix or "")
    assert finding.effect == "occlusion" and finding.reason


def test_the_same_cut_out_before_the_pad_or_alone_is_fine() -> None:
    assert safeaug.validate([DROPOUT, A.PadIfNeeded(512, 512)], "chest_xray").findings == ()
    assert safeaug.validate([DROPOUT], "chest_xray").findings == ()
    assert safeaug.validate([A.PadIfNeeded(512, 512)], "chest_xray").findings == ()


def test_a_pad_by_a_fraction_is_counted_and_named_in_the_combined_finding() -> None:
    erase = A.Erasing(scale=(0.08, 0.08), p=1)
    assert safeaug.validate([erase], "chest_xray").ok and not safeaug.validate([erase], "chest_xray").findings
    report = safeaug.validate([A.CropAndPad(percent=0.15, keep_size=False), erase], "chest_xray")
    [finding] = report.findings
    assert finding.code == "SA403" and "CropAndPad" in finding.message and "Erasing" in finding.message
    assert "1.69×" in finding.message  # (1 + 2 * 0.15)² in area
    assert report.envelope.occlusion == pytest.approx(0.08 * 1.3**2)


@pytest.mark.parametrize("policy", ["natural", "remote_sensing"])
def test_policies_without_an_occlusion_bound_say_nothing(policy: str) -> None:
    assert not any(f.effect == "occlusion" for f in safeaug.validate([A.Pad(10), DROPOUT], policy).findings)


def test_a_some_of_that_may_draw_the_cut_out_after_the_pad_is_flagged() -> None:
    pipeline = A.Compose([A.SomeOf([DROPOUT, A.PadIfNeeded(512, 512)], n=2)])
    report = safeaug.validate(pipeline, "chest_xray")
    assert ("SA407", "warning", "transforms[0].transforms[1]") in _codes(report)
    one = safeaug.validate(A.Compose([A.OneOf([DROPOUT, A.PadIfNeeded(512, 512)])]), "chest_xray")
    assert one.findings == ()


def test_the_linter_reports_it_with_the_line(tmp_path: object) -> None:
    from pathlib import Path

    from safeaug.lint import lint

    config = Path(str(tmp_path)) / "train.yaml"
    config.write_text(
        "transform:\n"
        "  __class_fullname__: Compose\n"
        "  transforms:\n"
        "    - {__class_fullname__: PadIfNeeded, min_height: 512, min_width: 512}\n"
        "    - {__class_fullname__: CoarseDropout, p: 0.5}\n"
    )
    result = lint([str(config)], policy="chest_xray")
    assert [(f.code, f.line) for f in result.findings] == [("SA407", 4)] and result.exit_code == 0


def _driving_with_occlusion_bound(tmp_path: Path) -> Path:
    path = tmp_path / "driving_occlusion.yaml"
    path.write_text(
        "id: driving_occlusion\n"
        "title: Driving scenes with a bound on cut-outs\n"
        "extends: driving\n"
        "invariants:\n"
        "  - effect: occlusion\n"
        "    max: 0.1\n"
        "    reason: A cut-out over the lead vehicle hides what the steering label reacts to.\n",
        encoding="utf-8",
    )
    return path


def test_pad_in_pixels_then_erasing_depends_on_the_input_size(tmp_path: Path) -> None:
    policy = _driving_with_occlusion_bound(tmp_path)
    erase = A.Erasing(scale=(0.0745, 0.0785), p=1)
    assert safeaug.validate(A.Compose([erase]), policy).findings == ()
    assert safeaug.validate(A.Compose([A.Pad(10, p=1)]), policy).findings == ()
    # erased first, padded after: the share of the content is the share of the canvas
    assert safeaug.validate(A.Compose([erase, A.Pad(10, p=1)]), policy).findings == ()
    # padded first: how much more of the content the cut-out hides depends on the input size
    report = safeaug.validate(A.Compose([A.Pad(10, p=1), erase]), policy)
    [finding] = report.findings
    assert (finding.code, finding.severity, finding.transform) == ("SA407", "warning", "Pad")
    assert "Erasing" in finding.message and report.envelope.occlusion_unbounded


def test_pad_in_percent_then_erasing_is_read_with_the_growth(tmp_path: Path) -> None:
    policy = _driving_with_occlusion_bound(tmp_path)
    erase = A.Erasing(scale=(0.07, 0.07), p=1)
    small = safeaug.validate(A.Compose([A.CropAndPad(percent=0.05, keep_size=False, p=1), erase]), policy)
    assert small.ok  # 0.07 · 1.1² = 0.085
    assert small.envelope.occlusion == pytest.approx(0.07 * 1.1**2)
    large = safeaug.validate(A.Compose([A.CropAndPad(percent=0.15, keep_size=False, p=1), erase]), policy)
    assert not large.ok  # 0.07 · 1.3² = 0.118
    [error] = large.errors
    assert error.code == "SA403" and "Erasing" in error.message and "CropAndPad" in error.message
