"""The rule table: one stable code per effect, plus the rules that are not about effects.

Codes never change meaning and are never reused. ``SA1xx`` geometry, ``SA2xx`` intensity and colour,
``SA3xx`` detail and resolution, ``SA4xx`` structure and unknown transforms, ``SA5xx`` config hygiene.
Every code has one :class:`RuleDoc` entry here (what it does, why it matters, an example, what to write
instead): ``safeaug explain SA101`` prints it and SARIF output builds its rule list from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

# How an effect is bounded by an invariant.
#   flag   yes/no: only `allowed: false` applies
#   max    a magnitude: `max` (and `allowed: false` means "none at all")
#   min    a floor: `min` (crop area kept, JPEG quality, ...)
#   range  a factor range: `min` and `max` (scale, contrast, gamma, saturation)
Kind = Literal["flag", "max", "min", "range"]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    kind: Kind
    unit: str
    does: str  # what the effect is, completing "the pipeline ..."
    why: str  # why a policy might bound it, in general terms
    fields: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.name.replace("_", " ")


def _r(code: str, name: str, kind: Kind, unit: str, does: str, why: str, fields: tuple[str, ...] = ()) -> Rule:
    if not fields:
        fields = (f"{name}_min", f"{name}_max") if kind == "range" else (name,)
    return Rule(code, name, kind, unit, does, why, fields)


EFFECT_RULES: tuple[Rule, ...] = (
    _r(
        "SA101",
        "mirror",
        "flag",
        "",
        "may mirror the image (a reflection: left becomes right)",
        "Anatomy, text and traffic scenes are not symmetric; a mirrored example can carry the wrong label.",
    ),
    _r(
        "SA102",
        "rotation",
        "max",
        "°",
        "may rotate the image",
        "Large turns put up where down was: a 6 becomes a 9, a chest film stands on its head.",
    ),
    _r(
        "SA103",
        "scale",
        "range",
        "×",
        "may zoom in or out",
        "Apparent size is evidence in many domains (heart size, lesion size, ground sampling distance).",
    ),
    _r(
        "SA104",
        "translation",
        "max",
        " of the side",
        "may shift the image",
        "Large shifts push the region that carries the label out of the frame.",
    ),
    _r("SA105", "shear", "max", "°", "may shear the image", "Shear distorts shapes and angles."),
    _r("SA106", "perspective", "max", "", "may apply a perspective warp", "Perspective changes shape and proportions."),
    _r(
        "SA107",
        "nonrigid",
        "flag",
        "",
        "may warp the image non-rigidly (elastic, grid or optical distortion)",
        "Non-rigid warps change shapes; some domains accept them, others measure shape.",
    ),
    _r(
        "SA108",
        "crop",
        "min",
        " of the area",
        "may crop away part of the image",
        "A crop can remove the finding that the label describes.",
        ("crop_min",),
    ),
    _r(
        "SA109",
        "reflect_border",
        "flag",
        "",
        "may fill borders with mirrored or wrapped copies of the image",
        "Reflected borders create mirrored anatomy or duplicated objects at the edges.",
    ),
    _r(
        "SA110",
        "resize",
        "flag",
        "",
        "resizes to a fixed size",
        "A resize by an input-dependent factor can shrink small objects below what the model can see.",
    ),
    _r(
        "SA111",
        "warp",
        "max",
        " of the side",
        "may move content non-rigidly (elastic, grid, optical or spline warps)",
        "A strong warp bends shapes that a label may describe, and can push content out of the frame.",
    ),
    _r(
        "SA112",
        "fold",
        "flag",
        "",
        "may fold or tear the image locally (a warp that mirrors a patch onto its neighbour)",
        "A folded patch is a local mirror: structures are duplicated, reversed or torn apart.",
    ),
    _r(
        "SA113",
        "edge",
        "max",
        " of the side",
        "may move an edge of the image inward (a crop, zoom, shift, perspective or warp)",
        "Whatever sits near an edge (a lung base, a line of text, a road edge) leaves the frame.",
        ("edge_travel",),
    ),
    _r(
        "SA201",
        "inversion",
        "flag",
        "",
        "may invert intensities (negative image)",
        "An inverted image is a different kind of input in many modalities.",
    ),
    _r(
        "SA202",
        "nonmonotone",
        "flag",
        "",
        "may apply a non-monotone intensity map (solarisation)",
        "A non-monotone map reorders intensities: dense becomes lucent, dark becomes bright.",
    ),
    _r(
        "SA203",
        "brightness",
        "max",
        " of full scale",
        "may shift brightness",
        "Intensity can carry meaning (density, exposure, stain).",
    ),
    _r("SA204", "contrast", "range", "×", "may change contrast", "Contrast changes can hide or fake subtle findings."),
    _r("SA205", "gamma", "range", "", "may apply a gamma curve", "Strong gamma compresses shadows or highlights."),
    _r("SA206", "hue", "max", "°", "may shift hue", "Colour can be the label (a lesion's colour, a sign's colour)."),
    _r(
        "SA207", "saturation", "range", "×", "may change saturation", "Saturation carries stain and colour information."
    ),
    _r(
        "SA208",
        "color",
        "flag",
        "",
        "may change the balance between colour channels",
        "Channel changes alter colour that may be diagnostic, or are meaningless for single-channel modalities.",
    ),
    _r(
        "SA209",
        "grayscale",
        "flag",
        "",
        "may drop colour entirely",
        "Removing colour removes information the label may depend on.",
    ),
    _r(
        "SA210",
        "equalization",
        "flag",
        "",
        "may remap intensities from the image histogram (equalise, CLAHE)",
        "Histogram-driven maps change intensity relations across the image.",
    ),
    _r(
        "SA211",
        "posterize",
        "min",
        " bits",
        "may reduce the number of intensity levels",
        "Quantisation erases subtle intensity differences.",
        ("posterize_bits",),
    ),
    _r("SA301", "blur", "max", " px σ", "may blur", "Blur erases fine structures that can be the finding."),
    _r(
        "SA302",
        "resolution",
        "min",
        "× of the resolution",
        "may lower the resolution",
        "Down-sampling can make small objects vanish.",
    ),
    _r("SA303", "noise", "max", " of full scale (σ)", "may add noise", "Strong noise hides low-contrast findings."),
    _r(
        "SA304",
        "compression",
        "min",
        " quality",
        "may add compression artefacts",
        "Heavy compression erases fine texture and adds blocks.",
    ),
    _r("SA305", "sharpen", "flag", "", "may sharpen or emboss", "Sharpening creates halos that look like edges."),
    _r(
        "SA403",
        "occlusion",
        "max",
        " of the area",
        "may hide part of the image",
        "Occluding the labelled region makes the label false.",
    ),
    _r(
        "SA404",
        "topology",
        "flag",
        "",
        "may shuffle or break the spatial layout",
        "Shuffled tiles destroy the spatial relations a label may rest on.",
    ),
    _r(
        "SA405",
        "mixing",
        "flag",
        "",
        "may mix in content or statistics from other images",
        "Mixed images carry more than one label.",
    ),
    _r(
        "SA406",
        "overlay",
        "flag",
        "",
        "may draw things that are not there (rain, text, flares, shadows)",
        "Overlays can cover or imitate the finding.",
    ),
)

# Rules not tied to an effect.
UNKNOWN_TRANSFORM = "SA401"
DENIED_TRANSFORM = "SA402"
UNBOUNDED_EFFECT = "SA407"  # an effect whose size depends on the input (pixel sizes, fixed-size crops)
PROBED_TRANSFORM = "SA408"  # no catalog entry; described by running it on probe images
FOLDING_GRID = "SA409"  # GridElasticDeform strong enough to fold a grid cell: keypoints stop following the image
DESTROYED_IMAGE = "SA410"  # degenerate arguments: every pixel comes out as one value (or NaN)
BAD_PARAMETER = "SA501"
IGNORED_ARGUMENT = "SA502"  # an argument the installed albumentations line would silently drop
SUPPRESSION_WITHOUT_REASON = "SA601"
UNUSED_SUPPRESSION = "SA602"

# ---------------------------------------------------------------------------------------- rule docs
#
# Every code, effect or bespoke, has one entry of the same shape here: what it does, why it matters, an
# example that triggers it and what to write instead. `safeaug explain CODE` prints these sections and
# SARIF's `tool.driver.rules[]` carries them; tests lint each example under its policy and require the code.


@dataclass(frozen=True)
class RuleDoc:
    """The sections every rule code carries, the same for effect codes and bespoke ones."""

    code: str
    title: str
    what: str  # what it does: what the rule flags
    why: str  # why it matters
    example: str  # a training script that triggers the code (or, when not ``config``, API usage)
    instead: str  # what to write instead
    policy: str = "chest_xray"  # the example is judged under this built-in policy id, or this policy file text
    config: bool = True  # the example is a config the linter reads (``safeaug lint``)


def _script(*lines: str) -> str:
    """A training script whose pipeline is ``lines`` (one transform a line, each may carry a comment)."""
    body = "".join(f"    {line}\n" if "#" in line else f"    {line},\n" for line in lines)
    return f"import albumentations as A\n\ntrain = A.Compose([\n{body}])\n"


# A policy file for the codes no built-in policy triggers (every built-in allows non-rigid warps and
# sharpening, and none refuses a transform by name).
_SHAPE_POLICY = """id: shapes_measured
title: Shape measurement
description: The label is a measured shape, so nothing may warp it or sharpen its edges.
deny:
  - transform: CoarseDropout
    reason: Dropped regions hide the outline being measured.
