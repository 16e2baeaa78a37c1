"""What a lint run found: findings, suppressed findings, unreadable files, and the counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from safeaug.report import Finding

if TYPE_CHECKING:
    from safeaug.policy import Policy


class Problem(NamedTuple):
    """A file that could not be read (exit code 2); ``line`` when the reader knows it."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line is not None else f"{self.path}: {self.message}"


class JudgedFile(NamedTuple):
    """A file that was judged, the policy that judged it and where that policy came from."""

    path: str
    policy: str
    origin: str  # "command line", "pyproject.toml", "per-path-policies", "recorded id", "recorded definition"


class Suppressed(NamedTuple):
    """A finding an inline comment suppressed, with the comment's reason."""

    finding: Finding
    reason: str


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0  # files holding at least one pipeline, judged
    pipelines: int = 0  # pipelines judged (a file may hold several)
    skipped: int = 0  # files read that hold no pipeline
    policies: dict[str, Policy] = field(default_factory=dict)
    # Which policy judged each file, and why that one: (path, policy id, origin), in the order read.
    judged: list[JudgedFile] = field(default_factory=list)

    @property
    def unreadable(self) -> int:
        """Files (or named paths) that could not be read or judged."""
        return len({p.path for p in self.problems})

    # Counts of what was handed to an `on_file` callback instead of being kept in the lists above.
    streamed: list[int] = field(default_factory=lambda: [0, 0])  # errors, warnings

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings) + self.streamed[0]

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings) + self.streamed[1]

    @property
    def exit_code(self) -> int:
        if self.problems:
            return 2
        return 1 if self.errors else 0


@dataclass
class FileResult:
    """What linting one file found (a worker process sends this back)."""

    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pipelines: int = 0  # pipelines found in the file
    judged_pipelines: int = 0  # of those, judged
    skipped: bool = False
    unpoliced: bool = False
    recorded: bool = False
    policies: list[Policy] = field(default_factory=list)
    judged: list[JudgedFile] = field(default_factory=list)
