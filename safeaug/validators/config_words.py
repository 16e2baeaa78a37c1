"""The words of findings on steps of other libraries' configs, read as albumentations transforms: mmcv's steps
(mmdet, mmseg, mmpretrain), Ultralytics' and timm's training settings and detectron2's ``INPUT`` settings. A fix
for one of them speaks that library's arguments, not the albumentations ones it is read as.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safeaug.ir import Node
from safeaug.readers.detectron2 import DEFAULT_MARK as D2_DEFAULT
from safeaug.readers.detectron2 import DEFAULTS as D2_SETTINGS
from safeaug.readers.detectron2 import QUIET as D2_QUIET
from safeaug.readers.timm_settings import DEFAULT_MARK as TIMM_DEFAULT
from safeaug.readers.ultralytics import BUILT_IN_MARK
from safeaug.readers.ultralytics import DEFAULT_MARK as ULTRALYTICS_DEFAULT
from safeaug.rules import Rule, fmt

if TYPE_CHECKING:
    from safeaug.policy import Invariant


# Steps of mmcv (mmdet, mmseg) read as albumentations transforms: (step, effect) -> what to change in the step's
# own arguments when the policy bounds the effect ({bound}), and when it refuses it; and whether that replaces the
# policy's own fix (which names albumentations' arguments).
STEP_FIXES: dict[tuple[str, str], tuple[str, str, bool]] = {
    ("RandomFlip", "rotation"): (
        "Keep `direction='horizontal'` alone (a vertical or diagonal flip turns the image upside down)",
        "Keep `direction='horizontal'` alone (a vertical or diagonal flip turns the image upside down)",
        True,
    ),
    ("Resize", "scale"): (
        "Use a `scale_factor` within {bound}, or resize to a fixed `scale`",
        "Resize to a fixed `scale`",
        False,
    ),
    ("RandomResize", "scale"): ("Narrow `ratio_range` to within {bound}", "Use `Resize` with a fixed `scale`", False),
    ("TestTimeAug", "scale"): (
        "Keep the test-time scale factors within {bound}",
        "Drop the test-time rescaling (one `Resize` to a fixed `scale`)",
        False,
    ),
    ("Pad", "reflect_border"): ("Use `padding_mode='constant'`", "Use `padding_mode='constant'`", True),
    ("RandomResizedCrop", "crop"): (
        "Raise the low end of `crop_ratio_range` so that the crop keeps at least {bound}",
        "Resize to the size instead (`Resize` with `scale`)",
        False,
    ),
    ("RandomResizedCrop", "scale"): (
        "Raise the low end of `crop_ratio_range` (a smaller crop is enlarged more) so that the zoom stays within "
        "{bound}",
        "Resize to the size instead (`Resize` with `scale`)",
        False,
    ),
    ("RandomResizedCrop", "edge"): (
        "Raise the low end of `crop_ratio_range` so that no edge moves in more than {bound}",
        "Resize to the size instead (`Resize` with `scale`)",
        False,
    ),
    ("RandomAffine", "rotation"): ("Lower `max_rotate_degree` to {bound}", "Set `max_rotate_degree=0`", True),
    ("RandomAffine", "scale"): (
        "Narrow `scaling_ratio_range` to within {bound}",
        "Set `scaling_ratio_range=(1.0, 1.0)`",
        True,
    ),
    ("RandomAffine", "shear"): ("Lower `max_shear_degree` to {bound}", "Set `max_shear_degree=0`", True),
    ("RandomAffine", "translation"): (
        "mmdet's `RandomAffine` turns, zooms and shears about the image's top-left corner, not its centre, so the "
        "far side moves furthest (by more the longer the image). Keep the shift within {bound} with "
        "`max_rotate_degree=0` and `max_shear_degree=0`: the shift is then `max_translate_ratio` plus half the "
        "largest change of `scaling_ratio_range`",
        "Set `max_translate_ratio=0`, `scaling_ratio_range=(1.0, 1.0)`, `max_rotate_degree=0` and `max_shear_degree=0`",
        True,
    ),
    ("RandomAffine", "crop"): (
        "mmdet's `RandomAffine` turns and zooms about the image's top-left corner, so a turn swings the far side out "
        "of the frame (by more the longer the image), and a `border` below zero cuts the bottom and right: keep it "
        "to {bound} with `max_rotate_degree=0`, `max_shear_degree=0`, a small `max_translate_ratio`, "
        "`scaling_ratio_range` up to 1 and `border=(0, 0)`",
        "Set `max_translate_ratio=0`, `scaling_ratio_range=(1.0, 1.0)`, `max_rotate_degree=0`, "
        "`max_shear_degree=0` and `border=(0, 0)`",
        True,
    ),
    ("RandomAffine", "edge"): (
        "mmdet's `RandomAffine` turns and zooms about the image's top-left corner, so a turn swings the far side in "
        "(by more the longer the image): keep the edges within {bound} with `max_rotate_degree=0`, "
        "`max_shear_degree=0`, a small `max_translate_ratio` and `scaling_ratio_range` near 1",
        "Set `max_translate_ratio=0`, `scaling_ratio_range=(1.0, 1.0)`, `max_rotate_degree=0` and `max_shear_degree=0`",
        True,
    ),
    ("MixUp", "mirror"): (
        "Set `flip_ratio=1.0`: mmdet flips the image it mixes in when a uniform draw exceeds `flip_ratio`, so "
        "`flip_ratio=0` flips it every time and only 1 never",
        "Set `flip_ratio=1.0`: mmdet flips the image it mixes in when a uniform draw exceeds `flip_ratio`, so "
        "`flip_ratio=0` flips it every time and only 1 never",
        True,
    ),
    ("YOLOXHSVRandomAug", "hue"): (
        "Lower `hue_delta` so that the shift stays within {bound} (it counts OpenCV's 8-bit hue units of 2°)",
        "Set `hue_delta=0`",
        True,
    ),
    ("YOLOXHSVRandomAug", "saturation"): (
        "Lower `saturation_delta` (levels added to the 8-bit saturation) so that the change stays within {bound}",
        "Set `saturation_delta=0`",
        True,
    ),
    ("YOLOXHSVRandomAug", "brightness"): (
        "Lower `value_delta` (levels added to the 8-bit value) so that the shift stays within {bound}",
        "Set `value_delta=0`",
        True,
    ),
    ("PhotoMetricDistortion", "brightness"): (
        "Lower `brightness_delta` so that the shift stays within {bound} (it is multiplied by up to the largest "
        "`contrast_range` gain)",
        "Set `brightness_delta=0`",
        False,
    ),
    ("PhotoMetricDistortion", "contrast"): (
        "Narrow `contrast_range` to within {bound}",
        "Set `contrast_range=(1.0, 1.0)`",
        False,
    ),
    ("PhotoMetricDistortion", "saturation"): (
        "Narrow `saturation_range` to within {bound}",
        "Set `saturation_range=(1.0, 1.0)`",
        False,
    ),
    ("PhotoMetricDistortion", "hue"): (
        "Lower `hue_delta` so that the shift stays within {bound} (mmseg counts it in units of 2°)",
        "Set `hue_delta=0`",
        False,
    ),
    ("PhotoMetricDistortion", "color"): (
        "Use mmseg's, which swaps no channels (`type='mmseg.PhotoMetricDistortion'`; mmdet's permutes them on a coin)",
        "Use mmseg's, which swaps no channels (`type='mmseg.PhotoMetricDistortion'`; mmdet's permutes them on a coin)",
        False,
    ),
}


STEP_FIXES[("CachedMixUp", "mirror")] = STEP_FIXES[("MixUp", "mirror")]


# Ultralytics training settings read as transforms (``readers.ultralytics``): (setting, effect) -> what to write
# when the policy bounds the effect ({bound}); otherwise the setting is turned off (``_SETTING_OFF``). Leaving a
# setting out of the file keeps Ultralytics' default, so "remove" is never the fix.
_SETTING_FIXES: dict[tuple[str, str], str] = {
    ("degrees", "rotation"): "Set `degrees` to at most {bound} (or `degrees: 0.0`).",
    ("translate", "translation"): "Set `translate` to at most {bound} (or `translate: 0.0`).",
    ("scale", "scale"): "Set `scale` so that `1 - scale` to `1 + scale` stays within {bound} (or `scale: 0.0`).",
    ("scale", "crop"): "Set `scale` lower so that the crop keeps {bound}: in detection a zoom of `1 + scale` keeps "
    "`1 / (1 + scale)**2` of the image, in classification the crop keeps `1 - scale` of it (or `scale: 0.0`).",
    ("shear", "shear"): "Set `shear` to at most {bound} (or `shear: 0.0`).",
    ("hsv_h", "hue"): "Set `hsv_h` so that the shift stays within {bound}: it shifts by up to `180 * hsv_h` of "
    "OpenCV's hue units of 2° (or `hsv_h: 0.0`).",
    ("hsv_s", "saturation"): "Set `hsv_s` so that `1 - hsv_s` to `1 + hsv_s` stays within {bound} (or `hsv_s: 0.0`).",
    ("hsv_v", "contrast"): "Set `hsv_v` so that `1 - hsv_v` to `1 + hsv_v` stays within {bound} (or `hsv_v: 0.0`).",
}
_SETTING_OFF: dict[str, str] = {
    "INPUT.RANDOM_FLIP": 'Set `INPUT.RANDOM_FLIP: "none"`.',
    "INPUT.CROP": "Set `INPUT.CROP.ENABLED: False`, or a `SIZE` that keeps more of the image.",
    "INPUT.MIN_SIZE_TRAIN": "Set `INPUT.MIN_SIZE_TRAIN` and `INPUT.MAX_SIZE_TRAIN` near the size of your images.",
    "auto_augment": "Set `auto_augment` to another policy, or leave it empty (`auto_augment: ''`: `hsv_*` then "
    "drive a ColorJitter instead).",
    "copy_paste": "Set `copy_paste: 0.0` (in `copy_paste_mode: flip` every pasted object is a mirrored copy; "
    "`copy_paste_mode: mixup` pastes objects of other images instead).",
    "imgsz": "Set `imgsz` to the size the model takes, near the size of your images.",
}
_BUILT_IN = BUILT_IN_MARK
BUILT_IN_FIX = (
    "Ultralytics adds these albumentations transforms itself whenever albumentations is installed; no training "
    "setting turns them off. Train where albumentations is not installed, or allow them by name if this share of "
    "images is acceptable."
)


def built_in(node: Node) -> bool:
    """Whether a transform is one Ultralytics adds by itself (``readers.ultralytics``), not a setting's."""
    return node.foreign and _BUILT_IN in node.written


