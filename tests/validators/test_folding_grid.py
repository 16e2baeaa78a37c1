"""SA409: a GridElasticDeform strong enough to fold a grid cell, where albumentations 2.0.8 moves keypoints
off the pixels they mark (see ``test_a_folded_grid_cell_moves_a_keypoint_off_its_pixels``)."""

from __future__ import annotations

import json
from pathlib import Path

import albumentations as A
import pytest

import safeaug
from safeaug.cli import main
from safeaug.lint import lint
from safeaug.rules import OTHER_RULES, all_codes
from safeaug.validators.folding_grid import SMALLEST_IMAGE_SIDE, folding_side

CONFIG = """\
__version__: 2.0.8
transform:
  __class_fullname__: Compose
  keypoint_params: {{format: xy, remove_invisible: false}}
  p: 1.0
  transforms:
  - __class_fullname__: HorizontalFlip
    p: 0.5
  - __class_fullname__: GridElasticDeform
    num_grid_xy: [{nx}, {ny}]
    magnitude: {magnitude}
    p: 0.5
"""


def _sa409(report: safeaug.Report) -> list[safeaug.Finding]:
    return [f for f in report.findings if f.code == "SA409"]


@pytest.mark.parametrize(("magnitude", "grid"), [(10, (4, 4)), (2, (4, 4)), (1, (8, 8)), (14, (8, 8)), (4, (2, 3))])
def test_a_grid_that_can_fold_a_cell_on_a_small_image_is_a_warning(magnitude: int, grid: tuple[int, int]) -> None:
    pipe = A.Compose([A.HorizontalFlip(), A.GridElasticDeform(num_grid_xy=grid, magnitude=magnitude)])
    report = safeaug.validate(pipe, "natural")
    (finding,) = _sa409(report)
    assert finding.severity == "warning" and finding.location == "transforms[1]"
    assert finding.transform == "GridElasticDeform"
    width, height = folding_side(magnitude, grid)
    assert f"up to {width:g} px wide or {height:g} px high" in finding.message
    assert "keypoints" in finding.message and "ElasticTransform" in (finding.fix or "")
    assert report.ok  # a warning: it does not refuse the pipeline


@pytest.mark.parametrize(("magnitude", "grid"), [(1, (4, 4)), (1, (2, 2)), (3, (2, 2)), (1, (7, 3))])
def test_a_grid_too_calm_to_fold_a_cell_at_32_px_is_not_reported(magnitude: int, grid: tuple[int, int]) -> None:
    assert max(folding_side(magnitude, grid)) < SMALLEST_IMAGE_SIDE
    report = safeaug.validate([A.GridElasticDeform(num_grid_xy=grid, magnitude=magnitude)], "natural")
    assert _sa409(report) == []


def test_the_threshold_is_a_quarter_of_a_cell() -> None:
    # 32 px with a 4x4 grid: cells of 8 px fold from magnitude 2 on, not at 1.
    assert max(folding_side(1, (4, 4))) == 16 < SMALLEST_IMAGE_SIDE <= max(folding_side(2, (4, 4)))
    # the wider-gridded axis decides
    assert folding_side(3, (2, 5)) == (24.0, 60.0)
    report = safeaug.validate([A.GridElasticDeform(num_grid_xy=(2, 5), magnitude=3)], "natural")
    assert len(_sa409(report)) == 1


def test_the_fix_names_a_magnitude_that_does_not_fold_at_32_px() -> None:
    (finding,) = _sa409(safeaug.validate([A.GridElasticDeform(num_grid_xy=(3, 3), magnitude=5)], "natural"))
    # cells of 32/3 px fold from 2.67 on: 2 is the largest whole magnitude that does not
    assert "at most 2 for 32 px images" in (finding.fix or "")
    assert max(folding_side(2, (3, 3))) < SMALLEST_IMAGE_SIDE <= max(folding_side(3, (3, 3)))


def test_a_grid_in_a_config_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text(CONFIG.format(nx=4, ny=4, magnitude=10))
    (finding,) = _sa409(safeaug.validate(path, "natural"))
    assert finding.line == 9 and finding.path == str(path) and finding.severity == "warning"
    result = lint([str(path)], policy="natural")
    linted = [f for f in result.findings if f.code == "SA409"]
    assert [(f.line, f.severity) for f in linted] == [(9, "warning")]
    calm = tmp_path / "calm.yaml"
    calm.write_text(CONFIG.format(nx=4, ny=4, magnitude=1))
    assert not [f for f in lint([str(calm)], policy="natural").findings if f.code == "SA409"]


def test_the_rule_is_in_the_table_explain_and_sarif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "SA409" in all_codes() and "ElasticTransform" in OTHER_RULES["SA409"][1]
    assert main(["explain", "SA409"]) == 0
    assert "quarter" in capsys.readouterr().out
    assert main(["rules"]) == 0
    assert "SA409" in capsys.readouterr().out
    path = tmp_path / "train.yaml"
    path.write_text(CONFIG.format(nx=4, ny=4, magnitude=10))
    assert main(["lint", str(path), "--policy", "natural", "--format", "sarif"]) == 0  # a warning alone passes
    sarif = json.loads(capsys.readouterr().out)
    run = sarif["runs"][0]
    assert "SA409" in {r["id"] for r in run["tool"]["driver"]["rules"]}
    (result,) = [r for r in run["results"] if r["ruleId"] == "SA409"]
    assert result["level"] == "warning"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 9


@pytest.mark.parametrize("grid", [(2, 2), (3, 5), (4, 4), (8, 2)])
def test_the_warning_matches_the_fold_the_keypoint_test_allows_for_at_32_px(grid: tuple[int, int]) -> None:
    from test_invariants_hold import may_fold_a_cell

    for magnitude in range(1, 9):
        t = A.GridElasticDeform(num_grid_xy=grid, magnitude=magnitude, p=1.0)
        warned = bool(_sa409(safeaug.validate([t], "natural")))
        assert warned == may_fold_a_cell(A.Compose([t]), SMALLEST_IMAGE_SIDE), (grid, magnitude)


def test_a_grid_that_folds_on_the_frames_it_meets_is_refused_where_folds_are() -> None:
    from safeaug.coordmap import measure

    warp = A.GridElasticDeform(num_grid_xy=(4, 4), magnitude=15, p=1)  # cells fold on sides up to 240 px
    assert max(measure(A.Compose([warp]), (64, 64), seed=s).folds for s in range(4)) > 0.01  # truth at 64 px
    assert max(measure(A.Compose([warp]), (512, 512), seed=s).folds for s in range(4)) < 1e-3  # and at 512 px
    pipe = A.Compose([warp])
    assert "SA112" in safeaug.validate(pipe, "chest_xray", input_size=(64, 64)).codes()
    assert "SA112" not in safeaug.validate(pipe, "chest_xray", input_size=(512, 512)).codes()
    assert "SA112" not in safeaug.validate(pipe, "chest_xray").codes()  # size unknown: SA409 warns
    resized = A.Compose([A.Resize(64, 64), warp])  # the frame it meets is known
    assert "SA112" in safeaug.validate(resized, "chest_xray").codes()
