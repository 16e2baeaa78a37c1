"""A run on another kind of input that comes out as the square run did is recognised as such, and only then."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeaug.probing.geometry import _decompose, _Geometry, _is_identity
from safeaug.probing.images import _as_rgb8, _as_variant, _probe_images
from safeaug.probing.inputs import _as_square
from safeaug.probing.measure import _geometry_fields


def _by_conversion(out: dict[str, np.ndarray], square: dict[str, np.ndarray], kind: str) -> bool:
    """The comparison spelled out: both sides converted back to 8-bit RGB, within 2 levels."""
    for name, img in out.items():
        a, b = _as_rgb8(img), _as_rgb8(_as_variant(square[name], kind))
        if a.shape != b.shape or np.abs(a.astype(int) - b.astype(int)).max() > 2:
            return False
    return True


def _outputs(kind: str) -> list[dict[str, np.ndarray]]:
    """Square outputs, and what several transforms could return for them on a grey or one-channel input."""
    images = _probe_images(64)
    square = {name: getattr(images, name) for name in ("geo", "ramp", "colors", "dots", "flat")}
    grey = {name: _as_variant(img, kind) for name, img in square.items()}
    rgb = {name: np.repeat(img.reshape(64, 64, 1), 3, axis=2) for name, img in grey.items()}  # grey made RGB
    off2 = {name: np.clip(img.astype(int) + 2, 0, 255).astype(np.uint8) for name, img in grey.items()}
    off3 = {name: np.clip(img.astype(int) + 3, 0, 255).astype(np.uint8) for name, img in grey.items()}
    mirrored = {name: np.ascontiguousarray(img[:, ::-1]) for name, img in grey.items()}
    tinted = {name: img.copy() for name, img in rgb.items()}
    tinted["colors"][..., 0] = 255 - tinted["colors"][..., 0]
    cropped = {name: img[:60] for name, img in grey.items()}
    four = {name: np.concatenate([img, img[..., :1]], axis=2) for name, img in rgb.items()}
    return [square, grey, rgb, off2, off3, mirrored, tinted, cropped, four]


@pytest.mark.parametrize("kind", ["grey", "one-channel"])
def test_eight_bit_outputs_of_one_channel_inputs_compare_as_converted(kind: str) -> None:
    square, *outs = _outputs(kind)
    verdicts = []
    for out in outs:
        verdict = _as_square(out, None, (square, None), kind)
        assert verdict == _by_conversion(out, square, kind)
        verdicts.append(verdict)
    assert verdicts[:3] == [True, True, True]  # itself, made RGB, 2 levels off
    assert not any(verdicts[3:])  # 3 levels off, mirrored, one patch's channel changed, cropped, 4 channels


@settings(max_examples=200)
@given(
    st.lists(st.floats(-0.999e-5, 0.999e-5), min_size=8, max_size=8),
    st.sampled_from([(96, 64), (64, 96)]),
)
def test_a_map_within_the_identity_tolerance_reads_nothing_on_a_non_square_frame(
    offsets: list[float], shape: tuple[int, int]
) -> None:
    """The frame runs skip reading a map within 1e-5 of the identity: read in full, it reads nothing either."""
    H = np.eye(3) + np.array([*offsets, 0.0]).reshape(3, 3)
    g = _Geometry(H, 0.0, 0.0)
    assert _is_identity(g, 1e-5)
    assert _geometry_fields(_decompose(g, shape, shape)) == {}


def test_one_copy_measured_on_several_frames_and_seeds_reads_as_fresh_copies() -> None:
    """The frame runs measure one prepared copy of the transform, reseeded each time: the coordinate maps read
    the same as from a fresh copy per measurement (as ``safeaug.coordmap.measure`` makes)."""
    import albumentations as A

    from safeaug.coordmap import _measure_copy, measure
    from safeaug.probing.inputs import _coordmap_copy
    from safeaug.probing.runners import _force

    t = A.Compose(
        [A.OneOf([A.Rotate(limit=30), A.Affine(shear=(-10, 10))]), A.HorizontalFlip(p=0.5), A.RandomScale(0.2)]
    )
    shared = _coordmap_copy(t)
    assert shared is not None
    readings = set()
    for shape in ((96, 64), (64, 96)):
        for seed in range(6):
            fresh = copy.deepcopy(t)  # (forced as the probe forces it; measure copies it again)
            _force(fresh)
            fresh.p = 1.0
            reading = _measure_copy(shared, shape, seed=seed)
            assert reading == measure(fresh, shape, seed=seed)
            readings.add(repr(reading))
    assert len(readings) > 6  # the draws differ: each measurement was reseeded
