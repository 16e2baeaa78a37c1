"""torchvision's catalog against torchvision itself: pixels (coordinate maps as tv_tensors.Mask, nearest),
the probe for tone and colour, and completeness against what the installed torchvision exports."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")
import torchvision.transforms as v1  # noqa: E402
import torchvision.transforms.v2 as v2  # noqa: E402
from torchvision import tv_tensors  # noqa: E402

from safeaug.catalog import Params, defaults_for, get_entry  # noqa: E402
from safeaug.catalog._defaults import REQUIRED  # noqa: E402
from safeaug.coordmap import CoordReading, coordinate_maps, read_maps  # noqa: E402
from safeaug.effects import Envelope  # noqa: E402
from safeaug.libraries import library  # noqa: E402
from safeaug.libraries.torchvision import COMPOSITIONS, NOT_AUGMENTATIONS  # noqa: E402
from safeaug.probing import excess, probe  # noqa: E402
from safeaug.readers import read_pipeline  # noqa: E402

torch.set_num_threads(1)
SIZE = 48
TURN_TOL = 2.0  # degrees: nearest-neighbour rounding on a 48 px map
ZOOM_TOL = 0.06


def envelope_of(transform: Any) -> Envelope:
    """The catalog's envelope for a live transform, read as validate() reads it."""
    node = read_pipeline(transform)
    entry = get_entry(node.name)
    assert entry is not None, node.name
    return entry.envelope(Params(node.name, node.params, defaults_for(node.name)))


def run_maps(transform: Any, seed: int, shape: tuple[int, int] = (SIZE, SIZE)) -> CoordReading:
    """One run on a grey image with the coordinate maps riding along as a two-channel Mask (nearest)."""
    xs, ys = coordinate_maps(shape)
    mask = tv_tensors.Mask(torch.from_numpy(np.stack([xs, ys])))
    image = tv_tensors.Image(torch.full((3, *shape), 128, dtype=torch.uint8))
    torch.manual_seed(seed)
    _, out = transform(image, mask)
    maps = out.numpy()
    return read_maps(maps[0], maps[1], shape)


def outside(reading: CoordReading, env: Envelope) -> list[str]:
    """What a run did that the envelope does not allow (empty when it stays inside)."""
    bad = []
    if reading.collapsed:
        return [] if env.crop_unbounded or env.crop_min == 0 else ["collapsed"]
    if reading.mirror and not env.mirror:
        bad.append("mirror")
    if reading.turn > env.rotation + env.shear + TURN_TOL:
        bad.append(f"turn {reading.turn:.1f} > {env.rotation:.1f}")
    if not env.resize and not env.crop_unbounded:
        zmax, zmin = reading.zoom
        if zmax > env.scale_max * (1 + math.tan(math.radians(env.shear))) + ZOOM_TOL:
            bad.append(f"zoom {zmax:.3f} > {env.scale_max:.3f}")
        if zmin < env.scale_min / (1 + math.tan(math.radians(env.shear))) - ZOOM_TOL:
            bad.append(f"zoom {zmin:.3f} < {env.scale_min:.3f}")
    if not env.crop_unbounded and reading.kept < env.crop_min - 0.05 and env.rotation == 0 and env.perspective == 0:
        bad.append(f"kept {reading.kept:.3f} < {env.crop_min:.3f}")
    return bad


def assert_inside(transform: Any, seeds: int = 4) -> None:
    env = envelope_of(transform)
    for seed in range(seeds):
        bad = outside(run_maps(transform, seed), env)
        assert not bad, (transform, seed, bad, env)


# ------------------------------------------------------------------------------------------ geometry on pixels

angles = st.floats(0.0, 180.0, allow_nan=False)
fractions = st.floats(0.0, 0.45, allow_nan=False)


@given(degrees=angles)
def test_rotation_stays_in_its_envelope(degrees: float) -> None:
    assert_inside(v2.RandomRotation(degrees))


@given(
    degrees=st.floats(0.0, 90.0),
    translate=st.none() | st.tuples(fractions, fractions),
    scale=st.none() | st.tuples(st.floats(0.5, 1.0), st.floats(1.0, 1.6)),
    shear=st.none()
    | st.floats(0.0, 30.0)
    | st.tuples(st.floats(-30, 0), st.floats(0, 30), st.floats(-30, 0), st.floats(0, 30)),
)
def test_affine_stays_in_its_envelope(
    degrees: float, translate: tuple[float, float] | None, scale: tuple[float, float] | None, shear: Any
) -> None:
    assert_inside(v2.RandomAffine(degrees, translate=translate, scale=scale, shear=shear))


