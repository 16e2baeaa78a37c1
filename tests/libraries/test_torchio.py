"""TorchIO's description: names, completeness against the installed TorchIO, live objects, the adapter, and
that safeaug reads TorchIO without importing it."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

tio = pytest.importorskip("torchio")
torch = pytest.importorskip("torch")

import safeaug.catalog.torchio  # noqa: E402, F401  (registers the entries)
from safeaug.catalog import Params, defaults_for, get_entry  # noqa: E402
from safeaug.effects import Envelope  # noqa: E402
from safeaug.errors import ConfigError  # noqa: E402
from safeaug.libraries import canonical, library, owner  # noqa: E402
from safeaug.libraries._torchio_table import SIGNATURES, TORCHIO_VERSION  # noqa: E402
from safeaug.libraries.torchio import LIBRARY, NOT_AUGMENTATIONS, UNKNOWN, adapter, read_live  # noqa: E402

torch.set_num_threads(1)


def envelope(name: str, **given: Any) -> Envelope:
    entry = get_entry(name)
    assert entry is not None, name
    return entry.envelope(Params(name, given, defaults_for(name)))


def _exported() -> set[str]:
    return {
        f"torchio.{name}"
        for name in dir(tio)
        if inspect.isclass(getattr(tio, name)) and issubclass(getattr(tio, name), tio.Transform)
    }


# ----------------------------------------------------------------------------------------------- completeness
def test_the_signature_table_is_the_installed_torchio() -> None:
    assert tio.__version__ == TORCHIO_VERSION, "regenerate with scripts/generate_torchio_table.py"
    assert set(SIGNATURES) == _exported()
    for name, args in SIGNATURES.items():
        cls = getattr(tio, name.split(".", 1)[1])
        own = [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "kwargs")]
        assert [a for a, _ in args][: len(own)] == own, name


def test_every_exported_transform_is_catalogued_unknown_with_a_reason_or_not_an_augmentation() -> None:
    for name in sorted(_exported()):
        entry = get_entry(name)
        if name in NOT_AUGMENTATIONS:
            assert entry is None and NOT_AUGMENTATIONS[name], name
        elif name in UNKNOWN:
            assert entry is not None and entry.unknown and entry.summary == UNKNOWN[name], name
        elif name in LIBRARY.compositions:
            assert entry is None, name
        else:
            assert entry is not None and not entry.unknown, f"{name} has no catalog entry and no reason"
            assert entry.summary, name


def test_every_catalogued_transform_with_defaults_describes_its_defaults() -> None:
    # Transforms whose arguments all have defaults are read as written with none given.
    for name, args in SIGNATURES.items():
        entry = get_entry(name)
        if entry is None or entry.unknown or any(d == "<required>" for _, d in args):
            continue
        assert isinstance(envelope(name), Envelope), name


# ----------------------------------------------------------------------------------------------- names
def test_every_path_torchio_exports_a_class_under_reads_as_its_canonical_name() -> None:
    assert owner("torchio.RandomFlip") is LIBRARY and library("torchio") is LIBRARY
    assert canonical("torchio.RandomFlip") == "torchio.RandomFlip"
    assert canonical("torchio.transforms.RandomFlip") == "torchio.RandomFlip"
    assert canonical("torchio.transforms.augmentation.spatial.random_flip.RandomFlip") == "torchio.RandomFlip"
    assert canonical("torchio.transforms.augmentation.composition.OneOf") == "torchio.OneOf"
    assert canonical("torchio.RandomMirror") is None


# ----------------------------------------------------------------------------------------------- units
def test_axes_are_read_as_torchio_lays_images_out() -> None:
    assert envelope("torchio.RandomFlip", axes=0) == Envelope(mirror=True)
    assert envelope("torchio.RandomFlip", axes="Top") == Envelope(mirror=True, rotation=180.0)
    # A name's axis depends on the image's orientation: any of the three.
    assert envelope("torchio.RandomFlip", axes=("LR",)) == Envelope(mirror=True, rotation=180.0)
    with pytest.raises(ConfigError, match="mixes axis indices and names"):
        envelope("torchio.RandomFlip", axes=(0, "LR"))
    with pytest.raises(ConfigError, match="not an axis TorchIO knows"):
        envelope("torchio.RandomFlip", axes="Height")
    with pytest.raises(ConfigError, match="0, 1 or 2"):
        envelope("torchio.RandomFlip", axes=3)


def test_ranges_expand_as_torchio_expands_them() -> None:
    assert envelope("torchio.RandomAffine", degrees=(0, 0, 30), scales=0).rotation == 30.0
    assert envelope("torchio.RandomAffine", degrees=(-5, 5), scales=0).rotation == 15.0
    assert envelope("torchio.RandomAffine", degrees=(0, 0, 0, 0, -7, 3), scales=0).rotation == 7.0
    env = envelope("torchio.RandomAffine", scales=(0.8, 1.25), degrees=0, isotropic=True)
    assert (env.scale_min, env.scale_max, env.aspect) == (0.8, 1.25, 1.0)
    assert envelope("torchio.RandomAffine", scales=(0.8, 1.25), degrees=0).aspect == pytest.approx(1.25 / 0.8)
    with pytest.raises(ConfigError, match="1, 2, 3 or 6 numbers"):
        envelope("torchio.RandomAffine", degrees=(1, 2, 3, 4))
    # A volume's slices seen from behind after a tilt past 90° about the width or height axis: mirrored.
    assert envelope("torchio.RandomAffine", degrees=(100, 0, 0), scales=0).mirror
    assert not envelope("torchio.RandomAffine", degrees=(45, 45, 90), scales=0).mirror
    assert envelope("torchio.RandomGamma", log_gamma=0.2).gamma_max == pytest.approx(np.exp(0.2))


def test_reflecting_pads_are_mirrored_border_content() -> None:
    for mode in ("reflect", "symmetric", "wrap"):
        assert envelope("torchio.Pad", padding=4, padding_mode=mode).reflect_border
        assert envelope("torchio.CropOrPad", target_shape=(64, 64, 1), padding_mode=mode).reflect_border
    assert not envelope("torchio.Pad", padding=4, padding_mode="edge").reflect_border
    assert not envelope("torchio.CropOrPad", target_shape=(64, 64, 1)).reflect_border
    assert not envelope(
        "torchio.CropOrPad", target_shape=(64, 64, 1), padding_mode="reflect", only_crop=True
    ).reflect_border


def test_a_reorientation_or_normalisation_is_no_augmentation_unless_it_is_applied_at_random() -> None:
    assert envelope("torchio.ToCanonical").is_identity()
    assert envelope("torchio.ZNormalization").is_identity()
    assert envelope("torchio.ToCanonical", p=0.5).mirror
    assert envelope("torchio.RescaleIntensity", p=0.5).contrast_min == 0.0
    assert envelope("torchio.Mask", masking_method="brain", p=0.5).occlusion == 1.0


# ----------------------------------------------------------------------------------------------- live objects
def test_live_objects_read_with_their_probability_and_arguments() -> None:
    live = read_live(tio.RandomFlip(axes=("LR",), flip_probability=0.3, p=0.5))
    assert live is not None
    assert (live.name, live.p, live.children) == ("torchio.RandomFlip", 0.5, None)
    assert live.params["axes"] == ("LR",) and live.params["flip_probability"] == 0.3
    noise = read_live(tio.RandomNoise(std=0.1))
    assert noise is not None and noise.params["std"] == (0, 0.1)
    swap = read_live(tio.RandomSwap(patch_size=7))
    assert swap is not None and swap.params["patch_size"] == (7,)  # a numpy array comes out as a tuple
    assert read_live(object()) is None and read_live(np.zeros(3)) is None


def test_live_objects_are_read_by_what_they_run() -> None:
    """An inverted fixed transform, and the two transforms RandomAffineElasticDeformation runs, changed after
    they were built."""
    zoom = tio.Affine(scales=2.0, degrees=0, translation=0)
    live = read_live(zoom.inverse())
    assert live is not None and envelope(live.name, **live.params).scale_min == pytest.approx(0.5)
    power = read_live(tio.Gamma(gamma=2.0).inverse())
    assert power is not None and envelope(power.name, **power.params).gamma_min == pytest.approx(0.5)
    both = tio.RandomAffineElasticDeformation(affine_kwargs={"degrees": (0, 0, 5)})
    both.random_affine.degrees = (0, 0, 0, 0, -40, 40)
    combined = read_live(both)
    assert combined is not None
    assert envelope(combined.name, **combined.params).rotation == 40.0
    noise = read_live(tio.Noise(mean=0.1, std=0.2, seed=0))
    assert noise is not None and envelope(noise.name, **noise.params) == Envelope(noise=0.2, brightness=0.1)


def test_compositions_read_their_children_and_one_of_drops_children_it_never_draws() -> None:
    flip, affine = tio.RandomFlip(), tio.RandomAffine()
    seq = read_live(tio.Compose([flip, affine], p=0.7))
    assert seq is not None and seq.children == (flip, affine) and seq.p == 0.7
    assert LIBRARY.compositions["torchio.Compose"].mode == "sequence"
    one = read_live(tio.OneOf({flip: 0.0, affine: 2.0}))
    assert one is not None and one.children == (affine,)
    assert LIBRARY.compositions["torchio.OneOf"].mode == "one_of"


def test_every_catalogued_transform_reads_back_as_built() -> None:
    """A live object's arguments describe the same envelope as the arguments it was built with."""
    cases: dict[str, dict[str, Any]] = {
        "RandomFlip": {"axes": (0, 1), "flip_probability": 0.25},
        "RandomAffine": {"scales": (0.9, 1.2), "degrees": (0, 0, 12), "translation": 3, "isotropic": True},
        "RandomElasticDeformation": {"num_control_points": 6, "max_displacement": 4, "locked_borders": 1},
        "RandomAnisotropy": {"downsampling": (2, 3)},
        "RandomBiasField": {"coefficients": 0.2, "order": 2},
        "RandomBlur": {"std": (0.5, 1)},
        "RandomGamma": {"log_gamma": 0.1},
        "RandomGhosting": {"num_ghosts": 3, "intensity": 0.4},
        "RandomMotion": {"degrees": 3, "translation": 2, "num_transforms": 1},
        "RandomNoise": {"mean": 0.1, "std": 0.05},
        "RandomSpike": {"num_spikes": 2, "intensity": 0.5},
        "RandomSwap": {"patch_size": 5, "num_iterations": 10},
        "Pad": {"padding": 3, "padding_mode": "reflect"},
        "CropOrPad": {"target_shape": (32, 32, 1), "padding_mode": "symmetric"},
        "ToCanonical": {"p": 0.5},
    }
    for short, args in cases.items():
        name = f"torchio.{short}"
        live = read_live(getattr(tio, short)(**args))
        assert live is not None and live.name == name
        assert envelope(name, **live.params) == envelope(name, **args), short


