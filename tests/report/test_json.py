"""``--format json``: one document with the documented shape, written piece by piece as ``json.dump`` would."""

from __future__ import annotations

import io
import json

from hand_built import FLIP, result

from safeaug.lint import LintResult
from safeaug.report.json_output import finding_dict, json_report


def test_the_document_has_the_documented_shape() -> None:
    out = io.StringIO()
    json_report(result(), out)
    doc = json.loads(out.getvalue())
    assert list(doc) == ["findings", "unreadable", "judged", "summary"]
    first = doc["findings"][0]
    for key in ("path", "line", "code", "severity", "message", "transform", "location"):
        assert key in first
    assert first["message"] == FLIP.message  # not escaped to \\u sequences
    assert doc["findings"][1]["line"] == 1  # a finding without a line points at the first
    assert doc["summary"] == {
        "files": 2,
        "pipelines": 2,
        "errors": 1,
        "warnings": 1,
        "suppressed": 1,
        "unreadable": 1,
        "skipped": 0,
    }
    assert doc["unreadable"] == [
        {"path": "configs/broken.yaml", "line": 3, "message": "expected a mapping, got a list"}
    ]


def test_written_piece_by_piece_it_is_byte_for_byte_json_dump() -> None:
    out = io.StringIO()
    json_report(result(), out)
    doc = json.loads(out.getvalue())
    assert out.getvalue() == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def test_an_empty_run_is_a_valid_document() -> None:
    out = io.StringIO()
    json_report(LintResult(), out)
    doc = json.loads(out.getvalue())
    assert doc["findings"] == [] and doc["summary"]["errors"] == 0
    assert out.getvalue() == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def test_suppressed_findings_are_marked_when_asked() -> None:
    out = io.StringIO()
    json_report(result(), out, show_suppressed=True)
    doc = json.loads(out.getvalue())
    assert [f["suppressed"] for f in doc["findings"]] == [False, False, True]
    assert doc["findings"][2]["suppression_reason"] == "reviewed: the scanner tilts up to 20 degrees"
    assert finding_dict(FLIP)["references"] == []
