"""timm's automatic augmentations: the catalog's reading of a config string against what timm's own code does
to pixels (probed), and the reading's parsing of the strings without timm.

timm's ``auto_augment.py`` needs only PIL and numpy, so it is loaded on its own, from wherever timm is installed,
without importing the package (which imports torch). Where timm is not installed those tests skip; CI installs
it.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import safeaug
from safeaug.applied import measure_linear
from safeaug.catalog._registry import Params, defaults_for, get_entry
from safeaug.effects import GROUPS, Envelope
from safeaug.errors import ConfigError
from safeaug.libraries import library
from safeaug.libraries.timm import AUGMIX, AUTO, RAND
from safeaug.probing import excess, probe

library("timm")  # (registers the entries)

HPARAMS = {"translate_const": 100, "img_mean": (124, 116, 104)}  # as timm's transforms_factory passes them


def _auto_augment() -> ModuleType:
    spec = importlib.util.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("timm is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "auto_augment.py"
    loaded = importlib.util.spec_from_file_location("timm_auto_augment_alone", path)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


def _envelope(name: str, **given: Any) -> Envelope:
    found = get_entry(name)
    assert found is not None
    return found.envelope(Params(name, given, defaults_for(name)))


def _on_arrays(transform: Any) -> Any:
    from PIL import Image

    def run(image: np.ndarray) -> np.ndarray:
        return np.asarray(transform(Image.fromarray(image)))

    return run


# One op, always applied, at a fixed level: what timm does is what the catalog says, within the probe's tolerance
# (the field read, its value in the catalog, and how close the probe must come to it).
SINGLE = [
    ("Rotate", 9, "rotation", 27.0, 1.0),
    ("ShearX", 9, "shear", 15.1, 1.5),
    ("TranslateXRel", 3, "translation", 0.135, 0.03),  # (farther, the landmarks leave the frame: not read)
    ("Contrast", 9, "contrast_max", 1.72, 0.06),
    ("Brightness", 2, "contrast_min", 0.46, 0.05),
    ("Color", 1, "saturation_min", 0.28, 0.05),
    ("Posterize", 5, "posterize_bits", 2.0, 0.75),  # (the probe reads posterisation within a bit)
    ("PosterizeIncreasing", 5, "posterize_bits", 2.0, 0.75),
    ("Invert", 5, "inversion", True, None),
    ("Solarize", 0, "inversion", True, None),
    ("Solarize", 5, "nonmonotone", True, None),
    ("SolarizeAdd", 9, "nonmonotone", True, None),
]


@pytest.mark.parametrize(("op", "m", "field", "value", "close"), SINGLE)
def test_one_op_does_what_its_level_says(op: str, m: int, field: str, value: Any, close: float | None) -> None:
    timm = _auto_augment()
    config = f"rand-m{m}-n1-p1.0"
    static = _envelope(RAND, config_str=config, transforms=[op])
    assert getattr(static, field) == pytest.approx(value, abs=0.01) if close is not None else getattr(static, field)
    measured = probe(_on_arrays(timm.rand_augment_transform(config, dict(HPARAMS), transforms=[op]))).envelope
    # (within the op's own kind of effect: a shift of a fifth of the side moves the colour patches' image so far
    # that the probe pairs some of its pixels with the wrong patch, a hue change it reads in no other op)
    group = next(fields for fields in GROUPS.values() if field in fields)
    over = {k: v for k, v in excess(measured, static).items() if k in group}
    assert over == {}, f"{op} at m{m} does more than the catalog says"
    if close is None:
        assert getattr(measured, field) is True, f"{op} at m{m}: the probe did not see {field}"
    else:
        assert getattr(measured, field) == pytest.approx(value, abs=close), f"{op} at m{m}: {field}"


# (Configs that may posterize to no bit at all are left out: Pillow 13 refuses that with an error, older Pillow
# blacks the image out; the catalog reads it as destroying the image, see the tests below.)
CONFIGS = [
    (RAND, "rand-m8-mstd0.5-inc1"),
    (RAND, "rand-m7-n3"),
    (RAND, "rand-m9-n1-tweights"),
    (RAND, "rand-m7-mstd101-inc1"),
    (AUTO, "original"),
    (AUTO, "originalr"),
    (AUTO, "v0r"),
    (AUTO, "3a"),
    (AUTO, "original-mstd0.5"),
    (AUGMIX, "augmix-m5-w3-d2"),
    (AUGMIX, "augmix-m3-mstd0.5"),
]


@pytest.mark.parametrize(("name", "config"), CONFIGS)
def test_the_catalog_contains_what_timm_does_with_a_config(name: str, config: str) -> None:
    timm = _auto_augment()
    hparams = dict(HPARAMS)
    if name == AUGMIX:
        hparams["translate_pct"] = 0.3  # as timm's transforms_factory sets it for AugMix
    factory = {
        RAND: timm.rand_augment_transform,
        AUTO: timm.auto_augment_transform,
        AUGMIX: timm.augment_and_mix_transform,
    }[name]
    static = _envelope(name, config_str=config, hparams={"translate_pct": hparams.get("translate_pct", 0.45)})
    measured = probe(_on_arrays(factory(config, hparams)), seeds=24).envelope
    # (PIL fills what a turn or shift uncovers with one colour; posterised after a turn, that border reads to the
    # probe as mirrored content, as Rotate then PosterizeIncreasing alone shows: not counted)
    over = {k: v for k, v in excess(measured, static).items() if k != "reflect_border"}
    assert over == {}, f"{config} does more than the catalog says"


def test_rand_augments_default_set_holds_invert_and_its_increasing_set_too() -> None:
    for config in ("rand-m9", "rand-m9-inc1", "rand-m9-inc0"):  # (timm reads any `inc` as on)
        assert _envelope(RAND, config_str=config).inversion
    assert not _envelope(RAND, config_str="rand-m9-t3a").inversion  # 3-Augment's set: no Invert


def test_the_magnitudes_noise_reaches_the_clip() -> None:
    assert _envelope(RAND, config_str="rand-m9-n1").rotation == pytest.approx(27.0 * 2 / 2)
    assert _envelope(RAND, config_str="rand-m9-n1-mstd0.5").rotation == pytest.approx(30.0)  # a Gaussian: to 10
    assert _envelope(RAND, config_str="rand-m9-n1-mstd0.5-mmax20").rotation == pytest.approx(60.0)
    assert _envelope(RAND, config_str="rand-m6-n1-mstd101").rotation == pytest.approx(18.0)  # uniform in [0, m]
    # hparams' noise wins over the string's (timm sets the string's only when hparams has none)
    assert _envelope(RAND, config_str="rand-m6-n1-mstd101", hparams={"magnitude_std": 0.5}).rotation == 30.0
    # an op whose severity falls with its level is at its worst at the lowest level the noise reaches
    assert _envelope(RAND, config_str="rand-m9-n1", transforms=["Posterize"]).posterize_bits == 3.0
    noisy = _envelope(RAND, config_str="rand-m9-n1-mstd0.5", transforms=["Posterize"])
    assert noisy.posterize_bits == 0.0 and noisy.destroys


def test_two_ops_drawn_with_replacement_compound() -> None:
    one = _envelope(RAND, config_str="rand-m9-n1", transforms=["Rotate"])
    two = _envelope(RAND, config_str="rand-m9-n2", transforms=["Rotate"])
    assert (one.rotation, two.rotation) == (pytest.approx(27.0), pytest.approx(54.0))


def test_auto_augment_reads_each_sub_policy_not_any_pair() -> None:
    # 'original' turns by at most 27 degrees (level 9) and never twice in one sub-policy
    assert _envelope(AUTO, config_str="original").rotation == pytest.approx(27.0)
    # 'v0' posterizes to int(0.2 * 4) = 0 bits in one sub-policy: a black image
    v0 = _envelope(AUTO, config_str="v0")
    assert v0.posterize_bits == 0.0 and v0.destroys
    assert _envelope(AUTO, config_str="v0r").posterize_bits == 2.0  # 4 - int(0.6 * 4): its fewest


@pytest.mark.parametrize(
    ("name", "config", "words"),
    [
        (RAND, "rand-m9-x3", "has section 'x3', which timm refuses"),
        (RAND, "augmix-m3", "must start with 'rand'"),
        (AUTO, "imagenet", "must start with"),
        (AUTO, "original-m9", "which timm refuses"),
        (AUGMIX, "augmix-m3.5", "`m3.5` is not a number timm reads"),
        (RAND, "", "expected a string"),
    ],
)
def test_a_string_timm_refuses_is_refused(name: str, config: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(")", r"\)")):
        _envelope(name, config_str=config)


def test_a_training_config_naming_a_factory_is_judged_by_it() -> None:
    factory = "timm.data.auto_augment.rand_augment_transform"  # (any path timm exports it under)
    doc = {"transform": {"__class_fullname__": factory, "config_str": "rand-m9"}}
    report = safeaug.validate(doc, "chest_xray")
    assert "SA201" in report.codes()  # Invert is in the default set


def _where_from(timm: ModuleType, config: str, ops: list[str], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each output pixel of timm's transform came from: a coordinate map (x and y in the red and green
    channels, blue marking the image) sent through with nearest-neighbour sampling and a black fill. Returns
    the output positions (x, y) of the pixels that came from the image, and their source positions."""
    from PIL import Image

    side = 64
    y, x = np.mgrid[:side, :side]
    coords = np.dstack([x * 4, y * 4, np.full_like(x, 255)]).astype(np.uint8)
    hparams = {"translate_const": 100, "img_mean": (0, 0, 0), "interpolation": Image.NEAREST}
    transform = timm.rand_augment_transform(config, hparams, transforms=ops)
    random.seed(seed)
    np.random.seed(seed)
    out = np.asarray(transform(Image.fromarray(coords)))
    came = out[..., 2] == 255
    oy, ox = np.nonzero(came)
    return np.stack([ox, oy], axis=1).astype(float), out[came][:, :2].astype(float) / 4