def written_setting(node: Node) -> str | None:
    """The training setting (``fliplr``, ``INPUT.RANDOM_FLIP``) a transform is read from; None for anything else."""
    written = node.written
    if not node.foreign or not written or _BUILT_IN in written:
        return None
    key, colon, _ = written.partition(": ")
    return key if colon and " " not in key else None


# timm's training settings (``readers.timm_settings``): what to write when a policy bounds the effect, and when it
# refuses it (any other setting is turned off with `key: 0.0`, which each of them takes).
_TIMM_OFF: dict[str, str] = {
    **{
        key: f"Leave `{key}` out (no automatic augmentation), or draw a RandAugment from the policy's own bounds in "
        "your training code: `safeaug.auto.from_string('rand-m9-n2', policy)` keeps every op within them."
        for key in ("aa", "auto_augment")  # (the script's name, and create_transform's)
    },
    "scale": "Set `scale: [1.0, 1.0]` and `ratio: [1.0, 1.0]` (the whole image, resized), or raise the lower end of "
    "`scale`: the crop keeps between the two ends' share of the area, then is resized to the image size.",
    "no_aug": "Set `no_aug: false` and the augmentation settings you want, or keep the resize and centre crop it "
    "makes if the policy allows them.",
    "color_jitter": "Set `color_jitter: 0.0` (or `[brightness, contrast, saturation]` factors within the policy's "
    "bounds).",
}


