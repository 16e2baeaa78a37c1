"""A pipeline that records its policy is linted against it when no policy is configured for the file.

`safeaug.Compose` saves its policy with the transforms (`A.save`, `to_dict`), and Python source that builds
`safeaug.Compose([...], policy="chest_xray")` names it in the call. Either way the linter can judge the
pipeline without `--policy`; a configured policy (command line or pyproject) still wins.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import albumentations as A
import pytest

import safeaug
from safeaug.cli import main
from safeaug.lint import SettingsError, lint
from safeaug.readers import read_config

WARD = """\
id: ward
title: Chest films from a ward whose patients are positioned carefully
extends: chest_xray
invariants:
  - effect: rotation
    max: 5
    reason: Films on this ward are taken with the patient positioned against a frame.
    references: ["Positioning protocol of the ward"]
"""


def _saved(tmp_path: Path, name: str, transforms: list[A.BasicTransform], policy: object) -> Path:
    path = tmp_path / name
    A.save(safeaug.Compose(transforms, policy=policy), str(path), data_format="json")
    return path


def _add_flip(path: Path) -> None:
    # What a hand edit (or a merge) does to a saved config: the file now holds a pipeline its policy refuses.
    data = json.loads(path.read_text())
    data["transform"]["transforms"].append({"__class_fullname__": "HorizontalFlip", "p": 0.5})
    path.write_text(json.dumps(data))


@pytest.fixture(autouse=True)
def _no_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # stops the search for settings here
    monkeypatch.chdir(tmp_path)


def test_a_saved_pipeline_is_judged_against_the_policy_it_records(tmp_path: Path) -> None:
    path = _saved(tmp_path, "train.json", [A.Rotate(limit=10)], "chest_xray")
    assert lint([str(path)]).exit_code == 0
    _add_flip(path)
    result = lint([str(path)])
    assert [f.code for f in result.findings] == ["SA101"]
    assert set(result.policies) == {"chest_xray"} and result.exit_code == 1


def test_the_recorded_parameters_are_used(tmp_path: Path) -> None:
    # small_objects derives its zoom-out floor from the object size: 8/16 = 0.5 and 8/32 = 0.25.
    tf = [A.Downscale(scale_range=(0.3, 0.3), p=1)]
    strict = safeaug.load_policy("small_objects", smallest_object_px=16)
    loose = safeaug.load_policy("small_objects", smallest_object_px=32)
    assert not safeaug.validate(tf, strict).ok and safeaug.validate(tf, loose).ok
    refused = _saved(tmp_path, "a.json", tf, loose)
    data = json.loads(refused.read_text())
    data["transform"]["policy"]["arguments"]["smallest_object_px"] = 16  # the default
    refused.write_text(json.dumps(data))
    assert lint([str(refused)]).exit_code == 1
    assert lint([str(_saved(tmp_path, "b.json", tf, loose))], trust_recorded=True).exit_code == 0


def test_a_file_never_sets_its_own_judges_parameters(tmp_path: Path) -> None:
    # A mirror passes fundus only when the laterality is in no label; the file must not be what says so.
    path = _saved(tmp_path, "eye.json", [A.Rotate(limit=5)], "fundus")
    data = json.loads(path.read_text())
    data["transform"]["policy"]["arguments"]["laterality_in_label"] = False
    path.write_text(json.dumps(data))
    _add_flip(path)
    result = lint([str(path)])
    assert result.exit_code == 2 and not result.findings
    [problem] = result.problems
    assert "`laterality_in_label: False`, which is not the policy's default" in problem.message
    assert lint([str(path)], trust_recorded=True).exit_code == 0
    assert lint([str(path)], policy="fundus").exit_code == 1


def test_a_custom_policy_travels_whole_and_judges_only_when_trusted(tmp_path: Path) -> None:
    ward = tmp_path / "ward.yaml"
    ward.write_text(WARD)
    path = _saved(tmp_path, "train.json", [A.Rotate(limit=5)], str(ward))
    ward.unlink()  # the saved pipeline holds the whole policy, not a path to it
    assert lint([str(path)], trust_recorded=True).exit_code == 0
    data = json.loads(path.read_text())
    data["transform"]["transforms"][0]["limit"] = [-8, 8]
    path.write_text(json.dumps(data))
    result = lint([str(path)], trust_recorded=True)
    assert [f.code for f in result.findings] == ["SA102"] and set(result.policies) == {"ward"}
    assert [(j.policy, j.origin) for j in result.judged] == [("ward", "recorded definition")]
    (tmp_path / "pyproject.toml").write_text("[tool.safeaug]\ntrust-recorded-policies = true\n")
    assert [f.code for f in lint([str(path)]).findings] == ["SA102"]


def test_a_file_never_chooses_its_own_judge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A hand-written "saved" pipeline whose recorded definition bounds nothing, and a flip under it.
    path = tmp_path / "train.yaml"
    path.write_text(
        "transform:\n  __class_fullname__: safeaug.compose.Compose\n"
        "  policy: {id: chest_xray, definition: {id: chest_xray, title: t, invariants: []}}\n"
        "  transforms:\n    - {__class_fullname__: HorizontalFlip, p: 0.5}\n"
    )
    result = lint([str(path)])
    [problem] = result.problems
    assert "does not choose its own judge" in problem.message and "--trust-recorded-policies" in problem.message
    assert result.exit_code == 2 and result.files == 0
    assert [f.code for f in lint([str(path)], policy="chest_xray").findings] == ["SA101"]
    # A recorded built-in id may judge when nothing is configured, and the output says so.
    path.write_text(path.read_text().replace("definition: {id: chest_xray, title: t, invariants: []}", "arguments: {}"))
    assert main(["lint", str(path)]) == 1
    out = capsys.readouterr().out
    assert "SA101" in out and "policy: chest_xray (recorded in the pipeline, as no policy is configured)" in out
    assert main(["lint", str(path), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["judged"] == [{"path": str(path), "policy": "chest_xray", "policy_origin": "recorded id"}]


def test_a_configured_policy_wins_over_the_recorded_one(tmp_path: Path) -> None:
    path = _saved(tmp_path, "train.json", [A.Rotate(limit=10)], "chest_xray")
    _add_flip(path)
    assert lint([str(path)], policy="natural").exit_code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.safeaug]\npolicy = "natural"\n')
    assert lint([str(path)]).exit_code == 0


def test_pipelines_without_a_policy_beside_one_with_are_reported_by_name(tmp_path: Path) -> None:
    _saved(tmp_path, "saved.json", [A.Rotate(limit=10)], "chest_xray")
    (tmp_path / "plain.json").write_text(
        json.dumps({"transform": {"__class_fullname__": "Compose", "transforms": [{"__class_fullname__": "Blur"}]}})
    )
    result = lint([str(tmp_path)])
    assert (result.files, result.pipelines, result.unreadable, result.exit_code) == (1, 1, 1, 2)
    [problem] = result.problems
    assert problem.path.endswith("plain.json") and "no policy given" in problem.message
    assert "--policy" in problem.message


def test_nothing_names_a_policy_is_one_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "plain.json").write_text(
        json.dumps({"transform": {"__class_fullname__": "Compose", "transforms": [{"__class_fullname__": "Blur"}]}})
    )
    with pytest.raises(SettingsError, match="no policy given"):
        lint([str(tmp_path)])
    assert main(["lint", str(tmp_path)]) == 2
    assert "no policy given" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({"id": "no_such_policy"}, "no such built-in policy"),
        ({"id": "small_objects", "arguments": {"smallest_object_pixels": 16}}, "smallest_object_pixels"),
        ({"id": "x", "definition": {"invariants": "many"}}, "not a valid policy"),  # trusted, as asked
        ({"name": "chest_xray"}, "keys found: name"),
    ],
)
def test_a_recorded_policy_that_cannot_be_used_is_a_clear_problem(
    tmp_path: Path, stored: dict[str, object], expected: str
) -> None:
    path = _saved(tmp_path, "train.json", [A.Rotate(limit=10)], "chest_xray")
    data = json.loads(path.read_text())
    data["transform"]["policy"] = stored
    path.write_text(json.dumps(data))
    result = lint([str(path)], trust_recorded=True)
    [problem] = result.problems
    assert "the policy this pipeline records cannot be used" in problem.message and expected in problem.message
    assert problem.line == 1 and result.exit_code == 2


SOURCE = """\
import albumentations as A
import safeaug
from safeaug import Compose as Checked, HorizontalFlipWithCaption

