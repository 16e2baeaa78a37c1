"""``--jobs N`` gives the same output as one process, and streamed output is the documented document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from safeaug.cli import main

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples" / "configs"

PYTHON = """\
import albumentations as A

train = A.Compose([A.HorizontalFlip(p=0.5), A.Rotate(limit=40, p=0.5)])
val = A.Compose([A.Resize(512, 512)])
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "configs"
    for i in range(6):  # enough files that two workers interleave
        sub = folder / f"team{i}"
        shutil.copytree(EXAMPLES / "chest_xray", sub)
        (sub / "train.py").write_text(PYTHON)
        (sub / "broken.yaml").write_text("transform: [unclosed\n")
        (sub / "notes.yaml").write_text("owner: radiology\n")
    return folder


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["lint", *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_two_processes_print_exactly_what_one_prints(
    corpus: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    one = _run(capsys, str(corpus), "--policy", "chest_xray", "--format", fmt)
    two = _run(capsys, str(corpus), "--policy", "chest_xray", "--format", fmt, "--jobs", "2")
    assert one == two
    assert one[0] == 2 and "SA101" in one[1]


def test_streamed_json_is_the_json_document_as_json_dump_writes_it(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, str(corpus), "--policy", "chest_xray", "--format", "json", "--show-suppressed")
    doc = json.loads(out)
    assert out == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    assert doc["summary"]["errors"] == sum(f["severity"] == "error" for f in doc["findings"]) > 0
    assert doc["summary"]["unreadable"] == len(doc["unreadable"]) == 6
    assert code == 2


def test_an_empty_run_streams_a_valid_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.yaml").write_text("owner: radiology\n")
    _, out = _run(capsys, str(tmp_path / "notes.yaml"), "--policy", "chest_xray", "--format", "json")
    assert out == json.dumps(json.loads(out), indent=2) + "\n"
    assert json.loads(out)["findings"] == []


def test_a_usage_error_prints_no_partial_document(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", str(corpus), "--format", "json", "--config", str(corpus / "missing.toml")])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and "missing.toml" in captured.err


@pytest.mark.parametrize("bad", ["-1", "two"])
def test_a_bad_jobs_value_is_a_usage_error(capsys: pytest.CaptureFixture[str], bad: str) -> None:
    assert main(["lint", str(EXAMPLES), "--policy", "chest_xray", "--jobs", bad]) == 2
    assert "--jobs" in capsys.readouterr().err
