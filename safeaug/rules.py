"""The rule table: one stable code per effect, plus the rules that are not about effects.

Codes never change meaning and are never reused. ``SA1xx`` geometry, ``SA2xx`` intensity and colour,
``SA3xx`` detail and resolution, ``SA4xx`` structure and unknown transforms, ``SA5xx`` config hygiene.
``safeaug explain SA101`` prints a rule's entry; SARIF output builds its rule list from this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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

OTHER_RULES: dict[str, tuple[str, str]] = {
    UNKNOWN_TRANSFORM: (
        "unknown transform",
        "safeaug has no catalog entry for this transform, so it cannot tell what it does. It fails closed: "
        "register an entry with safeaug.register_transform(...), or allow the transform by name in your "
        "policy with a reason.",
    ),
    DENIED_TRANSFORM: ("transform denied by name", "The policy lists this transform in `deny`."),
    UNBOUNDED_EFFECT: (
        "effect not bounded",
        "The size of this effect depends on the input (a crop or shift given in pixels), so it cannot be "
        "compared with the policy's bound. Use a relative parameter (fractions of the image) instead.",
    ),
    PROBED_TRANSFORM: (
        "described by probing",
        "safeaug has no catalog entry for this transform, so it ran it on probe images (validate(..., probe=True) "
        "or safeaug.wrap) and judged what it was seen to do, widened by the measurement tolerance. A probe is a "
        "sample: it cannot see mixing with other images, tile shuffles, overlays, histogram equalisation or "
        "compression, nor an effect that shows on other inputs only. Register the transform with "
        "safeaug.register_transform(...) for a static guarantee.",
    ),
    FOLDING_GRID: (
        "keypoints may leave their pixels (GridElasticDeform folds a cell)",
        "GridElasticDeform moves its inner grid points by up to `magnitude` px, so a cell of side c (the image "
        "side over `num_grid_xy`) can fold over its neighbours from magnitude c/4 on. albumentations 2.0.8 then "
        "paints the image and masks one way but maps each keypoint with its own cell's map, so a keypoint can "
        "land on other content: its label no longer marks what it points at. The image size is not in the "
        "config, so safeaug warns when a cell can fold on an image of 32 px a side or more, and names the "
        "largest width and height that can fold. Keep `magnitude` below a quarter of the smallest cell on your images "
        "(a smaller magnitude or fewer grid cells), or use ElasticTransform for keypoint tasks.",
    ),
    DESTROYED_IMAGE: (
        "arguments that destroy the image",
        "With these arguments the installed albumentations replaces every pixel with one value: a kernel built "
        "from a zero width divides by zero and turns the image into NaN, which uint8 stores as white. No label "
        "survives that, so safeaug refuses it under every policy. It is usually a default of an older "
        "albumentations line that meant something else there (1.x read `GaussianBlur(sigma_limit=0)` as "
        "'derive sigma from the kernel size').",
    ),
    BAD_PARAMETER: ("invalid parameter", "A transform argument has a value or type safeaug cannot read."),
    IGNORED_ARGUMENT: (
        "written for another albumentations line",
        "The config uses a class or argument from another albumentations line (1.x, 2.0.x or AlbumentationsX). "
        "The installed line either drops the argument with at most a warning at start-up, so the pipeline runs "
        "with a default nobody chose, or refuses to build the transform at all (a removed class, a required "
        "argument under its old name, 1.x positional arguments). safeaug judges what the author meant and says "
        "what the installed line will do; write the installed line's names instead.",
    ),
    SUPPRESSION_WITHOUT_REASON: (
        "suppression without a reason",
        "An inline `safeaug: ignore[...]` comment must say why, after ` -- `, so that a reviewer can judge it.",
    ),
    UNUSED_SUPPRESSION: (
        "unused suppression",
        "An inline `safeaug: ignore[...]` comment matches no finding. Remove it, so that it cannot hide a "
        "future problem.",
    ),
}

RULES_BY_NAME: dict[str, Rule] = {r.name: r for r in EFFECT_RULES}
RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in EFFECT_RULES}
EFFECT_NAMES: tuple[str, ...] = tuple(r.name for r in EFFECT_RULES)


def all_codes() -> dict[str, str]:
    """Every code with its short title, in code order."""
    out = {r.code: r.title for r in EFFECT_RULES}
    out.update({code: title for code, (title, _) in OTHER_RULES.items()})
    return dict(sorted(out.items()))