invariants:
  - effect: nonrigid
    allowed: false
    reason: The task measures shape; elastic and grid warps change it.
  - effect: sharpen
    allowed: false
    reason: Sharpening halos move the edges that are measured.
"""

# Effect code -> (a transform that triggers it, what to write instead, policy)
_EFFECT_EXAMPLES: dict[str, tuple[str, str, str]] = {
    "SA101": (
        "A.HorizontalFlip(p=0.5)",
        "Drop the flip, or flip the label with the image (a label transform).",
        "chest_xray",
    ),
    "SA102": (
        "A.Rotate(limit=90, p=0.5)",
        "A turn within the policy's bound: `A.Rotate(limit=10, p=0.5)`.",
        "chest_xray",
    ),
    "SA103": (
        "A.Affine(scale=(0.5, 2.0), p=0.5)",
        "A scale range inside the policy's: `A.Affine(scale=(0.9, 1.1))`.",
        "chest_xray",
    ),
    "SA104": (
        "A.Affine(translate_percent=(-0.3, 0.3), p=0.5)",
        "A smaller shift: `A.Affine(translate_percent=(-0.05, 0.05))`.",
        "chest_xray",
    ),
    "SA105": (
        "A.Affine(shear=(-30, 30), p=0.5)",
        "A shear within the bound, or none: `A.Affine(shear=(-5, 5))`.",
        "chest_xray",
    ),
    "SA106": (
        "A.Perspective(scale=(0.05, 0.3), p=0.5)",
        "A milder warp: `A.Perspective(scale=(0.01, 0.03))`, or none.",
        "chest_xray",
    ),
    "SA107": ("A.ElasticTransform(p=0.5)", "An affine transform (rotation, scale) that keeps shapes.", _SHAPE_POLICY),
    "SA108": (
        "A.RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0))",
        "Keep at least the policy's share of the area: `A.RandomResizedCrop(size=(224, 224), scale=(0.9, 1.0))`.",
        "chest_xray",
    ),
    "SA109": (
        "A.Rotate(limit=5, border_mode=cv2.BORDER_REFLECT_101, p=0.5)",
        "A constant fill: `border_mode=cv2.BORDER_CONSTANT` (with `fill=0`).",
        "chest_xray",
    ),
    "SA110": (
        "A.Resize(height=224, width=224)",
        "Keep the scale: `A.PadIfNeeded` and a crop to the size, or tile the image.",
        "small_objects",
    ),
    "SA111": (
        "A.GridDistortion(num_steps=5, distort_limit=0.9, p=0.5)",
        "A milder warp within the bound: `A.GridDistortion(num_steps=5, distort_limit=0.3)`.",
        "chest_xray",
    ),
    "SA112": (
        "A.ElasticTransform(alpha=1000, sigma=10, p=0.5)",
        "A smooth warp that cannot fold: `A.ElasticTransform(alpha=120, sigma=6)` (alpha / sigma of 25 or less).",
        "chest_xray",
    ),
    "SA113": (
        "A.CropAndPad(percent=(-0.3, 0), keep_size=True, p=0.5)",
        "Crop less from each side: `A.CropAndPad(percent=(-0.05, 0), keep_size=True)`, or pad instead.",
        "chest_xray",
    ),
    "SA201": ("A.InvertImg(p=0.5)", "Drop the inversion.", "chest_xray"),
    "SA202": ("A.Solarize(p=0.5)", "A monotone change: `A.RandomBrightnessContrast(0.1, 0.1)`.", "chest_xray"),
    "SA203": (
        "A.RandomBrightnessContrast(brightness_limit=0.5, contrast_limit=0, p=0.5)",
        "A shift within the bound: `brightness_limit=0.1`.",
        "chest_xray",
    ),
    "SA204": (
        "A.RandomBrightnessContrast(brightness_limit=0, contrast_limit=0.8, p=0.5)",
        "A contrast range within the bound: `contrast_limit=0.1`.",
        "chest_xray",
    ),
    "SA205": (
        "A.RandomGamma(gamma_limit=(40, 250), p=0.5)",
        "A gamma range within the bound: `gamma_limit=(90, 110)`.",
        "chest_xray",
    ),
    "SA206": (
        "A.HueSaturationValue(hue_shift_limit=40, sat_shift_limit=0, val_shift_limit=0, p=0.5)",
        "No hue shift (`hue_shift_limit=0`) or one within the bound.",
        "chest_xray",
    ),
    "SA207": (
        "A.HueSaturationValue(hue_shift_limit=0, sat_shift_limit=80, val_shift_limit=0, p=0.5)",
        "A saturation change within the bound, or none (`sat_shift_limit=0`).",
        "chest_xray",
    ),
    "SA208": (
        "A.ChannelShuffle(p=0.5)",
        "Drop the channel change; change brightness or contrast instead.",
        "chest_xray",
    ),
    "SA209": ("A.ToGray(p=0.2)", "Keep colour: drop `ToGray`.", "dermoscopy"),
    "SA210": ("A.CLAHE(p=0.5)", "A global, monotone change: `A.RandomBrightnessContrast` or `A.RandomGamma`.", "ct"),
    "SA211": ("A.Posterize(num_bits=2, p=0.5)", "Keep at least the policy's bits, or drop `Posterize`.", "chest_xray"),
    "SA301": (
        "A.Blur(blur_limit=(15, 31), p=0.5)",
        "A small kernel within the bound: `A.Blur(blur_limit=(3, 3))`.",
        "chest_xray",
    ),
    "SA302": (
        "A.Downscale(scale_range=(0.1, 0.25), p=0.5)",
        "A milder down-sampling: `A.Downscale(scale_range=(0.8, 0.95))`, or none.",
        "chest_xray",
    ),
    "SA303": (
        "A.GaussNoise(std_range=(0.2, 0.5), p=0.5)",
        "Weaker noise: `A.GaussNoise(std_range=(0.01, 0.03))`.",
        "chest_xray",
    ),
    "SA304": (
        "A.ImageCompression(quality_range=(5, 20), p=0.5)",
        "A quality floor at or above the policy's: `A.ImageCompression(quality_range=(80, 100))`.",
        "chest_xray",
    ),
    "SA305": ("A.Sharpen(p=0.5)", "Drop the sharpening.", _SHAPE_POLICY),
    "SA403": (
        "A.CoarseDropout(num_holes_range=(8, 8), hole_height_range=(0.2, 0.3), hole_width_range=(0.2, 0.3), p=0.5)",
        "Fewer, smaller holes whose total stays within the bound, or none.",
        "chest_xray",
    ),
    "SA404": ("A.RandomGridShuffle(grid=(3, 3), p=0.5)", "Drop the tile shuffle.", "chest_xray"),
    "SA405": (
        "A.FDA(reference_images=[], read_fn=lambda x: x, p=0.5)",
        "Augment each image on its own; drop the mixing transform.",
        "chest_xray",
    ),
    "SA406": ("A.RandomRain(p=0.5)", "Drop the overlay.", "chest_xray"),
}


def _effect_doc(rule: Rule) -> RuleDoc:
    line, instead, policy = _EFFECT_EXAMPLES[rule.code]
    example = _script(line)
    if "cv2." in line:
        example = "import cv2\n" + example
    return RuleDoc(
        rule.code,
        rule.title,
        f"Flags a transform or pipeline that {rule.does}, beyond what the policy's `{rule.name}` invariant allows.",
        rule.why,
        example,
        f"{instead} Bound with `effect: {rule.name}` ({rule.kind}) in a policy's invariants.",
        policy,
    )


_OTHER_DOCS: tuple[RuleDoc, ...] = (
    RuleDoc(
        UNKNOWN_TRANSFORM,
        "unknown transform",
        "Flags a transform safeaug has no catalog entry for, so it cannot tell what it does.",
        "It fails closed: an unknown transform could mirror, crop or recolour the image, and a pass would be a guess.",
        "from my_project.augment import MyAugment\n\n" + _script("MyAugment()"),
        "Register an entry with safeaug.register_transform(...), or allow the transform by name in your policy "
        "with a reason.",
    ),
    RuleDoc(
        DENIED_TRANSFORM,
        "transform denied by name",
        "Flags a transform the policy lists in `deny`.",
        "The policy's author refused this transform whatever its arguments; the policy's reason says why.",
        _script("A.CoarseDropout(p=0.5)"),
        "Drop the transform, or use a different policy if the refusal does not fit your data.",
        _SHAPE_POLICY,
    ),
    RuleDoc(
        UNBOUNDED_EFFECT,
        "effect not bounded",
        "Flags an effect whose size depends on the input (a crop or shift given in pixels).",
        "Without the image size it cannot be compared with the policy's bound: a 64 px crop keeps most of a "
        "64 px image and almost nothing of a 1024 px one.",
        _script("A.RandomCrop(height=64, width=64)"),
        "Use a relative parameter (fractions of the image, e.g. `A.RandomResizedCrop(scale=(0.9, 1.0))`), or "
        "give the image size (`--input-size`, `input-size` in `[tool.safeaug]`).",
    ),
    RuleDoc(
        PROBED_TRANSFORM,
        "described by probing",
        "Marks a transform without a catalog entry that safeaug ran on probe images (validate(..., probe=True) "
        "or safeaug.wrap) and judged by what it was seen to do, widened by the measurement tolerance.",
        "A probe is a sample: it cannot see mixing with other images, tile shuffles, overlays, histogram "
        "equalisation or compression, nor an effect that shows on other inputs only.",
        "import safeaug\nfrom my_project.augment import MyAugment\n\n"
        "safeaug.validate(A.Compose([MyAugment()]), policy='chest_xray', probe=True)\n",
        "Register the transform with safeaug.register_transform(...) for a static guarantee.",
        config=False,
    ),
    RuleDoc(
        FOLDING_GRID,
        "keypoints may leave their pixels (GridElasticDeform folds a cell)",
        "Flags a GridElasticDeform strong enough to fold a grid cell on an image of 32 px a side or more, and "
        "names the largest width and height that can fold. GridElasticDeform moves its inner grid points by up "
        "to `magnitude` px, so a cell of side c (the image side over `num_grid_xy`) can fold over its "
        "neighbours from magnitude c/4 on.",
        "albumentations 2.0.8 then paints the image and masks one way but maps each keypoint with its own "
        "cell's map, so a keypoint can land on other content: its label no longer marks what it points at.",
        _script("A.GridElasticDeform(num_grid_xy=(8, 8), magnitude=40, p=0.5)"),
        "Keep `magnitude` below a quarter of the smallest cell on your images (a smaller magnitude or fewer "
        "grid cells), or use ElasticTransform for keypoint tasks.",
    ),
    RuleDoc(
        DESTROYED_IMAGE,
        "arguments that destroy the image",
        "Flags arguments with which the installed albumentations replaces every pixel with one value: a kernel "
        "built from a zero width divides by zero and turns the image into NaN, which uint8 stores as white.",
        "No label survives that, so safeaug refuses it under every policy. It is usually a default of an older "
        "albumentations line that meant something else there (1.x read `GaussianBlur(sigma_limit=0)` as "
        "'derive sigma from the kernel size').",
        _script("A.GaussianBlur(sigma_limit=(0, 0), p=0.5)"),
        "Give a positive width: `A.GaussianBlur(sigma_limit=(0.5, 1.5))`.",
    ),
    RuleDoc(
        BAD_PARAMETER,
        "invalid parameter",
        "Flags a transform argument with a value or type safeaug cannot read (a value that comes from outside "
        "the file, a wrong type, an impossible range).",
        "What the transform does depends on that value; judging it anyway would be a guess, so it fails closed.",
        _script("A.Rotate(limit=cfg.max_angle, p=0.5)"),
        "Write the argument out as a literal in the pipeline: `A.Rotate(limit=10, p=0.5)`.",
    ),
    RuleDoc(
        IGNORED_ARGUMENT,
        "written for another albumentations line",
        "Flags a class or argument from another albumentations line (1.x, 2.0.x or AlbumentationsX).",
        "The installed line either drops the argument with at most a warning at start-up, so the pipeline runs "
        "with a default nobody chose, or refuses to build the transform at all (a removed class, a required "
        "argument under its old name, 1.x positional arguments). safeaug judges what the author meant and says "
        "what the installed line will do.",
        _script("A.GaussNoise(var_limit=(10.0, 50.0), p=0.5)"),
        "Write the installed line's names: `A.GaussNoise(std_range=(0.01, 0.03), p=0.5)`.",
    ),
    RuleDoc(
        SUPPRESSION_WITHOUT_REASON,
        "suppression without a reason",
        "Flags an inline `safeaug: ignore[...]` comment that does not say why, after ` -- `.",
        "An inline `safeaug: ignore[...]` comment must say why, after ` -- `, so that a reviewer can judge it.",
        _script("A.HorizontalFlip(p=0.5),  # safeaug: ignore[SA101]"),
        "Give the reason: `# safeaug: ignore[SA101] -- labels are flipped by the loader`.",
    ),
    RuleDoc(
        UNUSED_SUPPRESSION,
        "unused suppression",
        "Flags an inline `safeaug: ignore[...]` comment that matches no finding.",
        "A suppression that matches no finding can hide a future problem on its line.",
        _script("A.Resize(height=224, width=224),  # safeaug: ignore[SA101] -- the model is mirror-invariant"),
        "Remove the comment.",
    ),
)

RULE_DOCS: dict[str, RuleDoc] = dict(
    sorted(({r.code: _effect_doc(r) for r in EFFECT_RULES} | {d.code: d for d in _OTHER_DOCS}).items())
)

# (title, why it matters and what to write instead) for the codes not tied to an effect: a finding's reason.
OTHER_RULES: dict[str, tuple[str, str]] = {d.code: (d.title, f"{d.why} {d.instead}") for d in _OTHER_DOCS}


def explain_text(code: str) -> str:
    """What ``safeaug explain CODE`` prints: every section of the rule's entry."""
    d = RULE_DOCS[code]
    if not d.config:
        example = f"Example:\n\n{_indent(d.example)}"
    elif "\n" in d.policy:
        example = f"Example (linted under this policy file):\n\n{_indent(d.policy)}\n{_indent(d.example)}"
    else:
        example = f"Example (linted under policy `{d.policy}`):\n\n{_indent(d.example)}"
    return (
        f"{d.code} {d.title}\n\n"
        f"What it does: {d.what}\n\n"
        f"Why it matters: {d.why}\n\n"
        f"{example}\n"
        f"Instead: {d.instead}\n\n"
        f"Silence one finding with a comment on its line: `# safeaug: ignore[{d.code}] -- why`.\n"
    )