@given(scale_lo=st.floats(0.08, 1.0), ratio=st.tuples(st.floats(0.5, 1.0), st.floats(1.0, 2.0)))
def test_random_resized_crop_keeps_what_its_envelope_says(scale_lo: float, ratio: tuple[float, float]) -> None:
    t = v2.RandomResizedCrop(SIZE, scale=(scale_lo, 1.0), ratio=ratio)
    env = envelope_of(t)
    for seed in range(4):
        reading = run_maps(t, seed)
        assert not reading.mirror and reading.turn < TURN_TOL
        assert reading.kept >= env.crop_min - 0.05, (reading.kept, env.crop_min)
        assert reading.zoom[0] <= env.scale_max + ZOOM_TOL


@given(distortion=st.floats(0.0, 1.0))
def test_perspective_never_mirrors_or_turns_past_its_corners(distortion: float) -> None:
    t = v2.RandomPerspective(distortion, p=1.0)
    env = envelope_of(t)
    assert env.perspective == pytest.approx(distortion / 2)
    for seed in range(4):
        reading = run_maps(t, seed)
        assert not reading.mirror
        # corners moved by up to d/2 of the side turn an edge by at most atan(d) degrees
        assert reading.turn <= math.degrees(math.atan(distortion)) + TURN_TOL


