"""Inline suppressions: ``# safeaug: ignore[SA101] -- why`` on a line (or above it), ``ignore-file[...]``.

A suppression needs a reason; one that cannot count is an SA601 finding, one that matches nothing an SA602.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from safeaug._files import read_bytes
from safeaug.lint.results import Suppressed
from safeaug.lint.settings import Selection
from safeaug.readers.source import MAX_BYTES, Comment, Source
from safeaug.report import Finding
from safeaug.rules import OTHER_RULES, SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION, all_codes

# Patterns are compiled on first use (re caches them): most runs meet no suppression at all.
_DIRECTIVE = r"#\s*safeaug\s*:\s*(?P<body>.*)$"
_WELL_FORMED = r"^(?P<kind>ignore-file|ignore)\[(?P<codes>[^\]]*)\](?P<rest>.*)$"
_REASON = r"^\s*--\s*(?P<reason>\S.*?)\s*$"
_CODE = r"^SA\d{0,3}$"
EXAMPLE = "# safeaug: ignore[SA101] -- segmentation of structures that are not lateral"


class Suppression(NamedTuple):
    line: int  # where the comment is
    targets: frozenset[int]  # the lines it covers (empty for a file-wide one)
    codes: tuple[str, ...]
    reason: str
    file_wide: bool
    used: set[str]  # the codes that suppressed a finding, filled in while matching

    def covers(self, finding: Finding) -> str | None:
        """The code entry that covers this finding, if any."""
        if not self.file_wide and (finding.line is None or finding.line not in self.targets):
            return None  # a finding without a line is no line's: only a file-wide suppression covers it
        for code in self.codes:
            if finding.code.startswith(code):
                return code
        return None


def read_suppressions(
    path: Path, text: str, policy_id: str, *, source: Source | None = None
) -> tuple[list[Suppression], list[Finding]]:
    """Suppressions found in the file, and an ``SA601`` finding for each one that cannot count.

    ``source``: the file as the reader read it (its text and, for Python, its syntax tree are reused).
    """
    found = (source or Source(str(path), text)).comments("safeaug")
    standalone = set()
    parsed: list[tuple[Comment, re.Match[str]]] = []
    bad: list[Finding] = []
    for comment in found:
        directive = re.search(_DIRECTIVE, comment.text)
        if directive is None:
            continue
        body = directive.group("body").strip()
        match = re.match(_WELL_FORMED, body)
        problem = ""
        if match is None:
            problem = f"cannot read `# safeaug: {body}`"
        else:
            codes = [c.strip().upper() for c in match.group("codes").split(",") if c.strip()]
            if not codes:
                problem = "names no code"
            elif not all(re.match(_CODE, c) for c in codes):
                problem = f"names {match.group('codes')!r}, which are not rule codes"
            elif re.match(_REASON, match.group("rest")) is None:
                problem = "has no reason"
        if problem:
            bad.append(
                Finding(
                    code=SUPPRESSION_WITHOUT_REASON,
                    severity="error",
                    message=f"This suppression {problem}, so it suppresses nothing.",
                    transform=None,
                    location="",
                    line=comment.line,
                    reason=OTHER_RULES[SUPPRESSION_WITHOUT_REASON][1],
                    fix=f"Write the codes and, after ` -- `, why the finding does not apply here: `{EXAMPLE}`.",
                    policy=policy_id,
                    path=str(path),
                )
            )
            continue
        assert match is not None
        parsed.append((comment, match))
        if comment.alone and match.group("kind") == "ignore":
            standalone.add(comment.line)
    out = []
    for comment, match in parsed:
        names = tuple(dict.fromkeys(c.strip().upper() for c in match.group("codes").split(",") if c.strip()))
        reason_match = re.match(_REASON, match.group("rest"))
        assert reason_match is not None
        file_wide = match.group("kind") == "ignore-file"
        targets: set[int] = set()
        if not file_wide:
            if comment.alone:
                # The next line that is not itself a suppression comment: several may stack above one line.
                target = comment.line + 1
                while target in standalone:
                    target += 1
                targets.add(target)
            else:
                targets.add(comment.line)
        out.append(Suppression(comment.line, frozenset(targets), names, reason_match.group("reason"), file_wide, set()))
    return out, bad


def apply_suppressions(
    path: Path,
    findings: list[Finding],
    selection: Selection,
    extra_ignore: Sequence[str],
    policy_id: str,
    *,
    text: str | None = None,
    source: Source | None = None,
) -> tuple[list[Finding], list[Suppressed]]:
    """Findings left after inline suppressions, plus SA601/SA602 findings; and the suppressed ones.

    ``source`` is the file as the reader read it (``text`` its text): the file is then not read again,
    and a Python file's syntax tree is not parsed again.
    """
    if path.suffix.lower() not in (".yaml", ".yml", ".py"):
        return findings, []
    if source is None:
        if text is None:
            try:
                text = read_bytes(path, MAX_BYTES).decode("utf-8", errors="replace")
            except OSError:
                return findings, []
        source = Source(str(path), text)
    if source.text is None or "safeaug" not in source.text:
        return findings, []
    suppressions, bad = read_suppressions(path, source.text, policy_id, source=source)
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        for sup in suppressions:
            code = sup.covers(finding)
            if code is not None:
                sup.used.add(code)
                suppressed.append(Suppressed(finding, sup.reason))
                break
        else:
            kept.append(finding)
    for sup in suppressions:
        for code in sup.codes:
            # A code switched off by select/ignore cannot be judged unused: nothing was looked for.
            if code in sup.used or not any(
                selection.enabled(known, extra_ignore) for known in all_codes() if known.startswith(code)
            ):
                continue
            kept.append(
                Finding(
                    code=UNUSED_SUPPRESSION,
                    severity="warning",
                    message=f"`{code}` in this suppression matches no finding"
                    + (" in this file." if sup.file_wide else f" on line {min(sup.targets)}."),
                    transform=None,
                    location="",
                    line=sup.line,
                    reason=OTHER_RULES[UNUSED_SUPPRESSION][1],
                    fix=f"Remove `{code}` from the comment (or the whole comment when it names nothing else).",
                    policy=policy_id,
                    path=str(path),
                )
            )
    kept += bad
    kept = [f for f in kept if selection.enabled(f.code, extra_ignore)]
    return kept, suppressed
