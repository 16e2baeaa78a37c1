"""Inline suppressions: ``# safeaug: ignore[CODE] -- reason`` in YAML and Python configs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from safeaug.cli import main
from safeaug.lint import Selection, lint, read_suppressions
from safeaug.report import Finding

REASON = "masks of the mediastinum flip with the film"

# HorizontalFlip on line 6 (SA101 under chest_xray), InvertImg on line 8 (SA201).
PIPELINE = """\
__version__: 2.0.8
transform:
  __class_fullname__: Compose
  p: 1.0
  transforms:
  - __class_fullname__: HorizontalFlip{flip}
    p: 0.5
  - __class_fullname__: InvertImg{invert}
    p: 0.5
"""


def _yaml(tmp_path: Path, *, flip: str = "", invert: str = "", above: str = "", tail: str = "") -> Path:
    text = PIPELINE.format(flip=flip, invert=invert)
    if above:
        lines = text.splitlines(keepends=True)
        lines.insert(5, above + "\n")
        text = "".join(lines)
    path = tmp_path / "pipeline.yaml"
    path.write_text(text + tail)
    return path


def _codes(path: Path, **kw: Any) -> list[tuple[int | None, str]]:
    result = lint([str(path)], policy="chest_xray", **kw)
    assert not result.problems
    return [(f.line, f.code) for f in result.findings]


def test_without_comments_both_findings_are_reported(tmp_path: Path) -> None:
    assert _codes(_yaml(tmp_path)) == [(6, "SA101"), (8, "SA201")]


def test_a_trailing_comment_suppresses_its_line_only(tmp_path: Path) -> None:
    path = _yaml(tmp_path, flip=f"  # safeaug: ignore[SA101] -- {REASON}")
    result = lint([str(path)], policy="chest_xray")
    assert [(f.line, f.code) for f in result.findings] == [(8, "SA201")]
    assert [(s.finding.code, s.reason) for s in result.suppressed] == [("SA101", REASON)]


def test_a_comment_alone_on_the_line_above_suppresses_the_next_line(tmp_path: Path) -> None:
    path = _yaml(tmp_path, above=f"  # safeaug: ignore[SA101] -- {REASON}")
    assert _codes(path) == [(9, "SA201")]


def test_stacked_comments_above_one_line_all_apply(tmp_path: Path) -> None:
    above = f"  # safeaug: ignore[SA101] -- {REASON}\n  # safeaug: ignore[SA2] -- inverted on purpose"
    # Both cover line 8 (HorizontalFlip): SA101 is used there, the SA2 prefix matches nothing on that line.
    assert _codes(_yaml(tmp_path, above=above)) == [(7, "SA602"), (10, "SA201")]
    path = _yaml(tmp_path, flip=f"  # safeaug: ignore[SA101, sa201] -- {REASON}")
    assert _codes(path) == [(6, "SA602"), (8, "SA201")]


def test_a_comment_two_lines_away_does_not_reach(tmp_path: Path) -> None:
    path = _yaml(tmp_path, above=f"  # safeaug: ignore[SA201] -- {REASON}")
    codes = _codes(path)
    assert (9, "SA201") in codes and (7, "SA101") in codes
    assert (6, "SA602") in codes  # and it is reported as unused


def test_a_suppression_without_reason_is_sa601_and_suppresses_nothing(tmp_path: Path) -> None:
    for comment in ("# safeaug: ignore[SA101]", "# safeaug: ignore[SA101] --   ", "# safeaug: ignore[SA101] because"):
        result = lint([str(_yaml(tmp_path, flip="  " + comment))], policy="chest_xray")
        assert [(f.line, f.code, f.severity) for f in result.findings] == [
            (6, "SA101", "error"),
            (6, "SA601", "error"),
            (8, "SA201", "error"),
        ], comment
        assert result.exit_code == 1 and not result.suppressed


def test_malformed_directives_are_sa601(tmp_path: Path) -> None:
    for comment in ("# safeaug: ignore SA101 -- why", "# safeaug: ignore[] -- why", "# safeaug: ignore[E501] -- why"):
        codes = _codes(_yaml(tmp_path, flip="  " + comment))
        assert (6, "SA601") in codes and (6, "SA101") in codes, comment


def test_an_unused_suppression_is_sa602_warning(tmp_path: Path) -> None:
    path = _yaml(tmp_path, invert=f"  # safeaug: ignore[SA201,SA103] -- {REASON}")
    result = lint([str(path)], policy="chest_xray")
    assert [(f.line, f.code, f.severity) for f in result.findings] == [(6, "SA101", "error"), (8, "SA602", "warning")]
    assert "SA103" in result.findings[1].message


def test_unused_is_not_claimed_for_codes_switched_off(tmp_path: Path) -> None:
    path = _yaml(tmp_path, invert=f"  # safeaug: ignore[SA201] -- {REASON}")
    assert _codes(path, ignore=["SA201"]) == [(6, "SA101")]
    assert _codes(path, select=["SA1"]) == [(6, "SA101")]


def test_file_wide_suppression(tmp_path: Path) -> None:
    path = _yaml(tmp_path, tail=f"# safeaug: ignore-file[SA201] -- {REASON}\n")
    assert _codes(path) == [(6, "SA101")]
    path = _yaml(tmp_path, tail="# safeaug: ignore-file[SA201]\n")
    assert _codes(path) == [(6, "SA101"), (8, "SA201"), (10, "SA601")]
    path = _yaml(tmp_path, tail=f"# safeaug: ignore-file[SA3] -- {REASON}\n")
    assert (10, "SA602") in _codes(path)


def test_hash_inside_quoted_and_block_scalars_is_not_a_comment(tmp_path: Path) -> None:
    tail = (
        f'note: "x # safeaug: ignore-file[SA101] -- {REASON}"\n'
        f"other: 'y # safeaug: ignore-file[SA201] -- {REASON}'\n"
        "story: |\n"
        f"  # safeaug: ignore-file[SA1] -- {REASON}\n"
        "  and more text\n"
        "plain: a#b # safeaug: ignore-file[SA201] -- a real comment after a plain scalar\n"
    )
    assert _codes(_yaml(tmp_path, tail=tail)) == [(6, "SA101")]


def test_show_suppressed_in_json_and_summary_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _yaml(tmp_path, flip=f"  # safeaug: ignore[SA101] -- {REASON}")
    assert main(["lint", str(path), "--policy", "chest_xray", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["suppressed"] == 1
    assert all("suppressed" not in f for f in doc["findings"])
    main(["lint", str(path), "--policy", "chest_xray", "--format", "json", "--show-suppressed"])
    doc = json.loads(capsys.readouterr().out)
    flags = {(f["code"], f["suppressed"]) for f in doc["findings"]}
    assert flags == {("SA101", True), ("SA201", False)}
    main(["lint", str(path), "--policy", "chest_xray"])
    out = capsys.readouterr().out
    assert "1 suppressed" in out and "SA101" not in out
    main(["lint", str(path), "--policy", "chest_xray", "--show-suppressed"])
    assert "[suppressed]" in capsys.readouterr().out


def test_all_findings_suppressed_exits_zero(tmp_path: Path) -> None:
    path = _yaml(
        tmp_path,
        flip=f"  # safeaug: ignore[SA101] -- {REASON}",
        invert="  # safeaug: ignore[SA201] -- a negative-film model is trained on purpose",
    )
    assert lint([str(path)], policy="chest_xray").exit_code == 0


def test_json_has_no_comments_so_nothing_is_scanned(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(
        '{"note": "# safeaug: ignore-file[SA1] -- x", "transform": {"__class_fullname__": "Compose", '
        '"transforms": [{"__class_fullname__": "HorizontalFlip", "p": 0.5}]}}'
    )
    assert [f.code for f in lint([str(path)], policy="chest_xray").findings] == ["SA101"]


# ----------------------------------------------------------------------------------------- Python files

PY_SOURCE = f"""\
import albumentations as A