def _indent(text: str) -> str:
    return "".join(f"    {line}\n" if line else "\n" for line in text.splitlines())


def sarif_rule(code: str) -> dict[str, object]:
    """One entry of SARIF's ``tool.driver.rules``, carrying every section of the rule's entry."""
    d = RULE_DOCS[code]
    rule = RULES_BY_CODE.get(code)
    name = rule.name if rule is not None else d.title.split(" (")[0].replace(" ", "_")
    policy = d.policy if "\n" not in d.policy else "the policy file below"
    markdown = (
        f"**What it does:** {d.what}\n\n**Why it matters:** {d.why}\n\n"
        f"**Example**{f' (under {policy})' if d.config else ''}:\n\n```python\n{d.example}```\n\n"
        + (f"```yaml\n{d.policy}```\n\n" if "\n" in d.policy else "")
        + f"**Instead:** {d.instead}\n\nRun `safeaug explain {code}` for the rule and `safeaug explain POLICY` "
        "for a policy's bounds."
    )
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": d.title[0].upper() + d.title[1:] + "."},
        "fullDescription": {"text": f"{d.what} {d.why}"},
        "help": {"text": explain_text(code), "markdown": markdown},
        "properties": {
            "what": d.what,
            "why": d.why,
            "example": d.example,
            "instead": d.instead,
            "tags": ["effect" if rule is not None else "pipeline"],
        },
    }


