"""torchvision's transforms (``torchvision.transforms.v2`` and the v1 ``torchvision.transforms`` classes).

Each entry is registered under both canonical names (``torchvision.transforms.v2.X`` and
``torchvision.transforms.X``): the two lines take the same arguments with the same meaning. Units are
torchvision's: angles in degrees, ``translate`` as a fraction of the side, ``ColorJitter(hue=h)`` a turn of the
hue circle by up to ``360 * h`` degrees. A border filled with ``padding_mode="reflect"`` or ``"symmetric"`` is
mirrored image content, as albumentations' reflecting border modes are.
"""

from __future__ import annotations

from collections.abc import Callable

from safeaug.catalog._defaults import REQUIRED
from safeaug.catalog._registry import Describe, Knob, Params, add_defaults, constant, entry
from safeaug.effects import Envelope
from safeaug.libraries._torchvision_table import SIGNATURES

V2 = "torchvision.transforms.v2"
V1 = "torchvision.transforms"


def both(cls: str) -> list[str]:
    """The v2 and v1 canonical names of a class (only those the installed torchvision has)."""
    return [name for name in (f"{V2}.{cls}", f"{V1}.{cls}") if name in SIGNATURES]


def tv_entry(cls: str, *, family: str, knobs: dict[str, Knob] | None = None) -> Callable[[Describe], Describe]:
    return entry(both(cls), family=family, knobs=knobs)


add_defaults({name: dict(args) for name, args in SIGNATURES.items()})
assert REQUIRED  # required arguments are marked with it in the table

GEOMETRIC = "geometric"

constant(both("RandomHorizontalFlip"), Envelope(mirror=True), family=GEOMETRIC, summary="mirrors left and right")
constant(
    both("RandomVerticalFlip"),
    Envelope(mirror=True, rotation=180.0),
    family=GEOMETRIC,
    summary="turns the image upside down (a mirror and a half turn)",
)


@tv_entry("RandomRotation", family=GEOMETRIC, knobs={"rotation": Knob("degrees", lambda b: f"degrees={b:g}")})
def _random_rotation(p: Params) -> Envelope:
    """rotates by a random angle in degrees; the corners are filled with ``fill``"""
    return Envelope(rotation=min(p.magnitude("degrees"), 180.0))
