"""Every config under tests/examples is validated and must give exactly the findings written beside it.

YAML and Python files carry ``# expect: SA101@12, SA102@20`` (and optionally ``# policy: natural``) in
a comment near the top; JSON files, which have no comments, carry the same text in ``name.expect``.
``good/`` files may hold warnings but never an error. Codes and lines are compared as sets. Expectations
are written for albumentations 2.0.x as the installed line (arguments of other lines are reported as ignored).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import safeaug
from safeaug.readers import dialects, read_config, vocabulary
from safeaug.readers.dialects import DIALECTS

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
    folders = {(p.relative_to(ROOT).parts[0], p.relative_to(ROOT).parts[1]) for p in FILES}
    # Every mapping dialect of the readers' table, Python source, the other albumentations lines, and mmengine
    # data pipelines of mmcv's own steps (read list by list, `dialects.mmengine_pipeline`), and Ultralytics' training
    # settings (`readers.ultralytics`) and detectron2 configs (`readers.detectron2`).
    for kind in ("good", "bad"):
        for folder in {
            *(d.examples for d in DIALECTS),
            "python",
            "v1",
            "albumentationsx",
            "mmengine",
            "ultralytics",
            "detectron2",
        }:
            assert (kind, folder) in folders


@pytest.mark.parametrize("dialect", DIALECTS, ids=[d.name for d in DIALECTS])
def test_each_dialect_reads_its_own_example_configs(dialect: dialects.Dialect, monkeypatch: pytest.MonkeyPatch) -> None:
    used: set[str] = set()

    def watched(entry: dialects.Dialect) -> dialects.Dialect:
        def recognise(obj: Any, albu: bool, loose: bool, dialect: dialects.Dialect) -> dialects.Spec | None:
            spec = entry.recognise(obj, albu, loose, dialect)
            if spec is not None:
                used.add(entry.name)
            return spec

        return entry._replace(recognise=recognise)

    monkeypatch.setattr(dialects, "DIALECTS", tuple(watched(d) for d in DIALECTS))
    examples = [p for p in FILES if p.relative_to(ROOT).parts[1] == dialect.examples]
    assert {p.relative_to(ROOT).parts[0] for p in examples} == {"good", "bad"}
    for path in examples:
        used.clear()
        assert read_config(path), path
        assert dialect.name in used, f"{path} holds no transform in the {dialect.name} dialect"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_example_gives_exactly_the_expected_findings(path: Path) -> None:
    expected, policy = _expectation(path)
    report = safeaug.validate(path, policy)
    found = [(f.code, f.line) for f in report.findings]
    assert all(line is not None for _, line in found), "every finding from a file has a line"
    assert set(found) == expected, "\n".join(f"{f.line}: {f.code} {f.message}" for f in report.findings)
    if path.relative_to(ROOT).parts[0] == "good":
        assert report.ok, [f.message for f in report.findings if f.severity == "error"]