def _timm_fix(key: str, rule: Rule, bound: Any) -> str | None:
    """A timm setting's fix that depends on the bound (``scale``: the share of the area its crop keeps)."""
    if key != "scale":
        return None
    if rule.name == "crop" and isinstance(bound, (int, float)):
        return f"Set `scale: [{bound:.2g}, 1.0]` or higher: the crop keeps at least the lower end's share of the area."
    if rule.name == "scale" and isinstance(bound, tuple) and len(bound) == 2 and bound[1] > 1:
        least = 1.0 / bound[1] ** 2  # a crop keeping a share a of the area is resized up by 1 / sqrt(a)
        return (
            f"Set `scale: [{least:.2f}, 1.0]` or higher and `ratio: [1.0, 1.0]`: a crop keeping a share `a` of the "
            f"area is enlarged by `1 / sqrt(a)` to the image size, so {least:.2f} keeps the zoom within "
            f"{fmt(rule, bound)} (another `ratio` stretches one side further)."
        )
    return None


def setting_fix(node: Node, rule: Rule, inv: Invariant, bound: Any) -> str | None:
    """For a transform read from a library's training settings (Ultralytics', timm's, detectron2's), the fix in
    the setting's own words (None for anything else)."""
    written = node.written
    if not node.foreign or not written:
        return None
    if _BUILT_IN in written:
        return BUILT_IN_FIX
    key = written_setting(node)
    if key is None:
        return None
    bounded = inv.allowed and rule.kind != "flag" and bound is not None
    if node.settings == "timm":
        text = (_timm_fix(key, rule, bound) if bounded else None) or _TIMM_OFF.get(key, f"Set `{key}: 0.0`.")
    else:
        change = _SETTING_FIXES.get((key, rule.name))
        if change is not None and bounded:
            text = change.format(bound=fmt(rule, bound))
        else:
            text = _SETTING_OFF.get(key, f"Set `{key}: 0.0`.")
    for library, mark in (("Ultralytics", ULTRALYTICS_DEFAULT), ("detectron2", D2_DEFAULT), ("timm", TIMM_DEFAULT)):
        if written.endswith(mark):
            text += f" The file does not set it, so {library}'s default applies: write the setting to change it."
    return text


