"""Kornia's catalog on real pixels: no class does more than the envelope the catalog gives its live object.

For every catalogued Kornia class that runs on one image (``STRATEGIES``; the others are listed with a reason in
``NOT_ON_PIXELS``), arguments are drawn at random, the object is built with ``p=1`` and read back through
``read_live`` (so the reading of live objects is checked too), and then

* it is probed (``safeaug.probing.probe``, through the library's adapter: a ``1 x 3 x H x W`` float tensor) and
  what the probe measures must lie inside the envelope, less the probe's known limits
  (``tests/test_soundness.py``'s ``probe_limits``);
* a geometric class also moves coordinate maps sent through ``AugmentationSequential`` as a mask (nearest
  neighbour): a mirror, a turn, a fold or a zoom found there must be inside the envelope.
"""

from __future__ import annotations

import copy
import math
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("kornia")

import torch
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from kornia.constants import SamplePadding

from safeaug.catalog import Params, defaults_for, get_entry
from safeaug.effects import Envelope
from safeaug.libraries import library
from safeaug.probing import excess, probe

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from kornia_support import NOT_ON_PIXELS, STRATEGIES, as_callable, build, coord_reading, live_envelope
from test_soundness import _COLOUR, _REMAPS, probe_limits

pytestmark = pytest.mark.slow
torch.set_num_threads(1)

EXAMPLES = max(3, settings.default.max_examples // 20)
SEEDS = 6
SHAPE = (64, 64)

# What the probe reads wrongly for these Kornia classes, by field (each a limit of the probe, as in
# probe_limits): spatially varying light fields read as blur, noise and colour.
_FIELD_READINGS = ("blur", "noise", "occlusion", "color", "hue", "saturation_min", "saturation_max", "nonmonotone")
_PROBE_LIMITS: dict[str, tuple[str, ...]] = {
    "kornia.augmentation.RandomPlasmaBrightness": (*_FIELD_READINGS, "contrast_min", "contrast_max"),
    # a slope field read across the ramp adds the field's own gradient to the slope
    "kornia.augmentation.RandomPlasmaContrast": (*_FIELD_READINGS, "contrast_max"),
    "kornia.augmentation.RandomPlasmaShadow": (*_FIELD_READINGS, "contrast_min", "contrast_max"),
    "kornia.augmentation.RandomGaussianIllumination": (*_FIELD_READINGS, "contrast_min", "contrast_max"),
    "kornia.augmentation.RandomLinearIllumination": (*_FIELD_READINGS, "contrast_min", "contrast_max"),
    "kornia.augmentation.RandomLinearCornerIllumination": (*_FIELD_READINGS, "contrast_min", "contrast_max"),
    # The content squeezed into the inner quadrilateral leaves fill inside the frame (read as occlusion), and
    # the probe's landmark fit reads a strong perspective as non-rigid; the coordinate maps read it exactly.
    "kornia.augmentation.RandomPerspective": ("nonrigid", "occlusion"),
    "kornia.augmentation.RandomRain": (*_FIELD_READINGS, "contrast_min"),
    "kornia.augmentation.RandomSnow": (*_FIELD_READINGS, "contrast_min"),
}


def pixel_excess(obj: Any, static: Envelope, name: str) -> dict[str, Any]:
    """What the probe and the coordinate maps saw beyond ``static`` (less the probe's known limits)."""
    # Geometry is probed with a zero border: the probe reads a replicated edge as a reflection, and the
    # colours of smeared edges as colour changes (the reflection flag is checked on its own below).
    m = probe(as_callable(zero_padded(obj)), seeds=SEEDS, size=SHAPE[0], seed=0)
    # A transform may be skipped in a pipeline: factor ranges reach 1, as validate() reports them.
    widened = static.with_changes(reflect_border=False).including_identity()
    found = probe_limits(name, static, excess(m.envelope, widened))
    entry = get_entry(name)
    geometric = entry is not None and entry.family == "geometric"
    if geometric and any(note.startswith("no geometry could be fitted") for note in m.notes):
        # Where the probe lost its landmarks (a zoom and shift took them out of frame) it compares pixels in
        # place: moved content reads as tone and colour changes. Pixels only move here; the coordinate maps
        # below say where each came from.
        for field in (*_REMAPS, *_COLOUR, "color", "blur", "noise", "occlusion", "posterize_bits"):
            found.pop(field, None)
    for field in _PROBE_LIMITS.get(name, ()):
        found.pop(field, None)
    if static.fold:  # a local fold mirrors content, which the probe's border check reads as a reflected border
        found.pop("reflect_border", None)
    if static.occlusion_unbounded:  # a share of the image that depends on its size: not a number to compare
        found.pop("occlusion", None)
    if geometric:
        constant = zero_padded(obj)
        for seed in range(SEEDS):
            found.update(map_excess(*coord_reading(constant, SHAPE, seed), static))
    return found


def zero_padded(obj: Any) -> Any:
    """A copy of ``obj`` that fills borders with zeros: a reflected border shows coordinates of mirrored copies,
    which read as folds (the border's own flag is checked on the image by the probe)."""
    out = copy.deepcopy(obj)
    flags = getattr(out, "flags", None)
    if isinstance(flags, dict) and "padding_mode" in flags:
        mode = flags["padding_mode"]
        if not isinstance(mode, str):
            flags["padding_mode"] = SamplePadding.ZEROS
        else:  # grid_sample's names, or the padding names of the crops
            flags["padding_mode"] = "zeros" if mode in ("zeros", "border", "reflection") else "constant"
    return out


def map_excess(r: Any, exact: bool, static: Envelope) -> dict[str, Any]:
    """Mirror, turn, zoom and folds read on the coordinate maps, beyond ``static`` (folds only on exact maps:
    interpolated coordinates round to a neighbour's here and there, which reads as a local fold)."""
    out: dict[str, Any] = {}
    if r.collapsed:
        return out
    if r.mirror and not static.mirror:
        out["map.mirror"] = (True, False)
    # A perspective warp also turns the best affine fit: by up to atan(2 x corner travel) here.
    bent = math.degrees(math.atan(2.0 * static.perspective))
    if r.turn > static.rotation + bent + 1.5:
        out["map.turn"] = (r.turn, static.rotation)
    if exact and r.folds > 0.01 and not static.fold:
        out["map.folds"] = (r.folds, False)
    if not (static.resize or static.crop_unbounded or static.nonrigid or static.perspective):
        slack = 0.04 + math.tan(math.radians(min(static.shear, 60.0))) * 0.05
        if r.zoom[0] > static.scale_max * (1 + slack):
            out["map.zoom_max"] = (r.zoom[0], static.scale_max)
        if r.zoom[1] < static.scale_min * (1 - slack):
            out["map.zoom_min"] = (r.zoom[1], static.scale_min)
    return out


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_the_envelope_of_a_live_kornia_object_contains_what_it_does(name: str) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=EXAMPLES < 20,
        phases=[Phase.explicit, Phase.generate],
    )
    @given(STRATEGIES[name])
    def check(kwargs: dict[str, Any]) -> None:
        obj = build(name, kwargs)
        static = live_envelope(obj)
        found = pixel_excess(obj, static, name)
        assert found == {}, f"{name}({kwargs}) does more than its catalog entry says: {found}"

    check()


