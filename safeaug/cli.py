"""The command line: ``safeaug lint``, ``safeaug policies``, ``safeaug explain``.

Four steps, like every CI tool worth trusting: parse arguments, build the checker, run it, report.
Findings are data; exit codes say 0 clean, 1 error findings, 2 usage or unreadable input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from safeaug.errors import ConfigError, PolicyError
from safeaug.policies import list_policies, load_policy
from safeaug.policies.describe import describe_policy
from safeaug.policy import Policy
from safeaug.report import Finding
from safeaug.rules import EFFECT_RULES, OTHER_RULES, RULES_BY_CODE, all_codes
from safeaug.validator import validate

CONFIG_SUFFIXES = (".json", ".yaml", ".yml")


def _files(paths: Sequence[str]) -> Iterator[tuple[Path, bool]]:
    """Each file to lint, and whether it was named explicitly (explicit files must be pipelines)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and found.suffix.lower() in CONFIG_SUFFIXES and not _hidden(found, path):
                    yield found, False
        else:
            yield path, True


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _is_pipeline_document(path: Path) -> bool:
    """Directory walks skip YAML/JSON files that hold no pipeline (CI configs, policies, ...)."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:200_000]
    except OSError:
        return True
    return "__class_fullname__" in head


def lint(paths: Sequence[str], policy: Policy) -> tuple[list[Finding], list[str], int]:
    findings: list[Finding] = []
    problems: list[str] = []
    count = 0
    for path, explicit in _files(paths):
        if not explicit and not _is_pipeline_document(path):
            continue
        count += 1
        try:
            report = validate(path, policy)
        except ConfigError as exc:
            problems.append(str(exc) if exc.path else f"{path}: {exc}")
            continue
        findings += report.findings
    return findings, problems, count


def _text(findings: list[Finding], problems: list[str], files: int, out: TextIO) -> None:
    for f in findings:
        print(f"{f.path}:{f.line or 1}:1: {f.code} [{f.severity}] {f.message}", file=out)
        if f.reason:
            print(f"    why: {f.reason}", file=out)
        if f.fix:
            print(f"    fix: {f.fix}", file=out)
    for problem in problems:
        print(f"error: {problem}", file=out)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    print(f"{files} file(s) checked: {errors} error(s), {warnings} warning(s), {len(problems)} unreadable", file=out)


def _json(findings: list[Finding], problems: list[str], files: int, out: TextIO) -> None:
    doc = {
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "transform": f.transform,
                "location": f.location,
                "reason": f.reason,
                "fix": f.fix,
                "policy": f.policy,
            }
            for f in findings
        ],
        "problems": problems,
        "summary": {
            "files": files,
            "errors": sum(f.severity == "error" for f in findings),
            "warnings": sum(f.severity == "warning" for f in findings),
            "unreadable": len(problems),
        },
    }
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _github(findings: list[Finding], problems: list[str], files: int, out: TextIO) -> None:
    def esc(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    for f in findings:
        level = "error" if f.severity == "error" else "warning"
        body = f"{f.message} Why: {f.reason} Fix: {f.fix}"
        print(f"::{level} file={f.path},line={f.line or 1},title={f.code}::{esc(body)}", file=out)
    for problem in problems:
        print(f"::error::{esc(problem)}", file=out)


def _sarif(findings: list[Finding], problems: list[str], files: int, out: TextIO) -> None:
    rules = [
        {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": f"The pipeline {r.does}."},
            "fullDescription": {"text": r.why},
        }
        for r in EFFECT_RULES
    ] + [
        {
            "id": code,
            "name": title.replace(" ", "_"),
            "shortDescription": {"text": title},
            "fullDescription": {"text": text},
        }
        for code, (title, text) in OTHER_RULES.items()
    ]
    results = [
        {
            "ruleId": f.code,
            "level": "error" if f.severity == "error" else "warning",
            "message": {"text": f"{f.message} Why: {f.reason} Fix: {f.fix}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": Path(f.path).as_posix() if f.path else ""},
                        "region": {"startLine": f.line or 1},
                    }
                }
            ],
        }
        for f in findings
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "safeaug", "informationUri": "https://pypi.org/project/safeaug/", "rules": rules}
                },
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": not problems,
                        "toolExecutionNotifications": [{"level": "error", "message": {"text": p}} for p in problems],
                    }
                ],
            }
        ],
    }
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


REPORTERS = {"text": _text, "json": _json, "github": _github, "sarif": _sarif}


def _explain(target: str, out: TextIO) -> int:
    code = target.upper()
    if code in RULES_BY_CODE:
        rule = RULES_BY_CODE[code]
        print(f"{rule.code} {rule.title}\n\nWhat it does: flags a transform or pipeline that {rule.does}.", file=out)
        print(f"Why: {rule.why}", file=out)
        print(f"Bound with: effect: {rule.name} ({rule.kind}) in a policy's invariants.", file=out)
        return 0
    if code in OTHER_RULES:
        title, text = OTHER_RULES[code]
        print(f"{code} {title}\n\n{text}", file=out)
        return 0
    try:
        policy = load_policy(target)
    except PolicyError as exc:
        print(f"safeaug: {target!r} is neither a rule code nor a policy: {exc}", file=sys.stderr)
        return 2
    out.write(describe_policy(policy))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safeaug", description="Domain-aware checks for augmentation pipelines.")
    sub = parser.add_subparsers(dest="command", required=True)
    lint_p = sub.add_parser("lint", help="check pipeline config files against a policy")
    lint_p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (.json, .yaml, .yml)")
    lint_p.add_argument("--policy", required=True, help="a built-in policy id or a policy file")
    lint_p.add_argument("--format", choices=sorted(REPORTERS), default="text")
    sub.add_parser("policies", help="list the built-in policies")
    explain_p = sub.add_parser("explain", help="explain a rule code (SA101) or a policy (chest_xray)")
    explain_p.add_argument("target")
    sub.add_parser("rules", help="list every rule code")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `safeaug ... | head`: the reader left; that is not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep interpreter shutdown from writing again
        return 0


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    out = sys.stdout
    if args.command == "policies":
        for pid in list_policies():
            print(f"{pid:<16} {load_policy(pid).title}", file=out)
        return 0
    if args.command == "rules":
        for code, title in all_codes().items():
            print(f"{code}  {title}", file=out)
        return 0
    if args.command == "explain":
        return _explain(args.target, out)
    try:
        policy = load_policy(args.policy)
    except PolicyError as exc:
        print(f"safeaug: {exc}", file=sys.stderr)
        return 2
    findings, problems, files = lint(args.paths, policy)
    REPORTERS[args.format](findings, problems, files, out)
    if problems:
        return 2
    return 1 if any(f.severity == "error" for f in findings) else 0


if __name__ == "__main__":
    raise SystemExit(main())
