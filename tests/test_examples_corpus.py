"""Every config under tests/examples is validated and must give exactly the findings written beside it.

YAML and Python files carry ``# expect: SA101@12, SA102@20`` (and optionally ``# policy: natural``) in
a comment near the top; JSON files, which have no comments, carry the same text in ``name.expect``.
``good/`` files may hold warnings but never an error. Codes and lines are compared as sets (a 1.x ``Flip``
reads as two flips, which both report at its line). Expectations are written for albumentations
2.0.x as the installed line (arguments of other lines are reported as ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import safeaug
from safeaug.readers import vocabulary

ROOT = Path(__file__).parent / "examples"
FILES = sorted(p for p in ROOT.rglob("*") if p.suffix in (".json", ".yaml", ".yml", ".py"))
_EXPECT = re.compile(r"^#\s*expect:(.*)$", re.MULTILINE)
_POLICY = re.compile(r"^#\s*policy:\s*(\S+)", re.MULTILINE)


def _expectation(path: Path) -> tuple[set[tuple[str, int]], str]:
    if path.suffix == ".json":
        text = path.with_suffix(".expect").read_text()
        body = text.splitlines()[0] if text.strip() else ""
    else:
        text = path.read_text()
        found = _EXPECT.search(text)
        assert found, f"{path} has no `# expect:` line"
        body = found.group(1)
    policy = _POLICY.search(text)
    expected = set()
    for item in filter(None, (part.strip() for part in body.split(","))):
        code, _, line = item.partition("@")
        expected.add((code, int(line)))
    return expected, policy.group(1) if policy else "chest_xray"


@pytest.fixture(autouse=True)
def _albumentations_2_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vocabulary, "installed_line", lambda: vocabulary.Installed("2.0", "albumentations 2.0.8", True))


def test_the_corpus_covers_every_dialect_good_and_bad() -> None:
    dialects = {(p.relative_to(ROOT).parts[0], p.relative_to(ROOT).parts[1]) for p in FILES}
    for kind in ("good", "bad"):
        for dialect in ("native", "hydra", "class_name", "jsonargparse", "mmdet", "name_params", "python", "v1"):
            assert (kind, dialect) in dialects
        assert (kind, "albumentationsx") in dialects


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_example_gives_exactly_the_expected_findings(path: Path) -> None:
    expected, policy = _expectation(path)
    report = safeaug.validate(path, policy)
    found = [(f.code, f.line) for f in report.findings]
    assert all(line is not None for _, line in found), "every finding from a file has a line"
    assert set(found) == expected, "\n".join(f"{f.line}: {f.code} {f.message}" for f in report.findings)
    if path.relative_to(ROOT).parts[0] == "good":
        assert report.ok, [f.message for f in report.findings if f.severity == "error"]