train = safeaug.Compose([A.Rotate(limit=10), A.Rotate(limit=10)], policy="chest_xray")
captions = Checked([HorizontalFlipWithCaption(p=0.5), A.ColorJitter(hue=0.1)], policy="vision_language")
ward = safeaug.ReplayCompose([A.Rotate(limit=8)], policy="ward.yaml")
"""


def test_python_source_building_safeaug_compose_is_read_as_one_composition_with_its_policy(tmp_path: Path) -> None:
    (tmp_path / "ward.yaml").write_text(WARD)
    path = tmp_path / "train.py"
    path.write_text(SOURCE)
    roots = read_config(path)
    assert [(r.name, r.location, len(r.children), r.policy) for r in roots] == [
        ("Compose", "train", 2, {"id": "chest_xray"}),
        ("Compose", "captions", 2, {"id": "vision_language"}),
        ("ReplayCompose", "ward", 1, {"id": "ward.yaml"}),
    ]
    untrusted = lint([str(path)])  # the policy file it names is not used unless asked: it chose it itself
    assert [(p.line, "own judge" in p.message) for p in untrusted.problems] == [(7, True)]
    result = lint([str(path)], trust_recorded=True)
    found = sorted((f.line, f.code) for f in result.findings)
    # Two ±10° turns in one Compose add up to ±20° (beyond chest_xray's 15°); the caption flip is accepted by
    # vision_language while the plain ColorJitter is not; the ward policy is found beside the source file.
    assert found == [(5, "SA102"), (6, "SA206"), (6, "SA207"), (7, "SA102")]
    assert set(result.policies) == {"chest_xray", "vision_language", "ward"}


def test_reading_stored_policies_runs_nothing_and_imports_no_albumentations(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "train.py"
    path.write_text(SOURCE.replace('policy="ward.yaml"', 'policy="chest_xray"') + "import os\nos.system('touch x')\n")
    code = (
        "import sys\nfrom safeaug.lint import lint\n"
        f"r = lint([{str(path)!r}])\n"
        "print(r.exit_code, sorted(m for m in ('albumentations', 'cv2', 'torch') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path, env=env
    )
    assert out.stdout.split() == ["1", "[]"] and not (tmp_path / "x").exists()


@pytest.mark.parametrize("where", ["both", "definition", "record"])
def test_a_recorded_definition_under_a_built_in_id_is_refused_even_when_trusted(tmp_path: Path, where: str) -> None:
    # A custom policy's record, edited to carry a built-in's id: reports would name the built-in, and judge by
    # the edited rules (which allow more rotation than chest_xray's 10 degrees and leave out its mirror rule).
    ward = tmp_path / "ward.yaml"
    ward.write_text(WARD.replace("max: 5", "max: 30"))
    path = _saved(tmp_path, "train.json", [A.Rotate(limit=25)], str(ward))
    data = json.loads(path.read_text())
    recorded = data["transform"]["policy"]
    recorded["definition"]["invariants"] = [i for i in recorded["definition"]["invariants"] if i["effect"] != "mirror"]
    if where in ("both", "record"):
        recorded["id"] = "chest_xray"
    if where in ("both", "definition"):
        recorded["definition"]["id"] = "chest_xray"
    path.write_text(json.dumps(data))
    result = lint([str(path)], trust_recorded=True)
    [problem] = result.problems
    assert "under the built-in id 'chest_xray'" in problem.message and "an id of its own" in problem.message
    assert result.exit_code == 2 and not result.findings
    with pytest.raises(safeaug.PolicyError, match="under the built-in id 'chest_xray'"):
        A.load(str(path), data_format="json")
    # A built-in recorded by id still loads and judges (and refuses the 25-degree turn).
    recorded.pop("definition")
    recorded["id"], recorded["arguments"] = "chest_xray", {}
    path.write_text(json.dumps(data))
    assert [f.code for f in lint([str(path)], trust_recorded=True).findings] == ["SA102"]
