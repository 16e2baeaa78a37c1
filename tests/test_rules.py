"""Every rule code has one entry with the same sections, and each example really triggers its code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import safeaug.rules
from safeaug.cli import main
from safeaug.lint import lint
from safeaug.rules import EFFECT_RULES, RULE_DOCS, all_codes, explain_text

SECTIONS = ("title", "what", "why", "example", "instead")


def _declared_codes() -> set[str]:
    """Every SAxxx constant in the rules module and every effect rule: none may lack an entry."""
    constants = {v for k, v in vars(safeaug.rules).items() if k.isupper() and isinstance(v, str) and v.startswith("SA")}
    return constants | {r.code for r in EFFECT_RULES}


def test_every_code_has_an_entry_with_every_section() -> None:
    assert _declared_codes() == set(RULE_DOCS) == set(all_codes())
    for code, doc in RULE_DOCS.items():
        assert doc.code == code
        for section in SECTIONS:
            assert getattr(doc, section).strip(), f"{code} has an empty `{section}`"
        assert doc.what != doc.why and doc.why != doc.instead


@pytest.mark.parametrize("code", [c for c, d in RULE_DOCS.items() if d.config])
def test_each_example_triggers_its_code_under_its_policy(code: str, tmp_path: Path) -> None:
    doc = RULE_DOCS[code]
    policy = doc.policy
    if "\n" in policy:  # a policy file written out in the entry
        path = tmp_path / "policy.yaml"
        path.write_text(policy)
        policy = str(path)
    result = lint(["-"], policy=policy, stdin=doc.example, stdin_filename="train.py")
    assert not result.problems, [p.message for p in result.problems]
    assert code in {f.code for f in result.findings}, [(f.code, f.message) for f in result.findings]


def test_an_example_that_does_not_trigger_is_caught(tmp_path: Path) -> None:
    """The check above can fail: the mirror example under a policy that allows mirrors finds nothing."""
    doc = RULE_DOCS["SA101"]
    result = lint(["-"], policy="natural", stdin=doc.example, stdin_filename="train.py")
    assert "SA101" not in {f.code for f in result.findings}


@pytest.mark.parametrize("code", sorted(RULE_DOCS))
def test_explain_prints_every_section(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", code.lower()]) == 0
    out = capsys.readouterr().out
    doc = RULE_DOCS[code]
    assert out == explain_text(code)
    for text in (doc.title, doc.what, doc.why, doc.instead):
        assert text in out
    for line in doc.example.splitlines():
        assert line in out
    assert "What it does:" in out and "Why it matters:" in out and "Example" in out and "Instead:" in out


def test_sarif_rule_metadata_carries_every_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "train.py"
    path.write_text(RULE_DOCS["SA101"].example)
    assert main(["lint", str(path), "--policy", "chest_xray", "--format", "sarif"]) == 1
    rules = json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULE_DOCS)
    for rule in rules:
        doc = RULE_DOCS[rule["id"]]
        assert doc.what in rule["fullDescription"]["text"] and doc.why in rule["fullDescription"]["text"]
        assert rule["shortDescription"]["text"].lower().startswith(doc.title.lower()[:10])
        for text in (doc.what, doc.why, doc.instead, doc.example):
            assert text in rule["help"]["markdown"]
        assert rule["help"]["text"] == explain_text(rule["id"])
        props = rule["properties"]
        assert (props["what"], props["why"], props["example"], props["instead"]) == (
            doc.what,
            doc.why,
            doc.example,
            doc.instead,
        )
