"""CHECKS: every bespoke code has one check, and a check whose codes are not selected is not run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import albumentations as A
import pytest

import safeaug
import safeaug.validators as validators
from safeaug.lint import lint
from safeaug.rules import EFFECT_RULES, all_codes
from safeaug.validators import CHECKS, Check, bounds

# Pipelines that between them trigger most checks: a refused mirror and turn, an unknown transform, a crop in
# pixels, a resize after a turn, a folding grid, a destroyed image and a chain of resizes.
PIPELINES: dict[str, list[Any]] = {
    "bounds": [A.HorizontalFlip(p=0.5), A.Rotate(limit=45, p=0.5), A.HueSaturationValue(hue_shift_limit=20)],
    "pixels": [A.RandomCrop(height=64, width=64), A.Affine(translate_px=(-20, 20)), A.Rotate(limit=5)],
    "shear": [A.Rotate(limit=10), A.Resize(64, 48), A.SafeRotate(limit=10, p=1)],
    "bespoke": [
        A.GridElasticDeform(num_grid_xy=(8, 8), magnitude=40, p=0.5),
        A.GaussianBlur(sigma_limit=(0, 0), p=0.5),
        A.Lambda(image=lambda x, **k: x),
    ],
    "resizes": [A.Resize(16, 16), A.Resize(256, 256), A.RandomBrightnessContrast(0.1, 0.1)],
}

SELECTIONS: list[tuple[list[str] | None, list[str]]] = [
    (None, []),
    (["SA1"], []),
    (["SA101"], []),
    (["SA4"], ["SA407"]),
    (None, ["SA1", "SA2"]),
    (["SA407", "SA302"], []),
    (["SA5"], []),
]


def _counting(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Replace CHECKS with the same checks, each counting its runs."""
    runs: Counter[str] = Counter()

    def counted(c: Check) -> Check:
        def run(j: Any) -> Any:
            runs[c.name] += 1
            return c.run(j)

        return c._replace(run=run)

    monkeypatch.setattr(validators, "CHECKS", tuple(counted(c) for c in CHECKS))
    return runs


def test_every_code_a_check_reports_is_a_known_code_and_each_bespoke_code_has_a_check() -> None:
    known = set(all_codes())
    reported = {code for c in CHECKS for code in c.codes}
    assert reported <= known
    assert len({c.name for c in CHECKS}) == len(CHECKS)
    effect_codes = {r.code for r in EFFECT_RULES}
    bespoke = {"SA401", "SA402", "SA407", "SA408", "SA409", "SA410", "SA501", "SA502"}
    assert bespoke <= reported and effect_codes <= reported
    assert known - reported == {"SA601", "SA602"}  # suppressions: the linter's, not the validator's


@pytest.mark.parametrize("name", sorted(PIPELINES))
@pytest.mark.parametrize(("select", "ignore"), SELECTIONS)
def test_a_selection_reports_what_filtering_the_full_report_would(
    name: str, select: list[str] | None, ignore: list[str]
) -> None:
    pipeline = A.Compose(PIPELINES[name])
    full = safeaug.validate(pipeline, "chest_xray")
    wanted = tuple(select or ["SA"])
    expected = [
        f for f in full.findings if f.code.startswith(wanted) and not f.code.startswith(tuple(ignore) or ("-",))
    ]
    chosen = safeaug.validate(pipeline, "chest_xray", select=select, ignore=ignore)
    assert list(chosen.findings) == expected
    assert chosen.envelope == full.envelope  # the pipeline's envelope does not depend on what is reported


def test_the_pipelines_trigger_the_checks_they_are_meant_to() -> None:
    codes = {c for pipeline in PIPELINES.values() for c in safeaug.validate(A.Compose(pipeline), "chest_xray").codes()}
    assert {"SA101", "SA102", "SA206", "SA401", "SA407", "SA409", "SA410", "SA302"} <= codes


def test_a_check_whose_codes_are_not_selected_is_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = _counting(monkeypatch)
    pipeline = A.Compose(PIPELINES["bespoke"] + PIPELINES["bounds"])
    report = safeaug.validate(pipeline, "chest_xray", select=["SA409"])
    assert report.codes() == ["SA409"]
    assert runs == Counter({"folding_grid": 1})
    runs.clear()
    report = safeaug.validate(pipeline, "chest_xray", select=["SA1", "SA2"], ignore=["SA206"])
    assert {"SA101", "SA102"} <= set(report.codes()) and all(c[:3] in ("SA1", "SA2") for c in report.codes())
    assert "SA206" not in report.codes()
    assert set(runs) == {"bounds", "unbounded"}  # the only checks that can report an SA1xx or SA2xx code
    runs.clear()
    assert safeaug.validate(pipeline, "chest_xray").codes()  # everything: every check runs once
    assert runs == Counter({c.name: 1 for c in CHECKS})


def test_an_unselected_invariant_is_not_examined(monkeypatch: pytest.MonkeyPatch) -> None:
    examined: list[str] = []
    original = bounds._invariant

    def counted(j: Any, inv: Any, rule: Any) -> Any:
        examined.append(rule.code)
        return original(j, inv, rule)

    monkeypatch.setattr(bounds, "_invariant", counted)
    pipeline = A.Compose(PIPELINES["bounds"])
    assert safeaug.validate(pipeline, "chest_xray", select=["SA102"]).codes() == ["SA102"]
    assert examined == ["SA102"]
    examined.clear()
    safeaug.validate(pipeline, "chest_xray")
    assert {"SA101", "SA102", "SA206"} <= set(examined)


def test_lint_select_skips_the_work_of_unselected_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "train.py"
    config.write_text(
        "import albumentations as A\n\ntrain = A.Compose([\n"
        "    A.HorizontalFlip(p=0.5),\n"
        "    A.GridElasticDeform(num_grid_xy=(8, 8), magnitude=40, p=0.5),\n"
        "    A.RandomCrop(height=64, width=64),\n"
        "])\n",
        encoding="utf-8",
    )
    runs = _counting(monkeypatch)
    result = lint([str(config)], policy="chest_xray", select=["SA101"])
    assert [f.code for f in result.findings] == ["SA101"]
    assert set(runs) == {"bounds"}
    runs.clear()
    result = lint([str(config)], policy="chest_xray", ignore=["SA1", "SA407"])
    assert [f.code for f in result.findings] == ["SA409"]
    assert "bounds" in runs and "folding_grid" in runs  # SA2xx-SA4xx are still selected
    assert not {"unbounded", "resize_after_turn", "occlusion_growth"} & set(runs)  # every code of theirs is ignored
