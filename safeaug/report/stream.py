"""The ``--format`` table, and the reporter that writes each file's findings as soon as they are known."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from safeaug.report import github as github_format
from safeaug.report import text as text_format
from safeaug.report.findings import Finding
from safeaug.report.json_output import JsonWriter, json_report
from safeaug.report.sarif import sarif

if TYPE_CHECKING:
    from safeaug.lint import FileResult, LintResult

Reporter = Callable[..., None]
REPORTERS: dict[str, Reporter] = {
    "text": text_format.text,
    "json": json_report,
    "github": github_format.github,
    "sarif": sarif,
}


class Stream:
    """A reporter that writes each file's findings as soon as they are known (``lint(on_file=...)``), so
    that memory stays flat however many files are linted; :meth:`end` writes the rest. SARIF, one
    document whose rule index comes first, is written whole instead (``STREAMED`` says which formats stream).
    """

    def __init__(self, fmt: str, out: TextIO, *, show_suppressed: bool = False) -> None:
        self.out = out
        self.show_suppressed = show_suppressed
        self.json = JsonWriter(out, show_suppressed=show_suppressed) if fmt == "json" else None
        self.write: Callable[[Finding, TextIO], None] = (
            github_format.finding if fmt == "github" else text_format.finding
        )
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
            github_format.end(result, self.out)
        else:
            text_format.end(result, self.out, show_suppressed=self.show_suppressed)


STREAMED = frozenset({"text", "json", "github"})

__all__ = ["REPORTERS", "STREAMED", "Reporter", "Stream"]
