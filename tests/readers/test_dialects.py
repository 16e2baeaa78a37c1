"""Each config dialect: lines, nesting, several pipelines, renamed arguments, hostile input."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import albumentations as A
import numpy as np
import pytest

import safeaug
from safeaug import _installed
from safeaug.catalog._renames import OLD_ARGUMENTS, OLD_CLASSES, X_ARGUMENTS
from safeaug.catalog._signatures import PARAMETERS
from safeaug.readers import read_config, read_pipeline, vocabulary
from safeaug.readers.vocabulary import Installed

ON_2_0 = Installed("2.0", "albumentations 2.0.8", True)
ON_X = Installed("X", "AlbumentationsX 2.5.1", True)


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Any:
    def use(line: Installed) -> None:
        monkeypatch.setattr(vocabulary, "installed_line", lambda: line)

    use(ON_2_0)
    return use


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# ------------------------------------------------------------------ the renames table


def _signature(cls: str) -> set[str]:
    """2.0.8 parameter names: the installed signature on a 2.0.x install, else the checked-in table."""
    if vocabulary.installed_line().line == "2.0":
        return set(inspect.signature(getattr(A, cls).__init__).parameters)
    return set(PARAMETERS[cls])


def test_every_2_0_target_of_the_renames_table_exists_in_albumentations_2_0() -> None:
    for cls, table in X_ARGUMENTS.items():
        params = _signature(cls)
        for x_name, old in table.items():
            assert old in params, f"{cls}.{old} (for AlbumentationsX {x_name}) is not a 2.0.8 argument"
            assert x_name not in params, f"{cls}.{x_name} is already a 2.0.8 argument"
    for cls, table in OLD_ARGUMENTS.items():
        if cls == "*":
            continue
        target_cls = OLD_CLASSES.get(cls, (cls,))[0]
        params = _signature(target_cls) if target_cls in PARAMETERS else {"transpose_mask", "p"}
        for old, (target, _) in table.items():
            assert target in params, f"{cls}.{old} -> {target_cls}.{target}: no such 2.0.8 argument"
    for old, (new, fixed) in OLD_CLASSES.items():
        assert old not in PARAMETERS, f"{old} still exists in 2.0.8"
        if new in PARAMETERS:
            assert set(fixed) <= _signature(new)


def test_the_installed_line_is_read_from_metadata_without_importing_albumentations() -> None:
    code = (
        "import sys\nfrom safeaug.readers.vocabulary import installed_line\n"
        "print(installed_line().line, 'albumentations' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2.0", "False"]


# ------------------------------------------------------------------ parameter dialects


def test_an_albumentationsx_argument_is_read_as_meant_and_as_the_installed_line_runs_it(installed: Any) -> None:
    node = read_pipeline({"__class_fullname__": "Rotate", "angle_range": [-5, 5]})
    assert dict(node.params) == {"limit": [-5, 5]}
    assert node.alt_params == ({},)  # 2.0.8 drops it: Rotate's default limit runs
    (note,) = node.notes
    assert note.code == "SA502" and note.severity == "warning"
    assert "angle_range" in note.message and "limit=(-90, 90)" in note.message and "`limit=(-5, 5)`" in note.fix
    codes = safeaug.validate({"__class_fullname__": "Rotate", "angle_range": [-5, 5], "p": 1}, "chest_xray").codes()
    assert codes == ["SA102", "SA502"]  # what 2.0.8 really runs turns by up to 90 degrees


def test_with_albumentationsx_installed_its_names_are_silent_and_2_0_names_are_dropped(installed: Any) -> None:
    installed(ON_X)
    x = read_pipeline({"__class_fullname__": "ColorJitter", "brightness_range": [0.9, 1.1]})
    assert dict(x.params) == {"brightness": [0.9, 1.1]} and not x.notes and not x.alt_params
    old = read_pipeline({"__class_fullname__": "Rotate", "limit": 5})
    assert dict(old.params) == {"limit": 5} and old.alt_params == ({},)
    assert "AlbumentationsX 2.5.1 ignores it" in old.notes[0].message and "`angle_range=5`" in old.notes[0].fix


@pytest.mark.parametrize(
    ("written", "name", "params", "p"),
    [
        (
            {"__class_fullname__": "JpegCompression", "quality_lower": 30},
            "ImageCompression",
            {"quality_range": (30, 100)},
            0.5,
        ),
        (
            {"__class_fullname__": "RandomContrast", "limit": 0.3},
            "RandomBrightnessContrast",
            {"contrast_limit": 0.3},
            0.5,
        ),
        ({"__class_fullname__": "GaussNoise", "var_limit": 25.0}, "GaussNoise", {"std_range": (0.0, 5 / 255)}, 0.5),
        ({"__class_fullname__": "HorizontalFlip", "always_apply": True, "p": 0.0}, "HorizontalFlip", {}, 1.0),
        ({"__class_fullname__": "CoarseDropout", "max_holes": 4, "max_height": 0.1}, "CoarseDropout", {}, 0.5),
    ],
)
def test_1x_names_are_read_with_their_1x_meaning(
    written: dict, name: str, params: dict, p: float, installed: Any
) -> None:
    node = read_pipeline(written)
    assert node.name == name and node.p == p
    for key, value in params.items():
        assert node.params[key] == pytest.approx(value)


def test_1x_cutout_and_coarse_dropout_keep_their_sizes(installed: Any) -> None:
    node = read_pipeline({"__class_fullname__": "CoarseDropout", "max_holes": 4, "max_height": 0.1, "max_width": 0.2})
    assert node.params["num_holes_range"] == (4, 4) and node.params["hole_height_range"] == (0.1, 0.1)
    cutout = read_pipeline({"__class_fullname__": "Cutout"})
    assert cutout.name == "CoarseDropout" and cutout.params["hole_width_range"] == (8, 8)


def test_flip_is_one_transform_that_may_mirror_or_turn_half_way() -> None:
    node = read_pipeline({"__class_fullname__": "albumentations.augmentations.transforms.Flip", "p": 0.5})
    # a horizontal, a vertical or a both-axes flip: a mirror, or a half turn, which VerticalFlip's effects cover
    assert (node.name, node.written, node.p, node.children) == ("VerticalFlip", "Flip", 0.5, ())
    assert "Flip" in node.mro and "HorizontalFlip" not in node.mro  # allowing HorizontalFlip lets no flip through


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("aug.py", "import albumentations as A\nt = A.Compose([A.Flip(p=0.5), A.Rotate(limit=10)])\n"),
        ("aug.yaml", "transform:\n  __class_fullname__: Compose\n  transforms:\n  - {__class_fullname__: Flip}\n"),
    ],
)
def test_a_1x_flip_gives_one_finding_per_effect(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    findings = safeaug.validate(path, "chest_xray").findings
    assert sorted(f.code for f in findings) == ["SA101", "SA102", "SA502"]
    assert {f.transform for f in findings} == {"Flip"}
    assert all("`Flip`" in f.message for f in findings)


def test_a_flip_allowed_by_name_is_not_let_through_as_a_horizontal_flip(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "id: shelf\ntitle: shelf photos\nextends: natural\nallow:\n"
        "  - {transform: HorizontalFlip, reason: products are symmetric}\n"
    )
    report = safeaug.validate({"__class_fullname__": "Flip", "p": 0.5}, str(policy))
    assert "SA102" in report.codes()  # the vertical flips turn the image half way; natural allows ±30°


def test_a_misspelt_argument_is_reported_with_the_right_name(installed: Any) -> None:
    (note,) = read_pipeline({"__class_fullname__": "Rotate", "limt": 5}).notes
    assert note.code == "SA502" and "limt" in note.message and "`limit`" in note.fix


def test_live_albumentationsx_objects_are_read_with_their_new_names() -> None:
    class Rotate(A.Rotate):  # AlbumentationsX keeps the angle in `angle_range`
        def __init__(self, angle_range: tuple[float, float], p: float = 0.5) -> None:
            super().__init__(p=p)
            self.angle_range = angle_range
            del self.limit

        def get_transform_init_args_names(self) -> tuple[str, ...]:
            return ("angle_range",)

    Rotate.__module__ = "albumentations.augmentations.geometric.rotate"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe = A.Compose([Rotate(angle_range=(-5, 5), p=1.0)])
    node = read_pipeline(pipe).children[0]
    assert node.params["limit"] == (-5, 5) and "angle_range" not in node.params
    assert safeaug.validate(pipe, "chest_xray").ok


# ------------------------------------------------------------------ dialects, lines, several pipelines


def test_hydra_nesting_partial_and_positional_args_with_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "conf.yaml",
        "train:\n"
        "  aug:\n"
        "    _target_: albumentations.Compose\n"
        "    _args_:\n"
        "      - - _target_: albumentations.OneOf\n"
        "          transforms:\n"
        "            - _target_: albumentations.Rotate\n"
        "              _partial_: true\n"
        "              _args_: [7]\n"
        "val:\n"
        "  aug:\n"
        "    _target_: albumentations.Resize\n"
        "    _args_: [64, 64]\n",
    )
    train, val = read_config(path)
    assert train.location == "train.aug" and val.location == "val.aug" and val.line == 12
    rotate = train.children[0].children[0]
    assert (rotate.name, dict(rotate.params), rotate.line) == ("Rotate", {"limit": 7}, 7)
    assert rotate.location == "train.aug.transforms[0].transforms[0]"


def test_a_hydra_target_is_never_resolved(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    path = _write(
        tmp_path,
        "evil.yaml",
        f"transform:\n  _target_: albumentations.Compose\n  transforms:\n"
        f"    - _target_: os.system\n      _args_: ['touch {sentinel}']\n",
    )
    report = safeaug.validate(path, "natural")
    assert report.codes() == ["SA401"] and report.findings[0].transform == "os.system"
    assert report.findings[0].line == 4 and not sentinel.exists()


def test_a_users_class_where_a_pipeline_belongs_fails_closed(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.yaml", "model: {lr: 0.1}\ntrain_transform:\n  _target_: mylib.aug.Smear\n")
    (root,) = read_config(path)
    assert root.name == "mylib.aug.Smear" and safeaug.validate(path, "natural").codes() == ["SA401"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "ci.yaml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
        ),
        ("opt.yaml", "optimizer: {name: Adam, params: {lr: 0.001}}\n"),
        ("pkg.json", '{"name": "x", "version": "1.0"}'),
        ("util.py", "import os\n\ndef f(x):\n    return os.path.join(x, 'a')\n"),
        # mmengine lists of `type=` dicts that are no data pipeline (a `train_pipeline` list is one: see
        # tests/readers/test_mmengine_steps.py)
        ("mm.py", "model = dict(type='FasterRCNN')\nparam_scheduler = [dict(type='LinearLR'), dict(type='PolyLR')]\n"),
    ],
)
def test_files_without_a_pipeline_give_an_empty_list(tmp_path: Path, name: str, text: str) -> None:
    assert read_config(_write(tmp_path, name, text)) == []


def test_jsonargparse_class_name_and_name_params(tmp_path: Path) -> None:
    jsonarg = _write(
        tmp_path,
        "cli.yaml",
        "transform:\n  class_path: albumentations.Compose\n  init_args:\n    transforms:\n"
        "      - class_path: albumentations.HorizontalFlip\n        init_args: {p: 0.5}\n",
    )
    (root,) = read_config(jsonarg)
    assert root.children[0].name == "HorizontalFlip" and root.children[0].line == 5
    named = _write(tmp_path, "n.json", '{"aug": [\n {"name": "Rotate", "params": {"limit": 3}},\n {"name": "Blur"}\n]}')
    (root,) = read_config(named)
    assert root.location == "aug" and [(c.name, c.line) for c in root.children] == [("Rotate", 2), ("Blur", 3)]
    cls = _write(
        tmp_path, "c.yaml", "pipe:\n  class_name: OneOf\n  params:\n    transforms:\n      - {class_name: Blur}\n"
    )
    (root,) = read_config(cls)
    assert root.mode == "one_of" and root.children[0].line == 5


def test_mmdet_albu_reads_variables_and_reports_each_pipeline_once(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "cfg.py",
        "albu = [\n    dict(type='Rotate', limit=40),\n]\n"
        "train_pipeline = [dict(type='LoadImageFromFile'), dict(type='Albu', transforms=albu)]\n"
        "test_pipeline = [dict(type='Albu', transforms=[dict(type='HorizontalFlip')])]\n"
        "data = dict(train=dict(pipeline=train_pipeline), test=dict(pipeline=test_pipeline))\n",
    )
    roots = read_config(path)
    assert [r.location for r in roots] == ["train_pipeline[1]", "test_pipeline[0]"]
    assert roots[0].children[0].line == 2 and roots[1].children[0].line == 5
    assert safeaug.validate(path, "chest_xray").codes() == ["SA102", "SA101"]


def test_python_source_roots_are_named_by_variable_or_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "aug.py",
        "from albumentations import Compose, Rotate\nimport albumentations as alb\n"
        "K = -3\n"
        "train = Compose([Rotate(limit=(K, 5)), alb.OneOf([alb.Blur(blur_limit=3)], p=0.5)])\n"
        "def make():\n    base = [alb.HorizontalFlip()]\n    return alb.Compose([*base, alb.Resize(8, 8)])\n",
    )
    train, other = read_config(path)
    assert train.location == "train" and dict(train.children[0].params) == {"limit": (-3, 5)}
    assert other.location == "line 7" and [c.name for c in other.children] == ["HorizontalFlip", "Resize"]
    assert other.children[0].line == 6


def test_unreadable_python_arguments_are_errors_not_guesses(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "aug.py",
        "import albumentations as A\nimport random\n"
        "t = A.Compose([A.Rotate(limit=random.randint(0, 90)), A.Affine(**cfg)])\n"
        "u = A.Compose(load_transforms())\n",
    )
    report = safeaug.validate(path, "natural")
    bad = [(f.code, f.line, f.severity) for f in report.findings if f.code == "SA501"]
    assert bad == [("SA501", 3, "error"), ("SA501", 3, "error"), ("SA501", 4, "error")]
    assert all("cannot be read" in f.message and f.fix for f in report.findings if f.code == "SA501")


def test_python_is_parsed_never_run(tmp_path: Path) -> None:
    sentinel = tmp_path / "ran"
    path = _write(
        tmp_path,
        "evil.py",
        f"import os\nimport albumentations as A\nos.system('touch {sentinel}')\n"
        f"open({str(sentinel)!r}, 'w').write('x')\nt = A.Compose([A.Blur(p=eval('1'))])\n",
    )
    read_config(path)
    safeaug.validate(path, "natural")
    assert not sentinel.exists()


# ------------------------------------------------------------------ hostile input


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("deep.yaml", "a: " + "[" * 10_000 + "]" * 10_000 + "\n", "nesting"),
        ("deep_block.yaml", "a:\n" + "".join(" " * i + "- \n" for i in range(1, 3000)), "nesting"),
        ("deep.json", '{"transform": ' + "[" * 10_000 + "]" * 10_000 + "}", "nesting|invalid JSON"),
        ("deep.py", "import albumentations as A\nx = " + "[" * 10_000 + "]" * 10_000 + "\n", "nest|invalid Python"),
        ("deep2.py", "import albumentations as A\nx = A.Rotate(limit=" + "-" * 10_000 + "1)\n", "nest|invalid Python"),
    ],
)
def test_absurd_nesting_ends_quickly_with_a_clear_error(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = _write(tmp_path, name, text)
    start = time.perf_counter()
    with pytest.raises(safeaug.ConfigError, match=message) as info:
        read_config(path)
    assert time.perf_counter() - start < 1.0
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("bad.py", "import albumentations as A\n\nt = A.Compose([A.Blur(]\n", 3),
        ("bad.yaml", "transform:\n  _target_: albumentations.Compose\n  transforms: [\n", 4),
        ("bad.json", '{\n  "transform": {\n    "__class_fullname__": "Compose",,\n  }\n}\n', 3),
    ],
)
def test_malformed_files_name_file_and_line(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(safeaug.ConfigError) as info:
        read_config(path)
    assert info.value.path == str(path) and info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: invalid")


def test_no_reader_imports_albumentations(tmp_path: Path) -> None:
    files = {
        "a.yaml": "t:\n  _target_: albumentations.Compose\n  transforms: [{_target_: albumentations.Blur}]\n",
        "b.json": '[{"name": "Blur"}]',
        "c.py": "import albumentations as A\nt = A.Compose([A.Blur()])\n",
        "d.py": "p = [dict(type='Albu', transforms=[dict(type='Blur')])]\n",
        "e.yaml": "t: {class_path: albumentations.Blur}\n",
    }
    for name, text in files.items():
        _write(tmp_path, name, text)
    code = (
        "import sys, safeaug\nfrom safeaug.readers import read_config\n"
        f"for name in {sorted(files)!r}:\n"
        f"    assert read_config({str(tmp_path)!r} + '/' + name), name\n"
        f"    safeaug.validate({str(tmp_path)!r} + '/' + name, 'natural')\n"
        "print(sorted(m for m in ('albumentations', 'cv2', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ------------------------------------------------------------------ more dialect edges


def test_an_albumentationsx_only_class_is_an_unknown_transform_not_an_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "x.yaml",
        "t:\n  _target_: albumentations.Compose\n  transforms:\n    - {_target_: albumentations.GridMask}\n",
    )
    report = safeaug.validate(path, "natural")
    assert report.codes() == ["SA401"] and report.findings[0].transform == "GridMask"


def test_a_hydra_target_that_hydra_cannot_import_fails_closed(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "a.yaml", "t:\n  _target_: albumentations.Compose\n  transforms:\n    - {_target_: A.Blur}\n"
    )
    assert safeaug.validate(path, "natural").codes() == ["SA401"]


def test_bad_structure_is_a_config_error_with_file_line_and_hint(tmp_path: Path) -> None:
    typo = _write(tmp_path, "n.json", '{"aug": [\n {"name": "Rotate"},\n {"name": "HorizontalFlp"}\n]}')
    with pytest.raises(safeaug.ConfigError, match=r"n.json:3: unknown transform 'HorizontalFlp'.*'HorizontalFlip'"):
        read_config(typo)
    args = _write(tmp_path, "h.yaml", "t:\n  _target_: albumentations.Blur\n  _args_: [3, 0.5, 7]\n")
    with pytest.raises(safeaug.ConfigError, match=r"h.yaml:2: Blur.*`_args_` has 3 values"):
        read_config(args)


def test_read_file_wants_exactly_one_pipeline(tmp_path: Path) -> None:
    two = _write(tmp_path, "two.yaml", "a: {_target_: albumentations.Blur}\nb: {_target_: albumentations.Blur}\n")
    with pytest.raises(safeaug.ConfigError, match="2 pipelines"):
        read_pipeline(two)
    none = _write(tmp_path, "none.yaml", "a: 1\n")
    with pytest.raises(safeaug.ConfigError, match="no augmentation pipeline"):
        safeaug.validate(none, "natural")


def test_with_1x_installed_its_arguments_run_and_albumentationsx_names_are_dropped(installed: Any) -> None:
    installed(Installed("1.x", "albumentations 1.4.24", True))
    old = read_pipeline({"__class_fullname__": "GaussNoise", "var_limit": 100.0, "always_apply": True, "p": 0.0})
    assert old.p == 1.0 and not old.notes and not old.alt_params
    x = read_pipeline({"__class_fullname__": "Blur", "blur_range": [3, 9]})
    assert dict(x.params) == {"blur_limit": [3, 9]} and x.alt_params == ({},)
    assert "albumentations 1.4.24 ignores it" in x.notes[0].message


def test_the_installed_line_comes_from_dist_info_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "albumentationsx-2.5.1.dist-info").mkdir()
    (tmp_path / "albumentations-1.4.24.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    found = _installed._distributions(("albumentationsx", "albumentations"))
    assert found == {"albumentationsx": "2.5.1", "albumentations": "1.4.24"}
    vocabulary.installed_line.cache_clear()
    try:
        assert vocabulary.installed_line() == Installed("X", "AlbumentationsX 2.5.1", True)
        monkeypatch.setattr(sys, "path", [str(tmp_path / "nothing")])
        vocabulary.installed_line.cache_clear()
        nothing = vocabulary.installed_line()
        assert nothing.line == "2.0" and not nothing.found and "assumed" in nothing.label
    finally:
        vocabulary.installed_line.cache_clear()


def test_an_unreadable_probability_is_read_as_may_run(tmp_path: Path) -> None:
    # Its worst case: the transform may run, so it is judged; the probability alone is no error.
    path = _write(tmp_path, "p.py", "import albumentations as A\nt = A.Compose([A.HorizontalFlip(p=P)])\n")
    report = safeaug.validate(path, "chest_xray")
    assert sorted(report.codes()) == ["SA101"]
    path = _write(tmp_path, "q.py", "import albumentations as A\nt = A.Compose([A.Rotate(limit=5, p=cfg.p)])\n")
    assert safeaug.validate(path, "chest_xray").ok


def test_a_large_data_file_is_not_a_pipeline_but_a_large_config_is_refused(tmp_path: Path) -> None:
    data = _write(tmp_path, "annotations.json", '{"images": [' + ", ".join(['{"id": 1}'] * 600_000) + "]}")
    assert data.stat().st_size > 5 * 1024 * 1024 and read_config(data) == []
    config = _write(tmp_path, "huge.yaml", "t: {_target_: albumentations.Blur}\n" + "# padding\n" * 600_000)
    with pytest.raises(safeaug.ConfigError, match="larger than 5 MiB"):
        read_config(config)


def test_only_unreadable_arguments_that_decide_the_effect_are_errors(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "fn.py",
        "import albumentations as A\n\ndef make(size, angle):\n    return A.Compose([\n"
        "        A.Resize(size, size, interpolation=interp),\n"
        "        A.Rotate(limit=angle),\n"
        "    ])\n",
    )
    report = safeaug.validate(path, "natural")
    assert [(f.code, f.line) for f in report.findings if f.code == "SA501"] == [("SA501", 6)]
    assert "`limit`" in next(f.message for f in report.findings if f.code == "SA501")


def test_a_saved_transforms_class_name_is_never_read_as_an_argument() -> None:
    saved = {
        "__class_fullname__": "Compose",
        "transforms": [
            {"__class_fullname__": "safeaug.labels.HorizontalFlipWithSteering", "key": "angle", "p": 0.5},
            {"__class_fullname__": "my_project.augment.Smudge", "radius": 3},
            {"__class_fullname__": "Rotate", "limit": 10, "id": 9},
            {"__class_fullname__": "safeaug.auto.RandAugment", "policy": "ocr", "params": {"min_text_px": 6}},
        ],
    }
    kids = read_pipeline(saved).children
    assert [dict(k.params) for k in kids[:3]] == [{"key": "angle"}, {"radius": 3}, {"limit": 10}]
    assert kids[3].params["params"] == {"min_text_px": 6}  # an argument of safeaug.auto's classes


def test_an_albumentationsx_argument_the_catalog_does_not_model_is_not_judged_by_its_entry(installed: Any) -> None:
    installed(ON_X)
    config = {"__class_fullname__": "Illumination", "mode": "gaussian", "num_spots_range": [6, 6]}
    note = read_pipeline(config).notes[0]
    assert note.code == "SA401" and note.severity == "error" and "`num_spots_range`" in note.message
    assert "probe=True" in note.fix
    # an AlbumentationsX-only argument that only narrows the transform is read as before
    assert read_pipeline({"__class_fullname__": "RandomRotate90", "group_elements": ["e", "r180"]}).notes == ()
    installed(ON_2_0)  # on 2.0.x it is an argument the installed line ignores
    assert read_pipeline(config).notes[0].code == "SA502"


# ------------------------------------------------------------------------- mmengine steps beside Albu

_ALBU = "dict(type='Albu', transforms=[dict(type='Blur', blur_limit=3, p=0.1)])"


@pytest.mark.parametrize(
    ("step", "codes"),
    [
        ("dict(type='RandomFlip', prob=0.5)", {"SA101"}),  # mmcv 2.x: horizontal by default
        ("dict(type='RandomFlip', flip_ratio=0.5, direction='vertical')", {"SA101", "SA102"}),  # mmdet 2.x
        ("dict(type='RandomFlip', prob=[0.5, 0.0], direction=['diagonal', 'horizontal'])", {"SA102"}),
        ("dict(type='RandomFlip', prob=0.0)", set()),  # never flips
        ("dict(type='RandomFlip')", {"SA101"}),  # no probability written: the worst case
        ("dict(type='RandomFlip', prob=0.5, direction='sideways')", {"SA401"}),
        ("dict(type='RandomResize', scale=(1333, 800), ratio_range=(0.1, 2.0))", {"SA103"}),  # a 0.1-2x zoom
        ("dict(type='RandomResize', scale=[(1333, 640), (1333, 800)], keep_ratio=True)", {"SA401"}),  # unread
        ("dict(type='Normalize', mean=[0, 0, 0], std=[1, 1, 1])", set()),
    ],
)
def test_mmengine_steps_beside_an_albu_wrapper_are_judged(tmp_path: Path, step: str, codes: set[str]) -> None:
    text = f"train_pipeline = [\n    dict(type='LoadImageFromFile'),\n    {_ALBU},\n    {step},\n]\n"
    path = tmp_path / "config.py"
    path.write_text(text)
    report = safeaug.validate(path, "chest_xray")
    assert {f.code for f in report.findings if f.severity == "error"} == codes
    assert {f.line for f in report.findings} <= {4}
    assert all(f.transform in ("RandomFlip", "RandomResize", None) or f.code == "SA401" for f in report.findings)


@pytest.mark.parametrize(
    ("item", "words"),
    [
        # Hydra builds the flip (albumentations ignores the extra key with a warning); from_dict builds NoOp
        ("{_target_: albumentations.HorizontalFlip, __class_fullname__: NoOp, p: 1.0}", "`_target_: albumentations"),
        ("{_target_: albumentations.NoOp, class_path: albumentations.VerticalFlip}", "`class_path: albumentations"),
        ("{_target_: albumentations.NoOp, class_name: Transpose}", "`class_name: Transpose`"),
    ],
)
def test_a_transform_that_names_two_classes_is_a_clear_error(tmp_path: Path, item: str, words: str) -> None:
    path = tmp_path / "aug.yaml"
    path.write_text(f"_target_: albumentations.Compose\ntransforms:\n  - {item}\n")
    with pytest.raises(safeaug.ConfigError, match="names two classes") as caught:
        read_config(path)
    assert caught.value.line == 3 and words in str(caught.value)


def test_name_and_type_arguments_of_other_classes_are_not_a_second_class(tmp_path: Path) -> None:
    path = tmp_path / "aug.yaml"
    path.write_text(
        "_target_: albumentations.Compose\ntransforms:\n  - {_target_: albumentations.Lambda, name: Rotate}\n"
    )
    [root] = read_config(path)
    assert [c.name for c in root.children] == ["Lambda"]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("aug.yaml", "train_aug:\n  - Rotate: {limit: 10}\n  - HorizontalFlip\n", 3),
        ("aug.json", '{"train_aug": [{"Rotate": {"limit": 10}},\n  "HorizontalFlip"]}\n', 2),
    ],
)
def test_a_bare_class_name_in_a_list_of_transforms_is_read(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = tmp_path / name
    path.write_text(text)
    report = safeaug.validate(path, "chest_xray")
    assert ("SA101", line) in [(f.code, f.line) for f in report.findings]


def test_a_class_no_dialect_knows_beside_known_transforms_does_not_hide_them(tmp_path: Path) -> None:
    path = tmp_path / "aug.yaml"
    path.write_text(
        "train_aug:\n  - Rotate: {limit: 10}\n  - HorizontalFlip: {p: 1}\n  - GridMaskOfOurs: {ratio: 0.5}\n"
    )
    with pytest.raises(safeaug.ConfigError, match="unknown transform 'GridMaskOfOurs'") as caught:
        read_config(path)
    assert caught.value.line == 4


def test_a_mapping_from_class_names_to_arguments_is_a_pipeline(tmp_path: Path) -> None:
    # A builder makes `[getattr(A, name)(**args) for name, args in cfg.items()]` of it, in the mapping's order.
    path = tmp_path / "aug.yaml"
    path.write_text("augmentations:\n  RandomBrightnessContrast: {p: 0.2}\n  HorizontalFlip:\n    p: 0.5\n")
    [root] = read_config(path)
    assert [(c.name, c.line) for c in root.children] == [("RandomBrightnessContrast", 2), ("HorizontalFlip", 3)]
    assert [(f.code, f.line) for f in safeaug.validate(path, "chest_xray").findings] == [("SA101", 3)]


@pytest.mark.parametrize(
    "text",
    [
        "classes: {Cat: {id: 1}, Dog: {id: 2}}\n",  # no albumentations class among the keys
        "weights: {HorizontalFlip: 0.5}\n",  # values that are not arguments
        "aug:\n  HorizontalFlip: {_target_: albumentations.NoOp}\n",  # labels of transforms written out
    ],
)
def test_other_mappings_keyed_by_names_are_not_pipelines(tmp_path: Path, text: str) -> None:
    path = tmp_path / "aug.yaml"
    path.write_text(text)
    assert [root.name for root in read_config(path)] == (["NoOp"] if "NoOp" in text else [])


def test_mmengine_pure_python_configs_name_their_steps_by_imported_classes(tmp_path: Path) -> None:
    text = (
        "from mmcv.transforms import LoadImageFromFile, RandomFlip\n"
        "from mmdet.datasets.transforms import Albu, PackDetInputs\n\n"
        "train_pipeline = [\n"
        "    dict(type=LoadImageFromFile),\n"
        "    dict(type=Albu, transforms=[dict(type='Blur', blur_limit=3, p=0.1)]),\n"
        "    dict(type=RandomFlip, prob=0.5),\n"
        "    dict(type=PackDetInputs),\n"
        "]\n"
    )
    path = tmp_path / "config.py"
    path.write_text(text)
    report = safeaug.validate(path, "chest_xray")
    assert [(f.code, f.line, f.transform) for f in report.findings] == [("SA101", 7, "RandomFlip")]


def test_a_replay_record_runs_what_it_marks_applied_whatever_its_p(tmp_path: Path) -> None:
    image = np.arange(6 * 8 * 3, dtype=np.uint8).reshape(6, 8, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        record = A.ReplayCompose([A.HorizontalFlip(p=1.0)])(image=image)["replay"]
        record["transforms"][0]["p"] = 0.0  # an edit that leaves the flip marked applied
        assert np.array_equal(A.ReplayCompose.replay(record, image=image)["image"], image[:, ::-1])
    path = tmp_path / "replay.json"
    path.write_text(json.dumps({"transform": record}, default=str))
    assert "SA101" in safeaug.validate(path, "chest_xray").codes()
