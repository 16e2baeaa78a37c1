"""SARIF 2.1.0 output: structure, rule table, results and notifications.

Every document is validated against the part of the SARIF 2.1.0 schema that safeaug writes, restated
here from the OASIS specification (sections 3.13 to 3.58): the objects are closed
(``additionalProperties: false``), so a misspelt property of ours fails, and each property carries the
type and constraints the specification gives it. Tests run offline, with no copy of the schema needed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from safeaug.cli import main
from safeaug.rules import all_codes

EXAMPLES = Path(__file__).parents[2] / "examples" / "configs"


def _obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


MESSAGE = {"$ref": "#/definitions/message"}
PROPERTY_BAG = {"type": "object"}
LEVEL = {"enum": ["none", "note", "warning", "error"]}
ARTIFACT_LOCATION = _obj(
    [], uri={"type": "string"}, uriBaseId={"type": "string"}, index={"type": "integer", "minimum": -1}
)
REGION = _obj(
    [],
    startLine={"type": "integer", "minimum": 1},
    startColumn={"type": "integer", "minimum": 1},
    endLine={"type": "integer", "minimum": 1},
    endColumn={"type": "integer", "minimum": 1},
)
PHYSICAL_LOCATION = _obj([], artifactLocation=ARTIFACT_LOCATION, region=REGION)
LOCATION = _obj(
    [],
    physicalLocation=PHYSICAL_LOCATION,
    logicalLocations={
        "type": "array",
        "items": _obj([], name={"type": "string"}, fullyQualifiedName={"type": "string"}, kind={"type": "string"}),
    },
)
MULTIFORMAT = _obj(["text"], text={"type": "string"}, markdown={"type": "string"})
REPORTING_DESCRIPTOR = _obj(
    ["id"],
    id={"type": "string"},
    name={"type": "string"},
    shortDescription=MULTIFORMAT,
    fullDescription=MULTIFORMAT,
    help=MULTIFORMAT,
    helpUri={"type": "string"},
    properties=PROPERTY_BAG,
)
SUPPRESSION = _obj(
    ["kind"],
    kind={"enum": ["inSource", "external"]},
    status={"enum": ["accepted", "underReview", "rejected"]},
    justification={"type": "string"},
)
RESULT = _obj(
    ["message"],
    ruleId={"type": "string"},
    ruleIndex={"type": "integer", "minimum": -1},
    level=LEVEL,
    message=MESSAGE,
    locations={"type": "array", "items": LOCATION},
    suppressions={"type": "array", "items": SUPPRESSION},
    properties=PROPERTY_BAG,
)
NOTIFICATION = _obj(["message"], level=LEVEL, message=MESSAGE, locations={"type": "array", "items": LOCATION})
SARIF_SUBSET: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "definitions": {
        "message": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"text": {"type": "string"}, "id": {"type": "string"}},
            "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
        }
    },
    **_obj(
        ["version", "runs"],
        **{
            "$schema": {"type": "string"},
            "version": {"enum": ["2.1.0"]},
            "runs": {
                "type": "array",
                "items": _obj(
                    ["tool"],
                    tool=_obj(
                        ["driver"],
                        driver=_obj(
                            ["name"],
                            name={"type": "string"},
                            version={"type": "string"},
                            informationUri={"type": "string"},
                            rules={"type": "array", "items": REPORTING_DESCRIPTOR, "uniqueItems": True},
                        ),
                    ),
                    originalUriBaseIds={"type": "object", "additionalProperties": ARTIFACT_LOCATION},
                    invocations={
                        "type": "array",
                        "items": _obj(
                            ["executionSuccessful"],
                            executionSuccessful={"type": "boolean"},
                            toolExecutionNotifications={"type": "array", "items": NOTIFICATION},
                        ),
                    },
                    results={"type": "array", "items": RESULT},
                    properties=PROPERTY_BAG,
                ),
            },
        },
    ),
}


def _sarif(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["lint", *argv, "--format", "sarif"])
    doc = json.loads(capsys.readouterr().out)
    jsonschema.Draft7Validator(SARIF_SUBSET).validate(doc)
    return code, doc


def test_the_schema_subset_rejects_what_it_should() -> None:
    validator = jsonschema.Draft7Validator(SARIF_SUBSET)
    good = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}}]}]}
    assert validator.is_valid(good)
    for broken in (
        {"version": "2.0.0", "runs": []},
        {"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]},
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"level": "fatal"}]}]},
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "resluts": []}]},
    ):
        assert not validator.is_valid(broken)


def test_sarif_for_findings_validates_and_indexes_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = _sarif(capsys, str(EXAMPLES / "chest_xray"), "--policy", "chest_xray")
    assert code == 1
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(all_codes())
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["invocations"][0]["toolExecutionNotifications"] == []


def test_uris_are_relative_to_the_source_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my configs").mkdir()
    shutil.copy(EXAMPLES / "chest_xray" / "bad.yaml", tmp_path / "my configs" / "bad.yaml")
    monkeypatch.chdir(tmp_path)
    _, doc = _sarif(capsys, "my configs", "--policy", "chest_xray")
    run = doc["runs"][0]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "my%20configs/bad.yaml", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_unreadable_files_are_tool_execution_notifications(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{\n  oops\n}")
    code, doc = _sarif(capsys, str(broken), str(EXAMPLES / "chest_xray" / "bad.json"), "--policy", "chest_xray")
    assert code == 2
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "invalid JSON" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert doc["runs"][0]["results"]  # the readable file is still reported


def test_suppressed_findings_carry_in_source_suppressions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (EXAMPLES / "chest_xray" / "bad.yaml").read_text()
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace("Transpose\n", "Transpose  # safeaug: ignore[SA101] -- masks flip too\n"))
    _, doc = _sarif(capsys, str(path), "--policy", "chest_xray")
    assert all("suppressions" not in r for r in doc["runs"][0]["results"])
    _, doc = _sarif(capsys, str(path), "--policy", "chest_xray", "--show-suppressed")
    suppressed = [r for r in doc["runs"][0]["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"][0]["justification"]) for r in suppressed] == [("SA101", "masks flip too")]
