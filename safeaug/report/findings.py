"""Findings and reports: what the validator found, as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from safeaug.effects import Envelope

Severity = Literal["error", "warning"]


@dataclass(frozen=True, init=False)
class Finding:
    """One problem with a pipeline.

    ``code`` is stable (``SA101``); ``location`` is the path in the pipeline tree
    (``transforms[2].transforms[0]``, empty for the whole pipeline); ``line`` is set when the pipeline
    came from a file; ``reason`` is the policy's reason; ``fix`` says what to write instead.
    ``label_transform`` is set when the policy allows the effect only together with a change to the label
    (swapping left/right keypoints, negating a steering angle): it says what that label transform does,
    and the finding stands until the pipeline performs it.
    """

    code: str
    severity: Severity
    message: str
    transform: str | None
    location: str
    line: int | None = None
    reason: str = ""
    fix: str = ""
    effect: str | None = None
    policy: str | None = None
    references: tuple[str, ...] = ()
    path: str | None = None
    label_transform: str | None = None
    input_size: tuple[int, int] | None = None  # (height, width) the pipeline was judged for, when given

    def __init__(
        self,
        code: str,
        severity: Severity,
        message: str,
        transform: str | None,
        location: str,
        line: int | None = None,
        reason: str = "",
        fix: str = "",
        effect: str | None = None,
        policy: str | None = None,
        references: tuple[str, ...] = (),
        path: str | None = None,
        label_transform: str | None = None,
        input_size: tuple[int, int] | None = None,
    ) -> None:
        # The fields in one update of the instance dict: a frozen dataclass's own __init__ sets them one by one
        # through object.__setattr__, twice as slow, and a refused pipeline makes several findings per validate().
        # (tests/report check that these parameters are the fields, with their defaults.)
        vars(self).update(
            code=code,
            severity=severity,
            message=message,
            transform=transform,
            location=location,
            line=line,
            reason=reason,
            fix=fix,
            effect=effect,
            policy=policy,
            references=references,
            path=path,
            label_transform=label_transform,
            input_size=input_size,
        )

    def one_line(self) -> str:
        where = self.location or "pipeline"
        if self.line is not None:
            where = f"line {self.line}, {where}"
        return f"{self.code} [{where}] {self.message}"


@dataclass(frozen=True)
class Report:
    """Everything the validator found. ``ok`` is true when no finding is an error."""

    policy: str
    findings: tuple[Finding, ...] = ()
    envelope: Envelope = field(default_factory=Envelope)
    source: str | None = None
    input_size: tuple[int, int] | None = None  # (height, width) the pipeline was judged for, when given

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def error_summary(self) -> str:
        """Every error, one line each, then the reason and fix of each: readable without the docs."""
        errors = self.errors
        what = f" {self.source}" if self.source else ""
        head = f"policy {self.policy!r} refuses this pipeline{what} ({len(errors)} error{'s' * (len(errors) != 1)}):"
        lines = [head]
        for f in errors:
            lines.append(f"  {f.one_line()}")
            if f.reason:
                lines.append(f"      why: {f.reason}")
            if f.fix:
                lines.append(f"      fix: {f.fix}")
        return "\n".join(lines)

    def __str__(self) -> str:
        if not self.findings:
            return f"policy {self.policy!r}: no findings"
        lines = [f"policy {self.policy!r}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"]
        lines += [f"  {f.severity}: {f.one_line()}" for f in self.findings]
        return "\n".join(lines)


def merge_reports(reports: list[Report]) -> Report:
    """One report for several pipelines judged by the same policy (a file holding train and val pipelines).

    The envelope is the union: what any one of the pipelines may do.
    """
    if len(reports) == 1:
        return reports[0]
    if not reports:
        raise ValueError("merge_reports needs at least one report")
    first = reports[0]
    return Report(
        policy=first.policy,
        findings=tuple(f for r in reports for f in r.findings),
        envelope=Envelope.union_of([r.envelope for r in reports]),
        source=first.source,
        input_size=first.input_size,
    )
