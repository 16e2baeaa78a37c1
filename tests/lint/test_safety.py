"""Hostile inputs never hang the linter, never exhaust memory, and always end in a clear error.

Every lint runs in a subprocess with a timeout: a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

TIMEOUT = 60  # seconds; each case takes well under one when it works
POSIX_ONLY = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and /dev/zero are POSIX")


def lint(*args: str, cwd: Path | None = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    """``safeaug lint ... --format json`` in a fresh process; fails the test on a hang."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "safeaug.cli", "lint", *args, "--format", "json"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"safeaug lint {' '.join(args)} did not finish within {TIMEOUT} s")
    assert "Traceback" not in done.stderr, done.stderr
    if done.returncode == 2 and not done.stdout:
        return 2, {"usage": done.stderr}
    return done.returncode, json.loads(done.stdout)


def unreadable(doc: dict, path: Path) -> dict:  # type: ignore[type-arg]
    (item,) = [u for u in doc["unreadable"] if u["path"] == str(path)]
    return item  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------ constant folding


def test_a_power_tower_is_an_unreadable_value_not_a_computation(tmp_path: Path) -> None:
    config = tmp_path / "train.py"
    config.write_text("import albumentations as A\n\ntrain = A.Compose([A.Rotate(limit=10**10**10, p=0.5)])\n")
    code, doc = lint(str(config), "--policy", "natural")
    assert code == 1
    codes = {(f["code"], f["line"]) for f in doc["findings"]}
    assert ("SA501", 3) in codes, doc["findings"]


@pytest.mark.parametrize(
    ("expression", "folded"),
    [("2 * 5", 10), ("360 // 4", 90), ("10 ** 2", 100), ("-(2 ** 3)", -8), ("0.5 ** 2", 0.25)],
)
def test_small_arithmetic_is_still_folded(expression: str, folded: float) -> None:
    from safeaug.readers.python_source import read_python

    (root,) = read_python(f"import albumentations as A\nt = A.Rotate(limit={expression})\n", "t.py")
    assert root.params["limit"] == folded


@pytest.mark.parametrize(
    "expression",
    ["10 ** 10 ** 10", "2 ** 129", "(10 ** 30) * (10 ** 30) * (10 ** 30) * (10 ** 30) * (10 ** 30)", "1.5 ** 10 ** 9"],
)
def test_large_arithmetic_is_left_unread(expression: str) -> None:
    from safeaug.readers.python_source import read_python

    (root,) = read_python(f"import albumentations as A\nt = A.Rotate(limit={expression})\n", "t.py")
    assert "limit" not in root.params
    assert [n.code for n in root.notes] == ["SA501"] and "`limit`" in root.notes[0].message


def test_names_that_double_at_each_step_are_refused_with_a_line(tmp_path: Path) -> None:
    lines = ["import albumentations as A", "a = [A.HorizontalFlip()]"]
    previous = "a"
    for i in range(30):  # 3**30 transforms once every name is followed
        lines.append(f"b{i} = [*{previous}, *{previous}, *{previous}]")
        previous = f"b{i}"
    lines.append(f"train = A.Compose([A.OneOf({previous})])")
    config = tmp_path / "train.py"
    config.write_text("\n".join(lines) + "\n")
    code, doc = lint(str(config), "--policy", "natural")
    assert code == 2
    item = unreadable(doc, config)
    assert "more than" in item["message"] and item["line"] is not None


