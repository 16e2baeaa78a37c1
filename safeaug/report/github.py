"""``--format github``: workflow commands (``::error file=...,line=...::message``) that GitHub Actions shows as
annotations on the file and line."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, TextIO

from safeaug.report.common import policy_lines, printable, summary_line
from safeaug.report.findings import Finding
from safeaug.rules import all_codes

if TYPE_CHECKING:
    from safeaug.lint import LintResult


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


@cache
def _titles() -> dict[str, str]:
    return all_codes()


def finding(f: Finding, out: TextIO) -> None:
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
        finding(f, out)
    end(result, out)


def end(result: LintResult, out: TextIO, *, show_suppressed: bool = False) -> None:
    for p in result.problems:
        props = f"file={_escape_property(p.path)}" + (f",line={p.line}" if p.line else "") + ",title=unreadable input"
        out.write(f"::error {props}::{_escape_data(p.message)}\n")
    for line in policy_lines(result):
        out.write(printable(line) + "\n")
    out.write(summary_line(result) + "\n")


__all__ = ["end", "finding", "github"]
