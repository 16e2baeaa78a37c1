"""Kornia's description: the generated table, completeness of the catalog, units, containers and live reading."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("kornia")

import kornia.augmentation as KA
import kornia.augmentation.auto as KAuto
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from safeaug.catalog import Params, defaults_for, get_entry
from safeaug.effects import Envelope
from safeaug.libraries import canonical, library, owner
from safeaug.libraries.kornia import COMPOSITIONS, NOT_AUGMENTATIONS, arrangement

sys.path.insert(0, str(Path(__file__).parent))
from kornia_support import build, coord_reading, live_envelope

torch.set_num_threads(1)
K = "kornia.augmentation."
ROOT = Path(__file__).parents[2]


def envelope(name: str, **given: Any) -> Envelope:
    entry = get_entry(K + name)
    assert entry is not None, name
    return entry.envelope(Params(K + name, given, defaults_for(K + name)))


# ------------------------------------------------------------------------------------------ table and completeness


def test_the_table_matches_the_installed_kornia() -> None:
    spec = importlib.util.spec_from_file_location(
        "generate_kornia_table", ROOT / "scripts" / "generate_kornia_table.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    version, table = script.collect()
    lib = library("kornia")
    assert version == lib.version
    assert table == dict(lib.signatures)


def _exported() -> set[str]:
    found = set()
    for module in (KA, KAuto):
        for name in dir(module):
            obj = getattr(module, name)
            if not name.startswith("_") and inspect.isclass(obj) and issubclass(obj, torch.nn.Module):
                found.add(f"{module.__name__}.{name}")
    return found


def test_every_exported_class_is_catalogued_unknown_with_a_reason_a_composition_or_not_an_augmentation() -> None:
    exported = _exported()
    assert len(exported) > 80
    for name in sorted(exported):
        entry = get_entry(name)
        if entry is not None:
            assert entry.summary, f"{name}: an entry without a summary"
            if entry.unknown:
                assert len(entry.summary) > 30, f"{name}: unknown without a reason"
            continue
        assert name in COMPOSITIONS or name in NOT_AUGMENTATIONS, f"{name} is neither catalogued nor explained"
    assert set(COMPOSITIONS) | set(NOT_AUGMENTATIONS) <= exported


def test_every_class_path_a_config_may_write_reads_as_its_canonical_name() -> None:
    for name in _exported():
        module = KAuto if name.startswith("kornia.augmentation.auto.") else KA
        cls = getattr(module, name.rpartition(".")[2])
        assert canonical(f"{cls.__module__}.{cls.__name__}") == name
        assert canonical(name) == name
    assert owner("kornia.augmentation.RandomRotation") is library("kornia")
    assert canonical("kornia.augmentation.NoSuchThing") is None
    assert canonical("kornia.filters.GaussianBlur2d") is None  # not an augmentation: read as unknown


# ------------------------------------------------------------------------------------------ units and conventions


def test_degrees_are_degrees_and_a_bare_number_is_symmetric() -> None:
    assert envelope("RandomRotation", degrees=30).rotation == 30.0
    assert envelope("RandomRotation", degrees=(-5, 20)).rotation == 20.0
    assert envelope("RandomRotation", degrees=200).rotation == 180.0
    assert envelope("RandomAffine", degrees=10).rotation == pytest.approx(10.0)


def test_quarter_turns_reach_a_half_turn_only_when_two_steps_can_be_drawn() -> None:
    assert envelope("RandomRotation90", times=(0, 0)).rotation == 0.0
    assert envelope("RandomRotation90", times=(1, 1)).rotation == 90.0
    assert envelope("RandomRotation90", times=(-1, 1)).rotation == 90.0
    assert envelope("RandomRotation90", times=(0, 3)).rotation == 180.0


def test_flips_mirror_and_a_vertical_flip_is_a_mirror_and_a_half_turn() -> None:
    assert envelope("RandomHorizontalFlip") == Envelope(mirror=True)
    assert envelope("RandomVerticalFlip") == Envelope(mirror=True, rotation=180.0)
    assert envelope("RandomDepthicalFlip3D").mirror


def test_kornia_shears_are_degrees_and_never_mirror() -> None:
    env = envelope("RandomShear", shear=(-40, 40, -40, 40))
    assert not env.mirror and env.scale_min > 0
    assert env.shear >= 40.0
    one_axis = envelope("RandomAffine", degrees=0, shear=15)
    assert 15.0 <= one_axis.shear <= 17.0  # one axis by up to 15 degrees (and a degree of slack)


def test_translate_is_a_fraction_of_each_side_and_pushes_content_out() -> None:
    env = envelope("RandomAffine", degrees=0, translate=(0.1, 0.2))
    assert env.translation == pytest.approx(0.2)
    assert env.crop_min == pytest.approx(0.9 * 0.8)


def test_a_four_number_scale_is_two_axes_and_changes_the_aspect() -> None:
    env = envelope("RandomAffine", degrees=0, scale=(0.8, 1.0, 1.0, 1.25))
    assert env.aspect == pytest.approx(1.25 / 0.8)
    assert env.scale_max == pytest.approx(1.25)


@pytest.mark.parametrize("mode", ["reflection", 2])
def test_reflection_padding_counts_as_mirrored_border_content(mode: Any) -> None:
    assert envelope("RandomAffine", degrees=10, padding_mode=mode).reflect_border
    assert envelope("RandomShear", shear=10, padding_mode=mode).reflect_border
    assert not envelope("RandomAffine", degrees=10, padding_mode="border").reflect_border
    assert envelope("RandomCrop", size=(32, 32), padding=4, padding_mode="reflect").reflect_border
    assert not envelope("RandomCrop", size=(32, 32), padding_mode="reflect").reflect_border  # nothing padded
    assert envelope("PadTo", size=(80, 80), pad_mode="reflect").reflect_border


def test_hue_is_a_fraction_of_the_turn_and_brightness_is_added() -> None:
    assert envelope("RandomHue", hue=(-0.1, 0.1)).hue == pytest.approx(36.0)
    assert envelope("ColorJitter", hue=0.5).hue == 180.0
    assert envelope("ColorJiggle", hue=0.05).hue == pytest.approx(18.0)
    assert envelope("RandomBrightness", brightness=(0.8, 1.3)).brightness == pytest.approx(0.3)
    assert envelope("RandomContrast", contrast=0.2).contrast_min == pytest.approx(0.8)
    # ColorJiggle adds its brightness and may then apply its gain: the shift grows with the gain
    assert envelope("ColorJiggle", brightness=0.1, contrast=(1.0, 1.5)).brightness == pytest.approx(0.15)


def test_a_jpeg_quality_given_as_one_number_is_a_range_around_fifty() -> None:
    assert envelope("RandomJPEG", jpeg_quality=30).compression == 20.0
    assert envelope("RandomJPEG").compression == 1.0  # the default 50 means any quality from 1 to 100
    assert envelope("RandomJPEG", jpeg_quality=(80, 95)).compression == 80.0


def test_a_constant_border_motion_blur_darkens_an_edge_whose_share_depends_on_the_input() -> None:
    assert envelope("RandomMotionBlur", kernel_size=5, angle=0, direction=0).occlusion_unbounded
    assert not envelope(
        "RandomMotionBlur", kernel_size=5, angle=0, direction=0, border_type="reflect"
    ).occlusion_unbounded


def test_a_default_that_is_not_a_literal_must_be_written_out() -> None:
    from safeaug.errors import ConfigError

    sig = dict(library("kornia").signatures[K + "AugmentationSequential"])
    assert str(sig["data_keys"][0]).startswith("<object: ")
    with pytest.raises(ConfigError, match="required"):
        envelope("RandomRotation")


# ------------------------------------------------------------------------------------------ auto-augment


def test_rand_augment_reads_magnitude_m_of_30_and_shears_in_fractions_of_180_degrees() -> None:
    auto = "kornia.augmentation.auto."
    rotate = [[("rotate", -30.0, 30.0)]]
    at = get_entry(auto + "RandAugment")
    assert at is not None
    env = at.envelope(Params(auto + "RandAugment", {"n": 1, "m": 15, "policy": rotate}, {}))
    assert env.rotation == pytest.approx(15.0)
    shear = at.envelope(Params(auto + "RandAugment", {"n": 1, "m": 15, "policy": [[("shear_x", -0.3, 0.3)]]}, {}))
    assert shear.shear >= 27.0  # 0.15 x 180 degrees, not 0.15 degrees
    posterize = at.envelope(Params(auto + "RandAugment", {"n": 1, "m": 29, "policy": [[("posterize", 4.0, 8.0)]]}, {}))
    assert posterize.posterize_bits == 4.0  # backwards: a larger m keeps fewer bits
    two = at.envelope(Params(auto + "RandAugment", {"n": 2, "m": 15, "policy": [*rotate, [("rotate", 0.0, 10.0)]]}, {}))
    assert two.rotation == pytest.approx(20.0)  # two distinct sub-policies in sequence


def test_an_operation_safeaug_does_not_know_fails_closed() -> None:
    from safeaug.errors import ConfigError

    at = get_entry("kornia.augmentation.auto.TrivialAugment")
    assert at is not None
    with pytest.raises(ConfigError, match="not one safeaug knows"):
        at.envelope(Params("kornia.augmentation.auto.TrivialAugment", {"policy": [[("warp_drive", 0, 1)]]}, {}))


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (KAuto.RandAugment, {"n": 2, "m": 10, "policy": [[("rotate", -10.0, 10.0)], [("brightness", 0.9, 1.1)]]}),
        (KAuto.TrivialAugment, {"policy": [[("shear_y", -0.2, 0.2)], [("posterize", 2.0, 6.0)]]}),
        (KAuto.TrivialAugment, {}),
        (KAuto.AutoAugment, {"policy": "cifar10"}),
        (KAuto.AutoAugment, {}),
    ],
)
def test_a_live_auto_augment_is_judged_by_the_policy_it_was_given(cls: type, kwargs: dict[str, Any]) -> None:
    name = f"kornia.augmentation.auto.{cls.__name__}"
    entry = get_entry(name)
    assert entry is not None and not entry.unknown
    written = entry.envelope(Params(name, kwargs, defaults_for(name)))
    read = live_envelope(cls(**kwargs))  # Kornia keeps only the operations it built: the policy is read from them
    assert read.differs() == written.differs()
    for field in written.differs():
        assert getattr(read, field) == pytest.approx(getattr(written, field), rel=1e-5), field


# ------------------------------------------------------------------------------------------ containers


def test_random_apply_arranges_the_container_as_kornia_draws() -> None:
    assert arrangement({}, 3) == ("sequence", {})
    assert arrangement({"random_apply": False}, 3) == ("sequence", {})
    assert arrangement({"random_apply": True}, 3) == ("some_of", {"n": 3, "replace": False})
    assert arrangement({"random_apply": 2}, 3) == ("some_of", {"n": 2, "replace": False})
    assert arrangement({"random_apply": 5}, 3) == ("some_of", {"n": 5, "replace": True})
    assert arrangement({"random_apply": (1, 2)}, 3) == ("some_of", {"n": 2, "replace": False})
    assert arrangement({"random_apply": (1,)}, 3) == ("some_of", {"n": 3, "replace": False})
    # a zero weight takes a member out of the draw: two drawn from one member repeat it
    weights = {"random_apply": 2, "random_apply_weights": [1.0, 0.0]}
    assert arrangement(weights, 2) == ("some_of", {"n": 2, "replace": True})
    for bad in ((3, 1), -1, "all", (1, 2, 3)):
        with pytest.raises(ValueError, match="random_apply"):
            arrangement({"random_apply": bad}, 3)


def test_a_member_drawn_again_turns_again_as_the_arrangement_says() -> None:
    # Truth: four draws from two members, with replacement; the same 10-degree turn may run four times.
    seq = KA.ImageSequential(
        KA.RandomRotation((10.0, 10.0), p=1.0), KA.RandomRotation((0.0, 0.0), p=1.0), random_apply=4
    )
    turns = [coord_reading(seq, (64, 64), seed)[0].turn for seed in range(40)]
    assert max(turns) > 25.0
    mode, args = arrangement({"random_apply": 4}, 2)
    ten = Envelope(rotation=10.0)
    assert (
        mode == "some_of"
        and Envelope.some_of([ten, Envelope()], args["n"], replace=args["replace"]).rotation >= max(turns) - 1
    )


def test_live_containers_are_read_with_their_members_and_arguments() -> None:
    lib = library("kornia")
    assert lib.read_live is not None
    inner = KA.ImageSequential(KA.RandomRotation(10.0), random_apply=1)
    outer = KA.AugmentationSequential(
        KA.RandomHorizontalFlip(p=0.3), inner, data_keys=["input", "mask"], random_apply=(1, 2)
    )
    live = lib.read_live(outer)
    assert live is not None and live.name == K + "AugmentationSequential"
    assert live.params["random_apply"] == (1, 2)  # as written (Kornia stores an exclusive end)
    assert live.children is not None and len(live.children) == 2
    flip = lib.read_live(live.children[0])
    assert flip is not None and flip.name == K + "RandomHorizontalFlip" and flip.p == pytest.approx(0.3)
    nested = lib.read_live(live.children[1])
    assert nested is not None and nested.params["random_apply"] == (1, 1)
    assert arrangement(nested.params, len(nested.children or ())) == ("some_of", {"n": 1, "replace": False})


def test_the_batch_probability_multiplies_the_probability() -> None:
    lib = library("kornia")
    assert lib.read_live is not None
    live = lib.read_live(KA.RandomHorizontalFlip(p=0.5, p_batch=0.5))
    assert live is not None and live.p == pytest.approx(0.25)
    never = lib.read_live(KA.RandomHorizontalFlip(p=1.0, p_batch=0.0))
    assert never is not None and never.p == 0.0


def test_objects_of_other_libraries_are_not_read_as_kornia() -> None:
    lib = library("kornia")
    assert lib.read_live is not None and lib.adapter is not None
    assert lib.read_live(torch.nn.Identity()) is None
    assert lib.adapter(torch.nn.Identity()) is None
    import kornia.filters

    assert lib.read_live(kornia.filters.GaussianBlur2d((3, 3), (1.0, 1.0))) is None  # not an augmentation class


# ------------------------------------------------------------------------------------------ the adapter


@given(st.sampled_from(["uint8", "uint16", "float32"]), st.sampled_from([(32, 40, 3), (32, 40), (32, 40, 1)]))
@settings(max_examples=12, deadline=None)
def test_the_adapter_returns_the_input_layout_and_dtype_unchanged_by_an_identity(
    dtype: str, shape: tuple[int, ...]
) -> None:
    import numpy as np

    lib = library("kornia")
    assert lib.adapter is not None
    t = KA.RandomHorizontalFlip(p=0.0)
    adapter = lib.adapter(t)
    assert adapter is not None
    rng = np.random.default_rng(0)
    if dtype == "float32":
        image = rng.random(shape).astype(np.float32)
    else:
        image = rng.integers(0, np.iinfo(dtype).max, shape).astype(dtype)
    tensor = adapter.to_input(image)
    assert tuple(tensor.shape) == (1, 3, 32, 40)
    out = adapter.from_output(t(tensor))
    assert out.shape == image.shape and out.dtype == image.dtype
    assert np.allclose(out.astype(np.float64), image.astype(np.float64), atol=1e-3 * (1 if dtype == "float32" else 2))


def test_the_adapter_runs_a_flip_as_a_mirror() -> None:
    import numpy as np

    lib = library("kornia")
    assert lib.adapter is not None
    t = KA.RandomHorizontalFlip(p=1.0)
    adapter = lib.adapter(t)
    assert adapter is not None
    image = np.random.default_rng(1).integers(0, 256, (16, 24, 3)).astype(np.uint8)
    adapter.seed(0)
    assert np.array_equal(adapter.from_output(t(adapter.to_input(image))), image[:, ::-1])


# ------------------------------------------------------------------------------------------ no torch on the light path


def test_describing_kornia_loads_neither_torch_nor_kornia() -> None:
    code = (
        "import sys, safeaug, safeaug.libraries.kornia, safeaug.catalog.kornia\n"
        "from safeaug.libraries import library, canonical\n"
        "lib = library('kornia'); assert canonical('kornia.augmentation._2d.geometric.rotation.RandomRotation')\n"
        "from safeaug.catalog import get_entry, Params, defaults_for\n"
        "n = 'kornia.augmentation.RandomAffine'\n"
        "get_entry(n).envelope(Params(n, {'degrees': 10}, defaults_for(n)))\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'kornia', 'numpy'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded = set(filter(None, out.stdout.strip().split(",")))
    assert not {m for m in loaded if m.split(".")[0] in ("torch", "kornia")}, loaded


def test_every_live_argument_reading_keeps_the_envelope_of_a_default_object() -> None:
    # Each catalogued class built with its defaults (where it has all it needs) reads back to the same envelope.
    for name, args in library("kornia").signatures.items():
        entry = get_entry(name)
        if entry is None or entry.unknown or any(d == "<required>" for _, d in args) or "3D" in name:
            continue
        obj = build(name, {})
        static = entry.envelope(Params(name, {}, defaults_for(name)))
        read = live_envelope(obj)
        assert read.differs() == static.differs(), name
        for field in static.differs():  # live numbers went through float32 tensors
            assert getattr(read, field) == pytest.approx(getattr(static, field), rel=1e-6), (name, field)
