"""``--format json``: one JSON document for scripts, written piece by piece as findings arrive (byte for byte
what ``json.dump(doc, indent=2)`` writes), with a ``findings`` list and a ``summary`` of the counts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from safeaug.report.findings import Finding

if TYPE_CHECKING:
    from safeaug.lint import JudgedFile, LintResult


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "path": f.path,
        "line": f.line or 1,
        "column": 1,
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
        "transform": f.transform,
        "location": f.location,
        "reason": f.reason,
        "fix": f.fix,
        "policy": f.policy,
        "references": list(f.references),
        "label_transform": f.label_transform,
        "input_size": list(f.input_size) if f.input_size is not None else None,
    }


def judged_dict(j: JudgedFile) -> dict[str, str]:
    return {"path": j.path, "policy": j.policy, "policy_origin": j.origin}


class JsonWriter:
    """Writes the JSON document piece by piece, byte for byte as ``json.dump(doc, indent=2)`` would."""

    def __init__(self, out: TextIO, *, show_suppressed: bool) -> None:
        self.out = out
        self.show_suppressed = show_suppressed
        self.count = 0
        self.started = False  # the opening is written with the first finding: a usage error prints none

    def start(self) -> None:
        if not self.started:
            self.out.write('{\n  "findings": [')
            self.started = True

    def item(self, item: dict[str, Any]) -> None:
        self.start()
        body = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n    ")
        self.out.write(("," if self.count else "") + "\n    " + body)
        self.count += 1

    def finding(self, f: Finding) -> None:
        item = finding_dict(f)
        if self.show_suppressed:
            item["suppressed"] = False
        self.item(item)

    def end(self, result: LintResult) -> None:
        self.start()
        if self.show_suppressed:
            for s in result.suppressed:
                self.item({**finding_dict(s.finding), "suppressed": True, "suppression_reason": s.reason})
        self.out.write("\n  ]" if self.count else "]")
        rest = {
            "unreadable": [{"path": p.path, "line": p.line, "message": p.message} for p in result.problems],
            "judged": [judged_dict(j) for j in result.judged],
            "summary": {
                "files": result.files,
                "pipelines": result.pipelines,
                "errors": result.errors,
                "warnings": result.warnings,
                "suppressed": len(result.suppressed),
                "unreadable": result.unreadable,
                "skipped": result.skipped,
            },
        }
        for key, value in rest.items():
            body = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
            self.out.write(f",\n  {json.dumps(key)}: {body}")
        self.out.write("\n}\n")


def json_report(result: LintResult, out: TextIO, *, show_suppressed: bool = False) -> None:
    writer = JsonWriter(out, show_suppressed=show_suppressed)
    for f in result.findings:
        writer.finding(f)
    writer.end(result)


__all__ = ["JsonWriter", "finding_dict", "json_report", "judged_dict"]