NOTE = "# safeaug: ignore-file[SA201] -- inside a string, not a comment"
pipeline = A.Compose([
    A.HorizontalFlip(p=0.5),  # safeaug: ignore[SA101] -- {REASON}
    # safeaug: ignore[SA102] -- nothing rotates on the next line
    A.InvertImg(p=0.5),
])
"""


def test_python_comments_found_with_the_syntax_tree(tmp_path: Path) -> None:
    path = tmp_path / "aug.py"
    path.write_text(PY_SOURCE)
    result = lint([str(path)], policy="chest_xray")
    assert [(f.line, f.code) for f in result.findings] == [(6, "SA602"), (7, "SA201")]
    assert [(s.finding.line, s.finding.code) for s in result.suppressed] == [(5, "SA101")]


def test_python_suppression_comments_are_found_only_in_comments() -> None:
    sups, bad = read_suppressions(Path("x.py"), PY_SOURCE, "chest_xray")
    assert [(s.line, s.codes, sorted(s.targets), s.file_wide) for s in sups] == [
        (5, ("SA101",), [5], False),
        (6, ("SA102",), [7], False),
    ]
    assert not bad


TRICKY_SOURCE = """\
import albumentations as A

DOC = \"\"\"A note
# safeaug: ignore-file[SA1] -- inside a triple-quoted string
\"\"\"
LABEL = f"héllo {1 + 1} # safeaug: ignore[SA201] -- in an f-string"  # safeaug: ignore[SA1] -- after it
pipeline = A.Compose([A.HorizontalFlip(p=0.5), A.InvertImg(p="#")])  # safeaug: ignore[SA201] -- x # y
"""


def test_python_comments_skip_every_string_a_hash_may_sit_in() -> None:
    from safeaug.readers.source import Source

    found = Source("x.py", TRICKY_SOURCE).comments("safeaug")
    assert [(c.line, c.text, c.alone) for c in found] == [
        (6, "# safeaug: ignore[SA1] -- after it", False),
        (7, "# safeaug: ignore[SA201] -- x # y", False),
    ]


def test_suppressions_reuse_the_tree_the_reader_parsed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import safeaug.readers.source

    path = tmp_path / "aug.py"
    path.write_text(PY_SOURCE)
    parsed: list[str] = []
    real = safeaug.readers.source.parse

    def counted(text: str, source: str) -> Any:
        parsed.append(source)
        return real(text, source)

    monkeypatch.setattr(safeaug.readers.source, "parse", counted)
    result = lint([str(path)], policy="chest_xray")
    assert [(s.finding.line, s.finding.code) for s in result.suppressed] == [(5, "SA101")]
    assert parsed == [str(path)]  # one parse serves the reader and the suppressions


def test_selection_prefixes() -> None:
    sel = Selection(select=("SA1", "SA201"), ignore=("SA10",))
    assert sel.enabled("SA110") and sel.enabled("SA201")
    assert not sel.enabled("SA101") and not sel.enabled("SA202")
    assert not sel.enabled("SA110", ["SA110"])


@pytest.mark.parametrize(
    "text",
    [
        # a disabled template, merged where its p is overridden: the flip runs at the merge, line 6
        "templates:\n"
        "  flip: &flip {__class_fullname__: HorizontalFlip, p: 0.0}  # safeaug: ignore[SA101] -- never runs\n"
        "transform:\n"
        "  __class_fullname__: Compose\n"
        "  transforms:\n"
        "    - <<: *flip\n"
        "      p: 1.0\n",
        # a transform suppressed where it stands in a pipeline that never runs, used again by alias on line 6
        "flip: &flip {__class_fullname__: HorizontalFlip, p: 1.0}  # safeaug: ignore[SA101] -- off below\n"
        "off: {__class_fullname__: Compose, p: 0.0, transforms: [*flip]}\n"
        "transform:\n"
        "  __class_fullname__: Compose\n"
        "  transforms:\n"
        "    - *flip\n",
    ],
    ids=["merge key", "alias"],
)
def test_a_suppression_at_an_anchor_does_not_cover_where_it_is_used_again(tmp_path: Path, text: str) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text(text)
    assert (6, "SA101") in _codes(path)


def test_a_finding_without_a_line_is_covered_only_by_a_file_wide_suppression(tmp_path: Path) -> None:
    text = (
        "import albumentations as A  # safeaug: ignore[SA101] -- the first line\n# safeaug: ignore-file[SA102] -- all\n"
    )
    path = tmp_path / "train.py"
    path.write_text(text)
    suppressions, bad = read_suppressions(path, text, "chest_xray")
    assert not bad
    lineless = [Finding(code, "error", "m", "HorizontalFlip", "transforms[0]", None) for code in ("SA101", "SA102")]
    assert [[s.covers(f) for f in lineless] for s in suppressions] == [[None, None], [None, "SA102"]]