@pytest.mark.parametrize(
    "transform",
    [v2.RandomHorizontalFlip(p=1.0), v2.RandomVerticalFlip(p=1.0), v2.TenCrop(SIZE // 2)],
    ids=["hflip", "vflip", "tencrop"],
)
def test_flips_are_mirrors(transform: Any) -> None:
    env = envelope_of(transform)
    assert env.mirror
    if isinstance(transform, v2.TenCrop):
        xs, ys = coordinate_maps((SIZE, SIZE))
        crops = transform(torch.from_numpy(np.stack([xs, ys])))  # crops and flips only: values kept exactly
        readings = [read_maps(c.numpy()[0], c.numpy()[1], (SIZE, SIZE)) for c in crops]
        assert any(r.mirror for r in readings) and not all(r.mirror for r in readings)
        return
    reading = run_maps(transform, 0)
    assert reading.mirror and not outside(reading, env)


@given(padding=st.integers(2, 12), mode=st.sampled_from(["constant", "edge", "reflect", "symmetric"]))
@settings(max_examples=20)
def test_reflecting_padding_is_mirrored_border_content(padding: int, mode: str) -> None:
    t = v2.Pad(padding, padding_mode=mode)
    env = envelope_of(t)
    reading = run_maps(t, 0)
    # the pad shows coordinates of real pixels (not fill) exactly when content is copied into it
    copied = reading.fill == 0.0
    assert copied == (mode != "constant")
    assert env.reflect_border == (mode in ("reflect", "symmetric"))
    xs, _ = coordinate_maps((SIZE, SIZE))
    out = t(tv_tensors.Mask(torch.from_numpy(xs[None])))[0].numpy()
    strip = out[SIZE // 2, :padding]  # the left pad of the middle row
    mirrored = bool(np.all(np.diff(strip) < 0)) if padding > 1 else strip[0] > 1
    assert mirrored == (mode in ("reflect", "symmetric"))


def test_the_check_can_fail() -> None:
    """A wrong envelope is caught: a 40 degree turn against a 10 degree claim, a flip against none."""
    wide = v2.RandomRotation((40, 40))
    assert outside(run_maps(wide, 0), Envelope(rotation=10.0))
    assert outside(run_maps(v2.RandomHorizontalFlip(p=1.0), 0), Envelope())
    shrink = v2.RandomAffine(0, scale=(0.5, 0.5))
    assert outside(run_maps(shrink, 0), Envelope())


# ------------------------------------------------------------------------------------------ tone and colour


def _probed_inside(transform: Any, seeds: int = 4) -> dict[str, Any]:
    measured = probe(transform, seeds=seeds, size=48).envelope
    found = excess(measured, envelope_of(transform))
    if isinstance(transform, (v2.RandAugment, v2.TrivialAugmentWide, v2.AutoAugment)):
        # Their geometric ops fill with a constant (fill=None is 0, read in _auto_augment.py), but a tone op
        # after them (Solarize, Equalize, AutoContrast) remaps that fill into levels the probe's border reading
        # can take for copied content: that reading is not evidence here.
        found.pop("reflect_border", None)
    return found


@settings(max_examples=6)
@given(hue=st.floats(0.0, 0.5), saturation=st.floats(0.0, 0.9), brightness=st.floats(0.0, 0.5))
def test_colour_jitter_hue_is_a_turn_of_360_times_hue(hue: float, saturation: float, brightness: float) -> None:
    t = v2.ColorJitter(brightness=brightness, saturation=saturation, hue=hue)
    assert envelope_of(t).hue == pytest.approx(min(180.0, 360.0 * hue), abs=2.0)
    assert not _probed_inside(t)


@pytest.mark.parametrize(
    "make",
    [
        lambda: v2.RandomInvert(p=1.0),
        lambda: v2.RandomGrayscale(p=1.0),
        lambda: v2.RandomPosterize(3, p=1.0),
        lambda: v2.RandomSolarize(100, p=1.0),
        lambda: v2.GaussianBlur(5, sigma=(0.1, 2.0)),
        lambda: v2.RandomAdjustSharpness(0.0, p=1.0),
        lambda: v2.RandomEqualize(p=1.0),
        lambda: v1.ColorJitter(hue=0.2),
        lambda: v2.RandomErasing(p=1.0),
        lambda: v2.RandAugment(num_ops=2, magnitude=9),
        lambda: v2.TrivialAugmentWide(),
        lambda: v2.AutoAugment(),
    ],
    ids=lambda f: "",
)
def test_photometric_and_automatic_transforms_stay_in_their_envelope(make: Callable[[], Any]) -> None:
    assert not _probed_inside(make())


def test_hue_claimed_too_small_is_caught() -> None:
    measured = probe(v2.ColorJitter(hue=(0.25, 0.25)), seeds=2, size=48).envelope
    assert "hue" in excess(measured, Envelope(hue=10.0))


# ------------------------------------------------------------------------------------------ completeness

MODULES = {"torchvision.transforms.v2": v2, "torchvision.transforms": v1}


def _exported() -> dict[str, type]:
    out = {}
    for public, module in MODULES.items():
        for name in dir(module):
            obj = getattr(module, name)
            if name.startswith("_") or not inspect.isclass(obj) or issubclass(obj, __import__("enum").Enum):
                continue
            out[f"{public}.{name}"] = obj
    return out


def test_every_exported_class_is_catalogued_a_composition_or_not_an_augmentation() -> None:
    lib = library("torchvision")
    missing = []
    for name in _exported():
        entry = get_entry(name)
        if name in COMPOSITIONS or name in NOT_AUGMENTATIONS:
            assert entry is None, name
            continue
        if entry is None:
            missing.append(name)
        elif entry.unknown:
            assert entry.summary, f"{name} is unknown without a reason"
        assert name in lib.signatures
    assert not missing, missing


def test_the_signature_table_is_the_installed_one() -> None:
    lib = library("torchvision")
    assert set(lib.signatures) == set(_exported())
    for name, cls in _exported().items():
        params = [
            q
            for q in inspect.signature(cls.__init__).parameters.values()
            if q.name != "self" and q.kind not in (q.VAR_POSITIONAL, q.VAR_KEYWORD)
        ]
        assert [q.name for q in params] == [a for a, _ in lib.signatures[name]], name
        for q, (_, default) in zip(params, lib.signatures[name], strict=True):
            if q.default is q.empty:
                assert default == REQUIRED
            elif isinstance(q.default, (int, float, bool, type(None))):
                assert default == q.default, (name, q.name)


# Arguments torchvision does not keep on the object; no entry reads them.
NOT_STORED = {"labels_getter", "sampler_options"}


def test_live_objects_keep_every_argument_the_catalog_may_read() -> None:
    """read_live reads arguments from attributes: each must be there, under its own name."""
    needed = {"degrees": 10, "size": 8, "kernel_size": 3, "padding": 2, "bits": 4, "threshold": 128}
    needed |= {"sharpness_factor": 2.0, "quality": 50, "lambd": lambda x: x, "mean": [0.0], "std": [1.0]}
    needed |= {"transformation_matrix": torch.eye(3), "mean_vector": torch.zeros(3), "num_samples": 2}
    needed |= {"num_classes": 3, "format": "XYXY", "clamping_mode": "soft", "dtype": torch.float32}
    needed |= {"target_size": (8, 8), "min_size": 4, "max_size": 8}
    lib = library("torchvision")
    for name, cls in _exported().items():
        if name in COMPOSITIONS or name in NOT_AUGMENTATIONS:
            continue
        sig = lib.signatures[name]
        obj = cls(**{a: needed[a] for a, d in sig if d == REQUIRED})
        missing = [a for a, _ in sig if a not in vars(obj) and a not in NOT_STORED]
        assert not missing, (name, missing)


V1_AND_V2 = [
    ("RandomRotation", {"degrees": 25}),
    ("RandomRotation", {"degrees": (-10, 40), "expand": True}),
    ("RandomAffine", {"degrees": 10, "translate": (0.1, 0.2), "scale": (0.8, 1.2), "shear": (-5, 5, -3, 3)}),
    ("RandomAffine", {"degrees": 0, "shear": 12}),
    ("ColorJitter", {"brightness": 0.2, "contrast": (0.5, 1.5), "saturation": 0.3, "hue": 0.1}),
    ("RandomResizedCrop", {"size": 32, "scale": (0.3, 1.0)}),
    ("RandomPerspective", {"distortion_scale": 0.3}),
    ("Pad", {"padding": 3, "padding_mode": "symmetric"}),
    ("RandomCrop", {"size": 16, "padding": 2, "padding_mode": "reflect"}),
    ("GaussianBlur", {"kernel_size": 5, "sigma": (0.5, 1.5)}),
    ("RandomErasing", {"scale": (0.02, 0.2)}),
    ("ElasticTransform", {"alpha": 30.0, "sigma": 4.0}),
    ("RandAugment", {"num_ops": 3, "magnitude": 12}),
]


@pytest.mark.parametrize(("cls", "kwargs"), V1_AND_V2, ids=[c for c, _ in V1_AND_V2])
def test_v1_and_v2_objects_read_alike(cls: str, kwargs: dict[str, Any]) -> None:
    """The v1 classes keep their arguments in other forms (``shear`` as four numbers, ``size`` as a pair)."""
    assert envelope_of(getattr(v1, cls)(**kwargs)) == envelope_of(getattr(v2, cls)(**kwargs))


@given(degrees=angles, shear=st.floats(0.0, 30.0))
@settings(max_examples=20)
def test_v1_geometry_stays_in_its_envelope(degrees: float, shear: float) -> None:
    """v1 transforms take no masks: the coordinate maps go through as a float image, nearest interpolation."""
    nearest = v1.InterpolationMode.NEAREST
    for t in (
        v1.RandomRotation(degrees, interpolation=nearest),
        v1.RandomAffine(degrees, shear=shear, interpolation=nearest),
    ):
        env = envelope_of(t)
        xs, ys = coordinate_maps((SIZE, SIZE))
        for seed in range(3):
            torch.manual_seed(seed)
            out = t(torch.from_numpy(np.stack([xs, ys]))).numpy()
            assert not outside(read_maps(out[0], out[1], (SIZE, SIZE)), env), (t, seed, env)


@given(side=st.floats(1.0, 3.0), distortion=st.floats(0.0, 0.9))
@settings(max_examples=20)
def test_canvas_growth_bounds_the_fill(side: float, distortion: float) -> None:
    """A zoom out or a perspective shows fill where the input was not: at most 1 - 1/growth of the output."""
    for t in (v2.RandomZoomOut(side_range=(1.0, side), p=1.0), v2.RandomPerspective(distortion, p=1.0)):
        env = envelope_of(t)
        for seed in range(3):
            reading = run_maps(t, seed)
            assert reading.fill <= 1.0 - 1.0 / env.canvas_growth + 0.03, (t, reading.fill, env.canvas_growth)
            assert not reading.mirror


@given(scale=st.tuples(st.floats(0.5, 1.0), st.floats(1.0, 1.5)), translate=st.tuples(fractions, fractions))
@settings(max_examples=20)
def test_affine_shift_and_zoom_keep_what_the_envelope_says(
    scale: tuple[float, float], translate: tuple[float, float]
) -> None:
    t = v2.RandomAffine(0, translate=translate, scale=scale)
    env = envelope_of(t)
    for seed in range(3):
        reading = run_maps(t, seed)
        assert reading.kept >= env.crop_min - 0.05, (reading.kept, env.crop_min)
        assert reading.edge_travel <= env.edge_travel + 0.05, (reading.edge_travel, env.edge_travel)
