"""The shipped JSON Schema: generated from the models, and every built-in policy file satisfies it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

import safeaug
from safeaug.policies import schema as schema_module
from safeaug.policy import policy_json_schema

POLICY_DIR = Path(safeaug.__file__).parent / "policies"
POLICY_FILES = sorted([*POLICY_DIR.glob("*.yaml"), *(POLICY_DIR / "bases").glob("*.yaml")])


def test_the_shipped_schema_equals_the_generated_one() -> None:
    shipped = json.loads((POLICY_DIR / "policy.schema.json").read_text(encoding="utf-8"))
    assert shipped == policy_json_schema(), "run: python -m safeaug.policies.schema"
    assert schema_module.main(["--check"]) == 0


def test_the_schema_is_a_valid_json_schema_and_knows_the_file_keys() -> None:
    schema = policy_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert {"id", "title", "extends", "parameters", "invariants", "allow", "deny"} <= set(schema["properties"])
    assert "arguments" not in schema["properties"] and "loosened" not in schema["properties"]
    invariant = schema["$defs"]["Invariant"]["properties"]
    assert "rotation" in invariant["effect"]["enum"]
    assert {"when", "needs_label_transform"} <= set(invariant)


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_every_builtin_policy_file_validates_against_the_schema(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, policy_json_schema(), cls=jsonschema.Draft202012Validator)


def test_the_schema_rejects_a_misspelt_key() -> None:
    bad = {"id": "p", "title": "P", "invariants": [{"effect": "rotation", "maxx": 3, "reason": "r"}]}
    with pytest.raises(jsonschema.ValidationError, match="maxx"):
        jsonschema.validate(bad, policy_json_schema(), cls=jsonschema.Draft202012Validator)


def test_the_check_mode_notices_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "policy.schema.json"
    stale.write_text("{}\n")
    monkeypatch.setattr(schema_module, "SCHEMA_PATH", stale)
    assert schema_module.main(["--check"]) == 1
    assert schema_module.main([]) == 0
    assert json.loads(stale.read_text()) == policy_json_schema()
