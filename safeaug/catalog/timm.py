"""timm's automatic augmentations (``timm.data.auto_augment``), judged by the op space their string names.

What timm 1.0.31 does (``timm/data/auto_augment.py``), read here without running it:

* Every op turns a *level* in [0, 10] into its argument: Rotate by ``level/10 * 30`` degrees either way;
  ShearX/Y by a factor ``level/10 * 0.3`` about the top-left corner; TranslateXRel/YRel by ``level/10 *
  translate_pct`` of the side (0.45, or what ``hparams`` sets: timm's own training script sets 0.3 for AugMix);
  Color, Contrast, Brightness and Sharpness by the enhance factor ``level/10 * 1.8 + 0.1`` (their
  ``Increasing`` forms by ``1 ± level/10 * 0.9``, at least 0.1); Posterize keeps ``int(level/10 * 4)`` bits
  (PosterizeIncreasing ``4 - `` that, PosterizeOriginal ``4 + `` that); Solarize inverts the levels at and
  above ``int(level/10 * 256)`` (SolarizeIncreasing above ``256 - `` that); SolarizeAdd adds up to
  ``level/10 * 110`` (at most 128) below 128; Invert, Equalize and AutoContrast take no level. The 3-Augment
  ops: Desaturate to an enhance factor ``1 - (0.5 + level/10 * 0.5)``, GaussianBlur of radius ``0.1 + level/10 *
  1.9`` and GaussianBlurRand of a radius up to ``level/10 * 2``.
* The level an op draws: the magnitude ``m``; with ``mstd`` above 0 a Gaussian about it, with ``mstd`` above
  100 (or unset, for AugMix) uniform in [0, m]; clipped to [0, 10] (to [0, ``mmax``] when ``mmax`` is given).
  A Gaussian reaches the whole clip range, so every level is read there. The reading is the envelope of each
  op over the levels it may draw, taken at both ends: an op whose severity falls with its level (Posterize,
  Solarize and the enhance ops) is at its worst at the lowest level.
* RandAugment (``rand-m9-n2-mstd0.5-inc1``) applies ``n`` ops drawn with replacement (without, for a weighted
  set) from ``_RAND_TRANSFORMS``, which holds Invert, or, with any ``inc`` key, from its increasing forms
  (timm tests the key's text, so ``inc0`` turns them on too); ``t`` names another set (``weights``, ``3a``,
  ``3aw``). AutoAugment (``original``, ``originalr``, ``v0``, ``v0r``, ``3a``) applies one of its policy's
  sub-policies, two ops at set levels (one op for ``3a``), each op with its own chance: read sub-policy by
  sub-policy, each op at its level (with ``mstd``, at every level the noise reaches). AugMix
  (``augmix-m3-w3``) mixes the image with chains of up to three ops (``d`` of them when ``d`` is above 0) from
  ``_AUGMIX_TRANSFORMS``.

A key timm does not know is refused as timm refuses it (``assert False``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from safeaug.catalog._registry import Knob, Params, add_defaults, entry
from safeaug.catalog.degradation import sharpness_factor
from safeaug.effects import Envelope
from safeaug.errors import ConfigError
from safeaug.libraries.timm import AUGMIX, AUTO, RAND, SIGNATURES

FAMILY = "auto"  # a composition of an op space: whatever its ops do
_DENOM = 10.0  # timm's _LEVEL_DENOM: a level of 10 is each op's full range

add_defaults({name: dict(args) for name, args in SIGNATURES.items()})

_RAND_OPS = (
    "AutoContrast",
    "Equalize",
    "Invert",
    "Rotate",
    "Posterize",
    "Solarize",
    "SolarizeAdd",
    "Color",
    "Contrast",
    "Brightness",
    "Sharpness",
    "ShearX",
    "ShearY",
    "TranslateXRel",
    "TranslateYRel",
)
_INCREASING = {
    "Posterize": "PosterizeIncreasing",
    "Solarize": "SolarizeIncreasing",
    "Color": "ColorIncreasing",
    "Contrast": "ContrastIncreasing",
    "Brightness": "BrightnessIncreasing",
    "Sharpness": "SharpnessIncreasing",
}
_RAND_INCREASING_OPS = tuple(_INCREASING.get(op, op) for op in _RAND_OPS)
# The sets a ``t`` key names (a weighted set draws without replacement).
_RAND_SETS: dict[str, tuple[tuple[str, ...], bool]] = {
    "3a": (("SolarizeIncreasing", "Desaturate", "GaussianBlur"), False),
    "3aw": (
        (
            "SolarizeIncreasing",
            "Desaturate",
            "GaussianBlur",
            "Rotate",
            "ShearX",
            "ShearY",
            "PosterizeIncreasing",
            "AutoContrast",
            "ColorIncreasing",
            "SharpnessIncreasing",
            "ContrastIncreasing",
            "BrightnessIncreasing",
            "Equalize",
            "Invert",
        ),
        True,
    ),
    "weights": (
        (
            "Rotate",
            "ShearX",
            "ShearY",
            "TranslateXRel",
            "TranslateYRel",
            "ColorIncreasing",
            "SharpnessIncreasing",
            "AutoContrast",
            "SolarizeIncreasing",
            "SolarizeAdd",
            "ContrastIncreasing",
            "BrightnessIncreasing",
            "Equalize",
            "PosterizeIncreasing",
            "Invert",
        ),
        True,
    ),
}
_AUGMIX_OPS = (
    "AutoContrast",
    "ColorIncreasing",
    "ContrastIncreasing",
    "BrightnessIncreasing",
    "SharpnessIncreasing",
    "Equalize",
    "Rotate",
    "PosterizeIncreasing",
    "SolarizeIncreasing",
    "ShearX",
    "ShearY",
    "TranslateXRel",
    "TranslateYRel",
)
# AutoAugment's sub-policies, each as its ops and their levels (timm's tables, the ops that run with a chance of 0
# left out; duplicates once). "Posterize*" is the policy's Posterize: PosterizeOriginal in ``original``,
# PosterizeIncreasing in ``originalr`` and ``v0r``, Posterize in ``v0``.
_ORIGINAL: tuple[tuple[tuple[str, int], ...], ...] = (
    (("Posterize*", 8), ("Rotate", 9)),
    (("Solarize", 5), ("AutoContrast", 5)),
    (("Equalize", 8), ("Equalize", 3)),
    (("Posterize*", 7), ("Posterize*", 6)),
    (("Equalize", 7), ("Solarize", 4)),
    (("Equalize", 4), ("Rotate", 8)),
    (("Solarize", 3), ("Equalize", 7)),
    (("Posterize*", 5), ("Equalize", 2)),
    (("Rotate", 3), ("Solarize", 8)),
    (("Equalize", 8), ("Posterize*", 6)),
    (("Rotate", 8), ("Color", 0)),
    (("Rotate", 9), ("Equalize", 2)),
    (("Equalize", 8),),
    (("Invert", 4), ("Equalize", 8)),
    (("Color", 4), ("Contrast", 8)),
    (("Rotate", 8), ("Color", 2)),
    (("Color", 8), ("Solarize", 7)),
    (("Sharpness", 7), ("Invert", 8)),
    (("ShearX", 5), ("Equalize", 9)),
    (("Color", 0), ("Equalize", 3)),
)
_V0: tuple[tuple[tuple[str, int], ...], ...] = (
    (("Equalize", 1), ("ShearY", 4)),
    (("Color", 9), ("Equalize", 3)),
    (("Color", 1), ("Rotate", 8)),
    (("Solarize", 3), ("Equalize", 7)),
    (("Solarize", 2), ("Solarize", 2)),
    (("Color", 0), ("Equalize", 8)),
    (("Equalize", 8), ("SolarizeAdd", 3)),
    (("ShearX", 9), ("Rotate", 8)),
    (("Color", 1), ("Equalize", 2)),
    (("Invert", 9), ("Rotate", 0)),
    (("Equalize", 9), ("ShearY", 3)),
    (("Color", 7), ("Equalize", 0)),
    (("Posterize*", 6), ("AutoContrast", 7)),
    (("Solarize", 8), ("Color", 9)),
    (("Solarize", 4), ("Rotate", 9)),
    (("Rotate", 7), ("TranslateYRel", 9)),
    (("Solarize", 4),),
    (("ShearY", 0), ("Color", 4)),
    (("Color", 0), ("Rotate", 2)),
    (("Equalize", 4),),
    (("Equalize", 4), ("AutoContrast", 2)),
    (("ShearY", 7), ("SolarizeAdd", 7)),
    (("Posterize*", 2), ("Solarize", 10)),
    (("Solarize", 8), ("Equalize", 1)),
    (("Color", 6), ("Rotate", 5)),
)
_AA_POLICIES: dict[str, tuple[tuple[tuple[str, int], ...], ...]] = {
    "original": tuple(tuple((n.replace("*", "Original"), m) for n, m in sub) for sub in _ORIGINAL),
    "originalr": tuple(tuple((n.replace("*", "Increasing"), m) for n, m in sub) for sub in _ORIGINAL),
    "v0": tuple(tuple((n.replace("*", ""), m) for n, m in sub) for sub in _V0),
    "v0r": tuple(tuple((n.replace("*", "Increasing"), m) for n, m in sub) for sub in _V0),
    "3a": ((("Solarize", 5),), (("Desaturate", 10),), (("GaussianBlurRand", 10),)),
}


def _factor(level: float) -> float:
    return level / _DENOM * 1.8 + 0.1


def _op(name: str, lo: float, hi: float, translate_pct: float) -> Envelope:
    """What op ``name`` may do at any level in [lo, hi]."""
    low, high = lo / _DENOM, hi / _DENOM
    if name in ("AutoContrast", "Equalize"):
        return Envelope(equalization=True, color=True)
    if name == "Invert":
        return Envelope(inversion=True)
    if name == "Rotate":
        return Envelope(rotation=high * 30.0)
    if name in ("ShearX", "ShearY"):
        shear = high * 0.3  # about the top-left corner: the far row slides by the factor times the side,
        slide = min(1.0, shear)  # and the centre by half that
        return Envelope(
            shear=math.degrees(math.atan(shear)), translation=slide / 2.0, crop_min=1.0 - slide / 2.0, edge_travel=slide
        )
    if name in ("TranslateXRel", "TranslateYRel"):
        shift = high * translate_pct
        return Envelope(translation=shift, crop_min=max(0.0, 1.0 - shift), edge_travel=shift)
    if name in ("Posterize", "PosterizeIncreasing", "PosterizeOriginal"):
        keep = {
            "Posterize": int(low * 4),
            "PosterizeIncreasing": 4 - int(high * 4),
            "PosterizeOriginal": 4 + int(low * 4),
        }[name]
        if keep >= 8:
            return Envelope()
        return Envelope(posterize_bits=float(keep), destroys=keep <= 0)  # no bit kept: a black image
    if name in ("Solarize", "SolarizeIncreasing"):
        threshold = min(256, int(low * 256)) if name == "Solarize" else 256 - min(256, int(high * 256))
        return Envelope(nonmonotone=threshold < 256, inversion=threshold <= 1)
    if name == "SolarizeAdd":
        add = min(128, int(high * 110))
        return Envelope(nonmonotone=add > 0, brightness=add / 255.0)
    increasing = name.endswith("Increasing")
    gain = (max(0.1, 1.0 - high * 0.9), 1.0 + high * 0.9) if increasing else (_factor(lo), _factor(hi))
    kind = name.removesuffix("Increasing")
    if kind == "Color":
        return Envelope(saturation_min=gain[0], saturation_max=gain[1], grayscale=gain[0] <= 1.0 / 255.0)
    if kind == "Contrast":
        return Envelope(contrast_min=gain[0], contrast_max=gain[1], brightness=max(1.0 - gain[0], gain[1] - 1.0))
    if kind == "Brightness":
        return Envelope(contrast_min=gain[0], contrast_max=gain[1])
    if kind == "Sharpness":
        return Envelope.union_of([sharpness_factor(gain[0]), sharpness_factor(gain[1])])
    if name == "Desaturate":
        least = 1.0 - min(1.0, 0.5 + high * 0.5)
        return Envelope(saturation_min=least, saturation_max=1.0 - min(1.0, 0.5 + low * 0.5), grayscale=least <= 0.0)
    if name == "GaussianBlur":
        return Envelope(blur=0.1 + high * 1.9)
    if name == "GaussianBlurRand":
        return Envelope(blur=max(0.1, high * 2.0))
    raise ConfigError(f"timm op `{name}` is not one safeaug reads")


def _sections(p: Params, first: tuple[str, ...], keys: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """The config string's first section and its keyed sections, split as timm splits them."""
    text = p.raw("config_str")
    if not isinstance(text, str) or not text:
        raise ConfigError(f"{p.transform}.config_str: expected a string such as {first[0]!r}, got {text!r}")
    head, *rest = text.split("-")
    if head not in first:
        raise ConfigError(f"{p.transform}.config_str: {text!r} must start with {' or '.join(map(repr, first))}")
    found: dict[str, str] = {}
    for section in rest:
        if "t" in keys and section.startswith("t"):
            found["t"] = section[1:]
            continue
        parts = re.split(r"(\d.*)", section)
        if len(parts) < 2:
            continue  # timm skips a section with no digits
        key, value = parts[:2]
        if key not in keys:
            raise ConfigError(
                f"{p.transform}.config_str: {text!r} has section {section!r}, which timm refuses (its keys: "
                f"{', '.join(keys)})"
            )
        found[key] = value
    return head, found


