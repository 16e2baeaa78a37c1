"""``--format github``: workflow commands whose data and properties are escaped as GitHub Actions requires."""

from __future__ import annotations

import io

from hand_built import FLIP, result

from safeaug.report import github


def test_an_annotation_escapes_its_properties_and_its_message() -> None:
    out = io.StringIO()
    github.finding(FLIP, out)
    line = out.getvalue()
    assert line.count("\n") == 1, "one command per finding: newlines in the body are escaped"
    head, body = line.rstrip("\n").split("::", 2)[1:]
    # A comma or colon in the path would end the property: they are percent-encoded.
    assert head == "error file=configs/a%2Cb%3Ac.yaml,line=4,col=1,title=SA101 mirror"
    assert body.startswith("`HorizontalFlip` mirrors the image: ")
    assert "%0AWhy: Dextrocardia" in body and "%0AFix: Remove" in body


def test_a_percent_in_the_message_is_escaped_before_newlines() -> None:
    out = io.StringIO()
    github.finding(FLIP, out)
    body = out.getvalue().split("::", 2)[2]
    assert "50%25 of samples, 100%25 → 0%25" in body


def test_unreadable_inputs_are_error_annotations_and_the_counts_follow() -> None:
    out = io.StringIO()
    github.github(result(), out)
    lines = out.getvalue().splitlines()
    assert lines[2] == "::error file=configs/broken.yaml,line=3,title=unreadable input::expected a mapping, got a list"
    assert lines[-1] == "2 files checked: 1 error, 1 warning, 1 suppressed, 1 path unreadable."
