"""timm training settings (a ``--config`` file, a run's ``args.yaml``) read as the pipeline timm's training script
builds from them: which mappings are such settings, each setting's transform and line, the script's defaults for
what a file leaves out, settings refused under their own names, and (with timm installed) the same pipeline as
``timm.data.create_transform`` builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import safeaug
from safeaug.lint import lint
from safeaug.readers.timm_settings import DEFAULTS, is_settings, timm_pipeline


def _steps(settings: dict[str, Any]) -> list[tuple[str, str]]:
    """(the transform read, the setting as written) of each step."""
    steps = timm_pipeline(settings)
    assert steps is not None
    return [(item["__class_fullname__"], written) for item, written, _, _ in steps]


def _lint(tmp_path: Path, text: str, policy: str = "chest_xray") -> list[Any]:
    config = tmp_path / "args.yaml"
    config.write_text(text)
    return list(lint([str(config)], policy=policy).findings)


@pytest.mark.parametrize(
    ("mapping", "read"),
    [
        ({"aa": "rand-m9-mstd0.5-inc1"}, True),  # one of timm's strings is enough
        ({"aa": "original-mstd0.5", "model": "resnet50"}, True),
        ({"reprob": 0.25, "remode": "pixel"}, True),  # timm's erasing settings
        ({"train_interpolation": "random", "hflip": 0.0}, True),
        ({"hflip": True, "vflip": False}, False),  # a project's own flip switches: nothing only timm takes
        ({"aa": "randomly"}, False),  # not one of timm's strings (timm's factories would refuse it)
        ({"remode": "pixel", "model": "resnet50"}, False),  # only timm takes it, but nothing here augments
        ({"fliplr": 0.5, "hsv_h": 0.015}, False),  # Ultralytics'
        ({"__class_fullname__": "HorizontalFlip", "reprob": 0.5}, False),  # a transform written out
    ],
)
def test_which_mappings_are_a_timm_runs_settings(mapping: dict[str, Any], read: bool) -> None:
    assert is_settings(mapping) is read


def test_the_pipeline_in_timms_order_with_its_defaults_named() -> None:
    steps = _steps({"aa": "rand-m9-mstd0.5-inc1", "reprob": 0.25, "mixup": 0.8, "cutmix": 1.0})
    assert steps == [
        ("torchvision.transforms.RandomResizedCrop", "scale: [0.08, 1.0] (timm's default)"),
        ("Sequential", "hflip: 0.5 (timm's default)"),  # (a coin: the flip with the setting's chance)
        ("timm.data.rand_augment_transform", "aa: 'rand-m9-mstd0.5-inc1'"),
        # no ColorJitter: timm turns it off beside an automatic augmentation
        ("Sequential", "reprob: 0.25"),
        ("Sequential", "mixup: 0.8"),
        ("Sequential", "cutmix: 1.0"),
    ]


@pytest.mark.parametrize(
    ("settings", "jitter"),
    [
        ({"reprob": 0.0}, [0.4, 0.4, 0.4]),  # the default factor, for brightness, contrast and saturation
        ({"reprob": 0.0, "color_jitter": [0.1, 0.2, 0.3, 0.05]}, [0.1, 0.2, 0.3, 0.05]),
        ({"aa": "3a", "reprob": 0.0}, [0.4, 0.4, 0.4]),  # 3-Augment keeps it
        ({"aa": "rand-m9", "force_color_jitter": True}, [0.4, 0.4, 0.4]),
        ({"aa": "rand-m9", "reprob": 0.0}, None),
    ],
)
def test_colour_jitter_runs_unless_an_automatic_augmentation_turns_it_off(
    settings: dict[str, Any], jitter: list[float] | None
) -> None:
    steps = timm_pipeline(settings)
    assert steps is not None
    found = [item for item, _, _, _ in steps if item["__class_fullname__"] == "torchvision.transforms.ColorJitter"]
    if jitter is None:
        assert found == []
    else:
        assert [[item[k] for k in ("brightness", "contrast", "saturation", "hue") if k in item] for item in found] == [
            jitter
        ]


def test_no_aug_resizes_and_crops_and_does_nothing_else() -> None:
    assert _steps({"no_aug": True, "hflip": 0.5, "aa": "rand-m9", "img_size": 256}) == [
        ("torchvision.transforms.Resize", "no_aug: True"),
        ("torchvision.transforms.CenterCrop", "no_aug: True"),
    ]


def test_the_image_size_comes_from_img_size_or_input_size() -> None:
    for settings, size in (
        ({"reprob": 0.0, "img_size": 320}, [320, 320]),
        ({"reprob": 0.0, "input_size": [3, 256, 192]}, [256, 192]),
        ({"reprob": 0.0}, [224, 224]),
    ):
        steps = timm_pipeline(settings)
        assert steps is not None
        assert steps[0][0]["size"] == size


def test_a_crop_range_left_null_is_timms_own() -> None:
    steps = timm_pipeline({"reprob": 0.0, "scale": None, "ratio": None})  # (timm: `scale or (0.08, 1.0)`)
    assert steps is not None
    assert (steps[0][0]["scale"], steps[0][0]["ratio"], steps[0][1]) == ([0.08, 1.0], [0.75, 4 / 3], "scale: null")


def test_mixing_follows_its_chance_and_cutmix_minmax() -> None:
    assert [w for _, w in _steps({"reprob": 0.0, "mixup": 0.8, "mixup_prob": 0.0})] == [
        "scale: [0.08, 1.0] (timm's default)",
        "hflip: 0.5 (timm's default)",
        "color_jitter: 0.4 (timm's default)",
    ]
    assert ("Sequential", "cutmix: 0.0 (timm's default)") in _steps({"reprob": 0.0, "cutmix_minmax": [0.2, 0.8]})


@pytest.mark.parametrize(
    ("settings", "refused"),
    [
        ({"reprob": 0.0, "hflip": 1.5}, "timm.hflip(1.5)"),
        ({"reprob": 0.0, "hflip": "yes"}, "timm.hflip('yes')"),
        ({"reprob": 0.0, "scale": [1.0, 0.5]}, "timm.scale([1.0, 0.5])"),
        ({"reprob": 0.0, "ratio": [0.75]}, "timm.ratio([0.75])"),
        ({"reprob": 0.0, "train_crop_mode": "rkrc"}, "timm.train_crop_mode('rkrc')"),
        ({"reprob": 0.0, "color_jitter": [0.4, 0.4]}, "timm.color_jitter([0.4, 0.4])"),
        ({"reprob": 0.0, "aa": 9}, "timm.aa(9)"),
        ({"reprob": 0.0, "img_size": "big"}, "timm.img_size('big')"),
        ({"reprob": 0.0, "recount": 0}, "timm.recount(0)"),
        ({"reprob": 2.0}, "timm.reprob(2.0)"),
    ],
)
def test_a_setting_of_the_wrong_kind_is_refused_under_its_own_name(settings: dict[str, Any], refused: str) -> None:
    assert refused in [name for name, _ in _steps(settings)]


def test_findings_sit_on_their_settings_lines_and_speak_timms_settings(tmp_path: Path) -> None:
    findings = _lint(tmp_path, "model: resnet50\naa: rand-m9-mstd0.5-inc1\nreprob: 0.25\nscale: [0.08, 1.0]\n")
    by_code = {(f.code, f.line): f for f in findings}
    mirror = by_code[("SA101", 1)]  # hflip is not in the file: at its first setting
    assert "`hflip: 0.5 (timm's default)`" in mirror.message
    assert mirror.fix.startswith("Set `hflip: 0.0`.") and "timm's default applies" in mirror.fix
    inversion = by_code[("SA201", 2)]
    assert "`aa: 'rand-m9-mstd0.5-inc1'`" in inversion.message
    assert "safeaug.auto.from_string" in inversion.fix
    crop = by_code[("SA108", 4)]
    assert crop.fix.startswith("Set `scale: [0.45, 1.0]` or higher")
    zoom = by_code[("SA103", 4)]
    assert "Set `scale: [0.76, 1.0]` or higher and `ratio: [1.0, 1.0]`" in zoom.fix
    assert ("SA403", 3) in by_code  # a third of the film erased, beyond chest_xray's tenth
    black = by_code[("SA410", 2)]
    assert "timm 1.0.31" in black.message and "Posterize keeps no bit" in black.message


def test_a_refused_setting_says_what_timm_would_take(tmp_path: Path) -> None:
    findings = _lint(tmp_path, "reprob: 0.0\ntrain_crop_mode: rkrc\nhflip: 0.0\nscale: [0.9, 1.0]\n")
    [refused] = [f for f in findings if f.code == "SA401"]
    assert refused.line == 2
    assert "the timm setting `train_crop_mode: 'rkrc'` cannot be read here" in refused.message
    assert "(`rkrc`, `rkrr`)" in refused.message
    assert refused.fix.startswith("Use the default crop")


def test_a_run_safe_for_chest_films_passes(tmp_path: Path) -> None:
    text = (
        "reprob: 0.0\nhflip: 0.0\nscale: [0.8, 1.0]\nratio: [1.0, 1.0]\ncolor_jitter: [0.1, 0.05, 0.0]\n"
        "mixup: 0.0\ncutmix: 0.0\n"
    )
    assert _lint(tmp_path, text) == []


def test_the_defaults_are_timms_train_script_ones() -> None:
    # (the ones a chest-film project most often forgets to turn off)
    assert (DEFAULTS["hflip"], DEFAULTS["scale"], DEFAULTS["color_jitter"]) == (0.5, [0.08, 1.0], 0.4)


def test_validate_reads_a_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "args.yaml"
    config.write_text(yaml.safe_dump({"aa": "original", "hflip": 0.0, "reprob": 0.0}))
    report = safeaug.validate(str(config), "chest_xray")
    assert "SA201" in report.codes() and "SA101" not in report.codes()


# ---------------------------------------------------------------------------------------- against timm itself


def _timm_pipeline(settings: dict[str, Any]) -> list[Any]:
    data = pytest.importorskip("timm.data")
    size = settings.get("img_size", 224)
    return list(
        data.create_transform(
            size,
            is_training=True,
            scale=settings.get("scale", DEFAULTS["scale"]),
            ratio=settings.get("ratio", DEFAULTS["ratio"]),
            hflip=settings.get("hflip", DEFAULTS["hflip"]),
            vflip=settings.get("vflip", DEFAULTS["vflip"]),
            color_jitter=settings.get("color_jitter", DEFAULTS["color_jitter"]),
            auto_augment=settings.get("aa"),
            re_prob=settings.get("reprob", DEFAULTS["reprob"]),
            re_count=settings.get("recount", DEFAULTS["recount"]),
        ).transforms
    )


@pytest.mark.parametrize(
    "settings",
    [
        {"reprob": 0.0},
        {"reprob": 0.25, "hflip": 0.0, "vflip": 0.5, "scale": [0.5, 1.0], "ratio": [0.8, 1.25], "img_size": 192},
        {"reprob": 0.0, "aa": "rand-m9-mstd0.5-inc1", "color_jitter": 0.3},
        {"reprob": 0.0, "aa": "augmix-m5-w3"},
        {"reprob": 0.0, "aa": "original", "color_jitter": [0.1, 0.2, 0.3, 0.1]},
        {"reprob": 0.0, "aa": "3a"},
    ],
)
def test_the_reading_is_the_pipeline_timm_builds(settings: dict[str, Any]) -> None:
    built = _timm_pipeline(settings)
    ours = [item for item, _, _, _ in timm_pipeline(settings) or []]
    # each of ours, unwrapping the coins, against timm's transforms in order (its tensor conversion and
    # normalisation left out: they change no picture)
    kinds = [type(t).__name__ for t in built if type(t).__name__ not in ("MaybeToTensor", "ToTensor", "Normalize")]
    read = []
    for item in ours:
        inner = item["transforms"][0] if item["__class_fullname__"] == "Sequential" else item
        read.append(inner["__class_fullname__"].rsplit(".", 1)[-1])
    names = {
        "RandomResizedCropAndInterpolation": "RandomResizedCrop",
        "RandAugment": "rand_augment_transform",
        "AugMixAugment": "augment_and_mix_transform",
        "AutoAugment": "auto_augment_transform",
    }
    assert [names.get(k, k) for k in kinds] == read
    by_kind = {type(t).__name__: t for t in built}
    crop = by_kind["RandomResizedCropAndInterpolation"]
    assert list(crop.scale) == ours[0]["scale"] and list(crop.ratio) == pytest.approx(ours[0]["ratio"])
    for flip, key in (("RandomHorizontalFlip", "hflip"), ("RandomVerticalFlip", "vflip")):
        if flip in by_kind:
            assert by_kind[flip].p == settings.get(key, DEFAULTS[key])
    if "ColorJitter" in by_kind:
        jitter = next(i for i in ours if i["__class_fullname__"].endswith("ColorJitter"))
        timm_jitter = by_kind["ColorJitter"]
        for factor in ("brightness", "saturation"):
            low, high = getattr(timm_jitter, factor)
            assert (low, high) == (pytest.approx(1 - jitter[factor]), pytest.approx(1 + jitter[factor]))
    if "RandomErasing" in by_kind:
        assert by_kind["RandomErasing"].probability == settings["reprob"]


# ---------------------------------------------------------------------------------------- create_transform in Python


def _lint_python(tmp_path: Path, text: str) -> list[tuple[str, int | None]]:
    script = tmp_path / "train.py"
    script.write_text(text)
    return sorted((f.code, f.line) for f in lint([str(script)], policy="chest_xray").findings)


TRAINING = """import timm
from timm.data import create_transform

