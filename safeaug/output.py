"""Reporters for ``safeaug lint``: text for people, json for scripts, github annotations, SARIF 2.1.0.

Each reporter takes the :class:`~safeaug.lint.LintResult` and writes one document; the table
:data:`REPORTERS` maps ``--format`` names to them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from safeaug.lint import FileResult, JudgedFile, LintResult
from safeaug.report import Finding
from safeaug.rules import all_codes, sarif_rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/safeaug/"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


_ORIGINS = {
    "command line": "given on the command line",
    "pyproject.toml": "`policy` in [tool.safeaug]",
    "per-path-policies": "[tool.safeaug.per-path-policies]",
    "recorded id": "recorded in the pipeline, as no policy is configured",
    "recorded definition": "the definition recorded in the pipeline, trusted as asked",
}


def policy_lines(result: LintResult) -> list[str]:
    """Which policy judged which file: one line when one policy judged them all, else one per file."""
    groups = list(dict.fromkeys((j.policy, j.origin) for j in result.judged))
    if not groups:
        return []
    if len(groups) == 1:
        pid, origin = groups[0]
        return [f"policy: {pid} ({_ORIGINS.get(origin, origin)}) judged {_plural(len(result.judged), 'file')}"]
    return [f"policy: {j.path}: {j.policy} ({_ORIGINS.get(j.origin, j.origin)})" for j in result.judged]


def summary_line(result: LintResult) -> str:
    parts = [_plural(result.errors, "error"), _plural(result.warnings, "warning")]
    if result.suppressed:
        parts.append(f"{len(result.suppressed)} suppressed")
    if result.problems:
        parts.append(f"{_plural(result.unreadable, 'path')} unreadable")
    line = f"{_plural(result.files, 'file')} checked"
    if result.pipelines != result.files:
        line += f" ({_plural(result.pipelines, 'pipeline')})"
    line += f": {', '.join(parts)}"
    if result.skipped:
        line += f"; {_plural(result.skipped, 'file')} without a pipeline skipped"
    return line + "."


# --------------------------------------------------------------------------------------------- text


def _text_finding(f: Finding, out: TextIO) -> None:
    out.write(f"{f.path}:{f.line or 1}:1: {f.code} [{f.severity}] {f.message}\n")
    if f.reason:
        out.write(f"    why: {f.reason}\n")
    if f.fix:
        out.write(f"    fix: {f.fix}\n")


def _text_end(result: LintResult, out: TextIO, *, show_suppressed: bool = False) -> None:
    if show_suppressed:
        for s in result.suppressed:
            f = s.finding
            out.write(
                f"{f.path}:{f.line or 1}:1: {f.code} [suppressed] {f.message}\n    suppressed because: {s.reason}\n"
            )
    for problem in result.problems:
        out.write(f"{problem}\n")
    for line in policy_lines(result):
        out.write(line + "\n")
    out.write(summary_line(result) + "\n")


def text(result: LintResult, out: TextIO, *, show_suppressed: bool = False) -> None:
    for f in result.findings:
        _text_finding(f, out)
    _text_end(result, out, show_suppressed=show_suppressed)


# --------------------------------------------------------------------------------------------- json


def _finding_dict(f: Finding) -> dict[str, Any]:
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


def _judged_dict(j: JudgedFile) -> dict[str, str]:
    return {"path": j.path, "policy": j.policy, "policy_origin": j.origin}


class _JsonWriter:
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
        item = _finding_dict(f)
        if self.show_suppressed:
            item["suppressed"] = False
        self.item(item)

    def end(self, result: LintResult) -> None:
        self.start()
        if self.show_suppressed:
            for s in result.suppressed:
                self.item({**_finding_dict(s.finding), "suppressed": True, "suppression_reason": s.reason})
        self.out.write("\n  ]" if self.count else "]")
        rest = {
            "unreadable": [{"path": p.path, "line": p.line, "message": p.message} for p in result.problems],
            "judged": [_judged_dict(j) for j in result.judged],
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
    writer = _JsonWriter(out, show_suppressed=show_suppressed)
    for f in result.findings:
        writer.finding(f)
    writer.end(result)


# ------------------------------------------------------------------------------------------- github


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


@cache
def _titles() -> dict[str, str]:
    return all_codes()


def _github_finding(f: Finding, out: TextIO) -> None:
    body = f.message
    if f.reason:
        body += f"\nWhy: {f.reason}"
    if f.fix:
        body += f"\nFix: {f.fix}"
    title = f"{f.code} {_titles().get(f.code, '')}".strip()
    props = f"file={_escape_property(f.path or '')},line={f.line or 1},col=1,title={_escape_property(title)}"
    out.write(f"::{f.severity} {props}::{_escape_data(body)}\n")


def github(result: LintResult, out: TextIO, *, show_suppressed: bool = False) -> None:
    """Workflow commands: GitHub shows each as an annotation on the file and line."""
    for f in result.findings:
        _github_finding(f, out)
    _github_end(result, out)


def _github_end(result: LintResult, out: TextIO, *, show_suppressed: bool = False) -> None:
    for p in result.problems:
        props = f"file={_escape_property(p.path)}" + (f",line={p.line}" if p.line else "") + ",title=unreadable input"
        out.write(f"::error {props}::{_escape_data(p.message)}\n")
    for line in policy_lines(result):
        out.write(line + "\n")
    out.write(summary_line(result) + "\n")


# -------------------------------------------------------------------------------------------- sarif


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
                "properties": {"judged": [_judged_dict(j) for j in result.judged]},
            }
        ],
    }
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


Reporter = Callable[..., None]
REPORTERS: dict[str, Reporter] = {"text": text, "json": json_report, "github": github, "sarif": sarif}


class Stream:
    """A reporter that writes each file's findings as soon as they are known (``lint(on_file=...)``), so
    that memory stays flat however many files are linted; :meth:`end` writes the rest. SARIF, one
    document whose rule index comes first, is written whole instead (``STREAMED`` says which formats stream).
    """

    def __init__(self, fmt: str, out: TextIO, *, show_suppressed: bool = False) -> None:
        self.out = out
        self.show_suppressed = show_suppressed
        self.json = _JsonWriter(out, show_suppressed=show_suppressed) if fmt == "json" else None
        self.write: Callable[[Finding, TextIO], None] = _github_finding if fmt == "github" else _text_finding
        self.fmt = fmt

    def file(self, outcome: FileResult) -> None:
        for f in outcome.findings:
            if self.json is not None:
                self.json.finding(f)
            else:
                self.write(f, self.out)

    def end(self, result: LintResult) -> None:
        if self.json is not None:
            self.json.end(result)
        elif self.fmt == "github":
            _github_end(result, self.out)
        else:
            _text_end(result, self.out, show_suppressed=self.show_suppressed)


STREAMED = frozenset({"text", "json", "github"})

__all__ = ["REPORTERS", "STREAMED", "Stream", "github", "json_report", "sarif", "sarif_rules", "summary_line", "text"]