def _number(p: Params, section: str, value: str, kind: type) -> float:
    try:
        return float(kind(value))
    except ValueError:
        raise ConfigError(f"{p.transform}.config_str: `{section}{value}` is not a number timm reads") from None


def _hparams(p: Params) -> Mapping[str, Any]:
    given = p.raw("hparams")
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise ConfigError(f"{p.transform}.hparams: expected a mapping or None, got {given!r}")
    return given


def _levels(m: float, mstd: float, mmax: float | None) -> tuple[float, float]:
    """The lowest and highest level an op draws (see the module documentation)."""
    top = mmax if mmax else _DENOM  # (timm: ``magnitude_max or _LEVEL_DENOM``)
    level = max(0.0, min(m, top))
    if mstd == 0:
        return level, level
    if math.isinf(mstd):
        return 0.0, level
    return 0.0, top


def _noise(p: Params, found: Mapping[str, str], hparams: Mapping[str, Any], default: float, *, rand: bool) -> float:
    """The magnitude's noise: ``hparams`` first (timm sets the string's value only when it is unset); RandAugment
    reads a string's value above 100 as uniform sampling (infinite), the others take it as written."""
    value = hparams.get("magnitude_std")
    if value is None and "mstd" in found:
        value = _number(p, "mstd", found["mstd"], float)
        if rand and value > 100:
            value = math.inf
    value = default if value is None else value
    if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
        raise ConfigError(f"{p.transform}: the magnitude's noise must be a number, got {value!r}")
    return float(value)