# Why an Ultralytics setting is not read (``readers.ultralytics``: ``ultralytics.<setting>(<value>)``).
_SETTING_WHY: dict[str, str] = {
    "cfg": "the settings it does not give come from that file, not from Ultralytics' defaults: lint that file too",
    "**": "the settings it unpacks cannot be read without running the code",
    "perspective": "it is in 1/pixels, so how far it moves the corners depends on the image size",
    "scale": "from 1 on, the drawn zoom reaches 0 or turns the image over",
}


# What to write instead of an Ultralytics setting the reader refused.
_SETTING_INSTEAD: dict[str, str] = {
    "cfg": "Lint the `cfg` file with the same policy (safeaug reads Ultralytics' YAML), and write the settings "
    "that matter here in the call",
    "**": "Write the settings out as keyword arguments (`fliplr=0.0`), or unpack a dict the file writes out",
    "perspective": "Set `perspective: 0.0`",
    "scale": "Set `scale` below 1 (the zoom then stays within `1 - scale` to `1 + scale`)",
}


# Why a timm setting is not read (``readers.timm_settings``: ``timm.<setting>(<value>)``).
_TIMM_WHY: dict[str, str] = {
    "train_crop_mode": "safeaug reads timm's default crop only, not its crops that keep the ratio and pad (`rkrc`, "
    "`rkrr`)",
    "**": "the settings it unpacks cannot be read without running the code",
    "*": "`create_transform`'s arguments past `is_training` are read by name only",
}


