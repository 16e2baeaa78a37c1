"""Runs read side by side read exactly as each run read alone.

The probe reads all the runs it chose at once (``measure._measure_runs``): each costly reading is made for a
stack of runs in one pass. A run's reading must not depend on which other runs share its stack.
"""

from __future__ import annotations

import copy
from typing import Any

import albumentations as A
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeaug.probing.detail import _block_planes, _read_flats
from safeaug.probing.geometry import _in_place, _Where
from safeaug.probing.images import _probe_images
from safeaug.probing.measure import _measure_runs, _signatures
from safeaug.probing.runners import runner_for


def _subclass(t: Any) -> Any:
    """``t`` as a user subclass that overrides ``apply``: the pixels may move without the keypoints."""
    cls = type(t)

    def apply(self: Any, img: Any, *args: Any, **params: Any) -> Any:
        return cls.apply(self, img, *args, **params)

    out = copy.copy(t)
    out.__class__ = type(f"My{cls.__name__}", (cls,), {"apply": apply})
    return out


def _mirror_some(image: np.ndarray) -> np.ndarray:
    """Mirrors on a third of the draws, brightens on another third."""
    draw = np.random.randint(3)
    if draw == 0:
        return np.ascontiguousarray(image[:, ::-1])
    if draw == 1:
        return np.clip(image.astype(np.int16) + 40, 0, 255).astype(image.dtype)
    return image


