"""The lint engine on hostile and awkward input: discovery, unreadable files, loops, read-only guarantees."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import safeaug
from safeaug.cli import main
from safeaug.lint import discover, lint
from safeaug.report import Finding
from safeaug.rules import all_codes

EXAMPLES = Path(__file__).parents[2] / "examples" / "configs"
BAD_YAML = EXAMPLES / "chest_xray" / "bad.yaml"


def _expected(path: Path = BAD_YAML) -> list[Finding]:
    """What the validator finds in a file, in the order the linter prints it."""
    findings = safeaug.validate(path, "chest_xray").findings
    return sorted(findings, key=lambda f: (f.line or 1, f.code))


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "configs" / "deep").mkdir(parents=True)
    shutil.copy(BAD_YAML, root / "configs" / "bad.yaml")
    shutil.copy(EXAMPLES / "chest_xray" / "good.json", root / "configs" / "deep" / "good.json")
    for skipped in (".hidden", ".venv", "node_modules", "__pycache__", "build", "dist"):
        (root / skipped).mkdir()
        shutil.copy(BAD_YAML, root / skipped / "bad.yaml")
    shutil.copy(BAD_YAML, root / "configs" / ".hidden.yaml")
    (root / "configs" / "notes.txt").write_text("not a config")
    return root


def test_discovery_skips_hidden_and_tool_folders(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    problems: list = []  # type: ignore[type-arg]
    found = [p.relative_to(root).as_posix() for p in discover([str(root)], problems)]
    assert found == ["configs/bad.yaml", "configs/deep/good.json"]
    assert not problems


def test_a_file_named_twice_is_linted_once(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    file = root / "configs" / "bad.yaml"
    result = lint([str(file), str(root / "configs"), str(file)], policy="chest_xray")
    assert result.files == 2
    assert len({(f.line, f.code) for f in result.findings}) == len(result.findings)


def test_a_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "configs" / "deep" / "loop").symlink_to(root / "configs", target_is_directory=True)
    (root / "configs" / "self").symlink_to(".", target_is_directory=True)
    result = lint([str(root / "configs")], policy="chest_xray")
    assert result.files == 2


def test_a_dangling_symlink_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "configs" / "gone.yaml").symlink_to(root / "nowhere.yaml")
    result = lint([str(root / "configs")], policy="chest_xray")
    assert result.exit_code == 2 and result.files == 2
    assert [Path(p.path).name for p in result.problems] == ["gone.yaml"]


def test_unreadable_files_are_reported_and_the_rest_still_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "nul.yaml").write_bytes(b"transform:\x00\x01 x\n")
    (tmp_path / "latin1.yaml").write_bytes("transform: caf\xe9\n".encode("latin-1"))
    (tmp_path / "broken.yaml").write_text("transform:\n  - [unclosed\n")
    (tmp_path / "broken.json").write_text('{\n  "transform": \n}')
    shutil.copy(BAD_YAML, tmp_path / "bad.yaml")
    code = main(["lint", str(tmp_path), "--policy", "chest_xray"])
    out = capsys.readouterr().out
    assert code == 2
    assert f"{tmp_path / 'broken.json'}:3: invalid JSON" in out
    assert f"{tmp_path / 'broken.yaml'}:" in out and "invalid YAML" in out
    assert f"{tmp_path / 'binary.yaml'}: binary file" in out
    assert f"{tmp_path / 'nul.yaml'}: binary file" in out
    assert f"{tmp_path / 'latin1.yaml'}:" in out and "utf-8" in out.lower()
    expected = _expected()
    assert all(f"{tmp_path / 'bad.yaml'}:{f.line}:1: {f.code} [{f.severity}]" in out for f in expected)
    assert "Traceback" not in out
    errors = sum(f.severity == "error" for f in expected)
    assert f"1 file checked: {errors} errors, {len(expected) - errors} warnings, 5 paths unreadable." in out


def test_a_path_that_does_not_exist_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", "/no/such/place.yaml", str(BAD_YAML), "--policy", "chest_xray", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 2
    assert doc["unreadable"] == [{"path": "/no/such/place.yaml", "line": None, "message": "no such file or directory"}]
    assert doc["summary"]["files"] == 1 and doc["summary"]["errors"] > 0


def test_a_reader_crash_on_one_file_does_not_stop_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from safeaug.readers.source import Source

    real = Source.pipelines

    def flaky(self: Source) -> list:  # type: ignore[type-arg]
        if self.path.endswith("boom.yaml"):
            raise KeyError("surprise")
        return real(self)

    monkeypatch.setattr(Source, "pipelines", flaky)
    shutil.copy(BAD_YAML, tmp_path / "boom.yaml")
    shutil.copy(BAD_YAML, tmp_path / "bad.yaml")
    result = lint([str(tmp_path)], policy="chest_xray")
    assert result.exit_code == 2 and result.files == 1
    assert "KeyError" in result.problems[0].message


def test_files_without_a_pipeline_are_skipped_quietly(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import json\n\nprint(json.dumps({'no': 'pipeline here'}))\n")
    shutil.copy(BAD_YAML, tmp_path / "bad.yaml")
    result = lint([str(tmp_path)], policy="chest_xray")
    assert (result.files, result.skipped, result.exit_code) == (1, 1, 1)


def test_nothing_linted_is_run_or_modified(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    marker = tmp_path / "ran"
    (root / "configs" / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    (root / "configs" / "evil.yaml").write_text(f"transform: !!python/object/apply:os.system ['touch {marker}']\n")
    (root / "configs" / "sup.yaml").write_text(
        BAD_YAML.read_text().replace("p: 0.5\n", "p: 0.5  # safeaug: ignore[SA101] -- x\n", 1)
    )
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    lint([str(root)], policy="chest_xray")
    main(["lint", str(root), "--policy", "chest_xray", "--format", "sarif"])
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    assert before == after
    assert not marker.exists()


def test_text_output_form(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(BAD_YAML), "--policy", "chest_xray"]) == 1
    lines = capsys.readouterr().out.splitlines()
    expected = _expected()
    first = expected[0]
    assert lines[0] == f"{BAD_YAML}:{first.line}:1: {first.code} [{first.severity}] {first.message}"
    assert lines[1] == f"    why: {first.reason}" and lines[2] == f"    fix: {first.fix}"
    assert [line for line in lines if line.startswith(str(BAD_YAML))] == [
        f"{BAD_YAML}:{f.line}:1: {f.code} [{f.severity}] {f.message}" for f in expected
    ]
    errors = sum(f.severity == "error" for f in expected)
    assert errors > 0
    assert lines[-1] == f"1 file checked: {errors} errors, {len(expected) - errors} warnings."


def test_github_annotations_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odd = tmp_path / "a,b:c%d.yaml"
    shutil.copy(BAD_YAML, odd)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert main(["lint", str(odd), str(broken), "--policy", "chest_xray", "--format", "github"]) == 2
    lines = capsys.readouterr().out.splitlines()
    escaped = str(odd).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    first = _expected()[0]
    title = f"{first.code} {all_codes()[first.code]}"
    assert lines[0].startswith(f"::{first.severity} file={escaped},line={first.line},col=1,title={title}::")
    assert all("\n" not in line for line in lines)
    assert "%0AWhy: " in lines[0] and "%0AFix: " in lines[0]
    assert any(line.startswith(f"::error file={broken},line=1,title=unreadable input::invalid JSON") for line in lines)


def test_warnings_only_exit_zero(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "transform:\n  __class_fullname__: Compose\n  transforms:\n"
        "  - __class_fullname__: Rotate  # safeaug: ignore[SA201] -- not inverted at all\n    limit: 5\n"
    )
    result = lint([str(path)], policy="chest_xray")
    assert [(f.code, f.severity) for f in result.findings] == [("SA602", "warning")]
    assert result.exit_code == 0


def test_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "SA101  mirror" in out and "SA601  suppression without a reason" in out
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "invariants" in schema["properties"]
    assert main(["explain", "sa601"]) == 0
    assert "reason" in capsys.readouterr().out
    assert main(["lint"]) == 2
    assert main(["lint", str(BAD_YAML), "--policy", "chest_xray", "--format", "xml"]) == 2
    assert main(["lint", str(BAD_YAML), "--policy", "chest_xray", "--select", "SA1x"]) == 2


LINT_IMPORTS = """
import sys
import safeaug
from safeaug.cli import main
from safeaug.report import Finding
from safeaug.rules import all_codes
code = main(["lint", sys.argv[1], "--policy", "chest_xray", "--format", "sarif"])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("albumentations", "cv2", "torch", "albucore"))
print(code, heavy)
"""


def test_the_lint_path_imports_no_albumentations_opencv_or_torch() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, str(BAD_YAML)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "1 []"


def test_the_console_script_lints_in_a_subprocess(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "safeaug"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "safeaug.cli"]
    done = subprocess.run([*command, "lint", str(BAD_YAML)], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 2 and "no policy given" in done.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.safeaug]\npolicy = "chest_xray"\nignore = ["SA1"]\n')
    shutil.copy(BAD_YAML, tmp_path / "bad.yaml")
    done = subprocess.run([*command, "lint", "."], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 1
    assert "SA201" in done.stdout and "SA101" not in done.stdout


def test_a_judging_crash_is_reported_not_passed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import safeaug.validators

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(safeaug.validators, "judge", broken)
    shutil.copy(BAD_YAML, tmp_path / "bad.yaml")
    result = lint([str(tmp_path)], policy="chest_xray")
    assert result.exit_code == 2 and not result.findings
    assert "could not judge" in result.problems[0].message and "ZeroDivisionError" in result.problems[0].message


@settings(max_examples=40)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.text(alphabet=st.sampled_from(list("{}[]:,-#'\"\n \t!&*|>?%@`abc_0123.")), max_size=200).map(str.encode),
    ),
    suffix=st.sampled_from([".yaml", ".json", ".py", ".yml"]),
)
def test_any_bytes_give_findings_or_a_clean_problem_never_a_crash(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as raw:
        path = Path(raw) / f"fuzz{suffix}"
        path.write_bytes(data)
        result = lint([raw], policy="chest_xray")
        assert result.exit_code in (0, 1, 2)
        assert all("please report it" not in p.message for p in result.problems), result.problems
        assert path.read_bytes() == data
