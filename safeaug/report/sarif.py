"""``--format sarif``: one SARIF 2.1.0 document for code scanning, with every rule's metadata (what it does,
why it matters, an example, what to write instead) in ``tool.driver.rules``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from safeaug.report.findings import Finding
from safeaug.report.json_output import judged_dict
from safeaug.rules import all_codes, sarif_rule

if TYPE_CHECKING:
    from safeaug.lint import LintResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/safeaug/"


def sarif_rules() -> list[dict[str, Any]]:
    """``tool.driver.rules``: every code in the rule table, in code order, with all its sections."""
    return [sarif_rule(code) for code in all_codes()]


def _artifact(path: str, cwd: Path) -> dict[str, Any]:
    file = Path(path)
    absolute = file if file.is_absolute() else cwd / file
    try:
        relative = Path(os.path.normpath(absolute)).relative_to(cwd)
    except ValueError:
        return {"uri": Path(os.path.normpath(absolute)).as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": "%SRCROOT%"}


def _result(f: Finding, index: dict[str, int], cwd: Path) -> dict[str, Any]:
    text_ = f.message
    if f.fix:
        text_ += f" Fix: {f.fix}"
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": _artifact(f.path or "", cwd),
            "region": {"startLine": f.line or 1, "startColumn": 1},
        }
    }
    if f.location:
        location["logicalLocations"] = [{"fullyQualifiedName": f.location, "kind": "element"}]
    out: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": index[f.code],
        "level": "error" if f.severity == "error" else "warning",
        "message": {"text": text_},
        "locations": [location],
        "properties": {"transform": f.transform, "policy": f.policy, "reason": f.reason},
    }
    if f.input_size is not None:
        out["properties"]["inputSize"] = list(f.input_size)
    return out


def sarif(result: LintResult, out: TextIO, *, show_suppressed: bool = False) -> None:
    from safeaug import __version__

    cwd = Path.cwd()
    rules = sarif_rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [_result(f, index, cwd) for f in result.findings]
    if show_suppressed:
        for s in result.suppressed:
            item = _result(s.finding, index, cwd)
            item["suppressions"] = [{"kind": "inSource", "status": "accepted", "justification": s.reason}]
            results.append(item)
    notifications = []
    for p in result.problems:
        physical: dict[str, Any] = {"artifactLocation": _artifact(p.path, cwd)}
        if p.line:
            physical["region"] = {"startLine": p.line}
        notifications.append(
            {"level": "error", "message": {"text": str(p)}, "locations": [{"physicalLocation": physical}]}
        )
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "safeaug",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": cwd.as_uri() + "/"}},
                "invocations": [
                    {"executionSuccessful": not result.problems, "toolExecutionNotifications": notifications}
                ],
                "results": results,
                "properties": {"judged": [judged_dict(j) for j in result.judged]},
            }
        ],
    }
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


__all__ = ["INFORMATION_URI", "SARIF_SCHEMA", "sarif", "sarif_rules"]
