"""The YAML loader builds exactly what PyYAML's safe loader builds, plus the line of every value."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

import safeaug
from safeaug import _yaml
from safeaug._yaml import load_with_lines
from safeaug.readers import read_config

DOCS = [
    "a: 1\nb: [1, 2.5, -3, 1e3, 0x10, .inf, -.inf, ~, null, yes, No, 'no', \"7\", 2001-12-14]\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\nf: !!float 3\nstr: !!str 12\n",
    "- - a\n  - b\n- {c: [d, {e: f}]}\n",
    "k: |\n  multi\n  line\n? complex\n: value\n",
    "1: int key\n2.5: float key\ntrue: bool key\n~: null key\n",
    "a: &a {x: 1, y: [1]}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n  y: 3\nd: [*a, *b, {<<: *a, x: 5}]\n",
]


@pytest.mark.parametrize("text", DOCS)
def test_data_is_what_the_safe_loader_builds(text: str) -> None:
    data, _ = load_with_lines(text, "doc.yaml")
    assert data == yaml.safe_load(text)


scalars = st.one_of(
    st.integers(-(10**6), 10**6), st.floats(allow_nan=False, width=32), st.booleans(), st.none(), st.text(max_size=8)
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=20,
)


@given(doc=documents, flow=st.booleans())
def test_any_dumped_document_reads_back_like_the_safe_loader(doc: object, flow: bool) -> None:
    text = yaml.safe_dump(doc, default_flow_style=flow)
    data, lines = load_with_lines(text, "doc.yaml")
    assert data == yaml.safe_load(text)
    assert all(1 <= line <= text.count("\n") + 1 for line in lines.values())


def test_lines_point_at_keys_and_items() -> None:
    _, lines = load_with_lines("a:\n  b:\n    - x\n    - y: 1\n", "doc.yaml")
    assert (
        lines[("a",)] == 1 and lines[("a", "b")] == 2 and lines[("a", "b", 1)] == 4 and lines[("a", "b", 1, "y")] == 4
    )


def test_the_c_parser_is_used_when_available() -> None:
    assert issubclass(_yaml._LineLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def test_unhashable_keys_are_a_clear_error() -> None:
    with pytest.raises(safeaug.ConfigError, match=r"doc\.yaml:1: a mapping key that is itself a list"):
        load_with_lines("? [a, b]\n: c\n", "doc.yaml")


json_documents = st.recursive(
    st.one_of(scalars, st.sampled_from([float("inf"), float("-inf")])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=20,
)


@given(doc=json_documents, indent=st.sampled_from([None, 0, 2]))
def test_json_lines_are_the_lines_yaml_gives_every_container_and_key(doc: object, indent: int | None) -> None:
    import json

    text = json.dumps(doc, indent=indent)  # escaped, so that YAML reads every key (it refuses raw DEL)
    lines = _yaml.json_lines(text, "doc.json")
    marked = _yaml._yaml_json_lines(text, "doc.json")  # libyaml's marks: the line every node starts on
    assume(marked)  # YAML reads JSON but for a few escapes (a character beyond the BMP)
    expected: set[tuple[object, ...]] = set()

    def walk(value: object, path: tuple[object, ...]) -> None:
        if isinstance(value, dict):
            expected.add(path)
            for key, item in value.items():
                expected.add((*path, key))
                walk(item, (*path, key))
        elif isinstance(value, list):
            expected.add(path)
            for i, item in enumerate(value):  # `Infinity` in an array counts as an item like any other
                if isinstance(item, str) and item[:1].isupper():
                    expected.add((*path, i))  # a bare class name in a list of transforms (`"HorizontalFlip"`)
                walk(item, (*path, i))

    walk(json.loads(text), ())
    assert set(lines) == expected
    assert {path: lines[path] for path in expected} == {path: marked[path] for path in expected}


def test_a_collection_reached_again_is_at_the_line_that_uses_it() -> None:
    text = (
        "t: &t {name: flip, p: 1}\n"  # 1
        "base: &base\n"  # 2
        "  p: 0\n"  # 3
        "  items: [{name: rotate}]\n"  # 4
        "run:\n"  # 5
        "  - *t\n"  # 6
        "  - <<: *base\n"  # 7
        "    p: 1\n"  # 8
        "  - last: *t\n"  # 9
        "scalar: &s 3\n"  # 10
        "again: *s\n"  # 11
    )
    data, lines = load_with_lines(text, "doc.yaml")
    assert data == yaml.safe_load(text)
    assert lines[("t",)] == 1 and lines[("t", "name")] == 1
    assert lines[("run", 0)] == 6 and lines[("run", 0, "name")] == 6
    # merged keys are where the merge is written; the mapping's own keys where they are written
    assert lines[("run", 1, "items")] == 7 and lines[("run", 1, "items", 0, "name")] == 7
    assert lines[("run", 1, "p")] == 8
    assert lines[("run", 2, "last")] == 9 and lines[("run", 2, "last", "name")] == 9


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("doc.yaml", "a:\n  p: 0\n  q: 1\n  p: 1\n", 4),
        ("doc.yaml", "- {x: 1, x: 2}\n", 1),
        ("doc.json", '{"a": {"p": 0,\n "p": 1}}', 2),
    ],
)
def test_a_key_written_twice_is_a_clear_error(name: str, text: str, line: int) -> None:
    with pytest.raises(safeaug.ConfigError, match="written twice") as caught:
        load_with_lines(text, name)
    assert caught.value.line == line


def test_a_key_written_twice_matters_only_in_a_file_that_holds_a_pipeline(tmp_path: Path) -> None:
    other = tmp_path / "compose.yaml"
    other.write_text("services:\n  web: {image: a}\n  web: {image: b}\n")  # not a pipeline: none of our business
    assert read_config(other) == []
    config = tmp_path / "aug.yaml"
    config.write_text("transform:\n  __class_fullname__: Compose\n  p: 0.0\n  p: 1.0\n  transforms: []\n")
    with pytest.raises(safeaug.ConfigError, match="written twice") as caught:
        read_config(config)
    assert caught.value.line == 4


@pytest.mark.parametrize(
    ("written", "said"),
    [
        (
            "limit: 1e2",
            "got '1e2' (text, not a number: YAML reads an exponent without a decimal point (`1e2`) as text; "
            "write `100.0`)",
        ),
        ("limit: [-1e1, 1e1]", "write `[-10.0, 10.0]`"),
        ("limit: '15'", "got '15' (text, not a number: a quoted value is text; write `15`)"),
        ('p: "0.5"', "got '0.5' (text, not a number: a quoted value is text; write `0.5`)"),
        ("limit: wide", "got 'wide'"),  # text that is no number: nothing more to say
    ],
)
def test_a_number_yaml_reads_as_text_is_refused_saying_how_to_write_it(tmp_path: Path, written: str, said: str) -> None:
    # albumentations' A.load would turn the text into a number; safeaug judges only numbers written as numbers
    path = tmp_path / "train.yaml"
    path.write_text(f"transform:\n  __class_fullname__: Rotate\n  {written}\n")
    with pytest.raises(safeaug.ConfigError) as caught:
        safeaug.validate(str(path), "chest_xray")
    assert said in str(caught.value) and str(caught.value).startswith(f"{path}:2:")
    assert ("text, not a number" in str(caught.value)) is (written != "limit: wide")
