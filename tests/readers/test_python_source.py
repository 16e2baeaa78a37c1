"""Python source reaching albumentations under other names: each is followed or refused, never skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeaug


def _run(text: str) -> dict[str, Any]:
    """What the source builds when it runs (the test runs it to know the truth; the linter never does)."""
    scope: dict[str, Any] = {"__name__": "config"}
    exec(compile(text, "config.py", "exec"), scope)
    return scope


def _lint(tmp_path: Path, text: str) -> safeaug.Report:
    """The verdict on ``text`` as a Python config under chest_xray."""
    path = tmp_path / "train.py"
    path.write_text(text)
    return safeaug.validate(path, "chest_xray")


def _mirrors(pipeline: Any) -> bool:
    image = np.arange(8 * 8 * 3, dtype=np.uint8).reshape(8, 8, 3)
    out = pipeline(image=image)["image"]
    return bool(np.array_equal(out, image[:, ::-1]))


# Each builds a pipeline that always mirrors, through a name that is not the import itself.
FOLLOWED = {
    "module alias": "import albumentations as alb\nT = alb\nflip = T.Compose([T.HorizontalFlip(p=1)])\n",
    "tuple alias": "import albumentations as A\nT, U = A, A\nflip = T.Compose([U.HorizontalFlip(p=1)])\n",
    "alias of an alias": "import albumentations as A\nT = A\nU = T\nflip = U.Compose([U.HorizontalFlip(p=1)])\n",
    "class aliases": (
        "import albumentations as A\nFlip = A.HorizontalFlip\nComp = A.Compose\nflip = Comp([Flip(p=1)])\n"
    ),
    "import_module": (
        "import importlib\nA = importlib.import_module('albumentations')\nflip = A.Compose([A.HorizontalFlip(p=1)])\n"
    ),
}


@pytest.mark.parametrize("text", FOLLOWED.values(), ids=FOLLOWED.keys())
def test_albumentations_under_another_name_is_read(tmp_path: Path, text: str) -> None:
    assert _mirrors(_run(text)["flip"])
    report = _lint(tmp_path, text)
    assert ("SA101", text.count("\n")) in {(f.code, f.line) for f in report.findings}


# Albumentations handed on as a value: what is built through it cannot be followed.
PASSED_ON = {
    "parameter default": (
        "import albumentations as A\n\ndef build(lib=A):\n    return lib.Compose([lib.HorizontalFlip(p=1)])\n"
        "flip = build()\n",
        3,
    ),
    "class attribute": (
        "import albumentations as A\n\nclass Cfg:\n    aug = A\n\n"
        "flip = Cfg.aug.Compose([Cfg.aug.HorizontalFlip(p=1)])\n",
        4,
    ),
    "registry of classes": (
        "import albumentations as A\n\nREGISTRY = {'flip': A.HorizontalFlip}\nflip = REGISTRY['flip'](p=1)\n",
        3,
    ),
    "getattr": ("import albumentations as A\n\nflip = getattr(A, 'Horizontal' + 'Flip')(p=1)\n", 3),
}


@pytest.mark.parametrize(("text", "line"), PASSED_ON.values(), ids=PASSED_ON.keys())
def test_albumentations_passed_on_as_a_value_is_unreadable(tmp_path: Path, text: str, line: int) -> None:
    assert _mirrors(_run(text)["flip"])
    report = _lint(tmp_path, text)
    assert not report.ok
    [finding] = [f for f in report.findings if f.code == "SA501"]
    assert finding.line == line and "cannot be followed without running the code" in finding.message


def test_tests_annotations_and_base_classes_are_not_values(tmp_path: Path) -> None:
    text = (
        "try:\n    import albumentations as A\nexcept ImportError:\n    A = None\n\n"
        "class Invert(A.ImageOnlyTransform):\n    def apply(self, img: A.BasicTransform, **params: object) -> object:\n"
        "        return img\n\n"
        "def check(t: A.BasicTransform) -> bool:\n    if A is None or not A:\n        return False\n"
        "    return isinstance(t, (A.HorizontalFlip, A.VerticalFlip)) or type(t) in (A.Rotate,)\n\n"
        "train = A.Compose([A.Rotate(limit=10)], bbox_params=A.BboxParams('coco'))\n"
        "match train.transforms[0]:\n    case A.HorizontalFlip():\n        pass\n"
    )
    report = _lint(tmp_path, text)
    assert [f.code for f in report.findings if f.code == "SA501"] == []


# Each builds a pipeline as written without a mirror, then changes it so that it mirrors.
CHANGED = {
    "a transform's p through the pipeline": (
        "import albumentations as A\nflip = A.Compose([A.HorizontalFlip(p=0.0)])\nflip.transforms[0].p = 1.0\n",
        2,
    ),
    "setattr on a transform it holds": (
        "import albumentations as A\nhflip = A.HorizontalFlip(p=0.0)\nflip = A.Compose([hflip])\n"
        "setattr(hflip, 'p', 1.0)\n",
        3,
    ),
    "object.__setattr__ on a transform it holds": (
        "import albumentations as A\nhflip = A.HorizontalFlip(p=0.0)\nobject.__setattr__(hflip, 'p', 1.0)\n"
        "flip = A.Compose([hflip])\n",
        4,
    ),
    "__setattr__ through the pipeline": (
        "import albumentations as A\nflip = A.Compose([A.HorizontalFlip(p=0.0)])\n"
        "flip.transforms[0].__setattr__('p', 1.0)\n",
        2,
    ),
    "an attribute of an object": (
        "import albumentations as A\n\nclass Aug:\n    def __init__(self) -> None:\n"
        "        self.t = A.Compose([A.HorizontalFlip(p=0.0)])\n        self.t.transforms[0].p = 1.0\n\n"
        "flip = Aug().t\n",
        5,
    ),
}


@pytest.mark.parametrize(("text", "line"), CHANGED.values(), ids=CHANGED.keys())
def test_a_pipeline_changed_after_it_is_built_is_unreadable(tmp_path: Path, text: str, line: int) -> None:
    assert _mirrors(_run(text)["flip"])
    report = _lint(tmp_path, text)
    assert not report.ok
    assert line in [f.line for f in report.findings if f.code == "SA501"]


def test_a_pipeline_assigned_to_an_attribute_and_only_used_is_not_changed(tmp_path: Path) -> None:
    text = (
        "import albumentations as A\n\nclass Aug:\n    def __init__(self) -> None:\n"
        "        self.t = A.Compose([A.Rotate(limit=5)])\n        self.tt = 3\n\n"
        "    def __call__(self, image: object) -> object:\n        return self.t(image=image)\n"
    )
    assert not _lint(tmp_path, text).findings


def test_lists_joined_with_plus_keep_each_transforms_line(tmp_path: Path) -> None:
    text = (
        "import albumentations as A\nBASE = [A.Rotate(limit=10, p=0.0)]\nflip = A.Compose(\n    BASE\n    + [\n"
        "        A.HorizontalFlip(p=1),\n    ]\n)\n"
    )
    assert _mirrors(_run(text)["flip"])
    report = _lint(tmp_path, text)
    assert [(f.code, f.line, f.location) for f in report.findings] == [("SA101", 6, "flip.transforms[1]")]


# A list comprehension over a literal list is read item by item (the test runs it to know the truth).
COMPREHENDED = {
    "over a constant": (
        "import albumentations as A\nPS = [0.0, 1.0]\nflip = A.Compose([A.HorizontalFlip(p=q) for q in PS])\n",
        [("SA101", 3, "flip.transforms[1]")],
    ),
    "over a literal tuple, shadowing a constant": (
        "import albumentations as A\nq = 0.0\nflip = A.Compose([A.HorizontalFlip(p=q) for q in (0.0, 1.0)])\n",
        [("SA101", 3, "flip.transforms[1]")],
    ),
    "with a condition": (
        "import albumentations as A\nPS = [0.0, 1.0]\nflip = A.Compose([A.HorizontalFlip(p=q) for q in PS if q])\n",
        [("SA501", 3, "flip")],
    ),
    "over a computed range": (
        "import albumentations as A\nflip = A.Compose([A.HorizontalFlip(p=q) for q in range(2)])\n",
        [("SA501", 2, "flip")],
    ),
}


@pytest.mark.parametrize(("text", "found"), COMPREHENDED.values(), ids=COMPREHENDED.keys())
def test_a_list_comprehension_over_a_literal_list_is_read_item_by_item(
    tmp_path: Path, text: str, found: list[tuple[str, int, str]]
) -> None:
    assert _mirrors(_run(text)["flip"])  # each of these mirrors when it runs
    report = _lint(tmp_path, text)
    assert [(f.code, f.line, f.location) for f in report.findings] == found


# Each assigns a mild limit, then may rebind the name (to whatever a module holds) before the pipeline reads
# it: what the limit is cannot be known without running the code.
REBOUND = {
    "imported over": "LIMIT = 10\nfrom math import pi as LIMIT\n",
    "star import of settings": "LIMIT = 10\ntry:\n    from local_settings import *\nexcept ImportError:\n    pass\n",
    "globals()": "LIMIT = 10\nglobals()['LIMIT'] = 170\n",
    "exec": "LIMIT = 10\nexec('LIMIT = 170')\n",
}


@pytest.mark.parametrize("head", REBOUND.values(), ids=REBOUND.keys())
def test_a_constant_rebound_after_its_assignment_is_unreadable(tmp_path: Path, head: str) -> None:
    text = "import albumentations as A\n" + head + "flip = A.Compose([A.Rotate(limit=LIMIT, p=1.0)])\n"
    report = _lint(tmp_path, text)
    assert [f.code for f in report.findings] == ["SA501"]


def test_a_constant_assigned_after_a_star_import_is_read(tmp_path: Path) -> None:
    text = "import albumentations as A\nfrom math import *\nLIMIT = 170\nflip = A.Compose([A.Rotate(limit=LIMIT)])\n"
    assert [f.code for f in _lint(tmp_path, text).findings] == ["SA102"]


@pytest.mark.parametrize(
    ("call", "spelt"), [("A.Rotate(*ARGS)", "`Rotate(*ARGS)`"), ("A.Rotate(**KW)", "`Rotate(**KW)`")]
)
def test_unpacked_arguments_are_quoted_as_written(tmp_path: Path, call: str, spelt: str) -> None:
    [finding] = _lint(
        tmp_path, f"import albumentations as A\nARGS = (170,)\nKW = {{'limit': 170}}\nt = A.Compose([{call}])\n"
    ).findings
    assert finding.code == "SA501" and finding.message.startswith(spelt)


def test_a_transform_got_by_an_expression_is_named_as_written(tmp_path: Path) -> None:
    assert [
        f.transform
        for f in _lint(
            tmp_path, "import albumentations as A\nt = A.Compose([getattr(A, 'HorizontalFlip')(p=1), Mine()])\n"
        ).findings
    ] == [
        "getattr(A, 'HorizontalFlip')",
        "train.Mine",
    ]


def test_albumentations_passed_on_many_times_on_a_line_is_one_finding(tmp_path: Path) -> None:
    assert [
        (f.code, f.line)
        for f in _lint(tmp_path, "import albumentations as A\nLIBS = [A, A, A]\nMORE = {'a': A}\n").findings
    ] == [("SA501", 2), ("SA501", 3)]


ITEMS = {
    "a tuple's item": ("S = (10, 170)\n", "S[1]", ["SA102"]),
    "from the end": ("S = (10, 170)\n", "S[-1]", ["SA102"]),
    "a dict's item": ("C = {'limit': 170, 'p': 1.0}\n", "C['limit']", ["SA102"]),
    "within the bound": ("S = (10, 170)\n", "S[0]", []),
    "a list changed in place": ("S = [10, 20]\nS[1] = 170\n", "S[1]", ["SA501"]),
    "a list grown": ("S = [10, 20]\nS.append(170)\n", "S[-1]", ["SA501"]),
    "a slice": ("S = (10, 170)\n", "S[0:2]", ["SA501"]),
    "past the end": ("S = (10, 170)\n", "S[2]", ["SA501"]),
    "a name not assigned a literal": ("S = make()\n", "S[0]", ["SA501"]),
}


@pytest.mark.parametrize(("head", "item", "codes"), ITEMS.values(), ids=ITEMS.keys())
def test_an_item_of_a_literal_is_read_and_anything_else_is_unreadable(
    tmp_path: Path, head: str, item: str, codes: list[str]
) -> None:
    # mmengine configs size their steps with `img_scale[0] // 2`: a number picked out of a literal is read
    text = f"import albumentations as A\n{head}t = A.Compose([A.Rotate(limit={item}, p=1.0)])\n"
    assert [f.code for f in _lint(tmp_path, text).findings] == codes


def test_an_item_of_a_list_of_transforms_stays_unreadable_and_reads_nothing_twice(tmp_path: Path) -> None:
    report = _lint(tmp_path, "import albumentations as A\nAUGS = [A.HorizontalFlip(p=1)]\nt = A.Compose([AUGS[0]])\n")
    assert [(f.code, f.line) for f in report.findings] == [("SA101", 2), ("SA501", 3)]


def test_a_class_of_another_library_named_by_albumentations_key_takes_no_argument_by_that_name() -> None:
    # `{"__class_fullname__": "torchvision.transforms.v2.MixUp"}`: the key names the class, it is not an argument
    report = safeaug.validate(
        {"__class_fullname__": "Compose", "transforms": [{"__class_fullname__": "torchvision.transforms.v2.MixUp"}]},
        "natural",
    )
    assert report.ok and report.envelope.mixing
