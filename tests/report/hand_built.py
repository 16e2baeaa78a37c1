"""A lint result built by hand, so that each output format is tested on what it is given."""

from __future__ import annotations

from safeaug.lint import FileResult, JudgedFile, LintResult, Problem, Suppressed
from safeaug.report import Finding

FLIP = Finding(
    code="SA101",
    severity="error",
    message="`HorizontalFlip` mirrors the image: 50% of samples, 100% → 0%",
    transform="HorizontalFlip",
    location="transforms[0]",
    line=4,
    reason="Dextrocardia is a diagnosis: a mirrored chest puts the heart on the patient's right.",
    fix="Remove `HorizontalFlip`.",
    policy="chest_xray",
    path="configs/a,b:c.yaml",
)
TURN = Finding(
    code="SA102",
    severity="warning",
    message="`Rotate` turns the image: up to ±20°",
    transform="Rotate",
    location="transforms[1]",
    line=None,
    reason="",
    fix="",
    policy="chest_xray",
    path="configs/b.json",
)


def result() -> LintResult:
    return LintResult(
        findings=[FLIP, TURN],
        suppressed=[Suppressed(TURN, "reviewed: the scanner tilts up to 20 degrees")],
        problems=[Problem("configs/broken.yaml", 3, "expected a mapping, got a list")],
        files=2,
        pipelines=2,
        judged=[JudgedFile("configs/a,b:c.yaml", "chest_xray", "command line")] * 1
        + [JudgedFile("configs/b.json", "chest_xray", "command line")],
    )


def per_file() -> list[FileResult]:
    return [FileResult(findings=[FLIP]), FileResult(findings=[TURN])]