@pytest.mark.parametrize(
    "call",
    [
        "A.MotionBlur(blur_limit=10**9, p=0.5)",
        "A.MotionBlur(blur_limit=(3, 999_999), angle_range=(0, 30), p=0.5)",
        "A.GaussianBlur(blur_limit=(3, 10**12), sigma_limit=(0.1, 2.0), p=0.5)",
        "A.GaussianBlur(blur_limit=(3, 10**12), sigma_limit=(0.1, 10**9), p=0.5)",
        "A.Defocus(radius=(3, 10**9), p=0.5)",
        "A.RingingOvershoot(blur_limit=(3, 10**9), p=0.5)",
        "A.Compose([A.Illumination(angle_range=(0, 10**9), p=0.5), A.GaussianBlur(sigma_limit=(3, 4))])",
    ],
)
def test_huge_kernel_sizes_are_judged_without_a_long_search(tmp_path: Path, call: str) -> None:
    config = tmp_path / "train.py"
    config.write_text(f"import albumentations as A\n\ntrain = A.Compose([{call}])\n")
    code, doc = lint(str(config), "--policy", "chest_xray")
    assert code == 1
    assert any(f["code"] == "SA301" for f in doc["findings"]), doc  # a huge blur, refused


# ------------------------------------------------------------------------------ what is opened


@POSIX_ONLY
def test_a_named_pipe_in_a_linted_folder_is_reported_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(
        "transform:\n  __class_fullname__: Compose\n  transforms:\n  - __class_fullname__: Rotate\n    limit: 5\n"
    )
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    code, doc = lint(str(tmp_path), "--policy", "chest_xray")
    assert code == 2
    assert "named pipe" in unreadable(doc, fifo)["message"]
    assert doc["summary"]["files"] == 1  # the regular file is still linted


@POSIX_ONLY
def test_a_named_pipe_given_by_name_is_a_clear_error(tmp_path: Path) -> None:
    fifo = tmp_path / "train.yaml"
    os.mkfifo(fifo)
    code, doc = lint(str(fifo), "--policy", "chest_xray")
    assert code == 2
    assert "named pipe" in unreadable(doc, fifo)["message"]


@POSIX_ONLY
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_policy_that_extends_a_device_is_a_clear_error(tmp_path: Path) -> None:
    policy = tmp_path / "ward.yaml"
    policy.write_text("id: ward\ntitle: Ward\nextends: /dev/zero\ninvariants: []\n")
    config = tmp_path / "train.yaml"
    config.write_text("transform:\n  __class_fullname__: Compose\n  transforms: []\n")
    code, doc = lint(str(config), "--policy", str(policy))
    assert code == 2
    assert "/dev/zero" in doc["usage"] and "character device" in doc["usage"]


@POSIX_ONLY
def test_a_policy_file_that_is_a_named_pipe_is_a_clear_error(tmp_path: Path) -> None:
    policy = tmp_path / "ward.yaml"
    os.mkfifo(policy)
    config = tmp_path / "train.yaml"
    config.write_text("transform:\n  __class_fullname__: Compose\n  transforms: []\n")
    code, doc = lint(str(config), "--policy", str(policy))
    assert code == 2
    assert str(policy) in doc["usage"] and "named pipe" in doc["usage"]


def test_a_huge_policy_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    policy = tmp_path / "ward.yaml"
    policy.write_text("id: ward\ntitle: Ward\ninvariants: []\n" + "# padding\n" * 200_000)
    config = tmp_path / "train.yaml"
    config.write_text("transform:\n  __class_fullname__: Compose\n  transforms: []\n")
    code, doc = lint(str(config), "--policy", str(policy))
    assert code == 2
    assert "larger than 1 MiB" in doc["usage"]


# ------------------------------------------------------------------------------ what is parsed


