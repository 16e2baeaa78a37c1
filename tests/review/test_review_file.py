"""The review file: what the page exports reads back; anything malformed names file, line and expectation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from safeaug.cli import main
from safeaug.review.reviewfile import ReviewFileError, load_review


def test_round_trip(write_review: Callable[..., Path]) -> None:
    path = write_review("ann", [("rotation", -5.0, "accept"), ("rotation", 20.0, "reject"), ("mirror", 1.0, None)])
    review = load_review(path)
    assert review.reviewer == "ann"
    assert [(i.effect, i.magnitude, i.decision) for i in review.items] == [
        ("rotation", -5.0, "accept"),
        ("rotation", 20.0, "reject"),
        ("mirror", 1.0, None),
    ]


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('decision: "reject"', 'decision: "yes"', "expected accept, reject, unsure or null, got 'yes'"),
        ("realism: null", "realism: 7", "a whole number from 1 to 5"),
        ('effect: "rotation"', 'effect: "twirl"', "null or one of mirror, rotation"),
        ("magnitude: 20.0", 'magnitude: "big"', "a number or null"),
        ('id: "e0001"', 'id: "e0000"', "an id used once (already on line"),
    ],
)
def test_malformed_value_names_file_line_and_expectation(
    write_review: Callable[..., Path], capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    path = write_review("ann", [("rotation", -5.0, "accept"), ("rotation", 20.0, "reject")])
    text = path.read_text()
    # change the second item only
    head, tail = text.split('  - id: "e0001"', 1)
    tail = ('  - id: "e0001"' + tail).replace(old, new, 1)
    path.write_text(head + tail)
    line = _line_of(path, new.split(":")[0] + ": " + new.split(": ", 1)[1]) if "id:" not in new else None
    with pytest.raises(ReviewFileError) as info:
        load_review(path)
    message = str(info.value)
    assert expected in message
    assert message.startswith(f"{path}:")
    if line is not None:
        assert message.startswith(f"{path}:{line}:")
    assert main(["review", "apply", str(path), "-o", str(path.parent / "out.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err and expected in err and "Traceback" not in err
    assert not (path.parent / "out.yaml").exists()


def test_not_yaml_and_not_a_review(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: [unclosed\n")
    other = tmp_path / "other.yaml"
    other.write_text("id: chest\ninvariants: []\n")
    for path, expected in ((broken, "invalid YAML"), (other, "`format`: expected 'safeaug-review/1'")):
        assert main(["review", "agreement", str(path), str(path)]) == 2
        err = capsys.readouterr().err
        assert str(path) in err and expected in err
    assert main(["review", "apply", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "p.yaml")]) == 2
    assert "no such review file" in capsys.readouterr().err


def test_yaml_tags_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text('format: !!python/object/apply:os.system ["echo hi"]\n')
    with pytest.raises(ReviewFileError, match="tag not allowed"):
        load_review(path)


def test_files_from_different_reviews_are_not_mixed(write_review: Callable[..., Path]) -> None:
    from safeaug.review.tighten import read_reviews

    a = write_review("ann", [("rotation", 5.0, "accept")])
    b = write_review("bo", [("rotation", 5.0, "accept")], policy="natural")
    with pytest.raises(ReviewFileError, match="same review"):
        read_reviews([a, b])
    c = write_review("ann2", [("rotation", 5.0, "accept")], reviewer="ann")
    with pytest.raises(ReviewFileError, match="more than one file"):
        read_reviews([a, c])


def test_review_is_public_and_loads_on_demand() -> None:
    import subprocess
    import sys

    code = "import sys, safeaug\nr = safeaug.review\nprint('cv2' in sys.modules, callable(r.build), callable(r.apply))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "True"]