# Arguments a live object does not keep, and why the entry does not need them.
UNREAD: dict[tuple[str, str], str] = {
    ("kornia.augmentation.RandomPlanckianJitter", "mode"): "kept as indices into the table; the entry covers both",
}


@pytest.mark.parametrize("name", sorted(STRATEGIES))
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_a_live_object_reads_back_the_arguments_it_was_built_with(name: str, data: st.DataObject) -> None:
    kwargs = data.draw(STRATEGIES[name])
    lib = library("kornia")
    assert lib.read_live is not None
    live = lib.read_live(build(name, kwargs))
    assert live is not None and live.name == name
    assert live.p == 1.0
    for arg in kwargs:
        assert arg in live.params or (name, arg) in UNREAD, f"{name}: `{arg}` not read from the live object"
    entry = get_entry(name)
    assert entry is not None
    as_written = entry.envelope(Params(name, kwargs, defaults_for(name)))
    as_read = entry.envelope(Params(name, live.params, defaults_for(name)))
    assert as_read.differs() == as_written.differs()
    for field in as_written.differs():
        assert getattr(as_read, field) == pytest.approx(getattr(as_written, field), rel=1e-5, abs=1e-5), field


@pytest.mark.parametrize(
    ("name", "kwargs", "narrowed", "field"),
    [
        ("kornia.augmentation.RandomRotation", {"degrees": 40.0}, {"rotation": 5.0}, "map.turn"),
        ("kornia.augmentation.RandomHorizontalFlip", {}, {"mirror": False}, "map.mirror"),
        ("kornia.augmentation.RandomHue", {"hue": (0.2, 0.3)}, {"hue": 10.0}, "hue"),
        ("kornia.augmentation.RandomGaussianBlur", {"kernel_size": 9, "sigma": (2.5, 3.0)}, {"blur": 0.2}, "blur"),
    ],
)
def test_the_check_fails_for_an_envelope_narrower_than_the_pixels(
    name: str, kwargs: dict[str, Any], narrowed: dict[str, Any], field: str
) -> None:
    obj = build(name, kwargs)
    static = live_envelope(obj)
    assert pixel_excess(obj, static, name) == {}
    found = pixel_excess(obj, static.with_changes(**narrowed), name)
    assert field in found, found