# What to write instead of a timm setting the reader refused.
_TIMM_INSTEAD: dict[str, str] = {
    "train_crop_mode": "Use the default crop (`train_crop_mode: rrc`, or leave it out), which safeaug reads",
    "scale": "Write `scale` as two shares of the area in [0, 1], the smaller first (`scale: [0.8, 1.0]`)",
    "ratio": "Write `ratio` as two aspect ratios above 0, the smaller first (`ratio: [0.75, 1.33]`)",
    "img_size": "Write `img_size` as one whole number of pixels",
    "input_size": "Write `input_size` as whole numbers of pixels (`[3, 224, 224]`; in `create_transform`, one "
    "side or `(224, 224)` too)",
    "**": "Write the settings out as keyword arguments (`hflip=0.0`): what a dict unpacked into "
    "`create_transform` sets is known only when the code runs",
    "*": "Pass the settings past `is_training` as keyword arguments (`scale=(0.9, 1.0)`)",
    "color_jitter": "Write `color_jitter` as one factor, or three or four (`[0.4, 0.4, 0.4]`; a hue factor of at "
    "most 0.5)",
}


def setting_key(node: Node) -> str | None:
    """The setting of an Ultralytics, timm or detectron2 config the reader refused (``ultralytics.<setting>(<why>)``,
    ``timm.<setting>(<why>)``, ``detectron2.INPUT.<setting>(<why>)``); None for anything else."""
    name = node.name
    prefixes = ("ultralytics.", "timm.", "detectron2.")
    if not (node.foreign and name.startswith(prefixes) and name.endswith(")") and "(" in name):
        return None
    return name[name.index(".") + 1 : name.index("(")]


def setting_form(node: Node) -> str | None:
    """For an Ultralytics or detectron2 setting the reader refused: why; None for anything else."""
    key = setting_key(node)
    if key is None:
        return None
    if node.name.startswith("detectron2."):
        if key == "_BASE_":
            return "the base file cannot be read, so the settings it gives are unknown"
        if key == "code":
            return "what it merges or sets is not written out in this file, so the settings it gives are unknown"
        if key.removeprefix("INPUT.") in {*D2_SETTINGS, *D2_QUIET}:
            return "a value detectron2 does not take"
        return "it is not one of detectron2's settings: the project's own code reads it, and does what it says there"
    unknown = "a value it does not take, or one that cannot be read without running the code"
    if node.name.startswith("timm."):
        return _TIMM_WHY.get(key, unknown)
    return _SETTING_WHY.get(key, unknown)


def mm_form(node: Node) -> str | None:
    """For an mmcv step written in a form its reader does not read (``mmengine.Pad(pad_to_square=True)``,
    see ``readers.dialects._mm_unknown``): what of it was not read; None for anything else."""
    name = node.name
    if not (node.foreign and name.startswith("mmengine.") and name.endswith(")") and "(" in name):
        return None
    return name[name.index("(") + 1 : -1]


def refused_setting_fix(node: Node) -> str | None:
    """The fix for an Ultralytics, timm or detectron2 setting the reader refused; None for anything else."""
    key = setting_key(node)
    if key is None:
        return None
    if node.name.startswith("detectron2."):
        if key == "_BASE_":
            instead = "Put the base file where `_BASE_` says (a path from this file), so that its settings can be read"
        elif key == "code":
            instead = (
                "Merge a config file by its path written out (safeaug reads it, `_BASE_` files and all) and set "
                '`INPUT` settings one by one (`cfg.INPUT.RANDOM_FLIP = "none"`)'
            )
        elif key.removeprefix("INPUT.") in {*D2_SETTINGS, *D2_QUIET}:
            instead = f"Write `{key}` as detectron2's `defaults.py` takes it"
        else:
            instead = f"Check what the project's own code does with `{key}`, and remove it if nothing reads it"
    elif node.name.startswith("timm."):
        instead = _TIMM_INSTEAD.get(key, f"Write `{key}` as timm's training script takes it (docs/lint.md lists them)")
    else:
        instead = _SETTING_INSTEAD.get(key, f"Write `{key}` as a number Ultralytics takes (docs/lint.md lists them)")
    return f"{instead}, or add `{node.name}` to the policy's `allow` list with the reason it is safe."


__all__ = [
    "BUILT_IN_FIX",
    "STEP_FIXES",
    "built_in",
    "mm_form",
    "refused_setting_fix",
    "setting_fix",
    "setting_form",
    "setting_key",
    "written_setting",
]
