from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from safeaug.cli import build_parser, main

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples" / "configs"


def test_lint_good_configs_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "lint",
                str(EXAMPLES / "chest_xray" / "good.json"),
                str(EXAMPLES / "chest_xray" / "good.yaml"),
                "--policy",
                "chest_xray",
            ]
        )
        == 0
    )
    assert "2 files checked: 0 errors, 0 warnings." in capsys.readouterr().out


def test_lint_bad_configs_exits_one_with_path_line_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(EXAMPLES / "chest_xray"), "--policy", "chest_xray"]) == 1
    out = capsys.readouterr().out
    assert f"{EXAMPLES / 'chest_xray' / 'bad.yaml'}:" in out
    assert "SA101" in out and "why:" in out and "fix:" in out


def test_json_output_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    main(["lint", str(EXAMPLES / "natural"), "--policy", "natural", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["summary"]) >= {"files", "errors", "warnings"}
    assert doc["summary"]["files"] == 2
    for item in doc["findings"]:
        assert {"path", "line", "code", "severity", "message", "transform", "location"} <= set(item)
    assert {f["transform"] for f in doc["findings"]} == {"RandomRotate90", "VerticalFlip"}


def test_unreadable_input_exits_two_and_still_reports_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    code = main(["lint", str(broken), str(EXAMPLES / "chest_xray" / "bad.json"), "--policy", "chest_xray"])
    out = capsys.readouterr().out
    assert code == 2
    assert "broken.json:1: invalid JSON" in out
    assert "SA101" in out


def test_a_bad_policy_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(EXAMPLES), "--policy", "no_such_policy"]) == 2


def test_github_and_sarif_formats(capsys: pytest.CaptureFixture[str]) -> None:
    main(["lint", str(EXAMPLES / "chest_xray" / "bad.json"), "--policy", "chest_xray", "--format", "github"])
    assert capsys.readouterr().out.startswith("::error file=")
    main(["lint", str(EXAMPLES / "chest_xray" / "bad.json"), "--policy", "chest_xray", "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {res["ruleId"] for res in sarif["runs"][0]["results"]} <= rule_ids


def test_explain_a_code_and_a_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "SA101"]) == 0
    assert "mirror" in capsys.readouterr().out
    assert main(["explain", "chest_xray"]) == 0
    out = capsys.readouterr().out
    assert "rotation" in out and "≤ ±15°" in out and "forbidden" in out and "refs:" in out
    assert main(["explain", "SA999x"]) == 2


def test_policies_lists_the_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies"]) == 0
    out = capsys.readouterr().out
    assert "chest_xray" in out and "natural" in out


def test_the_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "safeaug.cli", "policies"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "chest_xray" in done.stdout


def test_pre_commit_hook_points_at_the_real_console_script() -> None:
    import importlib

    from safeaug.lint.settings import tomllib

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    [hook] = hooks
    assert hook["id"] == "safeaug-lint" and hook["entry"] == "safeaug lint" and hook["language"] == "python"
    assert set(hook["types_or"]) == {"yaml", "json", "python"}
    script, command = hook["entry"].split()
    target = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"][script]
    module, func = target.split(":")
    assert getattr(importlib.import_module(module), func) is main
    assert build_parser().parse_args([command, "x.yaml"]).command == "lint"


def test_the_example_workflow_runs_the_linter_in_both_formats() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(r.startswith("safeaug lint") and "--format github" in r for r in runs)
    assert any(r.startswith("safeaug lint") and "--format sarif" in r for r in runs)
    uses = [step.get("uses", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
    for r in runs:
        if r.startswith("safeaug lint"):
            argv = r.split(">")[0].split()[1:]
            assert build_parser().parse_args(argv).format in ("github", "sarif")


def test_explain_a_policy_with_parameters_shows_their_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "fundus", "--set", "laterality_in_label=false"]) == 0
    shown = capsys.readouterr().out
    assert "laterality_in_label" in shown and "false" in shown
    assert main(["explain", "fundus", "--set", "no_such_knob=1"]) == 2
    err = capsys.readouterr().err
    assert "no_such_knob" in err and "laterality_in_label" in err and "neither a rule code" not in err


def test_json_output_names_the_missing_label_transform(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "flip.yaml"
    config.write_text(
        "transform:\n  __class_fullname__: Compose\n  p: 1.0\n  transforms:\n"
        "    - __class_fullname__: HorizontalFlip\n      p: 0.5\n"
    )
    assert main(["lint", str(config), "--policy", "face_landmarks", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    flips = [f for f in findings if f["code"] == "SA101"]
    assert flips and flips[0]["line"] == 5
    assert flips[0]["label_transform"], "the finding must name the label transform the flip lacks"
