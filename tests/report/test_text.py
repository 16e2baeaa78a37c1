"""``--format text``: a compiler-style line per finding with why and fix, then what was unreadable and the counts."""

from __future__ import annotations

import dataclasses
import io

from hand_built import FLIP, result

from safeaug.report import text


def test_a_finding_is_a_compiler_style_line_with_why_and_fix() -> None:
    out = io.StringIO()
    text.finding(FLIP, out)
    assert out.getvalue().splitlines() == [
        "configs/a,b:c.yaml:4:1: SA101 [error] `HorizontalFlip` mirrors the image: 50% of samples, 100% → 0%",
        "    why: Dextrocardia is a diagnosis: a mirrored chest puts the heart on the patient's right.",
        "    fix: Remove `HorizontalFlip`.",
    ]


def test_the_whole_document_ends_with_problems_policy_and_counts() -> None:
    out = io.StringIO()
    text.text(result(), out)
    lines = out.getvalue().splitlines()
    assert lines[3] == "configs/b.json:1:1: SA102 [warning] `Rotate` turns the image: up to ±20°"  # no line: 1
    assert lines[-3] == "configs/broken.yaml:3: expected a mapping, got a list"
    assert lines[-2] == "policy: chest_xray (given on the command line) judged 2 files"
    assert lines[-1] == "2 files checked: 1 error, 1 warning, 1 suppressed, 1 path unreadable."
    assert "suppressed because" not in out.getvalue()


def test_suppressed_findings_are_shown_with_their_reason_when_asked() -> None:
    out = io.StringIO()
    text.text(result(), out, show_suppressed=True)
    assert (
        "configs/b.json:1:1: SA102 [suppressed] `Rotate` turns the image: up to ±20°\n"
        "    suppressed because: reviewed: the scanner tilts up to 20 degrees\n"
    ) in out.getvalue()


def test_a_line_break_in_a_path_or_message_never_starts_an_output_line() -> None:
    # GitHub Actions reads any output line that starts with `::` as a workflow command.
    crafted = dataclasses.replace(
        FLIP, path="a\n::error file=README.md::pwned\n.yaml", message="`x\r\n::add-mask::y` is unknown"
    )
    out = io.StringIO()
    text.finding(crafted, out)
    lines = out.getvalue().splitlines()
    assert not any(line.startswith("::") for line in lines)
    assert lines[0].startswith("a\\n::error file=README.md::pwned\\n.yaml:4:1: SA101")
    assert "`x\\r\\n::add-mask::y`" in lines[0]
