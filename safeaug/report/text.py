"""``--format text``: one line per finding, as compilers write them (``path:line:1: CODE [severity] message``),
with the policy's reason and the fix under it, for people."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from safeaug.report.common import policy_lines, printable, summary_line
from safeaug.report.findings import Finding

if TYPE_CHECKING:
    from safeaug.lint import LintResult


def finding(f: Finding, out: TextIO) -> None:
    out.write(printable(f"{f.path}:{f.line or 1}:1: {f.code} [{f.severity}] {f.message}") + "\n")
    if f.reason:
        out.write(printable(f"    why: {f.reason}") + "\n")
    if f.fix:
        out.write(printable(f"    fix: {f.fix}") + "\n")


def end(result: LintResult, out: TextIO, *, show_suppressed: bool = False) -> None:
    if show_suppressed:
        for s in result.suppressed:
            f = s.finding
            out.write(printable(f"{f.path}:{f.line or 1}:1: {f.code} [suppressed] {f.message}") + "\n")
            out.write(printable(f"    suppressed because: {s.reason}") + "\n")
    for problem in result.problems:
        out.write(printable(str(problem)) + "\n")
    for line in policy_lines(result):
        out.write(printable(line) + "\n")
    out.write(summary_line(result) + "\n")


def text(result: LintResult, out: TextIO, *, show_suppressed: bool = False) -> None:
    for f in result.findings:
        finding(f, out)
    end(result, out, show_suppressed=show_suppressed)


__all__ = ["end", "finding", "text"]