# ----------------------------------------------------------------------------------------------- adapter
def test_the_adapter_runs_a_transform_on_probe_images_and_back() -> None:
    image = np.zeros((20, 30, 3), np.uint8)
    image[:, :10] = 200  # bright on the left
    flip = tio.RandomFlip(axes=0, flip_probability=1.0)
    run = adapter(flip)
    assert run is not None and adapter(object()) is None
    run.seed(3)
    out = run.from_output(flip(run.to_input(image)))
    assert out.shape == image.shape and out.dtype == np.uint8
    assert (out[:, -10:] == 200).all() and (out[:, :-10] == 0).all()  # axis 0 is the width: left-right
    deep = (np.arange(600, dtype=np.uint16).reshape(20, 30, 1) * 100).astype(np.uint16)
    back = run.from_output(tio.RandomGamma(log_gamma=0)(run.to_input(deep)))
    assert back.dtype == np.uint16 and np.array_equal(back, deep)
    floats = np.random.default_rng(0).random((20, 30, 1)).astype(np.float32)
    same = run.from_output(tio.RandomGamma(log_gamma=0)(run.to_input(floats)))
    assert same.dtype == np.float32 and np.allclose(same, floats)


def test_the_adapter_seed_makes_two_runs_draw_alike() -> None:
    image = np.random.default_rng(1).random((24, 24, 1)).astype(np.float32)
    t = tio.RandomAffine(degrees=(0, 0, 40))
    run = adapter(t)
    assert run is not None
    outs = []
    for _ in range(2):
        run.seed(11)
        outs.append(run.from_output(t(run.to_input(image))))
    assert np.array_equal(outs[0], outs[1])


# ----------------------------------------------------------------------------------------------- no torch
def test_reading_torchio_names_loads_neither_torch_nor_torchio() -> None:
    code = (
        "import sys, json, safeaug\n"
        "from safeaug.libraries import canonical, library\n"
        "import safeaug.catalog.torchio\n"
        "lib = library('torchio')\n"
        "assert canonical('torchio.transforms.RandomAffine') == 'torchio.RandomAffine'\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchio'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