def _cap(p: Params, hparams: Mapping[str, Any]) -> float | None:
    """``hparams``' upper clip of the level, if it sets one."""
    value = hparams.get("magnitude_max")
    if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= 0):
        raise ConfigError(f"{p.transform}.hparams: magnitude_max must be a number of at least 0, got {value!r}")
    return None if value is None else float(value)


def _translate_pct(p: Params, hparams: Mapping[str, Any]) -> float:
    value = hparams.get("translate_pct", 0.45)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ConfigError(f"{p.transform}.hparams: translate_pct must be a number in [0, 1], got {value!r}")
    return float(value)


def _rand_ops(p: Params, increasing: bool, named: str | None) -> tuple[tuple[str, ...], bool]:
    given = p.raw("transforms")
    if given is not None:
        names = list(given) if isinstance(given, (list, tuple, Mapping)) else None
        if not names or not all(isinstance(n, str) for n in names):
            raise ConfigError(f"{p.transform}.transforms: expected op names, got {given!r}")
        return tuple(names), isinstance(given, Mapping)
    if named is not None and named in _RAND_SETS:
        return _RAND_SETS[named]
    return (_RAND_INCREASING_OPS if increasing else _RAND_OPS), False


@entry(RAND, family=FAMILY, knobs={"rotation": Knob("config_str"), "inversion": Knob("config_str")})
def _rand_augment(p: Params) -> Envelope:
    """applies ``n`` ops drawn from timm's RandAugment set, each at a level set by the magnitude"""
    _, found = _sections(p, ("rand",), ("t", "mstd", "mmax", "inc", "m", "n", "p"))
    hparams = _hparams(p)
    m = _number(p, "m", found["m"], int) if "m" in found else _DENOM
    n = int(_number(p, "n", found["n"], int)) if "n" in found else 2
    mmax = _cap(p, hparams)
    if mmax is None and "mmax" in found:
        mmax = _number(p, "mmax", found["mmax"], int)
    if "p" in found:
        _number(p, "p", found["p"], float)  # (a chance per op: it bounds nothing)
    lo, hi = _levels(m, _noise(p, found, hparams, 0.0, rand=True), mmax)
    names, weighted = _rand_ops(p, "inc" in found, found.get("t"))
    ops = [_op(name, lo, hi, _translate_pct(p, hparams)) for name in names]
    if n < 1:
        return Envelope()
    if weighted and n > len(ops):
        raise ConfigError(f"{p.transform}: {n} ops drawn without replacement from a set of {len(ops)}")
    return Envelope.some_of(ops, n, replace=not weighted)


