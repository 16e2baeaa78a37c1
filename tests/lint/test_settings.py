"""``[tool.safeaug]`` in pyproject.toml: discovery, keys, per-path policies and ignores, precedence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeaug.cli import main
from safeaug.lint.settings import (
    ALLOWED_KEYS,
    SettingsError,
    find_pyproject,
    glob_matches,
    load_settings,
    parse_codes,
    parse_param,
)

EXAMPLES = Path(__file__).parents[2] / "examples" / "configs"


def _project(tmp_path: Path, toml: str) -> Path:
    """A project with pyproject.toml, chest_xray/{good,bad}.yaml and natural/bad.json."""
    (tmp_path / "pyproject.toml").write_text(toml)
    (tmp_path / "cx").mkdir()
    (tmp_path / "nat").mkdir()
    shutil.copy(EXAMPLES / "chest_xray" / "good.yaml", tmp_path / "cx" / "good.yaml")
    shutil.copy(EXAMPLES / "chest_xray" / "bad.yaml", tmp_path / "cx" / "bad.yaml")
    shutil.copy(EXAMPLES / "natural" / "bad.json", tmp_path / "nat" / "bad.json")
    return tmp_path


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main([*argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_policy_from_pyproject_found_by_walking_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, '[tool.safeaug]\npolicy = "chest_xray"\n')
    assert find_pyproject(root / "cx" / "bad.yaml") == root / "pyproject.toml"
    code, doc = _json(capsys, ["lint", str(root / "cx")])
    assert code == 1
    assert {f["policy"] for f in doc["findings"]} == {"chest_xray"}
    assert "SA101" in {f["code"] for f in doc["findings"]}


def test_a_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.safeaug]\npolicy = "natural"\n')
    inner = root / "cx"
    (inner / "pyproject.toml").write_text('[project]\nname = "safeaug-configs"\n')
    assert find_pyproject(inner / "bad.yaml") == root / "pyproject.toml"


def test_no_policy_anywhere_says_how_to_set_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, '[project]\nname = "x"\n')
    assert main(["lint", str(root / "cx")]) == 2
    err = capsys.readouterr().err
    assert "--policy" in err and "[tool.safeaug]" in err and 'policy = "chest_xray"' in err


def test_unknown_key_names_key_file_and_allowed_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, '[tool.safeaug]\npolicy = "chest_xray"\nselct = ["SA1"]\n')
    assert main(["lint", str(root / "cx")]) == 2
    err = capsys.readouterr().err
    assert "selct" in err and str(root / "pyproject.toml") in err
    assert all(key in err for key in ALLOWED_KEYS)


def test_invalid_toml_is_a_usage_error_with_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, "[tool.safeaug\npolicy = 1\n")
    assert main(["lint", str(root / "cx"), "--config", str(root / "pyproject.toml")]) == 2
    err = capsys.readouterr().err
    assert "invalid TOML" in err and "pyproject.toml" in err


def test_per_path_policies_first_match_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(
        tmp_path,
        '[tool.safeaug]\npolicy = "chest_xray"\n'
        '[tool.safeaug.per-path-policies]\n"nat/*.json" = "natural"\n"nat/**" = "chest_xray"\n',
    )
    code, doc = _json(capsys, ["lint", str(root)])
    assert code == 1
    policies = {Path(f["path"]).parent.name: f["policy"] for f in doc["findings"]}
    assert policies == {"nat": "natural", "cx": "chest_xray"}


def test_per_path_policy_file_is_relative_to_the_pyproject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, '[tool.safeaug]\n[tool.safeaug.per-path-policies]\n"cx/*" = "policies/ward.yaml"\n')
    (root / "policies").mkdir()
    (root / "policies" / "ward.yaml").write_text(
        "id: ward\ntitle: Our ward\nextends: chest_xray\ninvariants:\n"
        "  - effect: mirror\n    allowed: true\n    reason: Masks of non-lateral structures flip with the film.\n"
    )
    code, doc = _json(capsys, ["lint", str(root / "cx")])
    assert {f["policy"] for f in doc["findings"]} == {"ward"}
    assert "SA101" not in {f["code"] for f in doc["findings"]}
    assert code == 1  # the rotations are still refused


def test_a_file_no_policy_covers_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, '[tool.safeaug.per-path-policies]\n"cx/*" = "chest_xray"\n')
    code, doc = _json(capsys, ["lint", str(root)])
    assert code == 2
    assert [Path(u["path"]).name for u in doc["unreadable"]] == ["bad.json"]
    assert "no policy applies" in doc["unreadable"][0]["message"]


def test_command_line_policy_overrides_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(
        tmp_path, '[tool.safeaug]\npolicy = "chest_xray"\n[tool.safeaug.per-path-policies]\n"cx/*" = "chest_xray"\n'
    )
    _, doc = _json(capsys, ["lint", str(root), "--policy", "natural"])
    assert {f["policy"] for f in doc["findings"]} == {"natural"}


def test_select_ignore_and_per_path_ignores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(
        tmp_path,
        '[tool.safeaug]\npolicy = "chest_xray"\nselect = ["SA1", "SA2"]\nignore = ["SA102"]\n'
        '[tool.safeaug.per-path-ignores]\n"bad.yaml" = ["SA201"]\n',
    )
    _, doc = _json(capsys, ["lint", str(root / "cx"), str(root / "nat")])
    codes = {(Path(f["path"]).name, f["code"]) for f in doc["findings"]}
    assert ("bad.yaml", "SA101") in codes
    assert not any(code == "SA102" or code.startswith("SA3") for _, code in codes)
    assert ("bad.yaml", "SA201") not in codes
    # The command line replaces `ignore` from the file.
    _, doc = _json(capsys, ["lint", str(root / "cx"), "--ignore", "SA101"])
    codes = {(Path(f["path"]).name, f["code"]) for f in doc["findings"]}
    assert ("bad.yaml", "SA102") in codes and ("bad.yaml", "SA101") not in codes


def test_unknown_codes_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, '[tool.safeaug]\npolicy = "chest_xray"\nignore = ["SA999"]\n')
    assert main(["lint", str(root / "cx")]) == 2
    assert "SA999" in capsys.readouterr().err
    assert main(["lint", str(root / "cx"), "--select", "E501", "--config", str(root / "pyproject.toml")]) == 2
    assert "E501" in capsys.readouterr().err


def test_set_params_reach_the_policy_loader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import safeaug.policies

    seen: list[dict[str, object]] = []
    real = safeaug.policies.load_builtin_plain  # the loader lint uses for built-in policies

    def recording(policy: str, **params: object) -> object:
        seen.append(params)
        return real(policy)

    monkeypatch.setattr(safeaug.policies, "load_builtin_plain", recording)
    root = _project(tmp_path, '[tool.safeaug]\npolicy = "chest_xray"\nset = { smallest_object_px = 8, note = "a" }\n')
    main(["lint", str(root / "cx"), "--set", "smallest_object_px=16", "--set", "strict=true", "--set", "f=0.5"])
    assert seen and seen[-1] == {"smallest_object_px": 16, "note": "a", "strict": True, "f": 0.5}


def test_params_a_policy_cannot_take_are_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", str(EXAMPLES / "chest_xray"), "--policy", "chest_xray", "--set", "no_such_param=3"])
    assert code == 2
    err = capsys.readouterr().err
    assert "no_such_param" in err and "Traceback" not in err


def test_a_bad_set_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(EXAMPLES), "--policy", "chest_xray", "--set", "novalue"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_values_parse_as_int_float_bool_or_string() -> None:
    assert parse_param("a=16") == ("a", 16)
    assert parse_param("a=0.25") == ("a", 0.25)
    assert parse_param("a=False") == ("a", False)
    assert parse_param("a=chest") == ("a", "chest")
    assert parse_param("a=x=y") == ("a", "x=y")
    with pytest.raises(SettingsError):
        parse_param("=3")


def test_codes_parse_from_lists_and_comma_strings() -> None:
    assert parse_codes("sa1, SA201,,", "x") == ("SA1", "SA201")
    assert parse_codes(["SA101"], "x") == ("SA101",)
    with pytest.raises(SettingsError, match="not a rule code"):
        parse_codes(["SA1x"], "x")
    with pytest.raises(SettingsError):
        parse_codes(3, "x")


def test_wrongly_typed_values_are_refused(tmp_path: Path) -> None:
    for body in ("policy = 3", "select = 3", "set = { a = [1] }", "per-path-policies = 1", "ignore = [1]"):
        path = tmp_path / "pyproject.toml"
        path.write_text(f"[tool.safeaug]\n{body}\n")
        with pytest.raises(SettingsError, match=r"pyproject\.toml"):
            load_settings(path)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.json", "a/b/c.json", True),
        ("cx/*.yaml", "cx/a.yaml", True),
        ("cx/*.yaml", "cx/deep/a.yaml", False),
        ("cx/**/*.yaml", "cx/deep/er/a.yaml", True),
        ("cx/**/*.yaml", "cx/a.yaml", True),
        ("cx/", "cx/deep/a.yaml", True),
        ("cx/**", "other/cx/a.yaml", False),
        ("./cx/?.yaml", "cx/a.yaml", True),
        ("a+b/[x].yaml", "a+b/[x].yaml", True),
        ("a+b/[x].yaml", "a+b/x.yaml", False),
    ],
)
def test_glob_semantics(pattern: str, path: str, matches: bool) -> None:
    assert glob_matches(pattern, path) is matches


_PART = st.text(alphabet="abc.-_", min_size=1, max_size=6).filter(lambda s: s not in (".", ".."))


@given(st.lists(_PART, min_size=1, max_size=4))
def test_a_literal_relative_path_always_matches_itself(parts: list[str]) -> None:
    path = "/".join(parts)
    assert glob_matches(path, path)
    assert glob_matches("**", path)
    assert glob_matches("**/" + parts[-1], path)
    assert glob_matches(parts[-1], path)  # no slash: the name at any depth


FLIP_ONLY = (
    "transform:\n  __class_fullname__: Compose\n  transforms:\n  - __class_fullname__: HorizontalFlip\n    p: 0.5\n"
)


def test_set_switches_a_declared_policy_parameter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "flip.yaml").write_text(FLIP_ONLY)
    _, doc = _json(capsys, ["lint", str(tmp_path / "flip.yaml"), "--policy", "fundus"])
    assert "SA101" in {f["code"] for f in doc["findings"]}
    code, doc = _json(
        capsys, ["lint", str(tmp_path / "flip.yaml"), "--policy", "fundus", "--set", "laterality_in_label=false"]
    )
    assert code == 0 and "SA101" not in {f["code"] for f in doc["findings"]}
    (tmp_path / "pyproject.toml").write_text(
        '[tool.safeaug]\npolicy = "fundus"\nset = { laterality_in_label = false }\n'
    )
    _, doc = _json(capsys, ["lint", str(tmp_path / "flip.yaml")])
    assert "SA101" not in {f["code"] for f in doc["findings"]}
    # The command line overrides `set` key by key.
    _, doc = _json(capsys, ["lint", str(tmp_path / "flip.yaml"), "--set", "laterality_in_label=true"])
    assert "SA101" in {f["code"] for f in doc["findings"]}


def test_set_with_several_policies_gives_each_what_it_declares(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for folder in ("eyes", "street"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "flip.yaml").write_text(FLIP_ONLY)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.safeaug]\nset = { laterality_in_label = false }\n"
        '[tool.safeaug.per-path-policies]\n"eyes/**" = "fundus"\n"street/**" = "chest_xray"\n'
    )
    _, doc = _json(capsys, ["lint", str(tmp_path)])
    assert {(Path(f["path"]).parent.name, f["code"]) for f in doc["findings"]} == {("street", "SA101")}
    code = main(["lint", str(tmp_path), "--set", "laterality_in_labels=false"])
    assert code == 2
    err = capsys.readouterr().err
    assert "laterality_in_labels" in err and "chest_xray, fundus" in err


def test_bad_settings_are_caught_with_every_other_safeaug_error(tmp_path: Path) -> None:
    import safeaug

    _project(tmp_path, "[tool.safeaug]\npolicy = 'chest_xray'\nno_such_key = 1\n")
    with pytest.raises(safeaug.SafeaugError, match="no_such_key"):
        load_settings(tmp_path / "pyproject.toml")