@pytest.mark.parametrize("op", ["Rotate", "ShearX", "ShearY", "TranslateXRel", "TranslateYRel"])
def test_on_coordinate_maps_no_geometric_op_mirrors_or_goes_beyond_the_catalog(op: str) -> None:
    timm = _auto_augment()
    config = "rand-m9-n2-p1.0-mstd0.5"
    static = _envelope(RAND, config_str=config, transforms=[op])
    for seed in range(12):
        dst, src = _where_from(timm, config, [op], seed)
        # the affine map from source to output position, fitted to every pixel that came from the image
        design = np.hstack([src, np.ones((len(src), 1))])
        fit, *_ = np.linalg.lstsq(design, dst, rcond=None)
        linear = fit[:2].T
        mirrored, turn, _ = measure_linear(tuple(linear.ravel()))
        assert not mirrored, f"{op} mirrored on seed {seed}"
        # (the turn of the nearest rotation: a shear tilts it by up to half its angle, as audit counts it)
        assert turn <= static.rotation + static.shear / 2 + 0.5, (op, seed, turn)
        centre = np.array([31.5, 31.5])
        moved = np.abs(centre @ linear.T + fit[2] - centre).max() / 64
        assert moved <= static.translation + 1 / 64, (op, seed, moved, static.translation)
