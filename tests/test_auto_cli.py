"""``safeaug auto`` writes configs the linter accepts, and the linter reads these transforms in every dialect."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import albumentations as A
import pytest

import safeaug
from safeaug.cli import main
from safeaug.lint import lint


def codes(path: Path, policy: str) -> list[str]:
    result = lint([str(path)], policy=policy)
    assert not result.problems, result.problems
    return sorted(f.code for f in result.findings)


@pytest.mark.parametrize("name", ["ra.yaml", "ra.json", "ra.yml"])
@pytest.mark.parametrize("policy_id", ["ocr", "chest_xray", "traffic_signs"])
def test_written_configs_lint_clean_under_their_policy(tmp_path: Path, name: str, policy_id: str) -> None:
    out = tmp_path / name
    assert main(["auto", policy_id, "--n", "3", "--m", "30", "-o", str(out)]) == 0
    assert codes(out, policy_id) == []
    loaded = A.load(str(out), data_format="json" if name.endswith(".json") else "yaml")
    assert type(loaded.transforms[0]).__name__ == "RandAugment" and loaded.transforms[0].n == 3


def test_trivial_for_a_looser_policy_is_refused_by_a_stricter_one(tmp_path: Path) -> None:
    out = tmp_path / "ta.yaml"
    assert main(["auto", "natural", "--method", "trivial", "-o", str(out)]) == 0
    assert codes(out, "natural") == []
    found = codes(out, "ocr")
    assert {"SA101", "SA102", "SA104"} <= set(found)
    result = lint([str(out)], policy="ocr")
    mirror = next(f for f in result.findings if f.code == "SA101")
    assert mirror.line is not None and "HorizontalFlip" in mirror.message


def test_policy_parameters_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "small.json"
    assert main(["auto", "small_objects", "--set", "smallest_object_px=10", "-o", str(out)]) == 0
    saved = json.loads(out.read_text())["transform"]["transforms"][0]
    assert saved["params"] == {"smallest_object_px": 10}
    assert lint([str(out)], policy="small_objects", params={"smallest_object_px": 10}).exit_code == 0
    assert main(["auto", "ocr", "--set", "nope=1", "-o", str(tmp_path / "x.yaml")]) == 2
    assert "no parameter `nope`" in capsys.readouterr().err
    assert main(["auto", "ocr", "-o", str(tmp_path / "x.txt")]) == 2
    assert "expected a .json, .yaml or .yml" in capsys.readouterr().err
    assert main(["auto", "ocr", "--m", "40", "-o", str(tmp_path / "x.yaml")]) == 2
    assert "RandAugment.m" in capsys.readouterr().err
    assert main(["auto", "no_such_policy", "-o", str(tmp_path / "x.yaml")]) == 2
    assert not (tmp_path / "x.yaml").exists()


HYDRA = """\
train_transform:
  _target_: albumentations.Compose
  transforms:
    - _target_: safeaug.auto.RandAugment
      policy: {policy}
      n: 2
      m: 9
    - _target_: safeaug.auto.TrivialAugment
      _args_: [{policy}]
"""

PYTHON = """\
import albumentations as A
import safeaug
from safeaug import auto
from safeaug.auto import TrivialAugment

first = A.Compose([auto.RandAugment("{policy}", 2, 9)])
second = A.Compose([TrivialAugment(policy="{policy}")])
third = A.Compose([safeaug.auto.RandAugment("{policy}", n=1)])
"""


@pytest.mark.parametrize(("name", "template"), [("conf.yaml", HYDRA), ("train.py", PYTHON)])
def test_hydra_and_python_source_are_read(tmp_path: Path, name: str, template: str) -> None:
    ok = tmp_path / "ok" / name
    ok.parent.mkdir()
    ok.write_text(template.format(policy="ocr"))
    bad = tmp_path / "bad" / name
    bad.parent.mkdir()
    bad.write_text(template.format(policy="natural"))
    if name.endswith(".yaml"):  # two of them in a row share nothing: their bounds add up
        assert {"SA102", "SA104", "SA105", "SA108"} <= set(codes(ok, "ocr"))
    else:
        assert codes(ok, "ocr") == []
    refused = lint([str(bad)], policy="ocr")
    transforms = {f.transform for f in refused.findings if f.code == "SA101"}
    assert transforms == {"safeaug.auto.RandAugment", "safeaug.auto.TrivialAugment"}
    assert all(f.line is not None for f in refused.findings if f.transform)


def test_a_call_without_a_policy_is_unreadable_not_a_pass(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text("import albumentations as A\nfrom safeaug import auto\nt = A.Compose([auto.RandAugment(n=2)])\n")
    result = lint([str(path)], policy="ocr")
    assert result.exit_code == 2
    assert any("`policy` is required" in p.message and p.line == 3 for p in result.problems)


def test_linting_these_configs_imports_no_albumentations(tmp_path: Path) -> None:
    out = tmp_path / "ra.json"
    A.save(A.Compose([safeaug.auto.RandAugment("ocr")]), str(out), data_format="json")
    code = (
        "import sys; from safeaug.lint import lint; "
        f"r = lint([{str(out)!r}], policy='ocr'); "
        "print(r.exit_code, 'albumentations' in sys.modules, 'optuna' in sys.modules)"
    )
    out_text = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out_text.split() == ["0", "False", "False"]
