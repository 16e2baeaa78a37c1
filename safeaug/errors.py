"""The exceptions safeaug raises. Findings are data; exceptions mean "could not run" or "refused"."""

from __future__ import annotations

import math
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


def number_as_text(value: Any) -> str:
    """What to add when a value expected to be a number is text that reads as one (``limit: 1e2``, ``p: "1"``),
    or "" otherwise.

    YAML 1.1 (which PyYAML and albumentations' ``A.load`` read) takes ``1e2`` for text, as it takes anything
    quoted; albumentations' argument checks would turn such text into a number, safeaug does not guess how.
    """
    pair = isinstance(value, (list, tuple))
    items = value if pair else (value,)
    texts = [v for v in items if isinstance(v, str)]
    if not texts:
        return ""
    written = []
    for v in items:
        try:
            number = float(v)
        except (TypeError, ValueError):
            return ""
        if not math.isfinite(number):
            return ""
        written.append(repr(number) if isinstance(v, str) and "e" in v.lower() else str(v).strip())
    instead = f"[{', '.join(written)}]" if pair else written[0]
    if any("e" in t.lower() and "." not in t for t in texts):
        why = "YAML reads an exponent without a decimal point (`1e2`) as text"
    else:
        why = "a quoted value is text"
    return f" (text, not a number: {why}; write `{instead}`)"