def test_every_catalogued_kornia_class_is_run_on_pixels_or_says_why_not() -> None:
    entries = {n: get_entry(n) for n in library("kornia").signatures}
    described = {n for n, e in entries.items() if e is not None and not e.unknown}
    assert len(described) > 70
    assert described - set(STRATEGIES) - set(NOT_ON_PIXELS) == set()
    assert set(STRATEGIES) <= described
    assert set(NOT_ON_PIXELS) <= described


def test_a_shear_alone_never_mirrors_in_kornia_as_the_entry_says() -> None:
    # Kornia's shear matrix has determinant 1 (unlike albumentations', where opposite shears can mirror).
    obj = build("kornia.augmentation.RandomShear", {"shear": (-40.0, 40.0, -40.0, 40.0)})
    assert not live_envelope(obj).mirror
    assert not any(coord_reading(obj, SHAPE, seed)[0].mirror for seed in range(8))


def test_reflection_padding_is_mirrored_border_content() -> None:
    obj = build("kornia.augmentation.RandomAffine", {"degrees": 30.0, "padding_mode": "reflection"})
    assert live_envelope(obj).reflect_border
    assert probe(as_callable(obj), seeds=4, size=64).envelope.reflect_border  # truth: the probe sees mirrored edges
    assert not live_envelope(build("kornia.augmentation.RandomAffine", {"degrees": 30.0})).reflect_border


AUTO_CASES = [
    (
        "kornia.augmentation.auto.RandAugment",
        {
            "n": 2,
            "m": 20,
            "policy": [[("rotate", -30.0, 30.0)], [("shear_x", -0.3, 0.3)], [("translate_y", -0.2, 0.2)]],
        },
    ),
    ("kornia.augmentation.auto.RandAugment", {"n": 1, "m": 12}),
    (
        "kornia.augmentation.auto.TrivialAugment",
        {"policy": [[("rotate", -20.0, 20.0)], [("shear_y", -0.2, 0.2)], [("contrast", 0.5, 1.5)]]},
    ),
    ("kornia.augmentation.auto.AutoAugment", {"policy": "svhn"}),
]


@pytest.mark.parametrize(("name", "kwargs"), AUTO_CASES)
def test_auto_augment_policies_stay_inside_their_envelope(name: str, kwargs: dict[str, Any]) -> None:
    import safeaug

    obj = build(name, kwargs)
    static = safeaug.validate(obj, "natural").envelope
    for seed in range(12):  # the geometry, exactly: shears are fractions Kornia multiplies by 180
        r, exact = coord_reading(obj, SHAPE, seed)
        assert map_excess(r, exact, static) == {}, (seed, r.turn, static.rotation)
    m = probe(as_callable(obj), seeds=8, size=SHAPE[0], seed=0)
    found = probe_limits(name, static, excess(m.envelope, static.including_identity()))
    if any(note.startswith("no geometry could be fitted") for note in m.notes):
        for field in (*_REMAPS, *_COLOUR, "color", "blur", "noise", "occlusion", "posterize_bits"):
            found.pop(field, None)
    assert found == {}, found


def test_a_shear_read_as_degrees_instead_of_a_fraction_would_be_caught() -> None:
    # RandAugment's shear_x of 0.3 shears by 54 degrees; an entry reading 0.3 degrees would miss the turn.
    obj = build("kornia.augmentation.auto.RandAugment", {"n": 1, "m": 29, "policy": [[("shear_x", -0.3, 0.3)]]})
    narrowed = live_envelope_auto(obj).with_changes(rotation=0.5, shear=0.3)
    assert any(map_excess(*coord_reading(obj, SHAPE, seed), narrowed) for seed in range(8))


def live_envelope_auto(obj: Any) -> Envelope:
    import safeaug

    return safeaug.validate(obj, "natural").envelope
