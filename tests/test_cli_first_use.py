"""What a newcomer meets first: help, version, standard input, policy names, empty folders, the summary."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import safeaug
from safeaug.cli import main
from safeaug.lint import SettingsError, lint

FLIP = "transform:\n  __class_fullname__: Compose\n  transforms:\n    - {__class_fullname__: HorizontalFlip, p: 0.5}\n"
CLEAN = "transform:\n  __class_fullname__: Compose\n  transforms:\n    - {__class_fullname__: Rotate, limit: 5}\n"


@pytest.fixture(autouse=True)
def _no_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.chdir(tmp_path)


def test_version_help_and_module_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"safeaug {safeaug.__version__}"
    assert main([]) == 0  # bare `safeaug`: the help, not an error
    out = capsys.readouterr().out
    assert "usage: safeaug" in out and "lint" in out
    run = subprocess.run([sys.executable, "-m", "safeaug", "--version"], capture_output=True, text=True, check=False)
    assert run.returncode == 0 and run.stdout.strip() == f"safeaug {safeaug.__version__}"


def test_standard_input_with_a_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(FLIP))
    assert main(["lint", "-", "--stdin-filename", "configs/train.yaml", "--policy", "chest_xray"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("configs/train.yaml:4:1: SA101")
    # Settings match the name standard input stands for.
    (tmp_path / "pyproject.toml").write_text('[tool.safeaug.per-path-policies]\n"configs/*.yaml" = "natural"\n')
    monkeypatch.setattr(sys, "stdin", io.StringIO(FLIP))
    assert main(["lint", "-", "--stdin-filename", "configs/train.yaml", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["judged"] == [{"path": "configs/train.yaml", "policy": "natural", "policy_origin": "per-path-policies"}]
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"transform": {"__class_fullname__": "HorizontalFlip"}}'))
    assert main(["lint", "-", "--policy", "chest_xray"]) == 1  # no name: JSON is recognised by its first character
    assert capsys.readouterr().out.startswith("-:1:1: SA101")


def test_select_all_and_one_error_format_for_bad_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(FLIP)
    assert main(["lint", str(path), "--policy", "chest_xray", "--select", "ALL"]) == 1
    capsys.readouterr()
    errors = []
    for argv in (["--select", "XX1"], ["--ignore", "SA9"], ["--select", "SA1,sa77"]):
        assert main(["lint", str(path), "--policy", "chest_xray", *argv]) == 2
        errors.append(capsys.readouterr().err)
    (tmp_path / "pyproject.toml").write_text('[tool.safeaug]\npolicy = "chest_xray"\nignore = ["SA9"]\n')
    assert main(["lint", str(path)]) == 2
    errors.append(capsys.readouterr().err)
    for err in errors:
        assert err.startswith("safeaug: error: ") and "is not a rule code (like SA101" in err, err


def test_dir_lists_the_public_names() -> None:
    names = dir(safeaug)
    for public in ("Compose", "ReplayCompose", "wrap", "probe", "HorizontalFlipWithKeypointSwap", "validate"):
        assert public in names
    assert "Any" not in names and "TYPE_CHECKING" not in names and "annotations" not in names


def test_a_mistyped_policy_id_lists_ids_and_suggests_the_nearest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(FLIP)
    assert main(["lint", str(path), "--policy", "chestxray"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'chest_xray'?" in err and "natural" in err and "no such file" not in err.split(";")[0]
    with pytest.raises(safeaug.PolicyError, match="did you mean 'mammography'"):
        safeaug.load_policy("mamography")


@pytest.mark.parametrize("base", ["medical", "radiograph"])
def test_base_policies_load_by_id_on_the_command_line(
    tmp_path: Path, base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(FLIP)
    code = main(["lint", str(path), "--policy", base])
    out = capsys.readouterr().out
    assert f"policy: {base} (given on the command line)" in out
    assert code == (1 if base == "radiograph" else 0)  # radiograph forbids mirrors; medical leaves them to others


def test_a_set_key_the_policy_lacks_names_pyproject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(CLEAN)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.safeaug]\npolicy = "chest_xray"\n[tool.safeaug.set]\nsmallest_object_px = 16\n')
    assert main(["lint", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{pyproject}: [tool.safeaug.set] `smallest_object_px`" in err
    pyproject.write_text('[tool.safeaug]\npolicy = "chest_xray"\n')
    assert main(["lint", str(path), "--set", "laterality=1"]) == 2  # given on the command line: no pyproject named
    err = capsys.readouterr().err
    assert "`laterality`" in err and "pyproject" not in err


def test_a_nan_bound_is_refused(tmp_path: Path) -> None:
    policy = tmp_path / "nan.yaml"
    policy.write_text(
        "id: nan\ntitle: t\nextends: chest_xray\ninvariants:\n"
        "  - effect: rotation\n    max: .nan\n    reason: r\n    references: [x]\n"
    )
    with pytest.raises(safeaug.PolicyError, match=r"nan.yaml:5: .*`max` is not a number \(NaN\)"):
        safeaug.load_policy(policy)


def test_a_folder_without_any_pipeline_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "labels.json").write_text('{"cat": 1}')
    (folder / "notes.yaml").write_text("owner: me\n")
    assert main(["lint", str(folder), "--policy", "chest_xray"]) == 2
    out = capsys.readouterr().out
    assert f"{folder}: no augmentation pipeline found in this folder" in out
    # Files passed one by one (as pre-commit passes every changed YAML file) are skipped quietly.
    assert main(["lint", str(folder / "labels.json"), str(folder / "notes.yaml"), "--policy", "chest_xray"]) == 0
    assert "2 files without a pipeline skipped" in capsys.readouterr().out


def test_the_summary_counts_files_pipelines_skipped_and_unreadable(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(FLIP)
    (tmp_path / "two.yaml").write_text(
        "train:\n  transform: {__class_fullname__: Rotate, limit: 5}\nval:\n  transform: {__class_fullname__: Blur}\n"
    )
    (tmp_path / "plain.yaml").write_text("lr: 0.1\n")
    (tmp_path / "broken.json").write_text("{oops")
    (tmp_path / "mistake.py").write_text("import albumentations as A\nt = A.Compose([A.RandomCrop(height=8)])\n")
    result = lint([str(tmp_path)], policy="chest_xray")
    assert (result.files, result.pipelines, result.skipped, result.unreadable) == (2, 3, 1, 2)
    from safeaug.report.common import summary_line

    assert summary_line(result).startswith("2 files checked (3 pipelines): ")
    assert "2 paths unreadable; 1 file without a pipeline skipped." in summary_line(result)


def test_no_policy_anywhere_is_still_one_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(FLIP)
    with pytest.raises(SettingsError, match="no policy given"):
        lint([str(tmp_path)])


def test_every_format_names_the_policy_that_judged_each_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.safeaug]\npolicy = "chest_xray"\n[tool.safeaug.per-path-policies]\n"nat/*.yaml" = "natural"\n'
    )
    (tmp_path / "nat").mkdir()
    (tmp_path / "nat" / "a.yaml").write_text(FLIP)
    (tmp_path / "b.yaml").write_text(CLEAN)
    main(["lint", str(tmp_path)])
    text = capsys.readouterr().out
    assert "policy: " in text and "nat/a.yaml: natural ([tool.safeaug.per-path-policies])" in text
    assert "b.yaml: chest_xray (`policy` in [tool.safeaug])" in text
    main(["lint", str(tmp_path), "--format", "github"])
    assert "nat/a.yaml: natural" in capsys.readouterr().out
    main(["lint", str(tmp_path), "--format", "sarif"])
    judged = json.loads(capsys.readouterr().out)["runs"][0]["properties"]["judged"]
    assert sorted((Path(j["path"]).name, j["policy"], j["policy_origin"]) for j in judged) == [
        ("a.yaml", "natural", "per-path-policies"),
        ("b.yaml", "chest_xray", "pyproject.toml"),
    ]