RULES_BY_NAME: dict[str, Rule] = {r.name: r for r in EFFECT_RULES}
RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in EFFECT_RULES}
EFFECT_NAMES: tuple[str, ...] = tuple(r.name for r in EFFECT_RULES)


def all_codes() -> dict[str, str]:
    """Every code with its short title, in code order."""
    return {code: d.title for code, d in RULE_DOCS.items()}


# ---------------------------------------------------------------------------------------- values
#
# The one place that formats values: an effect's amount in its unit (``fmt``) and an argument as written
# (``show``). Findings, policy descriptions, the run-time audit and the readers' notes all use these.


def fmt(rule: Rule, value: Any) -> str:
    """A value of an effect in the words and units an engineer expects."""
    name = rule.name
    if rule.kind == "range":
        lo, hi = value
        unit = "" if name == "gamma" else "×"
        return f"{lo:.3g}–{hi:.3g}{unit}"
    v = float(value)
    if math.isinf(v):
        return "an amount that grows with the image size (no bound in pixels)"
    if name in ("rotation", "hue", "shear"):
        return f"±{v:.3g}°"
    if name in ("translation", "crop", "occlusion", "warp", "edge"):
        what = "of the side" if name in ("translation", "warp", "edge") else "of the area"
        return f"{v * 100:.3g}% {what}"
    if name == "brightness":
        return f"±{v:.3g} of full scale"
    if name == "blur":
        return f"σ {v:.3g} px"
    if name == "noise":
        return f"σ {v:.3g} of full scale"
    if name == "resolution":
        return f"{v:.3g}× resolution"
    if name == "compression":
        return f"quality {v:.3g}"
    if name == "posterize":
        return f"{v:.3g} bits"
    return f"{v:.3g}"


def show(value: Any) -> str:
    """An argument's value as a config would write it: ``10``, ``(0.5, 1.5)``, ``{'x': (-1, 1)}``, ``'reflect'``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return f"{float(value) + 0.0:g}"  # + 0.0: a stored -0.0 (albumentations' (-0, 0)) reads as 0
        except OverflowError:  # an integer past any float: no config means it, so say what it is
            return f"{'-' if value < 0 else ''}(a whole number of more than 308 digits)"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(show(v) for v in value) + ")"
    if isinstance(value, dict):
        # sorted: the same arguments read the same whether they came from an object or a saved file
        return "{" + ", ".join(f"{k!r}: {show(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))) + "}"
    return repr(value)
