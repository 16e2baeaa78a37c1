"""The exceptions safeaug raises. Findings are data; exceptions mean "could not run" or "refused"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from safeaug.report import Report


class SafeaugError(Exception):
    """Base class of every error safeaug raises on purpose."""


class PolicyError(SafeaugError, ValueError):
    """A policy could not be found, read or understood."""


class ConfigError(SafeaugError, ValueError):
    """A pipeline (object, dict or file) could not be read into a pipeline tree."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)
        self.bare_message = message


class PolicyViolationError(SafeaugError, ValueError):
    """A pipeline breaks its policy. ``.report`` holds every finding.

    It survives worker processes: it pickles with its report (``multiprocessing`` sends it back whole),
    and it can be rebuilt from its message alone, which is how a PyTorch ``DataLoader`` re-raises an
    error from a worker; the message then carries the findings and ``.report`` is empty.
    """

    def __init__(self, report: Report | str) -> None:
        if isinstance(report, str):
            from safeaug.report import Report

            self.report = Report(policy="")
            super().__init__(report)
            return
        self.report = report
        super().__init__(report.error_summary())

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.report if self.report.findings else str(self),))