def test_a_yaml_alias_bomb_is_refused_with_a_line(tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    lines.append("transform: {__class_fullname__: Compose, transforms: *a9}")
    config = tmp_path / "bomb.yaml"
    config.write_text("\n".join(lines) + "\n")
    code, doc = lint(str(config), "--policy", "natural")
    assert code == 2
    item = unreadable(doc, config)
    assert "aliases" in item["message"] and item["line"] is not None


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.yaml", "transform: " + "[" * 50_000 + "]" * 50_000 + "\n"),
        ("deep.json", '{"transform": ' + "[" * 50_000 + "]" * 50_000 + "}\n"),
        ("deep.py", "import albumentations as A\nt = A.Rotate(limit=" + "(" * 50_000 + "1" + ")" * 50_000 + ")\n"),
        ("deep_list.py", "import albumentations as A\nt = A.OneOf(" + "[" * 5_000 + "]" * 5_000 + ")\n"),
    ],
)
def test_absurd_nesting_is_a_clear_error(tmp_path: Path, name: str, text: str) -> None:
    config = tmp_path / name
    config.write_text(text)
    code, doc = lint(str(config), "--policy", "natural")
    assert code == 2
    item = unreadable(doc, config)
    assert "nest" in item["message"]
    if name != "deep.py":  # Python's own parser gives up without saying where
        assert item["line"] is not None


def test_a_huge_config_is_refused_and_a_huge_data_file_is_skipped(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text("transform:\n  __class_fullname__: Compose\n  transforms: []\n" + "# pad\n" * 1_000_000)
    data = tmp_path / "annotations.json"
    data.write_text('{"images": [' + ", ".join(['{"id": 1, "w": 512}'] * 300_000) + "]}")
    code, doc = lint(str(config), str(data), "--policy", "natural")
    assert code == 2
    assert "larger than 5 MiB" in unreadable(doc, config)["message"]
    assert not [u for u in doc["unreadable"] if u["path"] == str(data)]
    assert doc["summary"]["skipped"] == 1


# ------------------------------------------------------------------------------ the Python pre-filter


@pytest.mark.parametrize(
    "source",
    [
        "import albumentations as A\n\x0c\nx = 1\n\x0c\ntrain = A . HorizontalFlip(p=1)\n",
        "import albumentations as A\ntrain = (A\n    .HorizontalFlip(p=1))\n",
        "import albumentations as A\ntrain = \U0001d400.HorizontalFlip(p=1)\n",  # a bold A is the name A
        "from albumentations import *\ntrain = HorizontalFlip(p=1)\n",
        "from albumentations import HorizontalFlip as H\n\n\ndef f():\n    return H(p=1)\n",
    ],
)
def test_statements_skipped_by_the_text_filter_never_hide_a_call(source: str) -> None:
    from safeaug.readers.python_source import read_python

    (root,) = read_python(source, "train.py")
    assert root.name == "HorizontalFlip"


# ------------------------------------------------------------------------------ the YAML depth pre-check


def _nested(kinds: list[bool]) -> object:
    value: object = "x"
    for is_map in kinds:
        value = {"k": value, "o": 1} if is_map else [value, 2]
    return value


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(_depth(v) for v in value.values())
    if isinstance(value, list):
        return 1 + max(_depth(v) for v in value)
    return 0


@given(
    kinds=st.lists(st.booleans(), min_size=150, max_size=260),
    flow=st.sampled_from([False, None, True]),
    indent=st.integers(2, 4),
)
def test_the_cheap_depth_bound_never_lets_a_deep_document_through(
    kinds: list[bool], flow: bool | None, indent: int
) -> None:
    import yaml

    from safeaug._yaml import MAX_DEPTH, _maybe_deep

    data = _nested(kinds)
    text = yaml.safe_dump(data, default_flow_style=flow, indent=indent, width=10_000)
    assert _maybe_deep(text) or _depth(data) <= MAX_DEPTH


@pytest.mark.parametrize("argument", ["blur_limit=(3, 10**9)", "rotate_limit=(3, 10**9), blur_limit=(3, 25)"])
def test_a_huge_advanced_blur_is_judged_without_a_long_search(tmp_path: Path, argument: str) -> None:
    config = tmp_path / "train.py"
    config.write_text(f"import albumentations as A\n\ntrain = A.Compose([A.AdvancedBlur({argument})])\n")
    code, doc = lint(str(config), "--policy", "chest_xray")
    assert code == 1
    assert any(f["code"] == "SA301" for f in doc["findings"]), doc