@entry(AUTO, family=FAMILY, knobs={"rotation": Knob("config_str"), "inversion": Knob("config_str")})
def _auto_augment(p: Params) -> Envelope:
    """applies one of the policy's sub-policies: two ops in a row (one for ``3a``), each at its own level"""
    policy, found = _sections(p, tuple(_AA_POLICIES), ("mstd",))
    hparams = _hparams(p)
    noise = _noise(p, found, hparams, 0.0, rand=False)
    pct = _translate_pct(p, hparams)
    cap = _cap(p, hparams)
    subs = []
    for sub in _AA_POLICIES[policy]:
        ops = [_op(name, *_levels(level, noise, cap), pct) for name, level in sub]
        subs.append(ops[0] if len(ops) == 1 else ops[0].then(ops[1]))
    return Envelope.union_of(subs)


@entry(AUGMIX, family=FAMILY, knobs={"rotation": Knob("config_str")})
def _augment_and_mix(p: Params) -> Envelope:
    """mixes the image with chains of up to three ops (``d`` when above 0), each at a level up to the magnitude"""
    _, found = _sections(p, ("augmix",), ("mstd", "m", "w", "d", "a", "b"))
    hparams = _hparams(p)
    m = _number(p, "m", found["m"], int) if "m" in found else 3.0
    depth = int(_number(p, "d", found["d"], int)) if "d" in found else -1
    for key in ("w", "a"):
        if key in found:
            _number(p, key, found[key], float)
    lo, hi = _levels(m, _noise(p, found, hparams, math.inf, rand=False), _cap(p, hparams))
    ops = [_op(name, lo, hi, _translate_pct(p, hparams)) for name in _AUGMIX_OPS]
    chain = Envelope.some_of(ops, depth if depth > 0 else 3, replace=True)
    return chain.with_changes(mixing=True)