train_tf = create_transform(
    320,
    is_training=True,
    hflip=0.0,
    scale=(0.8, 1.0),
    ratio=(1.0, 1.0),
    color_jitter=(0.1, 0.05, 0.0),
    auto_augment="original",
    re_prob=0.25,
)
"""


def test_a_training_transform_built_in_python_is_read_under_its_own_names(tmp_path: Path) -> None:
    found = _lint_python(tmp_path, TRAINING)
    assert ("SA201", 11) in found  # AutoAugment's `original` policy inverts
    assert ("SA403", 12) in found  # re_prob: a third of the film erased
    assert not any(code in ("SA101", "SA103", "SA108") for code, _ in found)  # no flip; the crop keeps 80%
    script = tmp_path / "train.py"
    [inversion] = [f for f in lint([str(script)], policy="chest_xray").findings if f.code == "SA201"]
    assert "`auto_augment: 'original'`" in inversion.message and "Leave `auto_augment` out" in inversion.fix


def test_its_defaults_are_found_at_the_call(tmp_path: Path) -> None:
    text = "import timm\n\ntf = timm.data.create_transform(224, True)\n"  # (is_training as the second argument)
    found = _lint_python(tmp_path, text)
    assert ("SA101", 3) in found and ("SA108", 3) in found  # hflip 0.5 and scale [0.08, 1.0], timm's defaults


@pytest.mark.parametrize(
    "call",
    [
        "create_transform(224)",  # evaluation: a resize and a centre crop
        "create_transform(224, is_training=False, hflip=0.5)",
        "create_transform(**data_config)",
        "make(224, is_training=True)",  # not timm's
    ],
)
def test_evaluation_transforms_and_other_functions_are_not_read(tmp_path: Path, call: str) -> None:
    text = f"import timm\nfrom timm.data import create_transform\nfrom mylib import make\n\ntf = {call}\n"
    assert _lint_python(tmp_path, text) == []


def test_what_cannot_be_read_is_refused_where_it_is_written(tmp_path: Path) -> None:
    text = (
        "from timm.data import create_transform\n"
        "\n"
        "def build(args, train):\n"
        "    return create_transform(\n"
        "        args.size,\n"
        "        is_training=train,\n"  # (a value only running tells: read as the training pipeline)
        "        hflip=0.0,\n"
        "        scale=(0.9, 1.0),\n"
        "        ratio=(1.0, 1.0),\n"
        "        color_jitter=0.0,\n"
        "        **args.extra,\n"
        "    )\n"
    )
    found = _lint_python(tmp_path, text)
    assert found == [("SA401", 5), ("SA401", 11)]