TRANSFORMS = {
    "tone": A.RandomBrightnessContrast(p=1),
    "gamma and hue": A.Compose([A.RandomGamma(p=1), A.HueSaturationValue(p=1)]),
    "noise": A.GaussNoise(std_range=(0.02, 0.12), p=1),
    "coarse noise": A.GaussNoise(std_range=(0.05, 0.05), per_channel=True, noise_scale_factor=0.25, p=1),
    "holes": A.CoarseDropout(num_holes_range=(1, 6), fill=0, p=1),
    "holes and blur": A.Compose([A.CoarseDropout(p=1), A.GaussianBlur(p=1)]),
    "rotation": A.Rotate(limit=40, p=1),
    "crop": A.RandomResizedCrop(size=(64, 64), scale=(0.3, 1.0), p=1),
    "warp": A.ElasticTransform(alpha=60, p=1),
    "field": A.PlasmaBrightnessContrast(p=1),
    "subclass": _subclass(A.Affine(rotate=(-20, 20), scale=(0.8, 1.2), p=1)),
    "callable": _mirror_some,
    "float out": A.ToFloat(p=1),
    "resize": A.RandomScale(scale_limit=0.3, p=1),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_a_stack_of_runs_reads_as_each_run_alone(name: str) -> None:
    images = _probe_images(64)
    runner = runner_for(TRANSFORMS[name])
    runs = [runner(images, seed) for seed in range(10)]
    together = _measure_runs(runs, images)
    alone = [_measure_runs([run], images)[0] for run in runs]
    assert len(together) == len(runs)
    for seed, (a, b) in enumerate(zip(together, alone, strict=True)):
        assert a[0] == b[0], f"{name}, seed {seed}: {a[0].differs()} vs {b[0].differs()}"
        assert a[1:] == b[1:], f"{name}, seed {seed}"
    # (the transforms vary between draws: the stacks hold runs that read differently)
    assert len({repr(reading[0]) for reading in together}) > 1 or name in ("float out",)


@pytest.mark.parametrize("name", ["tone", "rotation", "crop", "subclass", "callable", "resize"])
def test_a_stack_of_runs_has_the_signatures_of_each_run_alone(name: str) -> None:
    """The summaries that choose the runs to read do not depend on the other runs summarised with them (beyond
    rounding: the tone map's fit through the ramp's blocks is one matrix product over the stack, whose last
    digits may vary with its width; the margins are many orders of magnitude wider)."""
    images = _probe_images(64)
    runner = runner_for(TRANSFORMS[name])
    runs = [runner(images, seed) for seed in range(10)]
    for run, together in zip(runs, _signatures(runs, images), strict=True):
        alone = _signatures([run], images)[0]
        assert (together is None) == (alone is None)
        if together is not None and alone is not None:
            assert together[0] == alone[0]
            assert np.allclose(together[1], alone[1], rtol=0.0, atol=1e-12)
            assert np.array_equal(together[2], alone[2])
            assert np.array_equal(together[1][:8], alone[1][:8])  # the keypoint fits: bit for bit


def test_flat_readings_of_mixed_shapes_and_masks_read_as_alone() -> None:
    """Outputs of several sizes and types, and runs where only part of the image came from the input."""
    rng = np.random.default_rng(3)
    flat = np.full((64, 64, 3), 128, np.uint8)
    holed = flat.copy()
    holed[10:30, 20:44] = 0
    noisy = np.clip(128 + rng.normal(0, 9, (64, 64, 3)), 0, 255).astype(np.uint8)
    small = np.full((48, 40, 3), 120, np.uint8)
    grey = np.full((64, 64), 100, np.uint8)
    floating = (noisy / 255.0).astype(np.float32)
    part = np.zeros((64, 64), bool)
    part[8:56, 4:60] = True
    partly = _Where(*(2 * (np.zeros((64, 64), int),)), part, ~part, part)
    items = [
        (flat, _in_place(64, 64, 64)),
        (holed, _in_place(64, 64, 64)),
        (noisy, partly),
        (small, _in_place(48, 40, 64)),
        (grey, _in_place(64, 64, 64)),
        (floating, partly),
        (holed, partly),
    ]
    together = _read_flats(items)
    for item, stacked in zip(items, together, strict=True):
        single = _read_flats([item])[0]
        assert (stacked is None) == (single is None)
        if stacked is None or single is None:
            continue
        for field in stacked._fields:
            a, b = getattr(stacked, field), getattr(single, field)
            assert np.array_equal(a, b), field
    assert together[1] is not None and together[1].occluded_share > 0.1  # the hole is found
    assert together[3] is None  # another size: nothing of it came from the input


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_block_planes_match_a_least_squares_fit(dtype: Any) -> None:
    """The planes from orthogonal sums are the least-squares planes of each block (to rounding)."""
    rng = np.random.default_rng(5)
    img = rng.integers(0, 256, (2, 16, 24, 3)).astype(np.uint8)
    img = img if dtype == np.uint8 else (img / 255.0).astype(np.float32)
    left, means = _block_planes(img, 8)
    ys, xs = np.mgrid[0:8, 0:8]
    design = np.stack([np.ones(64), xs.ravel(), ys.ravel()], axis=1)
    unit = 255.0 if dtype == np.uint8 else 1.0
    for n in range(2):
        for k, (by, bx) in enumerate((by, bx) for by in range(2) for bx in range(3)):
            for c in range(3):
                px = img[n, by * 8 : by * 8 + 8, bx * 8 : bx * 8 + 8, c].astype(float).ravel() / unit
                coef, *_ = np.linalg.lstsq(design, px, rcond=None)
                assert left[n, k, c] == pytest.approx(float(((px - design @ coef) ** 2).sum()), rel=1e-9)
                assert means[n, k, c] == pytest.approx(float(px.mean()), rel=1e-12)


@pytest.mark.parametrize("eight_bit", [True, False])
def test_bin_medians_of_a_full_set_of_levels_are_the_grouped_medians(eight_bit: bool) -> None:
    """With every level read, the tone map's 8-level bins are rows of 8: their sorted middles are the medians
    the general grouping gives (the lower middle of an even count)."""
    from safeaug.probing.tone import _BIN, _group_medians

    rng = np.random.default_rng(11)
    x = np.arange(256) / 255.0
    for _ in range(50):
        y = rng.integers(0, 256, 256) / 255.0 if eight_bit else rng.random(256)
        _, general = _group_medians((np.rint(x * 255).astype(int)) // _BIN, y)
        assert np.array_equal(np.sort(y.reshape(-1, _BIN), axis=1)[:, (_BIN - 1) // 2], general)


@settings(deadline=None)
@given(
    st.sampled_from([1, 2, 3, 4, 90]),  # (90 runs of three channels: keys past 16 bits)
    st.sampled_from([1, 3]),
    st.integers(0, 2**32 - 1),
    st.floats(0.0, 1.0),
    st.booleans(),
)
def test_flat_medians_from_histograms_are_the_sorted_middles(
    n: int, nc: int, seed: int, keep: float, lumpy: bool
) -> None:
    """The flat grey's centres and departures are read off per-channel histograms (the departures' from the
    levels' own): each is the lower middle of the sorted values over the pixels inside, as a sort gives it."""
    from safeaug.probing.detail import _departure_medians, _histogram_medians, _stacked_histograms

    rng = np.random.default_rng(seed)
    values = rng.integers(0, 256, (n, 6, 7, nc)).astype(np.uint8)
    if lumpy:  # few levels, many ties
        values = (values // 85 * 85).astype(np.uint8)
    inside = rng.random((n, 6, 7)) < keep
    inside[:, 0, 0] = True  # (at least one pixel)
    everywhere = bool(inside.all())
    hist = _stacked_histograms(values, inside, everywhere)
    counts = inside.reshape(n, -1).sum(axis=1)
    centres = _histogram_medians(hist, counts)
    departures = _departure_medians(hist, centres, counts)
    for j in range(n):
        picked = values[j][inside[j]].astype(int)  # (k, c)
        k = len(picked)
        middle = (k + 1) // 2 - 1
        assert np.array_equal(centres[j], np.sort(picked, axis=0)[middle])
        dev = np.abs(picked - centres[j][None, :]).ravel()
        assert departures[j] == np.sort(dev)[(len(dev) + 1) // 2 - 1]


@settings(deadline=None)
@given(st.lists(st.integers(1, 255), min_size=8, max_size=256, unique=True), st.floats(0.0, 1e-3))
def test_the_gamma_fits_kept_powers_are_the_powers(levels: list[int], jitter: float) -> None:
    """The tone fit's basis (each level to each trial gamma) comes from a table made once when the levels are
    8-bit levels, bit for bit what the powers give; other values are raised as they are."""
    from safeaug.probing.tone import _GAMMAS, _powers

    x = np.sort(np.array(levels)) / 255.0
    kept, raised = _powers(x), x[None, :] ** _GAMMAS[:, None]
    assert np.array_equal(kept, raised)
    # laid out as the raised powers are, so that the fit's sums along a row add in the same order
    assert kept.flags["C_CONTIGUOUS"]
    assert np.array_equal(kept.mean(axis=1), raised.mean(axis=1))
    off = np.clip(x + jitter, 0.0, 1.0)
    assert np.array_equal(_powers(off), off[None, :] ** _GAMMAS[:, None])


@settings(deadline=None)
@given(st.integers(1, 3), st.sampled_from([(), (1,), (3,)]), st.integers(0, 2**32 - 1), st.floats(0.0, 1.0))
def test_pixels_picked_by_index_are_the_masked_pixels(
    n: int, channels: tuple[int, ...], seed: int, keep: float
) -> None:
    """The stacked tone reading picks a stack's usable pixels by their flat indices: the same rows, in the same
    order and layout, as the boolean selection."""
    from safeaug.probing.images import _picked

    rng = np.random.default_rng(seed)
    stack = rng.integers(0, 256, (n, 5, 6, *channels)).astype(np.uint8)
    mask = rng.random((n, 5, 6)) < keep
    picked, masked = _picked(stack, mask), stack[mask]
    assert picked.dtype == masked.dtype and picked.shape == masked.shape
    assert np.array_equal(picked, masked)
    assert picked.flags["C_CONTIGUOUS"]


def _mirror_grey(image: np.ndarray) -> np.ndarray:
    """Mirrors grey inputs, darkens float ones, and mirrors or brightens the rest on some draws."""
    if image.ndim == 2:
        return np.ascontiguousarray(image[:, ::-1])
    if image.dtype.kind == "f":
        return image * 0.5
    return _mirror_some(image)


@pytest.mark.parametrize(
    ("name", "any_read"),
    # A tone change does to a grey or one-channel input's geometry image and ramp what it does to the square
    # run's, converted: those runs show nothing new and are not read (what they would read is {}).
    [
        ("tone", False),
        ("gamma and hue", False),
        ("noise", True),
        ("field", True),
        ("float out", True),
        ("variants", True),
    ],
)
def test_variant_runs_read_with_the_square_runs_read_as_alone(name: str, any_read: bool) -> None:
    """The runs on grey, one-channel, 16-bit and float inputs share the square runs' stacks (geometry and the
    ramp's map); each reads as it does alone, and so does each square run."""
    from safeaug.probing.inputs import _read_with_variants, _variant_reading, _variant_runs
    from safeaug.probing.measure import _drive

    transform = _mirror_grey if name == "variants" else TRANSFORMS[name]
    images = _probe_images(64)
    runner = runner_for(transform)
    runs = [runner(images, seed) for seed in range(8)]
    pending = _variant_runs(runner, images, 0, [(out, kps) for out, kps, _ in runs[:2]])
    assert bool(pending.reads) is any_read
    read, found = _read_with_variants(runs, pending, images)
    for together, alone in zip(read, _measure_runs(runs, images), strict=True):
        assert together[0] == alone[0] and together[1:] == alone[1:]
    for (kind, run, dtype), fields in zip(pending.reads, found, strict=True):
        assert fields == _drive([_variant_reading(*run, images, dtype, kind)], images)[0]
    if name == "variants":  # (the grey mirror is seen)
        assert any(f.get("mirror") for f in found if f)


def test_a_variant_run_that_cannot_be_read_fails_its_kind_alone() -> None:
    """A grey output the probe cannot read (a flat vector) fails the grey kind, as it did when each kind was
    read in turn; the square runs and the other kinds read as they do alone."""
    from safeaug.probing import probe

    def flatten_grey(image: np.ndarray) -> np.ndarray:
        return image.ravel() if image.ndim == 2 else _mirror_some(image)

    m = probe(flatten_grey)
    # (the CT slice is a grey image too)
    assert m.notes == (
        "it did not run on grey (IndexError), int16 (IndexError) images: what it does to them was not seen",
    )
    assert not any(i.startswith("grey") for i in m.inputs)
    assert any(i.startswith("RGB float32") for i in m.inputs)
    assert m.envelope.mirror  # (read off the square runs)


def test_an_unreadable_square_output_is_told_before_the_other_inputs_are_tried() -> None:
    """A square output the probe cannot read is the probe's error, as when the square runs were read before
    the other inputs were run: not whatever the transform does to a grey input."""
    from safeaug.probing import ProbeError, probe

    def tiny_then_no_image(image: np.ndarray) -> Any:
        return {"mask": image} if image.ndim == 2 else {"image": image[:4, :4]}

    with pytest.raises(ProbeError, match=r"image of shape \(4, 4, 3\) for the geo probe image"):
        probe(tiny_then_no_image)
