"""What every output format of ``safeaug lint`` says at its end: which policy judged which file, and the counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from safeaug.lint import LintResult


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


ORIGINS = {
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
        return [f"policy: {pid} ({ORIGINS.get(origin, origin)}) judged {plural(len(result.judged), 'file')}"]
    return [f"policy: {j.path}: {j.policy} ({ORIGINS.get(j.origin, j.origin)})" for j in result.judged]


def summary_line(result: LintResult) -> str:
    parts = [plural(result.errors, "error"), plural(result.warnings, "warning")]
    if result.suppressed:
        parts.append(f"{len(result.suppressed)} suppressed")
    if result.problems:
        parts.append(f"{plural(result.unreadable, 'path')} unreadable")
    line = f"{plural(result.files, 'file')} checked"
    if result.pipelines != result.files:
        line += f" ({plural(result.pipelines, 'pipeline')})"
    line += f": {', '.join(parts)}"
    if result.skipped:
        line += f"; {plural(result.skipped, 'file')} without a pipeline skipped"
    return line + "."


__all__ = ["ORIGINS", "plural", "policy_lines", "summary_line"]


# Control characters as escapes: a file name or class name holding a line break must not start a new output
# line, which CI runners read as a command when it starts with `::` (GitHub Actions' workflow commands).
_CONTROL = {i: f"\\x{i:02x}" for i in (*range(32), 127)} | {10: "\\n", 13: "\\r", 9: "\\t"}


def printable(text: str) -> str:
    """``text`` on one line: control characters written as escapes (``\\n``, ``\\x1b``)."""
    return text.translate(_CONTROL)
